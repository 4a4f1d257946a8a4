"""CommandLine: the bottom input used for ``:`` commands and ``/`` filters; esc cancels, enter submits."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input


class CommandLine(Input):
    """Hidden until ``:`` or ``/``; posts ``Submitted`` (mode, text) or ``Cancelled``."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    DEFAULT_CSS = """
    CommandLine { display: none; height: 1; border: none; padding: 0 1; }
    CommandLine.-open { display: block; }
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
        self.display = True
        # Focus now, not on the next loop turn: keys typed right after ":" (or pasted) are already queued.
        self.screen.set_focus(self)
        self.cursor_position = len(value)

    def close(self) -> None:
        self.remove_class("-open")
        self.display = False

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.close()
        self.post_message(self.Done(self.mode, event.value))

    def action_cancel(self) -> None:
        self.close()
        self.post_message(self.Done(self.mode, None))
