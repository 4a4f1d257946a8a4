"""A terminal program driven in tmux as a person would use it: start it at a fixed size, read the screen with
``capture-pane`` (``-e`` keeps colours and highlight, which plain text loses), send keys, and measure what
the program costs — resident memory and CPU time of its process tree from /proc, and every byte it writes to
the terminal (``pipe-pane``)."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

SOCKET = f"kubetui-bench-{os.getpid()}"  # one server per run: runs side by side never touch each other
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def tmux(*args: str, check: bool = True) -> str:
    out = subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True, check=False)
    if check and out.returncode != 0:
        raise RuntimeError(f"tmux {' '.join(args)}: {out.stderr.strip()}")
    return out.stdout


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                queue.extend(int(c) for c in (task / "children").read_text().split())
            except OSError:
                pass
    return found


def rss_mb(pid: int) -> float:
    total = 0
    for p in descendants(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def cpu_seconds(pid: int) -> float:
    total = 0
    for p in descendants(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


class TerminalApp:
    """One program in its own tmux session of ``width`` x ``height``."""

    def __init__(
        self, name: str, argv: list[str], env: dict[str, str], width: int, height: int, out: Path
    ) -> None:
        self.name, self.argv, self.env = name, argv, env
        self.width, self.height = width, height
        self.output = out
        self.pid = 0

    def start(self) -> float:
        """Starts the program; returns the monotonic time it was started at."""
        tmux("kill-session", "-t", self.name, check=False)
        self.output.unlink(missing_ok=True)
        env_args = [a for key, value in self.env.items() for a in ("-e", f"{key}={value}")]
        # A shell-less start: tmux runs argv itself, so the pane's pid is the program's.
        tmux(
            "new-session", "-d", "-s", self.name, "-x", str(self.width), "-y", str(self.height),
            *env_args, *self.argv,
        )  # fmt: skip
        started = time.monotonic()
        tmux("pipe-pane", "-t", self.name, "-o", f"cat >> {shlex.quote(str(self.output))}")
        self.pid = int(tmux("display-message", "-p", "-t", self.name, "#{pane_pid}").strip())
        return started

    def screen(self, escapes: bool = False) -> str:
        args = ["capture-pane", "-p", "-t", self.name] + (["-e"] if escapes else [])
        return tmux(*args, check=False)

    def send(self, *keys: str, literal: bool = False) -> None:
        tmux("send-keys", "-t", self.name, *(["-l"] if literal else []), *keys)

    def bytes_written(self) -> int:
        try:
            return self.output.stat().st_size
        except OSError:
            return 0

    def alive(self) -> bool:
        return self.pid > 0 and Path(f"/proc/{self.pid}").exists()

    def rss_mb(self) -> float:
        return rss_mb(self.pid)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.pid)

    def stop(self) -> None:
        tmux("kill-session", "-t", self.name, check=False)
        deadline = time.monotonic() + 5
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.alive():
            os.kill(self.pid, 9)
        self.output.unlink(missing_ok=True)


def wait_screen(app: TerminalApp, done, timeout: float, interval: float = 0.01) -> float | None:  # type: ignore[no-untyped-def]
    """Polls the screen until ``done(text)``; the monotonic time it first held, or None on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done(app.screen()):
            return time.monotonic()
        time.sleep(interval)
    return None


def key_latencies(
    app: TerminalApp,
    keys: tuple[str, str],
    presses: int,
    timeout: float = 2.0,
    view: Callable[[str], str] = lambda screen: screen,
) -> list[float]:
    """Seconds from each key press to the first changed screen (with colours), alternating ``keys`` so the
    cursor moves back and forth over rows that are on screen. ``view`` picks what of the screen must change
    (while rows change on their own, a changed cell would be counted as the key's repaint)."""
    latencies = []
    for i in range(presses):
        before = view(app.screen(escapes=True))
        sent = time.monotonic()
        app.send(keys[i % 2])
        while time.monotonic() - sent < timeout:
            if view(app.screen(escapes=True)) != before:
                latencies.append(time.monotonic() - sent)
                break
        time.sleep(0.15)
    return latencies
