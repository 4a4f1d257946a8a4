"""ResourceTable: a DataTable of Kubernetes objects keyed by uid, updated by keyed diffs that keep the cursor."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable
from textual.widgets.data_table import RowDoesNotExist, RowKey

Cells = tuple[Any, ...]


def _plain(value: Any) -> str:
    return value.plain if isinstance(value, Text) else str(value)


class ResourceTable(DataTable[Any]):
    """Rows are objects of one kind, keyed by metadata.uid; rows stay sorted and the cursor follows its object."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("g", "scroll_top", "Top", show=False),
        Binding("G", "scroll_bottom", "Bottom", show=False),
    ]

    DEFAULT_CSS = """
    ResourceTable { height: 1fr; }
    """

    class Selected(Message):
        """The object under the cursor changed (``uid`` None when the table became empty)."""

        def __init__(self, table: ResourceTable, uid: str | None) -> None:
            super().__init__()
            self.table = table
            self.uid = uid

        @property
        def control(self) -> ResourceTable:
            return self.table

    def __init__(
        self,
        kind: str,
        columns: Iterable[str],
        *,
        sort_key: Callable[[Cells], Any] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=False)
        self.kind = kind
        self.column_names: tuple[str, ...] = tuple(columns)
        self._sort_key = sort_key
        self._last_uid: str | None = None

    def on_mount(self) -> None:
        self._set_columns(self.column_names)

    # -- columns ---------------------------------------------------------------------------------------------

    def set_columns(self, columns: Iterable[str]) -> bool:
        """Changes the columns (drops every row); True when they changed and the owner must refill."""
        columns = tuple(columns)
        if columns == self.column_names and self.columns:
            return False
        self.column_names = columns
        self.clear(columns=True)
        self._set_columns(columns)
        return True

    def _set_columns(self, columns: tuple[str, ...]) -> None:
        for name in columns:
            self.add_column(name, key=name)

    # -- rows --------------------------------------------------------------------------------------------------

    @property
    def selected_uid(self) -> str | None:
        if not self.row_count:
            return None
        try:
            key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key
        except Exception:
            return None
        return key.value

    def uids(self) -> set[str]:
        return {key.value for key in self.rows if key.value is not None}

    def apply(self, upserts: Mapping[str, Cells], removals: Iterable[str] = ()) -> None:
        """Adds, updates and removes rows by uid; re-sorts only when a new row needs placing.

        The cursor stays on the object it was on; if that object went, it stays at the same position.
        """
        if not upserts and not removals:
            return
        keep = self.selected_uid
        index = self.cursor_row
        added = False
        with self.app.batch_update():
            for uid in removals:
                if RowKey(uid) in self.rows:
                    self.remove_row(uid)
            columns = self.column_names
            for uid, cells in upserts.items():
                key = RowKey(uid)
                if key in self.rows:
                    old = self.get_row(key)
                    for name, old_value, new_value in zip(columns, old, cells, strict=False):
                        if old_value != new_value:
                            self.update_cell(key, name, new_value, update_width=True)
                else:
                    self.add_row(*cells, key=uid)
                    added = True
            if added:
                self.sort(key=self._sort_key or _default_sort)
            self._restore_cursor(keep, index)

    def sync(self, rows: Mapping[str, Cells]) -> None:
        """Makes the table hold exactly ``rows`` (a keyed diff, never a clear-and-refill)."""
        current = self.uids()
        self.apply(rows, current - rows.keys())

    def replace(self, rows: Mapping[str, Cells]) -> None:
        """Like ``sync``; when most rows go at once (a new scope or namespace) it rebuilds instead, because
        removing rows one by one costs a pass over the whole table each."""
        current = self.uids()
        removals = current - rows.keys()
        if len(removals) <= 200 or len(removals) * 4 < len(current):
            self.apply(rows, removals)
            return
        keep, index = self.selected_uid, self.cursor_row
        sort_key = self._sort_key or _default_sort
        with self.app.batch_update():
            self.clear()
            for uid, cells in sorted(rows.items(), key=lambda item: sort_key(item[1])):
                self.add_row(*cells, key=uid)
            self._restore_cursor(keep, index)

    def _restore_cursor(self, uid: str | None, index: int) -> None:
        if not self.row_count:
            return
        target = index
        if uid is not None:
            try:
                target = self.get_row_index(uid)
            except RowDoesNotExist:
                target = min(index, self.row_count - 1)
        if target != self.cursor_row:
            self.move_cursor(row=target, animate=False)
        self._announce()

    def select_uid(self, uid: str) -> bool:
        """Moves the cursor to the row of ``uid``; False if it is not shown."""
        try:
            index = self.get_row_index(uid)
        except RowDoesNotExist:
            return False
        self.move_cursor(row=index, animate=False)
        return True

    def visible_uids(self) -> list[str]:
        """Row keys currently on screen (for cheap periodic refreshes such as ages)."""
        top = int(self.scroll_offset.y)
        height = max(1, self.size.height)
        rows = self.ordered_rows[max(0, top - 1) : top + height]
        return [row.key.value for row in rows if row.key.value is not None]

    # -- events --------------------------------------------------------------------------------------------

    def watch_cursor_coordinate(self, old: Any, new: Any) -> None:
        super().watch_cursor_coordinate(old, new)
        self._announce()

    def _announce(self) -> None:
        uid = self.selected_uid
        if uid != self._last_uid:
            self._last_uid = uid
            self.post_message(self.Selected(self, uid))

    def action_scroll_top(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)


def _default_sort(cells: Cells) -> tuple[str, ...]:
    return tuple(_plain(c) for c in cells[:2])


def name_sort(with_namespace: bool) -> Callable[[Cells], Any]:
    """Sort by NAME, or by NAMESPACE then NAME when the first column is the namespace."""
    if with_namespace:
        return lambda cells: (_plain(cells[0]), _plain(cells[1]))
    return lambda cells: _plain(cells[0])
