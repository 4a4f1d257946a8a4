"""Confirmation dialogs: a plain yes/no (restart) and delete with its propagation policy."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget
from textual.widgets import Label, RadioButton, RadioSet

from kubetui.screens.dialogs.base import FormDialog
from kubetui.screens.dialogs.requests import PROPAGATION_POLICIES

PROPAGATION_HELP = {
    "Background": "delete now; its ReplicaSets and Pods are removed afterwards",
    "Foreground": "delete its ReplicaSets and Pods first, then it",
    "Orphan": "delete only it; its ReplicaSets and Pods stay",
}


class ConfirmDialog(FormDialog[bool]):
    """Returns True when confirmed. Dangerous confirmations start with focus on Cancel."""

    def __init__(self, title: str, message: str, ok_label: str = "OK", dangerous: bool = False) -> None:
        super().__init__()
        self.title_text = title
        self.message = message
        self.ok_label = ok_label
        self.dangerous = dangerous
        if dangerous:
            self.ok_variant = "error"

    def compose_form(self) -> Iterable[Widget]:
        yield Label(self.message, id="message")

    def on_mount(self) -> None:
        self.query_one("#cancel" if self.dangerous else "#ok").focus()

    def collect(self) -> bool:
        return True


class DeleteDialog(FormDialog[str]):
    """Returns the propagation policy to delete with; focus starts on Cancel so a stray enter deletes nothing."""

    ok_label = "Delete"
    ok_variant = "error"

    def __init__(self, kind: str, name: str, namespace: str | None, owns_children: bool = True) -> None:
        super().__init__()
        self.kind = kind
        self.object_name = name
        self.owns_children = owns_children
        where = f" in namespace {namespace}" if namespace else ""
        self.title_text = f"Delete {kind} {name}{where}?"

    def compose_form(self) -> Iterable[Widget]:
        if self.owns_children:
            yield Label("What happens to what it owns:", classes="field-label")
            with RadioSet(id="propagation"):
                for index, policy in enumerate(PROPAGATION_POLICIES):
                    yield RadioButton(f"{policy}: {PROPAGATION_HELP[policy]}", value=index == 0, id=policy)
        else:
            yield Label("This cannot be undone.", id="message")

    def on_mount(self) -> None:
        self.query_one("#cancel").focus()

    def collect(self) -> str:
        if not self.owns_children:
            return "Background"
        pressed = self.query_one("#propagation", RadioSet).pressed_button
        return pressed.id if pressed is not None and pressed.id else "Background"
