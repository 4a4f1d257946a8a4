"""ResourceTable: a virtual table of Kubernetes objects keyed by uid, updated by keyed diffs that keep the cursor.

Why not Textual's DataTable: it rebuilds per-row structures (row order, line offsets) over the whole table on
every change, which at 10,000 pods costs ~100 ms per update and starves key presses while events stream in.
This table keeps rows sorted by (sort key, uid) with bisect, renders only the lines on screen (cached per row
version), and repaints a changed row only when it is visible. The contract is the same as a keyed DataTable:
``apply`` adds, updates and removes rows by key; nothing is ever cleared and refilled on updates.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import accumulate
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

Cells = tuple[Any, ...]
MAX_COLUMN_WIDTH = 60  # long cells (images, messages) end in an ellipsis rather than pushing columns away
BULK_INSERT = 8  # new rows in one apply from which they are merged in rather than inserted one by one


EMPHASIS = "▸ "  # marks rows related to the selection elsewhere (a Service's pods); not part of sort order


def _plain(value: Any) -> str:
    return (value.plain if isinstance(value, Text) else str(value)).removeprefix(EMPHASIS)


@dataclass
class TableMessage(Message):
    """A message a ResourceTable posts about itself; it is the ``control``, so ``@on`` selectors can match it."""

    table: ResourceTable

    @property
    def control(self) -> ResourceTable:
        return self.table


class ResourceTable(ScrollView, can_focus=True):
    """Rows are objects of one kind, keyed by metadata.uid; rows stay sorted and the cursor follows its object."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # ids let the keymap move these keys like any other (see keymap.TABLE_KEYS)
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("home,g", "first", "Top", show=False, id="table.first"),
        Binding("end,G", "last", "Bottom", show=False, id="table.last"),
        # a column at a time when the table is wider than its pane (80x24); "<"/">" where arrows are taken
        Binding("left,less_than_sign", "column_left", "Columns left", show=False, id="table.scroll_left"),
        Binding(
            "right,greater_than_sign", "column_right", "Columns right", show=False, id="table.scroll_right"
        ),
        Binding("enter", "activate", "Open", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"resource-table--header", "resource-table--cursor"}
    DEFAULT_CSS = """
    ResourceTable { height: 1fr; background: $surface; }
    ResourceTable > .resource-table--header { text-style: bold; color: $text-muted; }
    ResourceTable > .resource-table--cursor { background: $panel-lighten-1; }
    ResourceTable:focus > .resource-table--cursor { background: $primary 40%; text-style: bold; }
    """

    @dataclass
    class Selected(TableMessage):
        """The object under the cursor changed (``uid`` None when the table became empty)."""

        uid: str | None

    @dataclass
    class Activated(TableMessage):
        """Enter (or a click on the selected row): drill into the object."""

        uid: str | None

    @dataclass
    class RowsShown(TableMessage):
        """Other rows came on screen (scrolled to, or the table shown or resized): the owner may refresh them."""

    def __init__(
        self,
        kind: str,
        columns: Iterable[str],
        *,
        sort_key: Callable[[Cells], Any] | None = None,
        row_order: Callable[[str, Cells], Any] | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.kind = kind
        self.column_names: tuple[str, ...] = tuple(columns)
        self._sort_key = sort_key
        # for orders the cells cannot tell (events by their real time, not the "LAST SEEN" text): (uid, cells)
        self._row_order = row_order
        self._cells: dict[str, Cells] = {}
        self._keys: list[tuple[Any, str]] = []  # (sort key, uid) in display order
        self._key_of: dict[str, tuple[Any, str]] = {}
        self._version: dict[str, int] = {}
        self._widths: list[int] = [cell_len(c) for c in self.column_names]
        # (uid, cursor) -> (version, strip): one strip per row and cursor state, so a row that changes all the
        # time (a flood of status changes on screen) replaces its strip instead of piling up old versions.
        self._lines: dict[tuple[str, bool], tuple[int, Strip]] = {}
        self.cursor_row = 0
        self._last_uid: str | None = None

    # -- columns ---------------------------------------------------------------------------------------------

    def set_columns(self, columns: Iterable[str]) -> bool:
        """Changes the columns (drops every row); True when they changed and the owner must refill."""
        columns = tuple(columns)
        if columns == self.column_names:
            return False
        self.column_names = columns
        self._cells.clear()
        self._keys.clear()
        self._key_of.clear()
        self._version.clear()
        self._lines.clear()
        self._widths = [cell_len(c) for c in columns]
        self._changed(structure=True)
        return True

    # -- reading -----------------------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def selected_uid(self) -> str | None:
        if not self._keys:
            return None
        return self._keys[min(self.cursor_row, len(self._keys) - 1)][1]

    def uids(self) -> set[str]:
        return set(self._cells)

    def ordered_uids(self) -> list[str]:
        return [uid for _, uid in self._keys]

    def get_row(self, uid: str) -> Cells:
        return self._cells[uid]

    def row_index(self, uid: str) -> int | None:
        key = self._key_of.get(uid)
        if key is None:
            return None
        return bisect_left(self._keys, key)

    def visible_uids(self) -> list[str]:
        top = int(self.scroll_offset.y)
        return [uid for _, uid in self._keys[top : top + max(1, self.size.height)]]

    # -- writing -------------------------------------------------------------------------------------------------

    def apply(self, upserts: Mapping[str, Cells], removals: Iterable[str] = ()) -> None:
        """Adds, updates and removes rows by uid. The cursor stays on its object; if that went, on its row."""
        keep, index = self.selected_uid, self.cursor_row
        structure = False
        dirty: dict[str, tuple[int, int]] = {}  # uid -> first and last column that changed
        widths = list(self._widths)
        sort_key = self._sort_key or _default_sort
        order = self._row_order
        moved_from: int | None = None  # rows before this index kept their place
        added: list[tuple[Any, str]] = []  # keys of new rows, put in place after the loop
        for uid in removals:
            if uid in self._cells:
                moved_from = _lowest(moved_from, self._remove(uid))
                structure = True
        for uid, cells in upserts.items():
            old = self._cells.get(uid)
            if order is None:
                if old == cells:
                    continue
                key = (sort_key(cells), uid)
            else:  # the order may change while the cells stay the same ("2s" then "2s" again)
                key = (order(uid, cells), uid)
                if old == cells and self._key_of.get(uid) == key:
                    continue
            if old is not None and self._key_of[uid] != key:
                moved_from = _lowest(moved_from, self._remove(uid))
                old = None
            self._cells[uid] = cells
            self._version[uid] = self._version.get(uid, 0) + 1
            self._grow_widths(cells)
            if old is None:
                added.append(key)
                self._key_of[uid] = key
                structure = True
            else:
                changed = [i for i, (a, b) in enumerate(zip(old, cells, strict=False)) if a != b]
                whole = not changed or len(old) != len(cells)
                dirty[uid] = (0, len(cells) - 1) if whole else (changed[0], changed[-1])
        if added:
            self._insert(added)
            moved_from = _lowest(moved_from, bisect_left(self._keys, min(added)))
        if structure:
            self._restore_cursor(keep, index)
            self._changed(structure=True, moved_from=moved_from, full=self._widths != widths)
            if dirty and self._widths == widths:
                self._refresh_rows(dirty)
        elif dirty and self._widths != widths:
            self.refresh()  # a column grew: every row on screen moved
        elif dirty:
            self._refresh_rows(dirty)

    def sync(self, rows: Mapping[str, Cells]) -> None:
        """Makes the table hold exactly ``rows`` (a keyed diff)."""
        self.apply(rows, self._cells.keys() - rows.keys())

    def replace(self, rows: Mapping[str, Cells]) -> None:
        """Like ``sync``, and column widths shrink back to what the new rows need."""
        self.sync(rows)
        self._widths = [cell_len(c) for c in self.column_names]
        for cells in self._cells.values():
            self._grow_widths(cells)
        self._changed(structure=True)

    def select_uid(self, uid: str) -> bool:
        """Moves the cursor to the row of ``uid``; False if it is not shown."""
        index = self.row_index(uid)
        if index is None:
            return False
        self.move_cursor(index)
        return True

    def move_cursor(self, row: int) -> None:
        if not self._keys:
            self.cursor_row = 0
            self._announce()
            return
        row = max(0, min(row, len(self._keys) - 1))
        if row != self.cursor_row:
            old = self.cursor_row
            self.cursor_row = row
            self._refresh_index(old)
            self._refresh_index(row)
        self._scroll_to_cursor()
        self._announce()

    # -- internals -------------------------------------------------------------------------------------------

    def _insert(self, keys: list[tuple[Any, str]]) -> None:
        """Puts new rows in order. One by one each insertion shifts every row below it (the 100,000 rows of a
        first list shifted 5 billion references); many at once are merged in: sorted, placed by bisection, and
        the list rebuilt from slices in one pass. (A sort of the whole list compares every row, and comparing
        rows' sort keys costs far more than moving references: 40 ms a time at 100,000 rows.)"""
        rows = self._keys
        if len(keys) <= BULK_INSERT:
            for key in keys:
                insort(rows, key)
            return
        keys.sort()
        merged: list[tuple[Any, str]] = []
        start = 0
        for key in keys:
            at = bisect_left(rows, key, start)
            merged += rows[start:at]
            merged.append(key)
            start = at
        merged += rows[start:]
        self._keys = merged

    def _remove(self, uid: str) -> int:
        """Removes a row; returns the index it had."""
        key = self._key_of.pop(uid)
        index = bisect_left(self._keys, key)
        del self._keys[index]
        del self._cells[uid]
        del self._version[uid]  # its strips go with it: a uid that comes back starts again from version 1
        self._lines.pop((uid, False), None)
        self._lines.pop((uid, True), None)
        return index

    def _grow_widths(self, cells: Cells) -> None:
        widths = self._widths
        for i, cell in enumerate(cells[: len(widths)]):
            width = min(MAX_COLUMN_WIDTH, cell.cell_len if isinstance(cell, Text) else cell_len(str(cell)))
            if width > widths[i]:
                widths[i] = width
                self._lines.clear()

    def _restore_cursor(self, uid: str | None, index: int) -> None:
        target = self.row_index(uid) if uid is not None else None
        if target is None:
            target = min(index, max(0, len(self._keys) - 1))
        self.cursor_row = target

    def _changed(self, structure: bool, moved_from: int | None = None, full: bool = True) -> None:
        """Rows were added or removed. Only rows from ``moved_from`` down moved, so only those on screen are
        repainted: on a big cluster most changes happen far below the window and redraw nothing but the
        scrollbar (over SSH every repainted cell costs bytes)."""
        if structure:
            if len(self._lines) > 4000:
                self._lines.clear()
            width = sum(self._widths) + 2 * len(self._widths)
            size = Size(width, len(self._keys) + 1)
            if size != self.virtual_size:
                # Assigning virtual_size repaints the whole table; only the scrollbars need to follow it.
                self.set_reactive(ResourceTable.virtual_size, size)
                self.refresh(repaint=False, layout=True)
            top = int(self.scroll_offset.y)
            if full or moved_from is None or moved_from < top:
                self.refresh()
            else:
                first = moved_from - top + 1  # the header is line 0
                if first < self.size.height:
                    self.refresh(Region(0, first, self.size.width, self.size.height - first))
            self._scroll_to_cursor()
            self._announce()

    def _refresh_rows(self, columns: Mapping[str, tuple[int, int]]) -> None:
        """Repaints only the changed cells of rows on screen: an age ticking over redraws its own cell, not the
        row (what is drawn again although it did not change still goes down the wire, over SSH too)."""
        top = int(self.scroll_offset.y)
        height = self.size.height
        starts = list(accumulate((w + 2 for w in self._widths), initial=0))  # " " + cell + " "
        last_column = len(self._widths) - 1
        for uid, (first, last) in columns.items():
            index = self.row_index(uid)
            if index is not None and top <= index < top + height - 1 and first <= last_column:
                x = starts[first] - int(self.scroll_offset.x)
                width = starts[min(last, last_column) + 1] - starts[first]
                self.refresh(Region(x, index - top + 1, width, 1))

    def _refresh_index(self, index: int) -> None:
        y = index - int(self.scroll_offset.y) + 1
        if 0 < y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _scroll_to_cursor(self) -> None:
        top = int(self.scroll_offset.y)
        rows_visible = max(1, self.size.height - 1)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + rows_visible:
            self.scroll_to(y=self.cursor_row - rows_visible + 1, animate=False, immediate=True)

    def _announce(self) -> None:
        uid = self.selected_uid
        if uid != self._last_uid:
            self._last_uid = uid
            self.post_message(self.Selected(self, uid))

    # -- rendering -------------------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        base = self.rich_style
        if y == 0:
            strip = self._header_strip()
        else:
            index = scroll_y + y - 1
            if index >= len(self._keys):
                return Strip.blank(width, base)
            strip = self._row_strip(self._keys[index][1], index == self.cursor_row)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _header_strip(self) -> Strip:
        style = self.rich_style + self.get_component_rich_style("resource-table--header")
        return self._strip(self.column_names, style, line_style=style)

    def _row_strip(self, uid: str, cursor: bool) -> Strip:
        version = self._version.get(uid, 0)
        cached = self._lines.get((uid, cursor))
        if cached is not None and cached[0] == version:
            return cached[1]
        style = self.rich_style
        if cursor:
            style += self.get_component_rich_style("resource-table--cursor")
        strip = self._strip(self._cells[uid], style, line_style=style if cursor else None)
        self._lines[(uid, cursor)] = (version, strip)
        return strip

    def _strip(self, cells: Iterable[Any], style: Style, line_style: Style | None) -> Strip:
        line = Text(no_wrap=True, end="", style=style)
        for cell, width in zip(cells, self._widths, strict=False):
            text = cell.copy() if isinstance(cell, Text) else Text(str(cell))
            if text.cell_len > width:
                text.truncate(width, overflow="ellipsis")
            line.append(" ")
            line.append_text(text)
            line.append(" " * (width - text.cell_len + 1))
        # Rich renders a Text without spans as one unstyled segment: the row would lose the table's colours, and
        # Textual's NO_COLOR filter fails on a segment with no style.
        segments = line.render(self.app.console) if line.spans else [Segment(line.plain, style)]
        strip = Strip(segments, line.cell_len)
        if line_style is not None:
            strip = strip.extend_cell_length(max(self.size.width, strip.cell_length), line_style)
        return strip

    def on_resize(self) -> None:
        self._lines.clear()
        if self.size.height:
            self.post_message(self.RowsShown(self))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if int(old_value) != int(new_value):
            self.post_message(self.RowsShown(self))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()

    # -- actions ---------------------------------------------------------------------------------------------

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor_row - max(1, self.size.height - 2))

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor_row + max(1, self.size.height - 2))

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._keys) - 1)

    def action_column_left(self) -> None:
        x = int(self.scroll_offset.x)
        self._scroll_x(max((s for s in self._column_starts() if s < x), default=0))

    def action_column_right(self) -> None:
        x = int(self.scroll_offset.x)
        self._scroll_x(min((s for s in self._column_starts() if s > x), default=x))

    def _column_starts(self) -> list[int]:
        return list(accumulate((w + 2 for w in self._widths[:-1]), initial=0))

    def _scroll_x(self, x: int) -> None:
        # not past the last column's end: the last step shows the right edge, never an empty pane
        self.scroll_to(x=min(x, int(self.max_scroll_x)), animate=False, immediate=True)

    def action_activate(self) -> None:
        self.post_message(self.Activated(self, self.selected_uid))

    def on_click(self, event: Click) -> None:
        if event.y >= 1:
            index = int(self.scroll_offset.y) + event.y - 1
            if index < len(self._keys):
                self.move_cursor(index)


def _lowest(current: int | None, index: int) -> int:
    return index if current is None else min(current, index)


def _default_sort(cells: Cells) -> tuple[str, ...]:
    return tuple(_plain(c) for c in cells[:2])


def name_sort(with_namespace: bool) -> Callable[[Cells], Any]:
    """Sort by NAME, or by NAMESPACE then NAME when the first column is the namespace."""
    if with_namespace:
        return lambda cells: (_plain(cells[0]), _plain(cells[1]))
    return lambda cells: _plain(cells[0])
