"""A shell from kubetui in a real terminal: ``S`` on a pod hands the terminal over, ``exit`` gives it back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = [pytest.mark.tmux, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=20, check=True).stdout


def _wait(name: str, text: str, timeout: float = 120.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-p", "-t", name)
        if text in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{text!r} did not appear; the screen shows:\n{screen}")


def test_shell_in_a_pod_then_back_in_kubetui(tmp_path: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    name = f"kubetui-shell-{uuid.uuid4().hex[:8]}"
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
        ["tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "36", "env", "-i", "sh", "-c", command],
        check=True,
        timeout=20,
        cwd=ROOT,
    )
    try:
        _wait(name, "● live")
        _wait(name, "hello-node-")  # the Pods pane is focused with its first pod, hello-node's, selected
        _tmux("send-keys", "-t", name, "S")
        screen = _wait(name, "root@hello-node-")
        assert "kubetui: shell in default/hello-node-" in screen
        _tmux("send-keys", "-t", name, "ls", "Enter")
        screen = _wait(name, "agnhost  bin  dev  etc")
        _tmux("send-keys", "-t", name, "exit", "Enter")
        screen = _wait(name, "ended (exit code 0)")
        assert "Pods (default)" in screen and "● live" in screen
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True, timeout=20, check=False)
