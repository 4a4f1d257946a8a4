"""A terminal program driven in tmux as a person would use it: start it at a fixed size, read the screen with
``capture-pane`` (``-e`` keeps colours and highlight, which plain text loses), send keys, and measure what
the program costs — resident memory and CPU time of its process tree from /proc, and every byte it writes to
the terminal (``pipe-pane``).

Screens are read and keys sent through one tmux control-mode client (``tmux -C``) per program: a command costs
a line on a pipe, about 0.2 ms, where starting a ``tmux`` process for it took about 19 ms on a loaded 2-core
machine. Key latencies polled the screen that way back to back, so they counted in steps of 19 ms and the
polling took a core from the program measured."""

from __future__ import annotations

import os
import random
import shlex
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

SOCKET = f"kubetui-bench-{os.getpid()}"  # one server per run: runs side by side never touch each other
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
POLL = 0.001  # seconds between two reads of the screen while waiting for a key's repaint (each costs ~0.2 ms)


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


class ControlClient:
    """A tmux control-mode client attached to one session: commands in, their output back, on pipes. It does not
    resize the session, receives none of its output as notifications, and cannot type into it by accident."""

    def __init__(self, session: str) -> None:
        argv = ["tmux", "-L", SOCKET, "-C", "attach-session", "-t", session, "-f", "ignore-size,no-output"]
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        # The attach answers first with a reply of its own: read up to ours, so that replies and commands pair.
        self._write("display-message -p ready")
        while self._reply() != "ready\n":
            pass

    def run(self, command: str) -> str:
        """The output of ``command``; RuntimeError when tmux refuses it or the client is gone."""
        self._write(command)
        return self._reply(command)

    def _write(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def _reply(self, command: str = "") -> str:
        """The next reply: the lines between ``%begin`` and ``%end`` (notifications outside them are skipped)."""
        assert self.proc.stdout is not None
        lines: list[str] | None = None
        for line in self.proc.stdout:
            if line.startswith("%begin"):
                lines = []
            elif lines is not None and line.startswith(("%end", "%error")):
                if line.startswith("%error"):
                    raise RuntimeError(f"tmux {command}: {''.join(lines).strip()}")
                return "".join(lines)
            elif lines is not None:
                lines.append(line)
        raise RuntimeError(f"tmux {command}: the control client is gone")

    def close(self) -> None:
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                self.proc.wait(2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(2)


class TerminalApp:
    """One program in its own tmux session of ``width`` x ``height``."""

    def __init__(
        self, name: str, argv: list[str], env: dict[str, str], width: int, height: int, out: Path
    ) -> None:
        self.name, self.argv, self.env = name, argv, env
        self.width, self.height = width, height
        self.output = out
        self.pid = 0
        self._control: ControlClient | None = None

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

    def control(self) -> ControlClient:
        if self._control is None or self._control.proc.poll() is not None:
            self._control = ControlClient(self.name)
        return self._control

    def screen(self, escapes: bool = False) -> str:
        command = f"capture-pane -p -t {self.name}" + (" -e" if escapes else "")
        try:
            return self.control().run(command)
        except RuntimeError:
            return ""  # the program (and with it the session) is gone

    def send(self, *keys: str, literal: bool = False) -> None:
        words = ["send-keys", "-t", self.name, *(["-l"] if literal else []), *keys]
        self.control().run(" ".join(shlex.quote(w) for w in words))

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
        if self._control is not None:
            self._control.close()
            self._control = None
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
            time.sleep(POLL)
        # A random pause: Textual repaints on a fixed 60 Hz grid, and a fixed pause of 0.15 s (nine frames)
        # sent every key at the same phase of it, so a whole run read either about 1 ms or about 16 ms of wait.
        time.sleep(random.uniform(0.1, 0.2))
    return latencies
