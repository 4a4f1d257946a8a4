"""``e``: edit the selected object in $VISUAL/$EDITOR (else vi) with the TUI suspended, then send the change
as ``kubectl edit`` does; a refused change reopens the file with the server's answer at the top."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from textual.app import SuspendNotSupported

from kubetui.actions import Target, register_handler
from kubetui.cluster import edit
from kubetui.cluster.errors import ClusterError


def editor_argv() -> list[str]:
    """The editor command as kubectl splits it (``code --wait`` is two words)."""
    for name in ("VISUAL", "EDITOR"):
        value = os.environ.get(name, "").strip()
        if value:
            return shlex.split(value)
    return ["vi"]


async def run_editor(app: Any, path: Path) -> int:
    """Runs the editor on ``path`` with the terminal handed over; without a terminal to hand over (headless),
    runs it detached from input so a terminal editor cannot hang the app."""
    argv = [*editor_argv(), str(path)]
    try:
        with app.suspend():
            return subprocess.run(argv, check=False).returncode
    except SuspendNotSupported:
        process = await asyncio.create_subprocess_exec(*argv, stdin=subprocess.DEVNULL)
        return await process.wait()
    except OSError as exc:
        raise ClusterError(f"error: could not run the editor {argv[0]!r}: {exc.strerror or exc}") from None


def edit_object(app: Any, path: str, obj: dict[str, Any], label: str) -> None:
    """Starts editing the object at API ``path`` (refused when the connection is read-only)."""
    session = app.session
    if session.readonly:
        app.notify("Edit: the connection is read-only", severity="warning")
        return
    app.run_worker(_edit(app, session, path, obj, label), group="edit", exclusive=True)


async def _edit(app: Any, session: Any, path: str, obj: dict[str, Any], label: str) -> None:
    try:
        original = await session.call(lambda conn: conn.request("GET", path))
    except ClusterError as exc:
        app.notify(exc.message, title="edit", severity="error")
        return
    handle, name = tempfile.mkstemp(prefix="kubetui-edit-", suffix=".yaml")
    os.close(handle)
    file = Path(name)
    try:
        await _edit_loop(app, session, path, original, label, file)
    finally:
        with contextlib.suppress(OSError):
            file.unlink()


async def _edit_loop(
    app: Any, session: Any, path: str, original: dict[str, Any], label: str, file: Path
) -> None:
    text = edit.render(edit.editable(original))
    failed_body: str | None = None
    while True:
        file.write_text(text)
        try:
            code = await run_editor(app, file)
        except ClusterError as exc:
            app.notify(exc.message, title="edit", severity="error")
            return
        if code != 0:
            app.notify(f"edit cancelled: the editor exited with status {code}", severity="warning")
            return
        saved = file.read_text()
        body = edit.strip_comments(saved)
        if failed_body is not None and body == failed_body:
            app.notify("Edit cancelled, no valid changes were saved.", title="edit", severity="warning")
            return
        try:
            result = edit.read_back(original, saved)
            if result.cancelled:
                app.notify("Edit cancelled, the file was empty.", title="edit")
                return
            if result.unchanged or result.patch is None:
                app.notify("Edit cancelled, no changes made.", title="edit")
                return
            await session.call(functools.partial(edit.send, path=path, patch=result.patch))
        except (edit.EditError, ClusterError) as exc:
            failed_body = body
            message = exc.message if isinstance(exc, ClusterError) else str(exc)
            text = edit.HEADER + "".join(f"# {line}\n" for line in message.splitlines()) + "#\n" + body + "\n"
            continue
        app.notify(f"{label} edited", title="Edited")
        return


async def handle_edit(app: Any, target: Target) -> None:
    """The action table's ``edit`` on a kind the registry knows."""
    from kubetui.cluster.resources import resource_for

    if target.obj is None:
        app.notify("nothing selected", severity="warning")
        return
    meta = target.obj.get("metadata") or {}
    path = resource_for(target.kind).path(meta.get("namespace"), meta.get("name"))
    label = f"{str(target.obj.get('kind', target.kind)).lower()} {meta.get('name', '')}"
    edit_object(app, path, target.obj, label)


register_handler("edit", handle_edit)
