"""The common shape of kubetui's modal dialogs: a titled form, an inline error line, Cancel and OK."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from kubetui.screens.dialogs.validation import FieldError

T = TypeVar("T")


class FormDialog(ModalScreen[T | None], Generic[T]):
    """A modal form returning a ``T`` on OK and None on Cancel/escape; refused values stay open with an error."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    DEFAULT_CSS = """
    FormDialog {
        align: center middle;
    }
    FormDialog > #dialog {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    FormDialog #title {
        text-style: bold;
        width: 100%;
        margin-bottom: 1;
    }
    FormDialog #form {
        height: auto;
        max-height: 65vh;
    }
    FormDialog .field-label {
        color: $text-muted;
    }
    FormDialog #form Label, FormDialog #form Static {
        width: 100%;  /* explanations wrap inside the dialog instead of running off its edge */
    }
    FormDialog Input, FormDialog Select {
        margin-bottom: 1;
    }
    FormDialog Input.-refused {
        background: $error 30%;
    }
    FormDialog #error {
        color: $error;
        height: auto;
        max-height: 3;
        display: none;
    }
    FormDialog #error.-shown {
        display: block;
    }
    FormDialog #buttons {
        height: auto;
        align-horizontal: right;
        margin-top: 1;
    }
    FormDialog #buttons Button {
        margin-left: 2;
    }
    """

    title_text = "kubetui"
    ok_label = "OK"
    ok_variant: str = "primary"

    def __init__(self) -> None:
        super().__init__()
        self.error: str = ""
        """The message of the last refused submit ('' when none), also shown inline."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="title")
            with VerticalScroll(id="form"):
                yield from self.compose_form()
            yield Static("", id="error")
            with Horizontal(id="buttons"):
                yield Button("Cancel", id="cancel", compact=True)
                yield Button(self.ok_label, id="ok", variant=self.ok_variant, compact=True)  # type: ignore[arg-type]

    def compose_form(self) -> Iterable[Widget]:
        """The dialog's own fields."""
        return ()

    def collect(self) -> T:
        """The value to return, read from the fields; raises FieldError to refuse."""
        raise NotImplementedError

    def show_error(self, message: str, field: str | None = None) -> None:
        """Show ``message`` under the form and mark ``field`` (an id) as the one to fix."""
        self.error = message
        self.query_one("#error", Static).update(message)
        self.query_one("#error").add_class("-shown")
        for node in self.query(Input):
            node.remove_class("-refused")
        if field:
            for widget in self.query(f"#{field}"):
                widget.add_class("-refused")
                widget.focus()

    def clear_error(self) -> None:
        self.error = ""
        self.query_one("#error", Static).update("")
        self.query_one("#error").remove_class("-shown")
        for node in self.query(Input):
            node.remove_class("-refused")

    def submit(self) -> None:
        """Return the collected value, or keep the dialog open showing why it was refused."""
        try:
            value = self.collect()
        except FieldError as err:
            self.show_error(err.message, err.field)
            return
        self.dismiss(value)

    @on(Button.Pressed, "#ok")
    def _ok(self, event: Button.Pressed) -> None:
        event.stop()
        self.submit()

    @on(Button.Pressed, "#cancel")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def action_cancel(self) -> None:
        self.dismiss(None)


def field(label: str, widget: Widget) -> Iterable[Widget]:
    """A label above its input; inputs are one line high so a whole form fits an 80x24 terminal."""
    if hasattr(widget, "compact"):
        widget.compact = True
    yield Label(label, classes="field-label")
    yield widget
