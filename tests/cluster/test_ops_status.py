"""``rollout status``: kubectl's messages, driven by a watch on the Deployment — step by step on the bare built-in
cluster, and through a real rolling update on both backends, beside kubectl's own ``rollout status``."""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from kubetui.sim.server import SimServer
from tests.cluster.simhelp import V1, V2, bare_history, kubectl, make_namespace, open_connection


@pytest.fixture
async def cluster(bare_sim: SimServer, tmp_path: Path) -> AsyncIterator[tuple[Connection, Path]]:
    kubeconfig = bare_sim.write_kubeconfig(tmp_path / "kubeconfig")
    conn = await open_connection(kubeconfig)
    await make_namespace(conn, "mine")
    yield conn, kubeconfig
    await conn.close()


async def test_rollout_status_follows_the_deployment(cluster: tuple[Connection, Path]) -> None:
    conn, _ = cluster
    dep = await bare_history(conn, "mine", [V1, V2])
    path = "/apis/apps/v1/namespaces/mine/deployments/kubernetes-bootcamp/status"
    generation = dep["metadata"].get("generation", 1)
    steps = [
        {"observedGeneration": generation, "replicas": 3, "updatedReplicas": 1, "availableReplicas": 2},
        {"observedGeneration": generation, "replicas": 3, "updatedReplicas": 2, "availableReplicas": 2},
        {"observedGeneration": generation, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 1},
        {"observedGeneration": generation, "replicas": 2, "updatedReplicas": 2, "availableReplicas": 2},
    ]
    messages: list[str] = []
    stream = ops.rollout_status(conn, "mine", "kubernetes-bootcamp", timeout=20)
    first = await stream.__anext__()
    messages.append(first)
    for status in steps:
        await conn.request(
            "PATCH", path, body={"status": status}, content_type="application/merge-patch+json"
        )
        message = await stream.__anext__()
        messages.append(message)
    await stream.aclose()  # type: ignore[attr-defined]
    assert messages == [
        "Waiting for deployment spec update to be observed...",
        'Waiting for deployment "kubernetes-bootcamp" rollout to finish: 1 out of 2 new replicas have been updated...',
        'Waiting for deployment "kubernetes-bootcamp" rollout to finish: 1 old replicas are pending termination...',
        'Waiting for deployment "kubernetes-bootcamp" rollout to finish: 1 of 2 updated replicas are available...',
        'deployment "kubernetes-bootcamp" successfully rolled out',
    ]
    assert getattr(messages[-1], "done", False)


async def test_rollout_status_of_a_real_rolling_update(backend: Any) -> None:
    """With each cluster's controllers: set image, then follow the rollout to its end like kubectl does."""
    conn = backend.conn
    ns = await backend.namespace("status")
    await ops.create_deployment(conn, ns, "kubernetes-bootcamp", V1, replicas=3)
    first = [m async for m in ops.rollout_status(conn, ns, "kubernetes-bootcamp", timeout=120)]
    assert first[-1] == 'deployment "kubernetes-bootcamp" successfully rolled out'
    await ops.set_image(conn, ns, "kubernetes-bootcamp", {"kubernetes-bootcamp": V2})
    messages = [m async for m in ops.rollout_status(conn, ns, "kubernetes-bootcamp", timeout=120)]
    assert messages[-1] == 'deployment "kubernetes-bootcamp" successfully rolled out'
    assert messages[-1].done
    allowed = re.compile(
        r'Waiting for deployment "kubernetes-bootcamp" rollout to finish: (\d+ out of 3 new replicas have been '
        r"updated|\d+ old replicas are pending termination|\d+ of 3 updated replicas are available)\.\.\.|"
        r"Waiting for deployment spec update to be observed\.\.\.|"
        r'deployment "kubernetes-bootcamp" successfully rolled out'
    )
    assert all(allowed.fullmatch(m) for m in messages), messages
    assert all(a != b for a, b in itertools.pairwise(messages))  # repeats are yielded once
    theirs = await kubectl(
        backend.kubeconfig, "rollout", "status", "deployment/kubernetes-bootcamp", "-n", ns
    )
    assert theirs.returncode == 0 and theirs.stdout.strip() == messages[-1]
    history = await ops.rollout_history(conn, ns, "kubernetes-bootcamp")
    assert [(r.revision, r.images, r.current) for r in history] == [(1, (V1,), False), (2, (V2,), True)]
