"""PickerScreen: choose one name from a list (namespaces, contexts); returns it, or None on esc."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from kubetui.widgets.line_input import LineInput


class PickerScreen(ModalScreen[str | None]):
    """Type to narrow the list, arrows to move, enter to choose."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    PickerScreen { align: center middle; }
    PickerScreen > Vertical { width: 60; max-width: 100%; height: auto; max-height: 80%;
        border: round $accent; background: $surface; }
    PickerScreen Input { border: none; height: 1; }
    PickerScreen OptionList { height: auto; max-height: 20; border: none; }
    """

    def __init__(self, title: str, names: list[str], current: str | None) -> None:
        super().__init__()
        self.title_text = title
        self.names = names
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = f"{self.title_text} (current: {self.current or '-'})"
            yield LineInput(placeholder="type to filter", compact=True)
            yield OptionList(*[Option(n, id=n) for n in self.names])

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if self.current in self.names:
            options.highlighted = self.names.index(self.current)
        self.query_one(Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        needle = event.value.lower()
        options.add_options([Option(n, id=n) for n in self.names if needle in n.lower()])
        if options.option_count:
            options.highlighted = 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted).id)
        elif event.value in self.names:
            self.dismiss(event.value)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def key_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def key_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
