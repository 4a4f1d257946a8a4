"""The shell action (``S``, and ``E`` to choose container and command): the terminal handed to a container.

The exec stream is opened first, so a refusal (read-only, RBAC, container not running, no shell in the image)
is a message and the screen never flickers; then the UI is suspended, the terminal attached, and on exit the
app comes back where it was.
"""

from __future__ import annotations

import contextlib
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.widget import Widget
from textual.widgets import Input

from kubetui.actions import Target, handler
from kubetui.cluster import exec as kexec
from kubetui.cluster import terminal
from kubetui.screens.dialogs.base import FormDialog, field
from kubetui.screens.dialogs.flow import Cancelled, ask, error_text
from kubetui.screens.dialogs.validation import FieldError
from kubetui.widgets.line_input import LineInput

App_ = App[Any]
DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"


@dataclass(frozen=True)
class ShellRequest:
    container: str
    command: list[str] | None  # None: /bin/bash, then /bin/sh


class ShellDialog(FormDialog[ShellRequest]):
    """Asks which container and which command (empty: bash, then sh)."""

    ok_label = "Open"

    def __init__(self, pod: str, containers: list[str], container: str) -> None:
        super().__init__()
        self.containers = containers
        self.container = container
        self.title_text = f"Shell in pod {pod}"

    def compose_form(self) -> Iterable[Widget]:
        yield from field(
            f"Container ({', '.join(self.containers)})", LineInput(self.container, id="container")
        )
        yield from field("Command (empty: /bin/bash, then /bin/sh)", LineInput("", id="command"))

    def on_mount(self) -> None:
        self.query_one("#command", Input).focus()

    def collect(self) -> ShellRequest:
        container = self.query_one("#container", Input).value.strip()
        if container not in self.containers:
            raise FieldError("container", f"the pod has no container {container!r}")
        text = self.query_one("#command", Input).value.strip()
        try:
            command = shlex.split(text) if text else None
        except ValueError as err:
            raise FieldError("command", f"the command does not parse: {err}") from None
        return ShellRequest(container, command)


def default_container(pod: dict[str, Any]) -> str:
    names = [str(c.get("name")) for c in (pod.get("spec") or {}).get("containers") or []]
    wanted = ((pod.get("metadata") or {}).get("annotations") or {}).get(DEFAULT_CONTAINER)
    return wanted if wanted in names else (names[0] if names else "")


@handler("shell")
async def handle_shell(app: App_, target: Target) -> None:
    await open_shell(app, target, choose=False)


@handler("shell_command")
async def handle_shell_command(app: App_, target: Target) -> None:
    await open_shell(app, target, choose=True)


async def open_shell(app: App_, target: Target, *, choose: bool) -> None:
    pod = target.obj
    if pod is None:
        app.notify("Select a pod first", severity="warning", timeout=4)
        return
    name, namespace = target.name, target.namespace
    containers = [str(c.get("name")) for c in (pod.get("spec") or {}).get("containers") or []]
    request = ShellRequest(default_container(pod), None)
    if choose:
        try:
            request = await ask(app, ShellDialog(name, containers, request.container))
        except Cancelled:
            return
    why = kexec.refusal(pod, request.container)
    if why is not None:
        app.notify(why, title=f"No shell in {name}", severity="error", timeout=8)
        return
    try:
        stream = await target.session.call(
            lambda conn: kexec.open_shell(
                conn, namespace, name, container=request.container, command=request.command
            )
        )
    except Exception as err:  # read-only, RBAC, no shell, not running: each has its own message
        app.notify(error_text(err), title=f"No shell in {name}", severity="error", timeout=10)
        return
    code = await attach(app, stream, f"{namespace}/{name} ({request.container})")
    if code is None:
        return
    app.notify(f"shell in {name} ended (exit code {code})", timeout=4)


async def attach(app: App_, stream: kexec.ExecStream, where: str) -> int | None:
    """Hands the terminal to ``stream`` with the UI suspended; None if this terminal cannot be handed over."""
    driver: Any = app._driver
    if driver is None or not getattr(driver, "can_suspend", False) or app.is_headless:
        await stream.close()
        app.notify("this terminal cannot be handed to a shell (no suspend)", severity="error", timeout=8)
        return None
    with app.suspend():
        # The app keeps running while the shell has the terminal; nothing it draws may reach the screen.
        write = driver.write
        driver.write = lambda data: None
        try:
            print(f"kubetui: shell in {where}; exit (or Ctrl-D) comes back to kubetui\r", flush=True)
            code = await terminal.attach(stream)
        finally:
            driver.write = write
    with contextlib.suppress(Exception):
        app.refresh(layout=True)
    return code
