"""Attaches this process's terminal to an exec stream: raw keys in, output out, window size kept in step.

Used while the UI is suspended. The terminal is put in raw mode (the container's tty does the echoing and
line editing) and restored however the session ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kubetui.cluster.exec import ExecStream


async def attach(stream: ExecStream, stdin_fd: int | None = None, stdout_fd: int | None = None) -> int:
    """Runs the session until the command ends; returns its exit code."""
    import termios
    import tty

    in_fd = sys.stdin.fileno() if stdin_fd is None else stdin_fd
    out_fd = sys.stdout.fileno() if stdout_fd is None else stdout_fd
    loop = asyncio.get_running_loop()
    keys: asyncio.Queue[bytes] = asyncio.Queue()

    def readable() -> None:
        try:
            data = os.read(in_fd, 4096)
        except OSError:
            data = b""
        keys.put_nowait(data)

    async def send_size() -> None:
        size = shutil.get_terminal_size()
        with contextlib.suppress(ConnectionError, RuntimeError):
            await stream.resize(size.columns, size.lines)

    async def pump_keys() -> None:
        while True:
            data = await keys.get()
            if not data:
                await stream.close_stdin()
                return
            await stream.send(data)

    saved = termios.tcgetattr(in_fd) if os.isatty(in_fd) else None
    if saved is not None:
        tty.setraw(in_fd)
    loop.add_reader(in_fd, readable)
    winch = signal.getsignal(signal.SIGWINCH)
    loop.add_signal_handler(signal.SIGWINCH, lambda: loop.create_task(send_size()))
    sender = loop.create_task(pump_keys())
    try:
        await send_size()
        async for _, data in stream:
            os.write(out_fd, data)
    finally:
        sender.cancel()
        loop.remove_reader(in_fd)
        loop.remove_signal_handler(signal.SIGWINCH)
        if callable(winch):
            signal.signal(signal.SIGWINCH, winch)
        if saved is not None:
            termios.tcsetattr(in_fd, termios.TCSADRAIN, saved)
        await stream.close()
    return stream.exit_code or 0
