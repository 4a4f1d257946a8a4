"""Exec and port-forward through kubetui's own clients, on the built-in cluster and on the real control plane
(where kwok runs exec on this machine and answers forwarded connections with one HTTP response)."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from kubetui.cluster import exec as kexec
from kubetui.cluster.errors import ClusterError, Forbidden, ReadOnlyError
from kubetui.cluster.portforward import PortForward, pick_pod
from tests.backends import Backend, wait_for

AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.39"


def _deployment(name: str, replicas: int = 1) -> dict[str, Any]:
    labels = {"app": name}
    container = {
        "name": "agnhost",
        "image": AGNHOST,
        "command": ["/agnhost", "netexec", "--http-port=8080"],
        "ports": [{"containerPort": 8080, "name": "http"}],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}},
        },
    }


async def _running_pods(backend: Backend, ns: str, app: str, count: int = 1) -> list[dict[str, Any]]:
    async def ready() -> list[dict[str, Any]] | None:
        pods = await backend.conn.request(
            "GET", f"/api/v1/namespaces/{ns}/pods", query={"labelSelector": f"app={app}"}
        )
        items = [p for p in pods["items"] if pick_pod([p], {"app": app}) is not None]
        return items if len(items) >= count else None

    result: list[dict[str, Any]] = await wait_for(ready, timeout=60, what=f"{count} ready pods of {app}")
    return result


@pytest.fixture
async def hello(backend: Backend) -> tuple[Backend, str, str]:
    ns = await backend.namespace("px")
    await backend.conn.request(
        "POST", f"/apis/apps/v1/namespaces/{ns}/deployments", body=_deployment("hello")
    )
    pod = (await _running_pods(backend, ns, "hello"))[0]
    return backend, ns, pod["metadata"]["name"]


async def test_exec_hostname_and_env(hello: tuple[Backend, str, str]) -> None:
    backend, ns, pod = hello
    result = await kexec.run(backend.conn, ns, pod, ["hostname"])
    assert result.exit_code == 0
    expected = socket.gethostname() if backend.real else pod  # kwok runs the command on this machine
    assert result.stdout.decode().strip() == expected
    env = await kexec.run(backend.conn, ns, pod, ["env"])
    variables = dict(line.split("=", 1) for line in env.stdout.decode().splitlines() if "=" in line)
    if backend.real:
        assert variables["KWOK_EXEC"] == "through-kwok"
    else:
        assert variables["HOSTNAME"] == pod and variables["KUBERNETES_SERVICE_PORT"] == "443"


async def test_exec_exit_code_stdin_and_missing_program(hello: tuple[Backend, str, str]) -> None:
    backend, ns, pod = hello
    if backend.real:
        # kwok reports a failed command as an error, not with the NonZeroExitCode status a kubelet sends.
        with pytest.raises(kexec.ExecError, match="exit status 3") as failed:
            await kexec.run(backend.conn, ns, pod, ["sh", "-c", "echo to-err >&2; exit 3"])
        assert not failed.value.missing_program
    else:
        result = await kexec.run(backend.conn, ns, pod, ["sh", "-c", "echo to-err >&2; exit 3"])
        assert (result.exit_code, result.stderr) == (3, b"to-err\n")
        result = await kexec.run(backend.conn, ns, pod, ["sh"], stdin=b"cd /etc\npwd\nexit 0\n")
        assert (result.stdout, result.exit_code) == (b"/etc\n", 0)
        with pytest.raises(kexec.ExecError) as err:
            await kexec.run(backend.conn, ns, pod, ["nosuch"])
        assert err.value.missing_program


async def test_interactive_shell_over_a_tty(hello: tuple[Backend, str, str]) -> None:
    backend, ns, pod = hello
    if backend.real:
        pytest.skip("kwok's exec runs a host shell: its prompt and files are the machine's")
    stream = await kexec.open_shell(backend.conn, ns, pod)
    assert stream.protocol == "v5.channel.k8s.io"
    await stream.resize(100, 30)
    await stream.send(b"hostname\r")
    await stream.send(b"exit 7\r")
    output = b"".join([data async for _, data in stream])
    assert f"hostname\r\n{pod}\r\n".encode() in output
    assert stream.exit_code == 7


async def test_shell_in_an_image_without_one(backend: Backend) -> None:
    if backend.real:
        pytest.skip("kwok has no images")
    ns = await backend.namespace("nosh")
    body = _deployment("dns")
    body["spec"]["template"]["spec"]["containers"][0].update(
        image="registry.k8s.io/coredns/coredns:v1.11.3", command=None
    )
    await backend.conn.request("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", body=body)
    pod = (await _running_pods(backend, ns, "dns"))[0]["metadata"]["name"]
    with pytest.raises(kexec.ExecError, match="no shell in this container's image"):
        await kexec.open_shell(backend.conn, ns, pod)


async def test_exec_refused_read_only_and_by_rbac(hello: tuple[Backend, str, str]) -> None:
    from kubetui.cluster.connection import Connection

    backend, ns, pod = hello
    readonly = await Connection.open(kubeconfig_path=str(backend.kubeconfig), readonly=True)
    try:
        with pytest.raises(ReadOnlyError, match="read-only"):
            await kexec.run(readonly, ns, pod, ["hostname"])
    finally:
        await readonly.close()
    if backend.real:
        viewer = await Connection.open(kubeconfig_path=str(backend.stack.token_kubeconfig("token-viewer")))
        try:
            with pytest.raises(Forbidden, match="pods/exec"):
                await kexec.run(viewer, ns, pod, ["hostname"])
        finally:
            await viewer.close()


async def _http_get(port: int, path: str = "/") -> str:
    """One GET through the forward, read by its Content-Length (kwok keeps the stream open after answering)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
    await writer.drain()
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 20)
    length = next(
        int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
    )
    body = await asyncio.wait_for(reader.readexactly(length), 20)
    writer.close()
    return body.decode()


async def test_port_forward_answers_and_stopping_closes_the_port(hello: tuple[Backend, str, str]) -> None:
    backend, ns, pod = hello
    forward = PortForward(backend.conn, ns, pod, 8080, target=f"pod/{pod}")
    await forward.start()
    try:
        assert forward.state == "listening" and forward.address == "127.0.0.1"
        body = await _http_get(forward.local_port, "/hostname")
        assert body == ("hello through kwok" if backend.real else pod)
        assert forward.connections == 1 and forward.bytes_in > len(body) and forward.bytes_out > 0
    finally:
        await forward.stop()
    assert forward.state == "stopped"
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", forward.local_port)


async def test_port_forward_to_a_port_nothing_listens_on(hello: tuple[Backend, str, str]) -> None:
    backend, ns, pod = hello
    if backend.real:
        pytest.skip("kwok answers every port")
    forward = PortForward(backend.conn, ns, pod, 9999)
    await forward.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", forward.local_port)
        writer.write(b"GET / HTTP/1.1\r\n\r\n")
        assert await asyncio.wait_for(reader.read(-1), 10) == b""
        writer.close()
        assert "connection refused" in forward.last_error
    finally:
        await forward.stop()


async def test_port_forward_refused_read_only(hello: tuple[Backend, str, str]) -> None:
    from kubetui.cluster.connection import Connection

    backend, ns, pod = hello
    readonly = await Connection.open(kubeconfig_path=str(backend.kubeconfig), readonly=True)
    try:
        with pytest.raises(ClusterError, match="read-only"):
            await PortForward(readonly, ns, pod, 8080).start()
    finally:
        await readonly.close()
