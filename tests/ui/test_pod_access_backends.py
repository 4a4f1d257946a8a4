"""The port-forward key end to end on both backends: on the real control plane kwok answers the forwarded
connection (see tests/realk8s/commands.py), on the built-in cluster the pod's app does."""

from __future__ import annotations

import asyncio
from typing import Any

from kubetui.app import KubeApp
from kubetui.config import Settings
from kubetui.screens.forwards import forwards_of
from kubetui.screens.main import MainScreen
from kubetui.session import SessionConfig
from tests.backends import Backend
from tests.ui.helpers import wait_for


async def _get(port: int, path: str) -> str:
    """One GET, read by Content-Length (kwok keeps the stream open after answering)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 20)
    length = next(
        int(h.split(b":")[1]) for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")
    )
    body = await asyncio.wait_for(reader.readexactly(length), 20)
    writer.close()
    return body.decode()


async def test_forward_a_pod_from_the_pods_pane(backend: Backend) -> None:
    ns = await backend.namespace("pfui")
    pod: dict[str, Any] = {
        "metadata": {"name": "web"},
        "spec": {
            "containers": [
                {
                    "name": "agnhost",
                    "image": "registry.k8s.io/e2e-test-images/agnhost:2.39",
                    "args": ["netexec", "--http-port=8080"],
                    "ports": [{"containerPort": 8080}],
                }
            ]
        },
    }
    await backend.conn.request("POST", f"/api/v1/namespaces/{ns}/pods", body=pod)
    app = KubeApp(SessionConfig(kubeconfig=str(backend.kubeconfig), namespace=ns), settings=Settings())
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)

        def running() -> bool:
            pods = app.session.store.list("pods", ns)
            return bool(pods) and pods[0]["status"].get("phase") == "Running"

        await wait_for(pilot, running, timeout=60)
        await wait_for(pilot, lambda: screen.table("pods").row_count == 1)
        screen.focus_pane("pods")
        await pilot.pause()
        await pilot.press("F")
        dialog = await wait_for(pilot, lambda: app.screen if app.screen.query("#remote") else None)
        assert dialog.query_one("#remote").value == "8080"
        dialog.query_one("#local").value = "0"
        await pilot.press("enter")
        forward = await wait_for(pilot, lambda: next(iter(forwards_of(app).items.values()), None))
        body = await _get(forward.local_port, "/hostname")
        assert body == ("hello through kwok" if backend.real else "web")
        assert forward.connections == 1 and forward.bytes_in > 0
        await forward.stop()
