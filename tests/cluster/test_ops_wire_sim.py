"""On the wire: each operation sends the same method, path, content type and body as kubectl (read from
kubectl's own ``-v=8`` request log) for the same command on a twin object."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from kubetui.sim.server import SimServer
from tests.cluster.simhelp import V1, V2, bare_history, kubectl, make_namespace, open_connection

pytestmark = pytest.mark.kubectl
Sent = tuple[str, str, str | None, Any]  # method, path, content type, body


def kubectl_mutations(log: str) -> list[Sent]:
    """The non-GET requests in a ``kubectl -v=8`` log, with their decoded JSON bodies."""
    sent: list[Sent] = []
    body: Any = None
    lines = log.splitlines()
    for i, line in enumerate(lines):
        found = re.search(r'"Request Body" body="(.*)"$', line)
        if found:
            body = json.loads(json.loads(f'"{found.group(1)}"')) if found.group(1) else None
            continue
        request = re.search(r'"Request" verb="(\w+)" url="https?://[^/]+([^"?]*)', line)
        if request and request.group(1) != "GET":
            content_type = next(
                (
                    m.group(1)
                    for m in (re.search(r"Content-Type: (\S+)", x) for x in lines[i + 1 : i + 6])
                    if m
                ),
                None,
            )
            sent.append((request.group(1), request.group(2), content_type, body))
    return sent


def recording(conn: Connection) -> list[Sent]:
    """Record every mutating request this connection sends (wrapping its one request method)."""
    sent: list[Sent] = []
    original = conn.request

    async def request(method: str, path: str, **kwargs: Any) -> Any:
        if method.upper() != "GET":
            body = kwargs.get("body")
            if isinstance(body, bytes | str):
                body = json.loads(body)
            sent.append((method.upper(), path, kwargs.get("content_type"), body))
        return await original(method, path, **kwargs)

    conn.request = request  # type: ignore[method-assign]
    return sent


@pytest.fixture
async def twins(bare_sim: SimServer, tmp_path: Path) -> AsyncIterator[tuple[Connection, Path]]:
    kubeconfig = bare_sim.write_kubeconfig(tmp_path / "kubeconfig")
    conn = await open_connection(kubeconfig)
    for ns in ("mine", "theirs"):
        await make_namespace(conn, ns)
        await bare_history(conn, ns, [V1, V2])
    yield conn, kubeconfig
    await conn.close()


CASES: dict[str, tuple[list[str], Callable[[Connection], Awaitable[Any]]]] = {
    "scale": (
        ["scale", "deployment/kubernetes-bootcamp", "--replicas=4"],
        lambda c: ops.scale(c, "deployments", "mine", "kubernetes-bootcamp", 4),
    ),
    "set image": (
        ["set", "image", "deployment/kubernetes-bootcamp", "kubernetes-bootcamp=nginx:1.27"],
        lambda c: ops.set_image(c, "mine", "kubernetes-bootcamp", {"kubernetes-bootcamp": "nginx:1.27"}),
    ),
    "rollout undo": (
        ["rollout", "undo", "deployment/kubernetes-bootcamp"],
        lambda c: ops.rollout_undo(c, "mine", "kubernetes-bootcamp"),
    ),
    "rollout restart": (
        ["rollout", "restart", "deployment/kubernetes-bootcamp"],
        lambda c: ops.rollout_restart(c, "mine", "kubernetes-bootcamp", now="2026-01-10T12:00:00Z"),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
async def test_same_request_as_kubectl(twins: tuple[Connection, Path], case: str) -> None:
    conn, kubeconfig = twins
    args, operation = CASES[case]
    theirs = await kubectl(kubeconfig, "-v=8", "-n", "theirs", *args)
    assert theirs.returncode == 0, theirs.stderr[-2000:]
    expected = kubectl_mutations(theirs.stderr)
    sent = recording(conn)
    await operation(conn)
    assert len(sent) == len(expected) == 1
    (method, path, content_type, body), (k_method, k_path, k_type, k_body) = sent[0], expected[0]
    assert (method, path.replace("/mine/", "/theirs/"), content_type) == (k_method, k_path, k_type)
    if case == "rollout restart":
        stamp = "kubectl.kubernetes.io/restartedAt"
        k_body["spec"]["template"]["metadata"]["annotations"][stamp] = "2026-01-10T12:00:00Z"
    assert body == k_body
