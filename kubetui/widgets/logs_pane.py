"""LogsPane: the main screen's Logs pane — hosts the LogView and points it at the selected workload."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Static


class LogsPane(Vertical):
    """Follows the selection: a pod's logs, or every pod of a Deployment or Service."""

    DEFAULT_CSS = """
    LogsPane { height: 1fr; }
    LogsPane > #logs-placeholder { height: 1fr; color: $text-muted; padding: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._target: tuple[str, str] | None = None
        self._view: Widget | None = None

    def compose(self) -> ComposeResult:
        view = _make_log_view()
        if view is not None:
            self._view = view
            yield view
        else:
            placeholder = Static("Select a pod to see its logs.", id="logs-placeholder")
            placeholder.can_focus = True
            yield placeholder

    def focus_target(self) -> Widget:
        return self._view or self.query_one("#logs-placeholder")

    def follow(self, session: Any, kind: str, obj: dict[str, Any]) -> None:
        """Shows the logs of ``obj`` (a pod, or every pod of a Deployment/Service) unless already shown."""
        uid = (obj.get("metadata") or {}).get("uid", "")
        if self._target == (kind, uid):
            return
        self._target = (kind, uid)
        if self._view is not None and hasattr(self._view, "follow"):
            self._view.follow(session, kind, obj)
            return
        name = (obj.get("metadata") or {}).get("name", "")
        if self._view is None:
            self.query_one("#logs-placeholder", Static).update(f"Logs of {kind[:-1]} {name}")


def _make_log_view() -> Widget | None:
    try:
        from kubetui.widgets.log_view import LogView
    except ImportError:
        return None
    return LogView()
