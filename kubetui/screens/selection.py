"""SelectionMixin: how selecting in one pane scopes the others (pods of a Deployment or Node, a Service's
pods and traffic path, a Deployment's revisions, what the Logs pane follows)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kubetui import kinds
from kubetui.cluster import relations
from kubetui.screens.rows import TABLE_KINDS
from kubetui.widgets.logs_pane import LogsPane
from kubetui.widgets.resource_table import ResourceTable
from kubetui.widgets.revisions import RevisionsTable
from kubetui.widgets.traffic import TrafficPathView


class SelectionMixin:
    """Mixed into MainScreen, which provides the tables, the session and ``refill``.

    What a selection does is the registry's to say: a kind's ``pod_view`` narrows or marks the Pods pane, its
    ``pods`` says which pods are its, its ``detail`` names the view that shows it and the ``logs`` action
    whether the Logs pane follows it."""

    app: Any
    session: Any
    active: str
    narrow: bool
    zoomed: bool

    if TYPE_CHECKING:  # provided by MainScreen and Screen; declared here for the type checker only

        def focused_kind(self) -> str | None: ...
        def table(self, kind: str) -> ResourceTable: ...
        def refill(self, kind: str) -> None: ...
        def query_one(self, selector: Any, expect_type: Any = None) -> Any: ...
        def _apply_layout(self) -> None: ...
        def refresh_bindings(self) -> None: ...

    _colours: dict[str, str] = {}

    def _init_selection(self) -> None:
        self.chosen: dict[str, str | None] = {}  # kind → the uid last selected in its pane
        self._scopes: dict[str, tuple[str, str]] = {}  # pane → (kind, uid) of the object narrowing it
        self._narrows: dict[str, Callable[[Any], bool]] = {}  # pane → which of its objects that object has
        self._marks: dict[str, Callable[[Any], bool]] = {}  # pane → which of its objects are marked

    @property
    def pod_scope(self) -> tuple[str, str] | None:
        """(kind, uid) of the Deployment or Node the Pods pane is narrowed to."""
        return self._scopes.get(kinds.POD.plural)

    def on_resource_table_selected(self, event: ResourceTable.Selected) -> None:
        kind = event.table.kind
        what = kinds.BY_PLURAL.get(kind)
        if what is None:  # the revisions table: its rows are a Deployment's, shown beside it
            return
        focused = self.focused_kind() == kind
        uid = event.uid
        self.chosen[kind] = uid
        if what.detail:
            self._refresh_view(what.detail)
        if focused and uid and what.pod_view == kinds.NARROW:
            self._set_scope((kind, uid), refill=True)
            self._offer_pull_secret(kind, uid)
        elif focused and what.pod_view == kinds.MARK:
            self._refresh_marks(kind)
        if focused:  # the Logs pane follows what the person is looking at, not every pane's first row
            self._feed_logs(kind, uid)

    def on_descendant_focus(self, event: Any) -> None:
        kind = self.focused_kind()
        if kind is None:
            return
        if kind != self.active:
            self.active = kind
            if self.narrow or self.zoomed:
                self._apply_layout()
        what = kinds.BY_PLURAL.get(kind)
        pod_view = what.pod_view if what is not None else ""
        if pod_view == kinds.NARROW:
            uid = self.table(kind).selected_uid
            if self._marks:
                self._marks.clear()
                self.refill(kinds.POD.plural)
            if uid and self.pod_scope != (kind, uid):
                self._set_scope((kind, uid), refill=True)
        elif pod_view == kinds.MARK:
            self._refresh_marks(kind)
        if kind in TABLE_KINDS:
            self._feed_logs(kind, self.table(kind).selected_uid)

    def _offer_pull_secret(self, kind: str, uid: str) -> None:
        """A Deployment whose pods cannot pull: point at the key that adds registry credentials (once)."""
        from kubetui.screens.pull_failures import offer_pull_secret

        if "pull_secret" not in kinds.spec(kind).actions or self.session.readonly:
            return
        if offer_pull_secret(self.app, self.session.store, self.session.store.get(kind, uid)):
            self.refresh_bindings()  # the footer shows the pull-Secret key now

    def _set_scope(self, scope: tuple[str, str] | None, refill: bool = False) -> None:
        pods = kinds.POD.plural
        old = self.pod_scope
        self._narrows.pop(pods, None)
        if scope is None:
            self._scopes.pop(pods, None)
        else:
            self._scopes[pods] = scope
            obj = self.session.store.get(*scope)
            if obj is not None:
                self._narrows[pods] = relations.pod_test(self.session.store, obj, scope[0])
        if refill and (old != scope or scope is not None):
            self.refill(pods)

    def _refresh_marks(self, kind: str) -> None:
        uid = self.chosen.get(kind)
        obj = self.session.store.get(kind, uid) if uid else None
        self._marks.clear()
        if obj is not None:
            self._marks[kinds.POD.plural] = relations.pod_test(self.session.store, obj, kind)
        self.refill(kinds.POD.plural)

    def _shown_in(self, view: str) -> dict[str, Any] | None:
        """The selected object a detail view shows (the Deployment of the revisions, the Service of the path)."""
        kind = kinds.showing(view)
        uid = self.chosen.get(kind)
        return self.session.store.get(kind, uid) if uid else None  # type: ignore[no-any-return]

    def _refresh_view(self, view: str) -> None:
        if view == kinds.VIEW_REVISIONS:
            self._refresh_revisions()
        elif view == kinds.VIEW_TRAFFIC:
            self._refresh_traffic()

    def _refresh_revisions(self) -> None:
        app: Any = self.app
        deployment = self._shown_in(kinds.VIEW_REVISIONS)
        self.query_one(RevisionsTable).show(self.session.store, deployment, app.now_for, app.status_colours())

    def _refresh_traffic(self) -> None:
        self.query_one(TrafficPathView).show(self.session.store, self._shown_in(kinds.VIEW_TRAFFIC))

    def _feed_logs(self, kind: str, uid: str | None) -> None:
        what = kinds.BY_PLURAL.get(kind)
        if what is None or "logs" not in what.actions or uid is None:
            return
        obj = self.session.store.get(kind, uid)
        if obj is not None:
            self.query_one(LogsPane).follow(self.session, kind, obj)
