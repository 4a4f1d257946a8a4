"""MainScreen: the live explorer — Nodes, Deployments (+revisions), Pods, Services (+traffic path) and Logs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Grid
from textual.events import Key, Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from kubetui import actions as actions_table
from kubetui import kinds
from kubetui.keymap import PRIORITY_ACTIONS, bindings
from kubetui.messages import ConnectionChanged, DeltasArrived
from kubetui.screens import rows
from kubetui.screens.commands import CommandsMixin
from kubetui.screens.metrics_columns import MetricsMixin
from kubetui.screens.row_feed import RowFeedMixin
from kubetui.screens.rows import TABLE_KINDS
from kubetui.screens.selection import SelectionMixin
from kubetui.widgets.command_line import CommandBar, CommandLine
from kubetui.widgets.header import ClusterHeader
from kubetui.widgets.key_footer import KeyFooter
from kubetui.widgets.logs_pane import LogsPane
from kubetui.widgets.panes import PANE_ORDER, PANE_TITLES, Pane, PaneTabs
from kubetui.widgets.resource_table import ResourceTable, name_sort
from kubetui.widgets.revisions import RevisionsTable
from kubetui.widgets.traffic import TrafficPathView

# What each change is called when read-only refuses it: "read-only: scaling is off".
READONLY_NAMES = {
    "new": "creating Deployments",
    "expose": "exposing Services",
    "scale": "scaling",
    "scale_up": "scaling",
    "scale_down": "scaling",
    "set_image": "setting images",
    "undo": "rolling back",
    "restart": "restarting",
    "delete": "deleting",
    "apply": "applying manifests",
    "pull_secret": "creating pull Secrets",
    "shell": "exec into pods",
    "shell_command": "exec into pods",
    "port_forward": "port-forwarding",
}


def readonly_refusal(action: actions_table.Action) -> str:
    """Why a change key does nothing on a read-only connection, in a few words."""
    return f"read-only: {READONLY_NAMES.get(action.id, action.label.lower())} is off"


# The Logs pane lists no kind: its keys act on the selected pod, and esc goes back to the Pods pane.
LOGS = "logs"

# Below this size panes are shown one at a time, as tabs, so nothing is cut.
WIDE_MIN = (120, 36)


class MainScreen(SelectionMixin, CommandsMixin, MetricsMixin, RowFeedMixin, Screen[None]):
    """Every pane is a keyed view of the session's Store; selection in one pane scopes the others."""

    AUTO_FOCUS = "#pods"
    BINDINGS: ClassVar[list[BindingType]] = [*bindings()]
    AGE_TICK = 5.0  # seconds between re-renders of the rows on screen, so their ages move on

    def __init__(self) -> None:
        super().__init__()
        self._tables = {}
        self.filters: dict[str, rows.RowFilter] = {k: rows.RowFilter() for k in TABLE_KINDS}
        self._init_selection()
        self._init_row_feed()
        self.narrow = False
        self.zoomed = False
        self.active = "pods"
        self._bindings_for: tuple[str, bool] | None = None  # (context, read-only) the footer was built for

    # -- layout -------------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ClusterHeader(id="header")
        yield PaneTabs(id="tabs")
        with Grid(id="body"):
            with Pane("nodes"):
                yield ResourceTable("nodes", rows.columns("nodes", False), id="nodes")
            with Pane("pods"):
                yield ResourceTable("pods", rows.columns("pods", False), id="pods")
            with Pane("deployments"):
                yield ResourceTable("deployments", rows.columns("deployments", False), id="deployments")
                yield RevisionsTable(id="revisions")
            with Pane("services"):
                yield ResourceTable("services", rows.columns("services", False), id="services")
                yield TrafficPathView(id="traffic")
            with Pane("logs"):
                yield LogsPane(id="logs", budget=getattr(self.app.settings, "log_line_budget", None))  # type: ignore[attr-defined]
        yield CommandBar(id="command-bar")
        yield KeyFooter()

    ready = False  # set once the widgets exist; cluster messages before that are caught up on mount

    def on_unmount(self) -> None:
        self.ready = False

    def on_mount(self) -> None:
        self.ready = True
        self.table("pods").focus()
        self.refresh_header()
        self.set_interval(self.AGE_TICK, self._tick)
        self.refill_all()
        self.start_metrics()

    def on_resize(self, event: Resize) -> None:
        narrow = event.size.width < WIDE_MIN[0] or event.size.height < WIDE_MIN[1]
        if narrow != self.narrow:
            self.narrow = narrow
            self._apply_layout()

    def _apply_layout(self) -> None:
        body = self.query_one("#body")
        single = self.narrow or self.zoomed
        body.set_class(single, "-single")
        for pane in self.query(Pane):
            pane.set_class(pane.kind == self.active, "-active")
        self.query_one(PaneTabs).display = single
        self._show_tabs()

    def _show_tabs(self) -> None:
        counts = {k: self.table(k).row_count for k in TABLE_KINDS}
        self.query_one(PaneTabs).show(self.active, counts)

    # -- access -------------------------------------------------------------------------------------------------

    @property
    def session(self) -> Any:
        return self.app.session  # type: ignore[attr-defined]

    def table(self, kind: str) -> ResourceTable:
        table = self._tables.get(kind)
        if table is None:
            table = self._tables[kind] = self.query_one(f"#{kind}", ResourceTable)
        return table

    _tables: dict[str, ResourceTable]

    def _alive(self) -> bool:
        """False while the app tears the screen down (its widgets go before queued messages do)."""
        return self.ready and self.table("pods").is_attached

    def focused_kind(self) -> str | None:
        focused = self.focused
        while focused is not None and not isinstance(focused, Pane):
            focused = focused.parent  # type: ignore[assignment]
        return focused.kind if isinstance(focused, Pane) else None

    def selected(self, kind: str) -> dict[str, Any] | None:
        if kind not in TABLE_KINDS:
            return None
        uid = self.table(kind).selected_uid
        return self.session.store.get(kind, uid) if uid else None

    def target(self) -> actions_table.Target:
        kind = self.focused_kind() or self.active
        obj = self.selected(kind) if kind in TABLE_KINDS else None
        if kind == LOGS:
            kind = kinds.POD.plural
            obj = self.selected(kind)
        namespace = ((obj or {}).get("metadata") or {}).get("namespace") or self.session.namespace
        return actions_table.Target(kind=kind, obj=obj, session=self.session, namespace=namespace)

    # -- bindings ---------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "object" and parameters:
            found = actions_table.BY_ID.get(str(parameters[0]))
            if found is None:
                return False
            if found.mutates and self.session.readonly:
                # The key still answers, to say why nothing happens; the footer leaves it out (footer_hidden).
                return found.applies_to(self.focused_kind())
            return actions_table.visible(found, self.focused_kind(), self.session.readonly)
        if action in PRIORITY_ACTIONS:
            # Typing ":" or "/" inside the command line is text; "/" in the Logs pane is its own search.
            if isinstance(self.focused, CommandLine):
                return False
            if action == "filter" and self.focused_kind() not in self.filters:
                return False
        return True

    def footer_hidden(self) -> set[str]:
        """Keys the footer leaves out: every change while the connection is read-only."""
        if not self.session.readonly:
            return set()
        return {action.id for action in actions_table.ACTIONS if action.mutates}

    def footer_extra(self) -> set[str]:
        """Keys hidden from the footer that it shows now: the pull-Secret key while the Deployment the
        registry offer named (or the selected one) cannot pull its pods' images."""
        from kubetui.screens.pull_failures import deployment_to_fix, pull_failure

        target = self.target()
        if self.session.readonly or target.kind not in kinds.applies("pull_secret"):
            return set()
        deployment = deployment_to_fix(self.app, self.session.store, target.kind, target.obj)
        if deployment is None or pull_failure(self.session.store, deployment) is None:
            return set()
        return {"pull_secret"}

    def on_key(self, event: Key) -> None:
        """Read-only leaves a change's key unbound; pressed anyway, it says why nothing happens."""
        if not self.session.readonly or isinstance(self.focused, Input):
            return
        keymap: dict[str, str] = getattr(self.app, "_keymap", {}) or {}
        for action in actions_table.ACTIONS:
            keys = (keymap.get(action.id) or action.key).split(",")
            if action.mutates and event.key in keys:
                event.stop()
                self.notify(readonly_refusal(action), severity="warning")
                return

    def action_object(self, action_id: str) -> None:
        self.run_action_id(action_id)

    def run_action_id(self, action_id: str) -> None:
        """Runs an action of the table on the focused object (keys and the command palette come here)."""
        action = actions_table.BY_ID[action_id]
        if action.group != "object":
            self.call_later(self.run_action, action.id)
            return
        target = self.target()
        if action.mutates and self.session.readonly:
            self.notify(readonly_refusal(action), severity="warning")
            return
        if not action.applies_to(target.kind):
            self.notify(f"{action.label} does not apply to {target.kind}", severity="warning")
            return
        handler = actions_table.handler_for(action_id)
        if handler is None:
            self.notify(f"{action.label} is not available yet", severity="warning")
            return
        self.run_worker(handler(self.app, target), group="action", exclusive=False)

    # -- cluster data ------------------------------------------------------------------------------------------

    def cluster_deltas(self, message: DeltasArrived) -> None:
        if not self._alive():
            return
        kind = message.kind
        if message.reset:
            if kind in TABLE_KINDS:
                self.refill(kind)
            return
        views = kinds.views_fed_by(kind)  # which views this kind feeds is the registry's to say
        listed = kind in TABLE_KINDS
        scope = self.pod_scope
        if listed and kinds.VIEW_POD_SCOPE in views and scope is not None and kind not in self._narrows:
            self._set_scope(scope)  # the scope's objects arrived after it was chosen
        if listed:
            self.queue_rows(kind, message.uids)
        revisions_of = self.chosen.get(kinds.showing(kinds.VIEW_REVISIONS))
        if kinds.VIEW_REVISIONS in views and (not listed or revisions_of in message.uids):
            self._refresh_revisions()
        if kinds.VIEW_POD_SCOPE in views and scope is not None:
            if listed:  # the scoped pods may start failing later
                self._offer_pull_secret(*scope)
            elif kinds.spec(scope[0]).pods == kinds.PODS_REVISIONS:  # a new ReplicaSet brings new pods
                self._set_scope(scope, refill=True)
        if kinds.VIEW_LOGS in views:
            self.query_one(LogsPane).pods_changed(self.session)
        if kinds.VIEW_TRAFFIC in views and self.chosen.get(kinds.showing(kinds.VIEW_TRAFFIC)):
            self._refresh_traffic()
        if listed:
            self._titles()

    def cluster_state(self, message: Any) -> None:
        if not self._alive():
            return
        self.refresh_header()
        self._titles()  # a kind the user may not list says so in its pane
        if isinstance(message, ConnectionChanged):
            key = (self.session.context, self.session.readonly)
            if key != self._bindings_for:
                # A new context may be read-only: its keys change. A namespace switch changes none, and
                # rebuilding the footer each time costs memory and time.
                self._bindings_for = key
                self.refresh_bindings()
            if message.connected:
                self.refill_all()

    def refresh_header(self) -> None:
        app: Any = self.app
        self.query_one(ClusterHeader).show(self.session, app.status_colours(), app.frozen_ages)

    def theme_changed(self) -> None:
        self.refresh_header()
        self.refill_all()

    def _tick(self) -> None:
        self.refresh_header()
        self._age_rows()

    def _age_rows(self, kinds: Iterable[str] = TABLE_KINDS) -> None:
        """Ages move on: re-render the rows on screen (cheap: only what is visible, unchanged cells stay)."""
        if self.app.frozen_ages or not self._alive():  # type: ignore[attr-defined]
            return
        for kind in kinds:
            table = self.table(kind)
            if table.display and table.size.height:  # a pane hidden behind a tab has no rows on screen
                self.update_rows(kind, set(table.visible_uids()))

    def on_resource_table_rows_shown(self, event: ResourceTable.RowsShown) -> None:
        """Rows scrolled into view or a pane shown by its tab were last drawn a while ago: age them now."""
        event.stop()
        if event.table.kind in TABLE_KINDS:
            self._age_rows([event.table.kind])

    # -- rows ---------------------------------------------------------------------------------------------------

    def refill(self, kind: str) -> None:
        """Recomputes what a pane shows (after a filter, scope, namespace or context change)."""
        self.drop_waiting_rows(kind)
        self._colours = self.app.status_colours()  # type: ignore[attr-defined]
        table = self.table(kind)
        with_ns = self._with_namespace()
        columns = rows.columns(kind, with_ns) + self.metric_columns(kind)
        # Cluster-scoped kinds have no NAMESPACE column in either mode: their order must not change with it.
        self.set_columns_and_order(table, kind, columns, name_sort(columns[:1] == ("NAMESPACE",)))
        namespace = self.session.view_namespace if kind in kinds.NAMESPACED else None
        wanted: dict[str, tuple[Any, ...]] = {}
        for obj in self.session.store.list(kind, namespace):
            row = self._member(kind, obj)
            if row is not None:
                wanted[obj["metadata"]["uid"]] = row
        table.replace(wanted)
        self._titles()

    def refill_all(self) -> None:
        for kind in TABLE_KINDS:
            self.refill(kind)
        self._refresh_revisions()
        self._refresh_traffic()

    def _titles(self) -> None:
        namespace = self.session.view_namespace or "all namespaces"
        no_access = set(self.session.no_access())
        narrowed = self.session.narrowed()
        for kind in TABLE_KINDS:
            pane = self.query_one(f"#pane-{kind}", Pane)
            table = self.table(kind)
            where = f" ({namespace})" if kind in kinds.NAMESPACED else ""
            count = " · no access" if kind in no_access else f" [{table.row_count}]"
            _set_title(pane, f"{PANE_TITLES[kind]}{where}{count}")
            notes = [f"your account may not list {kind}"] if kind in no_access else []
            if kind in narrowed:
                notes.append(f"only {narrowed[kind]}: no right to list all namespaces")
            scope = self._scopes.get(kind)
            scope_obj = self.session.store.get(*scope) if scope is not None else None
            if scope is not None and scope_obj is not None:
                what = kinds.spec(scope[0]).singular_name
                notes.append(f"of {what} {scope_obj['metadata']['name']} · esc: all")
            if self.filters[kind].active:
                notes.append(f"/{self.filters[kind].text}")
            _set_title(pane, "  ".join(notes), sub=True)
        if self.narrow or self.zoomed:
            self._show_tabs()

    # -- keys ---------------------------------------------------------------------------------------------------

    def action_next_pane(self) -> None:
        self._cycle(1)

    def action_prev_pane(self) -> None:
        self._cycle(-1)

    def _cycle(self, step: int) -> None:
        current = self.focused_kind() or self.active
        index = PANE_ORDER.index(current) if current in PANE_ORDER else 0
        self.focus_pane(PANE_ORDER[(index + step) % len(PANE_ORDER)])

    def focus_pane(self, kind: str) -> None:
        self.active = kind
        if self.narrow or self.zoomed:
            self._apply_layout()
        widget: Widget = self.table(kind) if kind in TABLE_KINDS else self.query_one(LogsPane).focus_target()
        if self.query_one(CommandLine).has_class("-open"):
            # tab and ":" arriving in one burst (SSH, a loaded machine) run in either order; the focus tab
            # asks for is deferred and would pull the keys typed after ":" away from the open command line
            return
        widget.focus()

    def action_zoom(self) -> None:
        self.active = self.focused_kind() or self.active
        self.zoomed = not self.zoomed
        self._apply_layout()

    def on_resource_table_activated(self, event: ResourceTable.Activated) -> None:
        event.stop()
        self.action_drill()

    def action_drill(self) -> None:
        kind = self.focused_kind()
        what = kinds.BY_PLURAL.get(kind or "")
        if kind is None or what is None:
            return
        if what.pods == kinds.PODS_SELF:  # below a pod: its logs
            self.focus_pane(LOGS)
        elif what.pod_view:  # below a Deployment, Node or Service: its pods
            uid = self.table(kind).selected_uid
            if what.pod_view == kinds.NARROW and uid:
                self._set_scope((kind, uid), refill=True)
            self.focus_pane(kinds.POD.plural)

    def action_back(self) -> None:
        kind = self.focused_kind() or self.active
        if self.zoomed:
            self.zoomed = False
            self._apply_layout()
        elif kind in self.filters and self.filters[kind].active:
            self.set_filter(kind, "")
        elif kind in self._scopes or kind in self._marks:
            self._marks.clear()
            self._set_scope(None, refill=True)
            self._titles()
        elif kind == LOGS:
            self.focus_pane(kinds.POD.plural)

    def set_filter(self, kind: str, text: str) -> None:
        try:
            self.filters[kind] = rows.RowFilter.parse(text)
        except ValueError as exc:
            self.notify(str(exc), title="filter", severity="error")
            return
        self.refill(kind)

    def action_quit(self) -> None:
        self.app.exit(0)

    def action_help(self) -> None:
        self.app.action_help()  # type: ignore[attr-defined]


def _set_title(widget: Widget, text: str, sub: bool = False) -> None:
    """Sets a border (sub)title only when it changes: setting it repaints the whole pane."""
    name = "border_subtitle" if sub else "border_title"
    if str(getattr(widget, name) or "") != text:
        setattr(widget, name, text)
