"""LogsPane: the main screen's Logs pane — hosts the LogView and points it at the selected workload's pods."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer
from textual.widget import Widget

from kubetui import kinds
from kubetui.cluster import relations


def pods_for(store: Any, kind: str, obj: dict[str, Any]) -> list[str]:
    """Names of the pods whose logs belong to ``obj``: itself, or every pod of a Deployment/RS/Service."""
    return [p["metadata"]["name"] for p in relations.pods_of(store, obj, kind)]


class LogsPane(Vertical):
    """Follows the selection: a pod's logs, or every pod of a Deployment or Service (debounced)."""

    DEFAULT_CSS = """
    LogsPane { height: 1fr; }
    """
    debounce = 0.3  # moving the cursor quickly must not open a stream per row passed

    def __init__(self, *, budget: int | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self._budget = budget
        self._target: tuple[str, str] | None = None
        self._pods: list[str] = []
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        from kubetui.widgets.log_view import LogView

        if self._budget:
            yield LogView(budget=self._budget, id="log-view")
        else:
            yield LogView(id="log-view")

    @property
    def view(self) -> Any:
        from kubetui.widgets.log_view import LogView

        return self.query_one(LogView)

    def focus_target(self) -> Widget:
        return self.view.lines  # type: ignore[no-any-return]

    def follow(self, session: Any, kind: str, obj: dict[str, Any]) -> None:
        """Shows the logs of ``obj`` unless it is already shown."""
        uid = (obj.get("metadata") or {}).get("uid", "")
        if self._target == (kind, uid) or session.conn is None:
            return
        self._target = (kind, uid)
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.debounce, lambda: self._start(session, kind, obj))

    def _start(self, session: Any, kind: str, obj: dict[str, Any]) -> None:
        self._timer = None
        meta = obj.get("metadata") or {}
        self._pods = pods_for(session.store, kind, obj)
        what = kinds.spec(kind)
        title = f"{what.singular_name} {meta.get('name', '')}"
        if what.pods != kinds.PODS_SELF:
            title += f" ({len(self._pods)} pods)"
        self.view.show_pods(session.conn, meta.get("namespace", ""), self._pods, title=title)

    def pods_changed(self, session: Any) -> None:
        """The pods of a followed workload may have changed: new ones join the stream, gone ones leave."""
        if self._target is None or self._target[0] == "pods" or self._timer is not None:
            return
        kind, uid = self._target
        obj = session.store.get(kind, uid)
        if obj is None:
            return
        pods = pods_for(session.store, kind, obj)
        if pods != self._pods:
            self._pods = pods
            self.view.set_pods(pods)
