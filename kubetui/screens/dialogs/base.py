"""The common shape of kubetui's modal dialogs: a titled form, an inline error line, Cancel and OK."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

from kubetui.screens.dialogs.notices import InlineNotices
from kubetui.screens.dialogs.validation import FieldError

T = TypeVar("T")


class FormDialog(InlineNotices, ModalScreen[T | None], Generic[T]):
    """A modal form returning a ``T`` on OK and None on Cancel/escape; refused values stay open with an error.

    With a ``runner`` the dialog also sends what it collected and closes only when the server took it; a
    server's refusal (AlreadyExists, Invalid, a missing namespace) stays in the dialog beside the field it
    concerns, with everything typed kept.
    """

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
    FormDialog .field-error {
        color: $error;
        width: 100%;
        margin-bottom: 1;
    }
    FormDialog #error {
        color: $error;
        height: auto;
        max-height: 6;
        display: none;
    }
    FormDialog #error.-shown {
        display: block;
    }
    FormDialog #notices {
        width: 100%;
        height: auto;
        max-height: 4;
        display: none;
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
    name_field: str | None = None
    """The input holding the new object's name: where an AlreadyExists refusal is shown."""
    server_fields: dict[str, str] = {}
    """An API field path prefix (``spec.template.spec.containers``) → the input whose value it came from."""

    def __init__(self) -> None:
        super().__init__()
        self.error: str = ""
        """The message of the last refused submit ('' when none), also shown inline."""
        self.runner: Callable[[T], Awaitable[Any]] | None = None
        """Sends the collected value; the dialog closes only when it succeeds (see ``ask_running``)."""
        self.outcome: Any = None
        """What ``runner`` returned."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="title")
            # The form scrolls to whichever field has focus; it is no tab stop of its own (one that shows
            # nothing, between the last field and the buttons).
            with VerticalScroll(id="form", can_focus=False):
                yield from self.compose_form()
            yield Static("", id="error")
            yield Static("", id="notices")
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
        """Show ``message`` beside ``field`` (an id), marked as the one to fix, or under the form."""
        self.error = message
        self.query_one("#error", Static).update(message)
        for node in self.query(Input):
            node.remove_class("-refused")
        for old in self.query(".field-error"):
            old.remove()
        widgets = list(self.query(f"#{field}")) if field else []
        self.query_one("#error").set_class(not widgets, "-shown")
        for widget in widgets:
            widget.add_class("-refused")
            beside = Static(message, classes="field-error")
            if isinstance(widget.parent, Widget):
                widget.parent.mount(beside, after=widget)
                self.call_after_refresh(beside.scroll_visible, animate=False)
            widget.focus()

    def clear_error(self) -> None:
        self.error = ""
        self.query_one("#error", Static).update("")
        self.query_one("#error").remove_class("-shown")
        for old in self.query(".field-error"):
            old.remove()
        for node in self.query(Input):
            node.remove_class("-refused")

    def submit(self) -> None:
        """Return the collected value, or keep the dialog open showing why it was refused."""
        try:
            value = self.collect()
        except FieldError as err:
            self.show_error(err.message, err.field)
            return
        if self.runner is None:
            self.dismiss(value)
            return
        self.query_one("#ok", Button).disabled = True
        self.run_worker(self._send(value), group="submit", exclusive=True)

    async def _send(self, value: T) -> None:
        assert self.runner is not None
        try:
            self.outcome = await self.runner(value)
        except asyncio.CancelledError:
            raise
        except Exception as err:
            self.query_one("#ok", Button).disabled = False
            self.show_error(_message(err), self.field_of(err))
            return
        self.dismiss(value)

    def field_of(self, error: BaseException) -> str | None:
        """The input a server's refusal is about, from its reason and causes; None for the whole form."""
        status = getattr(error, "status", None) or {}
        if status.get("reason") == "AlreadyExists":
            return self.name_field
        for cause in (status.get("details") or {}).get("causes") or []:
            path = str(cause.get("field") or "")
            if path in ("metadata.name", "name"):
                return self.name_field
            for prefix, field_id in self.server_fields.items():
                if path.startswith(prefix):
                    return field_id
        return None

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


def _message(error: BaseException) -> str:
    """A ClusterError's kubectl-like message (a hint added when there is one), else the exception's text."""
    text = str(getattr(error, "message", None) or error or type(error).__name__)
    hint = getattr(error, "hint", "")
    return f"{text} ({hint})" if hint else text


def field(label: str, widget: Widget) -> Iterable[Widget]:
    """A label above its input; inputs are one line high so a whole form fits an 80x24 terminal."""
    if hasattr(widget, "compact"):
        widget.compact = True
    yield Label(label, classes="field-label")
    yield widget
