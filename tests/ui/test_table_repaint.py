"""A table repaints only the rows that moved: rows added or removed below the window redraw nothing on screen."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.geometry import Region

from kubetui.widgets.resource_table import ResourceTable


def _row(i: int) -> tuple[str, ...]:
    return (f"pod-{i:04d}", "1/1", "Running")


class _TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ResourceTable("pods", ("NAME", "READY", "STATUS"), id="t")


def _spy(table: ResourceTable) -> list[Region | None]:
    calls: list[Region | None] = []
    original = table.refresh

    def refresh(*regions: Region, **kwargs: Any) -> Any:
        if kwargs.get("repaint", True):  # a layout-only refresh draws no rows
            calls.append(regions[0] if regions else None)
        return original(*regions, **kwargs)

    table.refresh = refresh  # type: ignore[method-assign]
    return calls


async def _filled(app: _TableApp, pilot: Any) -> tuple[ResourceTable, list[Region | None]]:
    """The table with 100 rows (pod-0000, pod-0002, ... pod-0198), and a record of its repaints from now on."""
    table = app.query_one(ResourceTable)
    table.apply({f"u{i}": _row(i) for i in range(0, 200, 2)})
    await pilot.pause()
    return table, _spy(table)


async def test_rows_added_and_removed_below_the_window_repaint_no_rows() -> None:
    app = _TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table, calls = await _filled(app, pilot)
        table.apply({"new": _row(151)}, removals=["u180"])  # both far below the 11 visible rows
        assert table.row_count == 100
        assert calls == [], calls


async def test_a_row_added_inside_the_window_repaints_from_there_down() -> None:
    app = _TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table, calls = await _filled(app, pilot)
        table.apply({"new": _row(7)})  # lands at index 4, the 5th row under the header
        assert table.ordered_uids()[4] == "new"
        assert calls == [Region(0, 5, table.size.width, table.size.height - 5)], calls
        await pilot.pause()
        # and what is on screen is right: the new row drawn in its place
        assert "pod-0007" in "".join(seg.text for seg in table.render_line(5))


async def test_a_wider_cell_repaints_the_whole_table() -> None:
    app = _TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table, calls = await _filled(app, pilot)
        table.apply({"wide": ("pod-9999-with-a-much-longer-name", "1/1", "Running")})
        assert None in calls  # every row's columns moved


async def test_scrollbar_follows_the_row_count_without_repainting_rows() -> None:
    app = _TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table, calls = await _filled(app, pilot)
        table.apply({f"n{i}": _row(i) for i in range(181, 199, 2)})  # 9 more rows, all below the window
        await pilot.pause()
        assert [c for c in calls if c is None or c.y < table.size.height] == []
        assert table.virtual_size.height == 110  # 109 rows and the header
        assert table.vertical_scrollbar.window_virtual_size == 110
        table.action_last()
        await pilot.pause()
        bottom = table.size.height - 1
        assert "pod-0198" in "".join(seg.text for seg in table.render_line(bottom))
        assert "pod-0197" in "".join(seg.text for seg in table.render_line(bottom - 1))  # a row added below


async def test_a_row_changed_over_and_over_on_screen_keeps_one_strip_per_row() -> None:
    app = _TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table, _ = await _filled(app, pilot)
        for n in range(50):  # a flood of status changes to a row on screen, each one drawn
            table.apply({"u2": (f"pod-{2:04d}", "1/1", f"Restarts{n}")})
            await pilot.pause()
        assert "Restarts49" in table.render_line(2).text  # the last one drawn, not a stale strip
        assert sum(1 for key in table._lines if key[0] == "u2") <= 2  # one per cursor state, not per version
        table.apply({}, removals=["u2"])
        assert ("u2", False) not in table._lines and "u2" not in table._version  # gone with its row
        table.apply({"u2": _row(2)})  # and back: drawn as it is now, not as its old version 1 was
        await pilot.pause()
        assert table.render_line(2).text.split() == ["pod-0002", "1/1", "Running"]
