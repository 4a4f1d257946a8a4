"""The scale dialog (``s``): the replica count, prefilled with the current one."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget
from textual.widgets import Input

from kubetui.screens.dialogs.base import FormDialog, field
from kubetui.screens.dialogs.validation import parse_replicas
from kubetui.widgets.line_input import LineInput


class ScaleDialog(FormDialog[int]):
    """Returns the new replica count; a negative or non-number value is refused in place."""

    ok_label = "Scale"

    def __init__(self, kind: str, name: str, current: int) -> None:
        super().__init__()
        self.kind = kind
        self.object_name = name
        self.current = current
        self.title_text = f"Scale {kind} {name} (now {current})"

    def compose_form(self) -> Iterable[Widget]:
        yield from field("Replicas", LineInput(str(self.current), id="replicas"))

    def on_mount(self) -> None:
        replicas = self.query_one("#replicas", Input)
        replicas.focus()
        replicas.select_all()

    def collect(self) -> int:
        return parse_replicas("replicas", self.query_one("#replicas", Input).value)
