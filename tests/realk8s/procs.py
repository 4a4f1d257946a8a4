"""Process helpers for the real control plane: free loopback ports, one process group per component, and
signalling, reaping and log tails that also work on processes started by another shell."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Component:
    """One running binary of the stack: its command line (to restart it the same way) and process id."""

    name: str
    argv: list[str]
    pid: int = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spawn(name: str, argv: list[str], log_file: Path) -> Component:
    """Start ``argv`` in its own session (so its whole group can be signalled), output appended to ``log_file``."""
    with open(log_file, "ab") as out:
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    return Component(name, argv, proc.pid)


def alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        finished, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        finished = 0  # not our child (started by another process): ask the kernel instead
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    return finished == 0


def reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def signal_group(pid: int, sig: int) -> None:
    if pid > 0:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)


def tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
