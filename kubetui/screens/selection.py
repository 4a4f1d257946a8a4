"""SelectionMixin: how selecting in one pane scopes the others (pods of a Deployment or Node, a Service's
pods and traffic path, a Deployment's revisions, what the Logs pane follows)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kubetui.screens import rows
from kubetui.screens.rows import TABLE_KINDS
from kubetui.widgets.logs_pane import LogsPane
from kubetui.widgets.resource_table import ResourceTable
from kubetui.widgets.revisions import RevisionsTable
from kubetui.widgets.traffic import TrafficPathView


class SelectionMixin:
    """Mixed into MainScreen, which provides the tables, the session and ``refill``."""

    app: Any
    session: Any
    pod_scope: tuple[str, str] | None
    _scope_pred: Any
    service_uid: str | None
    deployment_uid: str | None
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
    _service_pred: Any = None

    def on_resource_table_selected(self, event: ResourceTable.Selected) -> None:
        kind = event.table.kind
        if kind == "revisions":
            return
        focused = self.focused_kind() == kind
        uid = event.uid
        if kind == "deployments":
            self.deployment_uid = uid
            self._refresh_revisions()
            if focused and uid:
                self._set_scope(("deployments", uid), refill=True)
                self._offer_pull_secret(uid)
        elif kind == "nodes" and focused and uid:
            self._set_scope(("nodes", uid), refill=True)
        elif kind == "services":
            self.service_uid = uid
            self._refresh_traffic()
            if focused:
                self._refresh_service_highlight()
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
        if kind in ("deployments", "nodes"):
            uid = self.table(kind).selected_uid
            if self._service_pred is not None:
                self._service_pred = None
                self.refill("pods")
            if uid and self.pod_scope != (kind, uid):
                self._set_scope((kind, uid), refill=True)
        elif kind == "services":
            self._refresh_service_highlight()
        if kind in TABLE_KINDS:
            self._feed_logs(kind, self.table(kind).selected_uid)

    def _offer_pull_secret(self, uid: str) -> None:
        """A Deployment whose pods cannot pull: point at the key that adds registry credentials (once)."""
        from kubetui.screens.dialogs.registry_flow import offer_pull_secret

        if not self.session.readonly and offer_pull_secret(
            self.app, self.session.store, self.session.store.get("deployments", uid)
        ):
            self.refresh_bindings()  # the footer shows the pull-Secret key now

    def _set_scope(self, scope: tuple[str, str] | None, refill: bool = False) -> None:
        old = (self.pod_scope, self._scope_pred)
        self.pod_scope = scope
        self._scope_pred = None
        if scope is not None:
            obj = self.session.store.get(*scope)
            if obj is not None:
                if scope[0] == "deployments":
                    self._scope_pred = rows.deployment_scope(self.session.store, obj)
                elif scope[0] == "nodes":
                    self._scope_pred = rows.node_scope(obj)
        if refill and (old[0] != scope or scope is not None):
            self.refill("pods")

    def _refresh_service_highlight(self) -> None:
        obj = self.session.store.get("services", self.service_uid) if self.service_uid else None
        self._service_pred = rows.service_selects(obj) if obj is not None else None
        self.refill("pods")

    def _refresh_revisions(self) -> None:
        deployment = (
            self.session.store.get("deployments", self.deployment_uid) if self.deployment_uid else None
        )
        app: Any = self.app
        self.query_one(RevisionsTable).show(self.session.store, deployment, app.now_for, app.status_colours())

    def _refresh_traffic(self) -> None:
        service = self.session.store.get("services", self.service_uid) if self.service_uid else None
        self.query_one(TrafficPathView).show(self.session.store, service)

    def _feed_logs(self, kind: str, uid: str | None) -> None:
        if kind not in ("pods", "deployments", "services") or uid is None:
            return
        obj = self.session.store.get(kind, uid)
        if obj is not None:
            self.query_one(LogsPane).follow(self.session, kind, obj)
