"""Port-forward and shell from the main screen: the dialog, the forwards view, stopping, read-only refusals."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kubetui.app import KubeApp
from kubetui.cluster.portforward import PortForward
from kubetui.config import Settings
from kubetui.screens.forwards import ForwardsScreen, forwards_of
from kubetui.screens.main import MainScreen
from kubetui.session import SessionConfig
from tests.ui.conftest import Journey
from tests.ui.helpers import screen_text, wait_for
from tests.ui.support import on_main_screen


def _echo_app() -> dict[str, Any]:
    container = {
        "name": "agnhost",
        "image": "registry.k8s.io/e2e-test-images/agnhost:2.39",
        "args": ["netexec", "--http-port=8080"],
        "ports": [{"containerPort": 8080}],
    }
    labels = {"app": "echo"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "echo", "labels": labels},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
        },
    }


async def _get(port: int, path: str) -> str:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    raw = await asyncio.wait_for(reader.read(-1), 20)
    writer.close()
    return raw.decode().split("\r\n\r\n", 1)[1]


def _select(screen: MainScreen, kind: str, name: str) -> None:
    table = screen.table(kind)
    for uid in table.ordered_uids():
        if str(table.get_row(uid)[0]).endswith(name):
            table.select_uid(uid)
            return
    raise AssertionError(f"no {name} in {kind}")


async def _echo(journey: Journey, service: bool = True) -> None:
    """The echo Deployment (two agnhost pods answering HTTP on 8080), and a Service echo:80 in front of it."""
    await journey.create("/apis/apps/v1/namespaces/default/deployments", _echo_app())
    if service:
        body = {
            "metadata": {"name": "echo"},
            "spec": {"selector": {"app": "echo"}, "ports": [{"port": 80, "targetPort": 8080}]},
        }
        await journey.create("/api/v1/namespaces/default/services", body)


def _app(journey: Journey, readonly: bool = False) -> KubeApp:
    return KubeApp(SessionConfig(kubeconfig=str(journey.kubeconfig), readonly=readonly), settings=Settings())


def _echo_pods(app: KubeApp) -> list[dict[str, Any]]:
    return [p for p in app.session.store.list("pods", "default") if p["metadata"]["name"].startswith("echo-")]


def _echo_running(app: KubeApp) -> bool:
    pods = _echo_pods(app)
    return len(pods) == 2 and all(p["status"].get("phase") == "Running" for p in pods)


async def _forward(pilot: Any, app: KubeApp, kind: str, name: str, remote: str | None = None) -> PortForward:
    """F on ``name`` in ``kind``'s pane, any free local port: the forward once it has started.

    ``remote``, when given, is the remote port the dialog must propose.
    """
    screen = app.screen
    assert isinstance(screen, MainScreen)
    screen.focus_pane(kind)
    _select(screen, kind, name)
    await pilot.press("F")
    dialog = await wait_for(pilot, lambda: app.screen if app.screen.query("#remote") else None)
    if remote is not None:
        assert dialog.query_one("#remote").value == remote
    dialog.query_one("#local").value = "0"
    await pilot.press("enter")
    return await wait_for(pilot, lambda: next(iter(forwards_of(app).items.values()), None))


async def test_forward_a_service_list_it_and_stop_it(journey: Journey) -> None:
    await _echo(journey)
    app = _app(journey)
    async with on_main_screen(app) as (pilot, screen):
        await wait_for(pilot, lambda: _echo_running(app))
        await wait_for(
            pilot,
            lambda: any(
                "echo" in str(r[0])
                for r in map(screen.table("services").get_row, screen.table("services").ordered_uids())
            ),
        )
        forward = await _forward(pilot, app, "services", "echo", remote="80")
        assert forward.address == "127.0.0.1" and forward.target == "svc/echo" and forward.remote_port == 8080
        body = await _get(forward.local_port, "/hostname")
        assert body == forward.pod
        await pilot.press("ctrl+f")
        view = await wait_for(pilot, lambda: app.screen if isinstance(app.screen, ForwardsScreen) else None)
        await pilot.pause(1.2)
        text = screen_text(app)
        assert f"localhost:{forward.local_port}" in text and "svc/echo" in text and "listening" in text
        await pilot.press("x")
        await wait_for(pilot, lambda: forward.state == "stopped")
        with pytest.raises(OSError):
            await asyncio.open_connection("127.0.0.1", forward.local_port)
        view.refresh_rows()
        await pilot.pause()
        assert "stopped" in screen_text(app)


async def test_shell_and_forward_are_refused_read_only(journey: Journey) -> None:
    app = _app(journey, readonly=True)
    async with on_main_screen(app) as (pilot, screen):
        await wait_for(pilot, lambda: screen.table("pods").row_count >= 1)
        screen.focus_pane("pods")
        await pilot.pause()
        screen.run_action_id("shell")
        screen.run_action_id("port_forward")
        await pilot.pause(0.3)
        messages = [n.message for n in app._notifications]
        assert "read-only: exec into pods is off" in messages
        assert "read-only: port-forwarding is off" in messages
        assert not forwards_of(app).items


async def test_a_forward_whose_pod_goes_says_so_and_moves_to_another(journey: Journey) -> None:
    await _echo(journey)
    app = _app(journey)
    async with on_main_screen(app) as (pilot, screen):

        def ready_echo() -> list[str]:
            ready = [
                p
                for p in _echo_pods(app)
                if any(
                    c.get("type") == "Ready" and c.get("status") == "True"
                    for c in p["status"].get("conditions") or []
                )
            ]
            return [p["metadata"]["name"] for p in ready] if len(ready) == 2 else []

        await wait_for(pilot, ready_echo)
        await wait_for(pilot, lambda: screen.table("services").row_count >= 2)
        forward = await _forward(pilot, app, "services", "echo")
        first = forward.pod
        # the Deployment replaces the pod; the forward notices it went away and offers the other one
        await journey.conn.request(
            "DELETE", f"/api/v1/namespaces/default/pods/{first}", query={"gracePeriodSeconds": 0}
        )
        await wait_for(pilot, lambda: forward.state == "pod gone")
        notes = [n.message for n in app._notifications if "went away" in n.message]
        assert len(notes) == 1 and f"pod {first} went away" in notes[0] and "press r" in notes[0]
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, ForwardsScreen))
        await pilot.press("r")
        await wait_for(pilot, lambda: forward.pod != first and forward.state == "listening")
        assert await _get(forward.local_port, "/hostname") == forward.pod


async def test_forward_a_deployment_goes_to_one_of_its_ready_pods(journey: Journey) -> None:
    await _echo(journey, service=False)
    app = _app(journey)
    async with on_main_screen(app) as (pilot, screen):
        await wait_for(pilot, lambda: _echo_running(app))
        await wait_for(pilot, lambda: screen.table("deployments").row_count >= 3)
        forward = await _forward(pilot, app, "deployments", "echo", remote="8080")  # the containerPort
        assert forward.target == "deploy/echo" and forward.pod.startswith("echo-")
        assert await _get(forward.local_port, "/hostname") == forward.pod
        await forward.stop()
