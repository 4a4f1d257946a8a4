"""ClusterHeader: one line naming context, server, Kubernetes version, namespace and the live connection state."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

from kubetui.session import since_text

# States where the detail is why kubetui cannot connect (and the fix): shown in full below the header line.
# "reconnecting" too: a certificate that lacks the host name fails every watch, and its fix is long.
PROBLEM_STATES = ("unreachable", "unauthorized", "reconnecting")

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
    ClusterHeader { height: auto; max-height: 5; background: $panel; color: $foreground; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._last: tuple[Any, ...] | None = None

    def show(self, session: Any, colours: dict[str, str], frozen: bool = False) -> None:
        text = self.compose_text(session, colours, frozen)
        problem = self.problem_text(session)
        shown = (text.plain, text.spans, problem.plain if problem is not None else None)
        if shown != self._last:
            self._last = shown
            self.update(Group(text, problem) if problem is not None else text)

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
        if detail and state not in ("live", *PROBLEM_STATES):
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

    @staticmethod
    def problem_text(session: Any) -> Text | None:
        """Why kubetui cannot connect, and the fix, for lines of their own under the header: at the end of
        its one line they were cut (at 160 columns after "x509:", at 80 nothing of them showed)."""
        state, _, detail = session.connection_state()
        if state not in PROBLEM_STATES or not detail:
            return None
        return Text(detail, overflow="fold")
