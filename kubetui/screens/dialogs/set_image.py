"""The set-image dialog (``i``): one field per container, with the resulting change shown before applying."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual import on
from textual.widget import Widget
from textual.widgets import Input, Static

from kubetui.screens.dialogs.base import FormDialog, field
from kubetui.screens.dialogs.requests import ImageChange
from kubetui.screens.dialogs.validation import FieldError, check_image
from kubetui.widgets.line_input import LineInput


def describe_change(current: dict[str, str], wanted: dict[str, str]) -> list[str]:
    """One line per container whose image changes: ``name: old -> new``."""
    return [f"{name}: {current[name]} -> {image}" for name, image in wanted.items() if current[name] != image]


class SetImageDialog(FormDialog[ImageChange]):
    """Returns only the containers whose image changed; refuses when nothing would change."""

    ok_label = "Set image"

    def __init__(self, deployment: str, containers: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        self.deployment = deployment
        self.containers = list(containers)
        self.current = dict(self.containers)
        self.title_text = f"Set image of Deployment {deployment}"

    def compose_form(self) -> Iterable[Widget]:
        for index, (name, image) in enumerate(self.containers):
            yield from field(f"Container {name}", LineInput(image, id=f"image-{index}"))
        yield Static("No change yet.", id="change")

    def on_mount(self) -> None:
        self.query_one("#image-0", Input).focus()

    def wanted(self) -> dict[str, str]:
        """The images as currently typed, by container."""
        return {
            name: self.query_one(f"#image-{index}", Input).value.strip()
            for index, (name, _image) in enumerate(self.containers)
        }

    @on(Input.Changed)
    def _preview(self) -> None:
        lines = describe_change(self.current, self.wanted())
        text = "\n".join(["This rolls out a new revision:", *lines]) if lines else "No change yet."
        self.query_one("#change", Static).update(text)

    def collect(self) -> ImageChange:
        wanted = {
            name: check_image(f"image-{index}", self.query_one(f"#image-{index}", Input).value)
            for index, (name, _image) in enumerate(self.containers)
        }
        changed = {name: image for name, image in wanted.items() if self.current[name] != image}
        if not changed:
            raise FieldError("image-0", "no image changed; edit a container's image first")
        return ImageChange(changed)
