"""Keyed updates for the small DataTables of dialogs and views: change what changed, never clear and refill."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.widgets import DataTable


def sync_rows(table: DataTable[Any], rows: Sequence[tuple[str, Sequence[Any]]]) -> None:
    """Brings ``table`` to ``rows`` ((key, cells), in display order).

    Rows whose key went are removed, new keys are added, and only cells whose value differs are updated, so a
    row that did not change is not repainted and the cursor stays on its row. When the order differs from
    what additions at the end give, the table is sorted by the wanted order (no row is rebuilt for that).
    """
    wanted = {key: tuple(cells) for key, cells in rows}
    for row_key in [k for k in table.rows if k.value not in wanted]:
        table.remove_row(row_key)
    columns = list(table.columns)
    for key, cells in wanted.items():
        if key not in table.rows:
            table.add_row(*cells, key=key)
            continue
        for column, value in zip(columns, cells, strict=False):
            if table.get_cell(key, column) != value:
                table.update_cell(key, column, value, update_width=True)
    order = list(wanted)
    if [row.key.value for row in table.ordered_rows] != order:
        # Rows are told apart by what they show (identical rows may trade places unseen).
        position = {_shown(wanted[key]): index for index, key in enumerate(order)}
        table.sort(*columns, key=lambda cells: position.get(_shown(cells), len(order)))


def cursor_key(table: DataTable[Any]) -> str | None:
    """The key of the row under the cursor; None when the table is empty or has no cursor row yet."""
    if table.row_count == 0:
        return None
    try:
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
    except Exception:  # no cursor row yet
        return None
    return str(key)


def _shown(cells: Sequence[Any]) -> tuple[str, ...]:
    return tuple(str(cell) for cell in cells)
