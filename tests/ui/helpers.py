"""Test helpers for the UI: plain text of what widgets show, waiting for a condition, a bare app for one dialog."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.text import Text
from textual.app import App
from textual.screen import ModalScreen

PENDING = object()  # a Host's result while its dialog is open


def plain(content: Any, width: int = 200) -> str:
    """The text a Rich renderable (or str / Text) shows."""
    if isinstance(content, str):
        return content
    if isinstance(content, Text):
        return content.plain
    console = Console(width=width, record=True, color_system=None, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(content)
    return console.export_text()


def shown(widget: Any) -> str:
    """What a Static-like widget currently shows."""
    return plain(widget.content)


async def wait_for(
    pilot: Any, condition: Callable[[], Any], timeout: float = 30.0, step: float = 0.05
) -> Any:
    """Pauses the app until ``condition()`` is truthy; fails the test after ``timeout`` seconds.

    The deadline is generous on purpose: on a loaded 2-core machine the built-in cluster and the app share
    the CPU with other tests, and a condition that holds in 1 s when idle may take 10 s then.
    """
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await pilot.pause(step)


def screen_text(app: Any) -> str:
    """The whole screen as plain text, as a person would read it."""
    import io

    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), force_terminal=True, color_system=None, record=True
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return console.export_text()


class Host(App[None]):
    """Pushes one dialog and records what it returned."""

    def __init__(self, dialog: ModalScreen[Any]) -> None:
        super().__init__()
        self.dialog = dialog
        self.result: Any = PENDING

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self._done)

    def _done(self, value: Any) -> None:
        self.result = value
