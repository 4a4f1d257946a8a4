"""kubetui in a real terminal, in a detached tmux session, driven by keys: started with --sim at 80×24 to move
around; and on both backends (the built-in cluster and the real control plane) for the journey's changes —
create a Deployment, scale it, set its image, roll it back, delete it — each checked with kubectl."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.ui.tmux_session import COMMAND_HINT, Tmux, launch, quit_with_colon_q, stop

pytestmark = [pytest.mark.tmux, pytest.mark.slow]


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    session = launch(tmp_path, ["--sim"])
    try:
        yield session
    finally:
        stop(session)


def test_new_user_starts_moves_around_and_reads_the_screen(tmux: Tmux) -> None:
    screen = tmux.wait_for("built-in cluster")
    assert "Pods" in screen
    screen = tmux.wait_for("● live")
    # every line fits: nothing is drawn past 80 columns
    assert all(len(line) <= 80 for line in screen.splitlines())
    tmux.send("Tab")
    screen = tmux.wait_for(
        "━ Services ("
    )  # the focused pane's own title: the tab bar always names every pane
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
    quit_with_colon_q(tmux)


@pytest.mark.kubectl
@pytest.mark.parametrize("backend_name", ["sim", "real"])
def test_the_journey_in_a_terminal(
    request: pytest.FixtureRequest, tmp_path: Path, kubectl: Callable[..., Any], backend_name: str
) -> None:
    """Create, scale, set the image of, roll back and delete a Deployment from the keyboard; kubectl sees each
    change on the cluster."""
    if backend_name == "real":
        stack = request.getfixturevalue("realk8s")
        kubeconfig = stack.kubeconfig
    else:
        kubeconfig = request.getfixturevalue("sim_thread").write_kubeconfig(tmp_path / "kubeconfig")
    namespace = f"tmux-{uuid.uuid4().hex[:6]}"
    made = kubectl("create", "namespace", namespace, kubeconfig=kubeconfig)
    assert made.returncode == 0, made.stderr

    def deployment() -> dict[str, Any] | None:
        out = kubectl("get", "deployment", "hello", "-n", namespace, "-o", "json", kubeconfig=kubeconfig)
        return json.loads(out.stdout) if out.returncode == 0 else None

    def image_and_revision() -> tuple[str, str] | None:
        found = deployment()
        if found is None or found["status"].get("updatedReplicas") != found["spec"]["replicas"]:
            return None
        revision = found["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision", "")
        return found["spec"]["template"]["spec"]["containers"][0]["image"], revision

    def until(check: Callable[[], Any], what: str, timeout: float = 90) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if result := check():
                return result
            time.sleep(0.5)
        raise AssertionError(f"kubectl never saw {what}; the screen shows:\n{tmux.screen()}")

    if backend_name == "real":  # pods need the namespace's default ServiceAccount, made by a controller
        until(lambda: kubectl("get", "sa", "default", "-n", namespace, kubeconfig=kubeconfig).returncode == 0,
              "the default ServiceAccount")  # fmt: skip
    tmux = launch(tmp_path, ["--kubeconfig", str(kubeconfig), "-n", namespace], size=(120, 36))
    try:
        tmux.wait_for("● live")
        tmux.send(":")
        tmux.wait_for(COMMAND_HINT)
        tmux.send("deploy", "Enter")
        tmux.wait_for("─ Deployments (")
        tmux.wait_gone(COMMAND_HINT)
        # kubectl create deployment hello --image=nginx:1.27
        tmux.send("n")
        tmux.wait_for("New Deployment in namespace")
        tmux.send("-l", "hello")
        tmux.send("Tab")
        tmux.send("-l", "nginx:1.27")
        tmux.send("Enter")
        tmux.wait_for("successfully rolled out")
        created = until(deployment, "the Deployment")
        assert created["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
        tmux.send("Escape")
        tmux.wait_gone("successfully rolled out")
        # kubectl scale deployment/hello --replicas=3
        tmux.wait_for("hello")
        time.sleep(0.5)  # ESC then a key at once reads as alt+key
        tmux.send("s")
        tmux.wait_for("(now 1)")
        tmux.send("3", "Enter")
        tmux.wait_for("successfully rolled out")
        until(lambda: (deployment() or {}).get("status", {}).get("readyReplicas") == 3, "3 ready replicas")
        tmux.send("Escape")
        tmux.wait_gone("successfully rolled out")
        time.sleep(0.5)
        # kubectl set image deployment/hello hello=nginx:1.28: a second revision
        tmux.send("i")
        tmux.wait_for("Set image of Deployment hello")
        tmux.send("C-u")
        tmux.send("-l", "nginx:1.28")
        tmux.send("Enter")
        tmux.wait_for("successfully rolled out")
        until(lambda: image_and_revision() == ("nginx:1.28", "2"), "nginx:1.28 at revision 2")
        tmux.send("Escape")
        tmux.wait_gone("successfully rolled out")
        time.sleep(0.5)
        # kubectl rollout undo deployment/hello: back to nginx:1.27, as revision 3
        tmux.send("u")
        tmux.wait_for("Roll back Deployment hello")
        tmux.send("Enter")
        tmux.wait_for("successfully rolled out")
        until(lambda: image_and_revision() == ("nginx:1.27", "3"), "nginx:1.27 at revision 3")
        tmux.send("Escape")
        tmux.wait_gone("successfully rolled out")
        time.sleep(0.5)
        # kubectl delete deployment/hello
        tmux.send("C-d")
        tmux.wait_for("Delete Deployment hello in namespace")
        tmux.send("Tab", "Enter")
        until(lambda: deployment() is None, "the Deployment deleted")
        tmux.wait_for(f"Deployments ({namespace}) [0]")
        time.sleep(0.5)
        quit_with_colon_q(tmux)
    finally:
        stop(tmux)
        kubectl("delete", "namespace", namespace, "--wait=false", kubeconfig=kubeconfig)
