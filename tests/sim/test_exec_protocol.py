"""The built-in cluster's exec and port-forward on the wire: v4 for older clients, the kubelet's channel
port-forward, and the errors before an upgrade."""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from kubetui.cluster import exec as kexec
from kubetui.cluster.connection import Connection
from kubetui.cluster.errors import ClusterError
from kubetui.sim.server import SimServer
from tests.backends import wait_for


@pytest.fixture
async def netexec(sim: SimServer, tmp_path: Path) -> AsyncIterator[tuple[Connection, str]]:
    conn = await Connection.open(kubeconfig_path=str(sim.write_kubeconfig(tmp_path / "kubeconfig")))
    container = {
        "name": "agnhost",
        "image": "registry.k8s.io/e2e-test-images/agnhost:2.39",
        "args": ["netexec", "--http-port=8080"],
    }
    await conn.request(
        "POST",
        "/api/v1/namespaces/default/pods",
        body={"metadata": {"name": "n"}, "spec": {"containers": [container]}},
    )

    async def running() -> bool:
        pod = await conn.request("GET", "/api/v1/namespaces/default/pods/n")
        return pod["status"].get("phase") == "Running"

    await wait_for(running, what="pod n running")
    yield conn, "n"
    await conn.close()


async def test_v4_clients_get_v4_with_the_same_exit_status(netexec: tuple[Connection, str]) -> None:
    conn, pod = netexec
    ws = await conn.websocket(
        kexec.exec_path("default", pod),
        query={"command": ["sh", "-c", "hostname; exit 2"], "stdout": True, "stderr": True},
        protocols=("v4.channel.k8s.io",),
        write=("exec into", "pods/n"),
    )
    stream = kexec.ExecStream(ws, ["sh"])
    assert stream.protocol == "v4.channel.k8s.io"
    out = b"".join([data async for kind, data in stream if kind == "stdout"])
    assert (out, stream.exit_code) == (b"n\n", 2)


async def test_channel_port_forward_as_the_kubelet_serves_it(netexec: tuple[Connection, str]) -> None:
    conn, pod = netexec
    ws = await conn.websocket(
        f"/api/v1/namespaces/default/pods/{pod}/portforward",
        query={"ports": 8080},
        protocols=("v4.channel.k8s.io",),
        write=("port-forward to", "pods/n"),
    )
    first = [(await ws.receive_bytes()) for _ in range(2)]
    assert first == [b"\x00" + struct.pack("<H", 8080), b"\x01" + struct.pack("<H", 8080)]
    await ws.send_bytes(b"\x00GET /echo?msg=over-channels HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    reply = await ws.receive_bytes()
    assert reply[0] == 0 and reply.endswith(b"\r\n\r\nover-channels")
    await ws.close()


async def test_exec_before_the_container_runs_is_refused(sim: SimServer, tmp_path: Path) -> None:
    conn = await Connection.open(kubeconfig_path=str(sim.write_kubeconfig(tmp_path / "kubeconfig")))
    try:
        body = {
            "metadata": {"name": "later"},
            "spec": {"containers": [{"name": "c", "image": "nginx:no-such-tag"}]},
        }
        await conn.request("POST", "/api/v1/namespaces/default/pods", body=body)

        async def scheduled() -> bool:
            pod = await conn.request("GET", "/api/v1/namespaces/default/pods/later")
            return bool(pod["spec"].get("nodeName"))

        await wait_for(scheduled, what="pod later scheduled")
        with pytest.raises(ClusterError) as err:
            await kexec.run(conn, "default", "later", ["hostname"])
        assert err.value.message == 'the container is not running: container not found ("c")'
        assert err.value.code == 400
    finally:
        await conn.close()
