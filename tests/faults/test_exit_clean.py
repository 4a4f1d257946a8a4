"""Quitting while a hostile server floods the watch: kubetui exits within seconds and prints nothing after it
has left the alternate screen (once, 1 run in 5 printed an orjson traceback there).

kubetui runs as its own process on a pseudo-terminal, as a person starts it, so whatever it writes after the
app is gone (a traceback from a task torn down late, a warning) is seen exactly as a terminal would show it.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest

from tests.faults.hostile import HostileServer
from tests.faults.waiting import until

pytestmark = pytest.mark.slow

LEAVE_ALT_SCREEN = b"\x1b[?1049l"
# Control sequences a program may send while restoring the terminal (cursor, modes, title): not output.
CONTROL = re.compile(
    rb"\x1b\[[0-9;?<=>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]"
)
RUNS = ("endless_line", "partial_json", "endless_line", "slow_loris", "endless_line")


class Terminal:
    """A program on a pseudo-terminal of 120x40; every byte it writes is kept."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)  # the program holds the only other end: reads fail once it has exited
        self.output = bytearray()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.output += data

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def finish(self) -> bytes:
        self._reader.join(5)
        os.close(self.master)
        return bytes(self.output)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def environment(home: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_DATA_HOME": str(home / "data"),
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
    }


def after_exit(output: bytes) -> bytes:
    """What the program printed after it left the alternate screen, terminal control sequences removed."""
    tail = output.rpartition(LEAVE_ALT_SCREEN)[2]
    return CONTROL.sub(b"", tail).strip()


def test_after_exit_keeps_only_real_output() -> None:
    assert after_exit(b"\x1b[?1049h app \x1b[?1049l\x1b[?25h\x1b[?1000l\r\n") == b""
    assert b"Traceback" in after_exit(b"\x1b[?1049l\x1b[?25hTraceback (most recent call last):\r\n")


async def quit_during(mode: str, directory: Path) -> tuple[float, int, bytes]:
    """One run: kubetui on ``mode``'s server, ``q`` once the watch misbehaves; (seconds to exit, status, output)."""
    async with HostileServer(mode) as server:
        kubeconfig = server.kubeconfig(directory / "kubeconfig")
        argv = [sys.executable, "-m", "kubetui", "--kubeconfig", str(kubeconfig)]
        term = Terminal(argv, environment(directory / "home"))
        try:
            await until(lambda: b"\x1b[?1049h" in term.output, "the app on screen", 60)
            await until(lambda: any("watch=" in p for _, p, _ in server.requests), "a watch", 30)
            await asyncio.sleep(2.0)  # the misbehaviour under way
            term.send(b"q")
            pressed = time.monotonic()
            await until(lambda: term.proc.poll() is not None, f"kubetui to exit ({mode})", 15)
            took = time.monotonic() - pressed
        finally:
            term.kill()
        return took, term.proc.returncode, term.finish()


async def test_quit_during_a_hostile_watch_exits_at_once_and_prints_nothing(tmp_path: Path) -> None:
    took = []
    for run, mode in enumerate(RUNS):
        directory = tmp_path / f"run-{run}"
        directory.mkdir()
        seconds, status, output = await quit_during(mode, directory)
        took.append(seconds)
        assert status == 0, (mode, output[-2000:])
        assert LEAVE_ALT_SCREEN in output, mode
        printed = after_exit(output)
        assert printed == b"", f"run {run + 1} ({mode}) printed after exit: {printed[:2000]!r}"
        assert b"Traceback" not in output, mode
    assert max(took) < 5.0, f"quit took {[round(t, 1) for t in took]} s"
