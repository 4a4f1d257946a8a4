"""kubetui in a real terminal for tests: a detached tmux session started with a clean environment, its screen
read as text, keys sent to it, waits that poll the screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# the command line's placeholder: shown while ":" is open
COMMAND_HINT = "pods deploy rs svc nodes"


class Tmux:
    def __init__(self, name: str) -> None:
        self.name = name

    def run(self, *args: str) -> str:
        out = subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=20, check=True)
        return out.stdout

    def send(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.name, *keys)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.name)

    def wait_for(self, text: str, timeout: float = 90.0) -> str:
        return self.wait_until(lambda screen: text in screen, f"{text!r} did not appear", timeout)

    def wait_gone(self, text: str, timeout: float = 90.0) -> str:
        return self.wait_until(lambda screen: text not in screen, f"{text!r} did not go", timeout)

    def wait_until(self, condition: Callable[[str], bool], failure: str, timeout: float) -> str:
        """Polls the screen until ``condition`` holds: a loaded machine may take long, never forever."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if condition(screen):
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{failure}; the screen shows:\n{screen}")

    def alive(self) -> bool:
        return (
            subprocess.run(
                ["tmux", "has-session", "-t", self.name], capture_output=True, check=False
            ).returncode
            == 0
        )


def launch(tmp_path: Path, args: list[str], size: tuple[int, int] = (80, 24)) -> Tmux:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    name = f"kubetui-test-{uuid.uuid4().hex[:8]}"
    env = {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
    }
    command = " ".join([f"{k}={v}" for k, v in env.items()] + [sys.executable, "-m", "kubetui", *args])
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", name, "-x", str(size[0]), "-y", str(size[1]),
         "env", "-i", "sh", "-c", command],
        check=True,
        timeout=20,
        cwd=ROOT,
    )  # fmt: skip
    return Tmux(name)


def stop(session: Tmux) -> None:
    subprocess.run(["tmux", "kill-session", "-t", session.name], capture_output=True, timeout=20, check=False)


def quit_with_colon_q(tmux: Tmux) -> None:
    tmux.send(":")
    tmux.wait_for(COMMAND_HINT)
    tmux.send("q", "Enter")
    deadline = time.monotonic() + 90
    while tmux.alive():
        if time.monotonic() > deadline:
            raise AssertionError(f"kubetui did not quit on :q; the screen shows:\n{tmux.screen()}")
        time.sleep(0.2)
