"""sync_rows: small DataTables (rollout view, clusters) change row by row instead of being cleared and refilled;
cursor_key: the key of the row under their cursor."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey

from kubetui.widgets.keyed_rows import cursor_key, sync_rows


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        table: DataTable[Any] = DataTable(cursor_type="row")
        table.add_columns("NAME", "STATUS")
        yield table


def shown(table: DataTable[Any]) -> list[tuple[str, ...]]:
    return [tuple(str(c) for c in table.get_row(row.key)) for row in table.ordered_rows]


async def test_rows_are_added_updated_removed_and_ordered_by_key() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(DataTable)
        sync_rows(table, [("a", ("a", "Pending")), ("b", ("b", "Running"))])
        await pilot.pause()
        assert shown(table) == [("a", "Pending"), ("b", "Running")]
        row_a, row_b = table.rows[RowKey("a")], table.rows[RowKey("b")]
        table.move_cursor(row=1)  # on b

        updated: list[str] = []
        real_update = table.update_cell

        def update_cell(row_key: Any, column_key: Any, value: Any, **kw: Any) -> None:
            updated.append(str(row_key.value if hasattr(row_key, "value") else row_key))
            real_update(row_key, column_key, value, **kw)

        table.update_cell = update_cell  # type: ignore[method-assign]
        sync_rows(table, [("a", ("a", Text("Running", style="green"))), ("b", ("b", "Running"))])
        await pilot.pause()
        assert shown(table) == [("a", "Running"), ("b", "Running")]
        assert updated == ["a"]  # only a's STATUS cell; b was not touched
        assert table.rows[RowKey("a")] is row_a and table.rows[RowKey("b")] is row_b
        assert table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value == "b"

        # a new row that belongs first, and one that went
        sync_rows(table, [("c", ("c", "Pending")), ("b", ("b", "Terminating"))])
        await pilot.pause()
        assert shown(table) == [("c", "Pending"), ("b", "Terminating")]
        assert set(k.value for k in table.rows) == {"b", "c"}

        sync_rows(table, [])
        assert table.row_count == 0


async def test_the_cursor_key_follows_the_cursor_and_is_none_on_an_empty_table() -> None:
    app = TableApp()
    async with app.run_test() as pilot:
        table = app.query_one(DataTable)
        assert cursor_key(table) is None
        sync_rows(table, [("a", ("a", "Pending")), ("b", ("b", "Running"))])
        await pilot.pause()
        assert cursor_key(table) == "a"
        table.move_cursor(row=1)
        assert cursor_key(table) == "b"
        sync_rows(table, [])
        await pilot.pause()
        assert cursor_key(table) is None
