"""Refusals and less common paths: read-only for every mutation, expose variants, delete propagation."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from kubetui.cluster.errors import Invalid, NotFound, ReadOnlyError
from kubetui.sim.server import SimServer
from tests.cluster.simhelp import open_connection

Op = Callable[[Connection], Awaitable[Any]]

MUTATIONS: dict[str, Op] = {
    "scale": lambda c: ops.scale(c, "deployments", "default", "web", 3),
    "set_image": lambda c: ops.set_image(c, "default", "web", {"nginx": "nginx:2"}),
    "add_image_pull_secret": lambda c: ops.add_image_pull_secret(c, "default", "web", "my-secret"),
    "rollout_restart": lambda c: ops.rollout_restart(c, "default", "web"),
    "create_deployment": lambda c: ops.create_deployment(c, "default", "other", "nginx"),
    "expose": lambda c: ops.expose(c, "default", "deployments", "web", "NodePort", 80),
    "delete": lambda c: ops.delete(c, "deployments", "default", "web"),
    "create_registry_secret": lambda c: ops.create_registry_secret(
        c, "default", "s", "r.example.com", "u", "p"
    ),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
async def test_read_only_refuses_every_mutation(bare_sim: SimServer, tmp_path: Path, name: str) -> None:
    kubeconfig = bare_sim.write_kubeconfig(tmp_path / "kubeconfig")
    writer = await open_connection(kubeconfig)
    reader = await open_connection(kubeconfig, readonly=True)
    try:
        await ops.create_deployment(writer, "default", "web", "nginx", port=80)
        before = await writer.request("GET", "/apis/apps/v1/namespaces/default/deployments/web")
        with pytest.raises(ReadOnlyError, match="read-only"):
            await MUTATIONS[name](reader)
        after = await writer.request("GET", "/apis/apps/v1/namespaces/default/deployments/web")
        assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
        for path in ("/api/v1/namespaces/default/services/web", "/api/v1/namespaces/default/secrets/s"):
            with pytest.raises(NotFound):
                await writer.request("GET", path)
        names = [
            d["metadata"]["name"] for d in (await writer.request("GET", "/apis/apps/v1/deployments"))["items"]
        ]
        assert names == ["web"]
    finally:
        await reader.close()
        await writer.close()


async def test_read_only_refuses_undo(bare_sim: SimServer, tmp_path: Path) -> None:
    from tests.cluster.simhelp import V1, V2, bare_history

    kubeconfig = bare_sim.write_kubeconfig(tmp_path / "kubeconfig")
    writer = await open_connection(kubeconfig)
    reader = await open_connection(kubeconfig, readonly=True)
    try:
        await bare_history(writer, "default", [V1, V2])
        preview = await ops.rollout_undo(reader, "default", "kubernetes-bootcamp", dry_run=True)
        assert preview["spec"]["template"]["spec"]["containers"][0]["image"] == V1
        with pytest.raises(ReadOnlyError):
            await ops.rollout_undo(reader, "default", "kubernetes-bootcamp")
        current = await writer.request(
            "GET", "/apis/apps/v1/namespaces/default/deployments/kubernetes-bootcamp"
        )
        assert current["spec"]["template"]["spec"]["containers"][0]["image"] == V2
    finally:
        await reader.close()
        await writer.close()


async def test_expose_variants_and_errors(bare_sim: SimServer, tmp_path: Path) -> None:
    conn = await open_connection(bare_sim.write_kubeconfig(tmp_path / "kubeconfig"))
    try:
        await ops.create_deployment(conn, "default", "noports", "nginx")
        with pytest.raises(Invalid, match="couldn't find port via --port flag or introspection"):
            await ops.expose(conn, "default", "deployments", "noports", "ClusterIP")
        with pytest.raises(Invalid, match="DNS-1035"):
            await ops.expose(conn, "default", "deployments", "noports", "ClusterIP", 80, service_name="1bad")
        with pytest.raises(NotFound):
            await ops.expose(conn, "default", "deployments", "missing", "ClusterIP", 80)
        svc = await ops.expose(
            conn, "default", "deployments", "noports", "ExternalName", 80, external_name="db.example.com",
            service_name="db",
        )  # fmt: skip
        assert (svc["spec"]["type"], svc["spec"]["externalName"]) == ("ExternalName", "db.example.com")
        svc = await ops.expose(conn, "default", "deployments", "noports", "ClusterIP", 80, target_port="http")
        assert svc["spec"]["ports"][0]["targetPort"] == "http"
        assert svc["spec"]["selector"] == {"app": "noports"}
        # Exposing a Service copies its selector; a ReplicaSet its matchLabels.
        again = await ops.expose(
            conn, "default", "services", "noports", "NodePort", 81, service_name="noports-np"
        )
        assert again["spec"]["selector"] == {"app": "noports"} and again["spec"]["type"] == "NodePort"
    finally:
        await conn.close()


async def test_foreground_delete_removes_the_replicasets_first(sim: SimServer, tmp_path: Path) -> None:
    conn = await open_connection(sim.write_kubeconfig(tmp_path / "kubeconfig"))
    try:
        await ops.create_deployment(conn, "default", "web", "nginx", replicas=2)
        async for message in ops.rollout_status(conn, "default", "web", timeout=30):
            if message.done:
                break
        await ops.delete(conn, "deployments", "default", "web", propagation="Foreground")
        for _ in range(200):
            rs = await conn.request("GET", "/apis/apps/v1/namespaces/default/replicasets")
            try:
                await conn.request("GET", "/apis/apps/v1/namespaces/default/deployments/web")
            except NotFound:
                break
            await asyncio.sleep(0.05)
        assert rs["items"] == [] or all(r["metadata"].get("deletionTimestamp") for r in rs["items"])
        with pytest.raises(NotFound):
            await conn.request("GET", "/apis/apps/v1/namespaces/default/deployments/web")
        with pytest.raises(Invalid):
            await ops.delete(conn, "deployments", "default", "web", propagation="Sideways")
    finally:
        await conn.close()
