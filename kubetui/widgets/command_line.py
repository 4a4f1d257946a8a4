"""CommandBar/CommandLine: the bottom input for ``:`` commands and ``/`` filters; esc cancels, enter submits."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label

from kubetui.widgets.line_input import LineInput


class CommandLine(LineInput):
    """Hidden until ``:`` or ``/``; posts ``Done`` with the mode and the text (None when cancelled)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    DEFAULT_CSS = """
    CommandLine { height: 1; border: none; padding: 0; width: 1fr; }
    """

    class Done(Message):
        """The person finished: ``text`` is None when they cancelled."""

        def __init__(self, mode: str, text: str | None) -> None:
            super().__init__()
            self.mode = mode
            self.text = text

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, compact=True)
        self.mode = ":"

    def open(self, mode: str, value: str = "") -> None:
        self.mode = mode
        self.placeholder = (
            "pods deploy rs svc nodes events ns NAME ctx NAME clusters q"
            if mode == ":"
            else "text or regex; -l app=web for a label selector; empty clears"
        )
        self.value = value
        self.add_class("-open")
        if isinstance(self.parent, CommandBar):
            self.parent.show(mode)
        # Focus now, not on the next loop turn: keys typed right after ":" (or pasted) are already queued.
        self.screen.set_focus(self)
        self.cursor_position = len(value)

    def close(self) -> None:
        self.remove_class("-open")
        if isinstance(self.parent, CommandBar):
            self.parent.hide()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.close()
        self.post_message(self.Done(self.mode, event.value))

    def action_cancel(self) -> None:
        self.close()
        self.post_message(self.Done(self.mode, None))


class CommandBar(Horizontal):
    """The one-line bar holding the prompt character (``:`` or ``/``) and the CommandLine."""

    DEFAULT_CSS = """
    CommandBar { height: 1; display: none; background: $panel; }
    CommandBar > #command-prompt { width: 2; padding: 0 0 0 1; color: $accent; text-style: bold; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)

    def compose(self) -> ComposeResult:
        yield Label(":", id="command-prompt")
        yield CommandLine(id="command")

    def show(self, mode: str) -> None:
        self.query_one("#command-prompt", Label).update(mode)
        self.display = True

    def hide(self) -> None:
        self.display = False
