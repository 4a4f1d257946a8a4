"""ClusterHeader: one line naming context, server, Kubernetes version, namespace and the live connection state."""

from __future__ import annotations

import time
from typing import Any

from rich.text import Text
from textual.widgets import Static

from kubetui.session import since_text

STATE_STATUS = {
    "live": "running",
    "syncing": "pending",
    "connecting": "pending",
    "reconnecting": "warning",
    "forbidden": "failed",
    "unreachable": "failed",
    "unauthorized": "failed",
}


class ClusterHeader(Static):
    """Redrawn on connection and watch state changes (and each second while a state has a "since")."""

    DEFAULT_CSS = """
    ClusterHeader { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._last: Text | None = None

    def show(self, session: Any, colours: dict[str, str], frozen: bool = False) -> None:
        text = self.compose_text(session, colours, frozen)
        if self._last is None or text.plain != self._last.plain or text.spans != self._last.spans:
            self._last = text
            self.update(text)

    @staticmethod
    def compose_text(session: Any, colours: dict[str, str], frozen: bool = False) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("kubetui ", style="bold")
        context = session.context or "?"
        if session.config.builtin:
            text.append("built-in cluster", style="bold")
            text.append(f" ({context})  ")
        else:
            text.append(f"{context}  ", style="bold")
        namespace = session.view_namespace
        text.append("ns:")
        text.append(f"{namespace or 'all'}  ", style="bold")
        state, since, detail = session.connection_state()
        label = state
        if state == "reconnecting" and since is not None:
            label = f"reconnecting since {time.strftime('%H:%M:%S', time.localtime(since))}"
            if not frozen:
                label += f" ({since_text(since)})"
        if state in ("reconnecting", "unreachable", "unauthorized"):
            label += " · data stale"
        text.append(f"● {label}", style=colours.get(STATE_STATUS.get(state, "pending"), ""))
        if session.readonly:
            text.append("  [read-only]", style="bold")
        if detail and state != "live":
            text.append(f"  {detail}")
        no_access = session.no_access() if hasattr(session, "no_access") else []
        if no_access and state != "forbidden":
            text.append(f"  no access: {', '.join(no_access)}", style=colours.get("warning", ""))
        # Version and server last: on a narrow terminal they are what gets cut.
        version = (session.version or {}).get("gitVersion")
        if version:
            text.append(f"  {version}")
        server = session.server
        if server and not frozen:
            text.append(f"  {server}", style="dim")
        return text
