"""``ServedSim``: ``kubetui sim serve`` in its own process, to kill, stop (SIGSTOP) and restart with ``--state``."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServedSim:
    """The built-in cluster as a separate server process on a fixed port, so clients see real outages."""

    def __init__(self, directory: Path, scenario: str = "empty", nodes: int = 1) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.dir = directory
        self.kubeconfig = directory / "kubeconfig"
        self.state = directory / "state.json"
        self.port = free_port()
        self.scenario = scenario
        self.nodes = nodes
        self.proc: subprocess.Popen[bytes] | None = None
        self.paused = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        argv = [sys.executable, "-m", "kubetui", "sim", "serve", "--port", str(self.port)]
        argv += ["--scenario", self.scenario, "--nodes", str(self.nodes)]
        argv += ["--kubeconfig", str(self.kubeconfig), "--state", str(self.state)]
        with open(self.dir / "serve.log", "ab") as log:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"sim serve exited: {(self.dir / 'serve.log').read_text()[-2000:]}")
            if self.kubeconfig.exists() and _listening(self.port):
                return
            time.sleep(0.05)
        raise RuntimeError(f"sim serve did not listen on {self.port} within {timeout}s")

    def stop(self) -> None:
        """SIGTERM: the server saves its state and exits (what a restart with --state starts from)."""
        if self.proc is None:
            return
        if self.paused:
            self.resume()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def pause(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGSTOP)
        self.paused = True

    def resume(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGCONT)
        self.paused = False

    def wipe(self) -> None:
        """Forget everything: the next start begins empty, with resourceVersions from the start again."""
        self.state.unlink(missing_ok=True)

    def close(self) -> None:
        if self.proc is not None:
            if self.paused:
                self.resume()
            self.proc.kill()
            self.proc.wait()
            self.proc = None


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False
