"""ResourceListScreen: a full-screen live list of one kind (``:rs``, ``:events``), in the current namespace."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from kubetui import actions as actions_table
from kubetui import kinds
from kubetui.cluster.render_time import parse_time
from kubetui.keymap import action_binding
from kubetui.messages import DeltasArrived
from kubetui.screens import rows
from kubetui.widgets.command_line import CommandBar, CommandLine
from kubetui.widgets.header import ClusterHeader
from kubetui.widgets.key_footer import KeyFooter
from kubetui.widgets.panes import Pane
from kubetui.widgets.resource_table import ResourceTable, name_sort

LOOK_ACTIONS = ("describe", "yaml")
EVENT_ORDER = "newest first"  # by last seen: what just happened is what a person opens the list for


class ResourceListScreen(Screen[None]):
    """Updated by the same keyed diffs as the main panes; esc goes back."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        # Priority, as in the main screen: "/Failed" typed fast lands in the filter, not on d = describe.
        Binding("slash", "filter", "Filter", priority=True),
        *(action_binding(actions_table.BY_ID[a]) for a in LOOK_ACTIONS),
    ]

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind
        self.filter = rows.RowFilter()

    def compose(self) -> ComposeResult:
        yield ClusterHeader(id="header")
        with Pane(self.kind, id="pane-list"):
            with_ns = self._with_namespace()
            if self._by_last_seen:
                yield ResourceTable(
                    self.kind, rows.columns(self.kind, with_ns), row_order=self._event_order, id="list"
                )
            else:
                yield ResourceTable(
                    self.kind, rows.columns(self.kind, with_ns), sort_key=name_sort(with_ns), id="list"
                )
        yield CommandBar(id="command-bar")
        yield KeyFooter()

    @property
    def _by_last_seen(self) -> bool:
        found = kinds.BY_PLURAL.get(self.kind)
        return found is not None and found.row_order == kinds.LAST_SEEN

    @property
    def session(self) -> Any:
        return self.app.session  # type: ignore[attr-defined]

    def _with_namespace(self) -> bool:
        return self.session.view_namespace is None

    ready = False  # set once the widgets exist; cluster messages before that are caught up on mount

    def on_unmount(self) -> None:
        self.ready = False

    def on_mount(self) -> None:
        self.ready = True
        app: Any = self.app
        self.query_one(ClusterHeader).show(self.session, app.status_colours(), app.frozen_ages)
        self.refill()
        self.query_one(ResourceTable).focus()

    def refill(self) -> None:
        app: Any = self.app
        colours = app.status_colours()
        namespace = self.session.view_namespace
        wanted = {}
        for obj in self.session.store.list(self.kind, namespace):
            cells = rows.cells(self.kind, obj, app.now_for(obj), self._with_namespace(), colours)
            if self.filter.matches(obj, cells):
                wanted[obj["metadata"]["uid"]] = cells
        table = self.query_one(ResourceTable)
        table.replace(wanted)
        pane = self.query_one(Pane)
        order = f" · {EVENT_ORDER}" if self._by_last_seen else ""
        pane.border_title = f"{self.kind} ({namespace or 'all namespaces'}) [{table.row_count}]{order}"
        pane.border_subtitle = f"/{self.filter.text} · esc clears" if self.filter.active else ""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # a "/" typed inside the filter is text
        return not (action == "filter" and isinstance(self.focused, CommandLine))

    def action_filter(self) -> None:
        self.query_one(CommandLine).open("/", self.filter.text)

    def on_command_line_done(self, event: CommandLine.Done) -> None:
        event.stop()
        self.query_one(ResourceTable).focus()
        if event.text is not None:
            self.set_filter(event.text)

    def set_filter(self, text: str) -> None:
        try:
            self.filter = rows.RowFilter.parse(text)
        except ValueError as exc:
            self.notify(str(exc), title="filter", severity="error")
            return
        self.refill()
        self.query_one(ResourceTable).move_cursor(row=0)

    def action_back(self) -> None:
        if self.filter.active:
            self.set_filter("")
        else:
            self.app.pop_screen()

    def cluster_deltas(self, message: DeltasArrived) -> None:
        if message.kind == self.kind or message.reset:
            self.refill()

    def cluster_state(self, message: Any) -> None:
        app: Any = self.app
        self.query_one(ClusterHeader).show(self.session, app.status_colours(), app.frozen_ages)

    def focused_kind(self) -> str:
        return self.kind

    def action_object(self, action_id: str) -> None:
        table = self.query_one(ResourceTable)
        uid = table.selected_uid
        obj = self.session.store.get(self.kind, uid) if uid else None
        handler = actions_table.handler_for(action_id)
        if handler is None:
            return
        namespace = ((obj or {}).get("metadata") or {}).get("namespace") or self.session.namespace
        target = actions_table.Target(self.kind, obj, self.session, namespace)
        self.run_worker(handler(self.app, target))

    def _event_order(self, uid: str, cells: tuple[Any, ...]) -> tuple[float, str]:
        obj = self.session.store.get("events", uid)
        return (-event_last_seen(obj) if obj is not None else 0.0, str(cells[0]))


def event_last_seen(event: dict[str, Any]) -> float:
    """When an event was last seen, in epoch seconds: the time the "LAST SEEN" column is counted from."""
    series = event.get("series") or {}
    for value in (
        series.get("lastObservedTime"),
        event.get("lastTimestamp"),
        event.get("firstTimestamp"),
        event.get("eventTime"),
        (event.get("metadata") or {}).get("creationTimestamp"),
    ):
        at = parse_time(value)
        if at is not None:
            return at
    return 0.0
