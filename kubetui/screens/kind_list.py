"""KindListScreen: a live list of any kind the cluster serves (``:cm``, ``:sts``, a CRD's plural), with the
columns the server's Table gives (kubectl's, a CRD's printer columns included).

Its watch starts when the screen opens and stops when it closes: opening ``:secrets`` does not leave kubetui
watching every Secret for the rest of the run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.events import Resize
from textual.message import Message

from kubetui import kinds
from kubetui.actions import Target
from kubetui.cluster import secrets
from kubetui.cluster.discovery import ApiResource
from kubetui.cluster.table_watch import Column, TableRow, TableWatcher
from kubetui.messages import ConnectionChanged
from kubetui.screens import rows
from kubetui.screens.list_screen import ListScreen
from kubetui.widgets.command_line import CommandBar, CommandLine
from kubetui.widgets.header import ClusterHeader
from kubetui.widgets.key_footer import KeyFooter
from kubetui.widgets.panes import Pane
from kubetui.widgets.resource_table import ResourceTable, name_sort

# Kinds whose delete asks what becomes of what they own.
WIDE_AT = 180  # a terminal this wide shows kubectl's -o wide columns without asking

_OWNERS = frozenset({"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob"})


class KindListScreen(ListScreen[TableRow]):
    """The rows of one resource, kept live by a Table watch owned by this screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("slash", "filter", "Filter"),
        Binding("d", "describe", "Describe"),
        Binding("y", "yaml", "YAML"),
        Binding("e", "edit", "Edit"),
        Binding("ctrl+d", "delete", "Delete"),
        Binding("x", "decode", "Decode"),
        Binding("s", "scale", "Scale"),
        Binding("r", "restart", "Restart"),
        Binding("o", "wide", "Wide"),
    ]

    @dataclass
    class Reset(Message):
        """The watch listed the kind: every column and row."""

        columns: list[Column]
        rows: list[TableRow]

    @dataclass
    class Changed(Message):
        """One row was ADDED, MODIFIED or DELETED."""

        type: str
        row: TableRow

    @dataclass
    class State(Message):
        """The watch went live, or stopped with an error."""

        phase: str
        error: str | None

    def __init__(self, resource: ApiResource) -> None:
        super().__init__()
        self.resource = resource
        self.columns: list[Column] = []
        self.rows: dict[str, TableRow] = {}
        self.filter = rows.RowFilter()
        self.watcher: TableWatcher | None = None
        self.problem: str | None = None
        self.ready = False
        self.wide: bool | None = None  # kubectl's -o wide: None follows the terminal's width, ``o`` sets it
        self._shown_wide = False

    def compose(self) -> ComposeResult:
        yield ClusterHeader(id="header")
        with Pane(self.resource.qualified, id="pane-kind"):
            yield ResourceTable(
                self.resource.qualified,
                ("NAME",),
                sort_key=name_sort(self._with_namespace()),
                id="kind-table",
            )
        yield CommandBar(id="command-bar")
        yield KeyFooter()

    @property
    def session(self) -> Any:
        return self.app.session  # type: ignore[attr-defined]

    @property
    def table(self) -> ResourceTable:
        return self.query_one("#kind-table", ResourceTable)

    def _with_namespace(self) -> bool:
        return self.resource.namespaced and self.session.view_namespace is None

    def prepare(self) -> None:
        self.ready = True
        self.refresh_header()

    def load(self) -> None:
        self.start_watch()

    def list_table(self) -> ResourceTable:
        return self.table

    def on_unmount(self) -> None:
        self.ready = False
        self.stop_watch()

    # -- the watch ----------------------------------------------------------------------------------------------

    def start_watch(self) -> None:
        self.stop_watch()
        conn = self.session.conn
        if conn is None:
            self.problem = "not connected"
            self._title()
            return
        self.watcher = TableWatcher(
            conn,
            self.resource,
            self.session.view_namespace,
            on_reset=lambda columns, found: self.post_message(self.Reset(columns, found)),
            on_change=lambda type, row: self.post_message(self.Changed(type, row)),
            on_state=lambda phase, error: self.post_message(self.State(phase, error)),
        )
        self.run_worker(self.watcher.run(), group="kind-watch", exclusive=True, exit_on_error=False)

    def stop_watch(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None

    def on_kind_list_screen_reset(self, message: Reset) -> None:
        self.columns = message.columns
        self.rows = {row.uid: row for row in message.rows}
        self.refill()

    def on_kind_list_screen_changed(self, message: Changed) -> None:
        row = message.row
        if message.type == "DELETED":
            self.rows.pop(row.uid, None)
            self.table.apply({}, [row.uid])
        else:
            self.rows[row.uid] = row
            cells = self._cells(row)
            if self.filter.matches(row.obj, cells):
                self.table.apply({row.uid: cells})
            else:
                self.table.apply({}, [row.uid])
        self._title()

    def on_kind_list_screen_state(self, message: State) -> None:
        self.problem = message.error if message.phase != "live" else None
        self._title()

    # -- rows ---------------------------------------------------------------------------------------------------

    def is_wide(self) -> bool:
        """Whether the list shows the Table's priority>0 columns too, as ``kubectl get -o wide`` does."""
        return self.wide if self.wide is not None else self.size.width >= WIDE_AT

    def _visible(self) -> list[int]:
        wide = self._shown_wide = self.is_wide()
        return [i for i, c in enumerate(self.columns) if c.priority == 0 or wide]

    def on_resize(self, event: Resize) -> None:
        if self.ready and self.wide is None and self.is_wide() != self._shown_wide:
            self.refill()

    def action_wide(self) -> None:
        self.wide = not self.is_wide()
        self.refill()

    def headers(self) -> tuple[str, ...]:
        names = tuple(self.columns[i].header for i in self._visible()) or ("NAME",)
        return ("NAMESPACE", *names) if self._with_namespace() else names

    def _cells(self, row: TableRow) -> tuple[str, ...]:
        cells = tuple(row.cells[i] if i < len(row.cells) else "" for i in self._visible())
        return (row.namespace, *cells) if self._with_namespace() else cells

    def refill(self) -> None:
        table = self.table
        if table.set_columns(self.headers()):
            table._sort_key = name_sort(self._with_namespace())
        wanted = {}
        for uid, row in self.rows.items():
            cells = self._cells(row)
            if self.filter.matches(row.obj, cells):
                wanted[uid] = cells
        table.replace(wanted)
        self._title()

    def _title(self) -> None:
        if not self.ready:
            return
        pane = self.query_one(Pane)
        where = ""
        if self.resource.namespaced:
            where = f" ({self.session.view_namespace or 'all namespaces'})"
        pane.border_title = f"{self.resource.qualified}{where} [{self.table.row_count}]"
        notes = [f"/{self.filter.text}"] if self.filter.active else []
        if self._shown_wide and any(c.priority for c in self.columns):
            notes.append("-o wide · o: narrow")
        if self.problem:
            notes.append(self.problem)
        pane.border_subtitle = "  ".join(notes)

    def selected(self) -> TableRow | None:
        uid = self.table.selected_uid
        return self.rows.get(uid) if uid else None

    # -- the app's cluster messages -------------------------------------------------------------------------

    def refresh_header(self) -> None:
        app: Any = self.app
        self.query_one(ClusterHeader).show(self.session, app.status_colours(), app.frozen_ages)

    def cluster_deltas(self, message: Any) -> None:
        """This view's rows come from its own watch, not the session's store."""

    def cluster_state(self, message: Any) -> None:
        self.refresh_header()
        if isinstance(message, ConnectionChanged) and message.connected:
            self.start_watch()  # a new connection (context switch, reconnect): watch through it

    # -- keys ---------------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "decode":  # a Secrets-only key: offered nowhere else
            return self.resource.qualified == "secrets"
        if action in ("scale", "restart"):  # where the registry of kinds says the kind can
            return self.resource.store_key in kinds.applies(action) and not self.session.readonly
        # mutations vanish on a read-only connection, as on the main screen
        return not (action in ("edit", "delete") and self.session.readonly)

    def action_back(self) -> None:
        if self.filter.active:
            self.set_filter("")
        else:
            self.app.pop_screen()

    def action_filter(self) -> None:
        self.query_one(CommandLine).open("/", self.filter.text)

    def on_command_line_done(self, event: CommandLine.Done) -> None:
        event.stop()
        self.table.focus()
        if event.text is not None and event.mode == "/":
            self.set_filter(event.text)

    def set_filter(self, text: str) -> None:
        try:
            self.filter = rows.RowFilter.parse(text)
        except ValueError as exc:
            self.notify(str(exc), title="filter", severity="error")
            return
        self.refill()

    def _target(self) -> Target | None:
        row = self.chosen()
        if row is None:
            return None
        namespace = row.namespace or self.session.namespace
        return Target(self.resource.store_key, secrets.masked(row.obj), self.session, namespace)

    def action_describe(self) -> None:
        from kubetui.screens.object_view import show_describe

        target = self._target()
        if target is not None:
            self.run_worker(show_describe(self.app, target), group="action")

    def action_yaml(self) -> None:
        from kubetui.screens.object_view import show_yaml

        target = self._target()
        if target is not None:
            self.run_worker(show_yaml(self.app, target), group="action")

    def on_resource_table_activated(self, event: ResourceTable.Activated) -> None:
        """enter: what the object is connected to (its pods, Jobs, Services, users)."""
        from kubetui.screens.related import show_related

        event.stop()
        row = self.selected()
        if row is not None:
            self.run_worker(show_related(self.app, row.obj), group="action")

    def action_scale(self) -> None:
        from kubetui.actions import handler_for

        target = self._target()
        handler = handler_for("scale")
        if target is not None and handler is not None:
            self.run_worker(handler(self.app, target), group="action")

    def action_restart(self) -> None:
        row = self.selected()
        if row is not None:
            self.run_worker(self._restart(row), group="action")

    async def _restart(self, row: TableRow) -> None:
        """``kubectl rollout restart``: every pod replaced by a new one, after a confirmation."""
        from kubetui.cluster.rollout import rollout_restart
        from kubetui.screens.dialogs.confirm import ConfirmDialog
        from kubetui.screens.dialogs.flow import Cancelled, ask, run_op

        kind, key = self.resource.kind, self.resource.store_key
        try:
            await ask(
                self.app,
                ConfirmDialog(
                    f"Restart {kind} {row.name}?", "Every pod is replaced by a new one.", "Restart"
                ),
            )
        except Cancelled:
            return
        try:
            await run_op(
                self.app,
                self.session,
                "rollout restart",
                lambda conn: rollout_restart(conn, row.namespace, row.name, kind=key),
            )
        except Exception:
            return
        self.notify(f"{kind.lower()} {row.name} restarted", title="Restarted")

    def action_decode(self) -> None:
        """Secrets only, and only on this key: the selected Secret's values in clear (registry passwords never)."""
        from kubetui.screens.object_view import ObjectScreen

        row = self.selected()
        if row is None or not secrets.is_secret(row.obj):
            self.notify("x decodes a Secret's values: select a Secret", severity="warning")
            return
        where = f"{row.namespace}/" if row.namespace else ""
        text = "\n".join(secrets.decoded_lines(row.obj))
        self.app.push_screen(ObjectScreen(f"decoded secret {where}{row.name}", text, id="decoded"))

    def action_delete(self) -> None:
        row = self.chosen()
        if row is None:
            return
        if self.session.readonly:
            self.notify("Delete: the connection is read-only", severity="warning")
            return
        self.run_worker(self._delete(row), group="action")

    async def _delete(self, row: TableRow) -> None:
        from kubetui.screens.dialogs.confirm import DeleteDialog
        from kubetui.screens.dialogs.flow import Cancelled, ask, run_op

        kind = self.resource.kind
        try:
            policy = await ask(self.app, DeleteDialog(kind, row.name, row.namespace or None, kind in _OWNERS))
        except Cancelled:
            return
        body = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": policy}
        path = self.resource.path(row.namespace or None, row.name)
        try:
            await run_op(
                self.app, self.session, "delete", lambda conn: conn.request("DELETE", path, body=body)
            )
        except Exception:
            return
        self.notify(f"{kind.lower()} {row.name} deleted", title="Deleted")

    def action_edit(self) -> None:
        from kubetui.screens.edit import edit_object

        row = self.chosen()
        if row is None:
            return
        path = self.resource.path(row.namespace or None, row.name)
        edit_object(self.app, path, row.obj, f"{self.resource.kind.lower()} {row.name}")
