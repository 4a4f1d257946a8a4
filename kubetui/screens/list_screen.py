"""ListScreen: what the full-screen lists around one table share (``:clusters``, a kind's list such as ``:cm``).

The table has the focus from the start and the list loads; the row under the cursor names the selected item; an
action with nothing selected says so rather than doing nothing.
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

from textual.screen import Screen
from textual.widget import Widget

Item = TypeVar("Item")


class ListScreen(Screen[None], Generic[Item]):
    """A screen listing items in one table; a subclass says which table, how it loads and what is selected."""

    NOTHING_SELECTED: ClassVar[str] = "nothing selected"

    def on_mount(self) -> None:
        self.prepare()
        self.list_table().focus()
        self.load()

    def prepare(self) -> None:
        """What comes before the table takes the focus (columns, the state the first load needs)."""

    def load(self) -> None:
        """Brings the rows: starts the watch or the discovery that fills the table."""
        raise NotImplementedError

    def list_table(self) -> Widget:
        raise NotImplementedError

    def selected(self) -> Item | None:
        """The item of the row under the cursor, None when there is none."""
        raise NotImplementedError

    def chosen(self) -> Item | None:
        """The selected item; with none selected, a warning that says so."""
        item = self.selected()
        if item is None:
            self.notify(self.NOTHING_SELECTED, severity="warning")
        return item
