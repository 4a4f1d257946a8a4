"""kubetui in a real terminal: started with --sim in a detached tmux session at 80×24, driven by keys."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

pytestmark = [pytest.mark.tmux, pytest.mark.slow]

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


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
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
    command = " ".join([f"{k}={v}" for k, v in env.items()] + [sys.executable, "-m", "kubetui", "--sim"])
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", name, "-x", "80", "-y", "24", "env", "-i", "sh", "-c", command],
        check=True,
        timeout=20,
        cwd=ROOT,
    )
    session = Tmux(name)
    try:
        yield session
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True, timeout=20, check=False)


def test_new_user_starts_moves_around_and_reads_the_screen(tmux: Tmux) -> None:
    screen = tmux.wait_for("built-in cluster")
    assert "Pods" in screen
    screen = tmux.wait_for("● live")
    # every line fits: nothing is drawn past 80 columns
    assert all(len(line) <= 80 for line in screen.splitlines())
    tmux.send("Tab")
    screen = tmux.wait_for("─ Services (")  # the pane's own title: the tab bar always names every pane
    # each key waits for the state the previous one leads to: a loaded machine reads keys late, and a key
    # sent before the app has acted on the last one lands somewhere else (":" typed into the help screen)
    tmux.send(":")
    tmux.wait_for(COMMAND_HINT)
    tmux.send("nodes", "Enter")
    screen = tmux.wait_for("control-plane")
    tmux.wait_gone(COMMAND_HINT)
    tmux.send("?")
    screen = tmux.wait_for("On the selected object")
    assert "Describe the object" in screen
    tmux.send("Escape")
    tmux.wait_gone("On the selected object")
    tmux.wait_for("● live")
    # a terminal reads ESC followed at once by a key as alt+key; people pause, so does the test
    time.sleep(0.5)
    tmux.send(":")
    tmux.wait_for(COMMAND_HINT)
    tmux.send("q", "Enter")
    deadline = time.monotonic() + 90
    while tmux.alive():
        if time.monotonic() > deadline:
            raise AssertionError(f"kubetui did not quit on :q; the screen shows:\n{tmux.screen()}")
        time.sleep(0.2)
