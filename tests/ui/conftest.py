"""UI fixtures: the built-in cluster in this test's loop holding the journey's first objects, a connection of the
test's own, and the person's settings kept out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster.connection import Connection
from kubetui.sim.server import SimServer


def deployment(name: str, image: str, replicas: int, port: int | None = None) -> dict[str, Any]:
    container: dict[str, Any] = {"name": name, "image": image}
    if port:
        container["ports"] = [{"containerPort": port}]
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [container]}},
        },
    }


def load_balancer(name: str, port: int, target_port: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name},
        "spec": {
            "type": "LoadBalancer",
            "selector": {"app": name},
            "ports": [{"port": port, "targetPort": target_port, "protocol": "TCP"}],
        },
    }


@dataclass
class Journey:
    sim: SimServer
    kubeconfig: Path
    conn: Connection

    async def create(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self.conn.request("POST", path, body=body)  # type: ignore[no-any-return]


@pytest.fixture
async def api(kubeconfig: Path) -> AsyncIterator[Connection]:
    """A connection of the test's own, to set things up and to check the cluster afterwards."""
    conn = await Connection.open(kubeconfig_path=str(kubeconfig))
    yield conn
    await conn.close()


@pytest.fixture
def no_user_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keeps the person's own kubetui settings (keymap, theme, read-only contexts) out of a test.

    Modules that drive the whole app ask for it with ``pytest.mark.usefixtures("no_user_settings")``.
    """
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))


@pytest.fixture
async def journey(tmp_path: Path) -> AsyncIterator[Journey]:
    """Two nodes; hello-node (2 pods, LoadBalancer 8080) and kubernetes-bootcamp (1 pod), as in the journey."""
    async with SimServer(scenario="empty", nodes=2, speed=50.0) as sim:
        kubeconfig = sim.write_kubeconfig(tmp_path / "kubeconfig")
        conn = await Connection.open(kubeconfig_path=str(kubeconfig))
        try:
            j = Journey(sim, kubeconfig, conn)
            await j.create(
                "/apis/apps/v1/namespaces/default/deployments",
                deployment("hello-node", "registry.k8s.io/e2e-test-images/agnhost:2.39", 2, 8080),
            )
            await j.create("/api/v1/namespaces/default/services", load_balancer("hello-node", 8080, 8080))
            await j.create(
                "/apis/apps/v1/namespaces/default/deployments",
                deployment("kubernetes-bootcamp", "gcr.io/google-samples/kubernetes-bootcamp:v1", 1),
            )
            yield j
        finally:
            await conn.close()
