"""A shell from kubetui in a real terminal: ``S`` on a pod hands the terminal over, ``exit`` gives it back."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ui.tmux_session import launch, stop

pytestmark = [pytest.mark.tmux, pytest.mark.slow]

WAIT = 120.0  # seconds: the pod's shell starts on a loaded machine too


def test_shell_in_a_pod_then_back_in_kubetui(tmp_path: Path) -> None:
    session = launch(tmp_path, ["--sim"], size=(120, 36))
    try:
        session.wait_for("● live", timeout=WAIT)
        session.wait_for("hello-node-", timeout=WAIT)
        # the Pods pane has the focus; filtered to hello-node, its first row is a hello-node pod (agnhost)
        session.send("/hello-node", "Enter")
        session.wait_gone("cache-0", timeout=WAIT)
        session.send("S")
        screen = session.wait_for("root@hello-node-", timeout=WAIT)
        assert "kubetui: shell in default/hello-node-" in screen
        session.send("ls", "Enter")
        screen = session.wait_for("agnhost  bin  dev  etc", timeout=WAIT)
        session.send("exit", "Enter")
        screen = session.wait_for("ended (exit code 0)", timeout=WAIT)
        assert "Pods (default)" in screen and "● live" in screen
    finally:
        stop(session)
