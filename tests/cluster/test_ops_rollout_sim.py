"""Rollout history, undo and restart on the built-in cluster, against kubectl doing the same on a twin."""

from __future__ import annotations

import copy
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from kubetui.cluster.errors import ClusterError, NotFound
from kubetui.cluster.rollout import RollbackSkipped
from kubetui.sim.server import SimServer
from tests.cluster.simhelp import kubectl, make_namespace, open_connection

pytestmark = pytest.mark.kubectl
V1 = "gcr.io/google-samples/kubernetes-bootcamp:v1"
V2 = "docker.io/jocatalin/kubernetes-bootcamp:v2"
V3 = "nginx:1.27"


def _template(image: str, hash_: str | None = None) -> dict[str, Any]:
    labels = {"app": "kubernetes-bootcamp"}
    if hash_:
        labels["pod-template-hash"] = hash_
    return {
        "metadata": {"labels": labels},
        "spec": {"containers": [{"name": "kubernetes-bootcamp", "image": image}]},
    }


async def _history(conn: Connection, ns: str, images: list[str], *, paused: bool = False) -> dict[str, Any]:
    """A Deployment whose revisions 1..N ran ``images`` (the last is current), as the controller leaves it.

    There is no deployment controller in the bare cluster, so the ReplicaSets are written as it would.
    """
    current = len(images)
    deployment = await conn.request(
        "POST",
        f"/apis/apps/v1/namespaces/{ns}/deployments",
        body={
            "metadata": {
                "name": "kubernetes-bootcamp",
                "annotations": {"deployment.kubernetes.io/revision": str(current), "team": "web"},
            },
            "spec": {
                "replicas": 2,
                "paused": paused,
                "selector": {"matchLabels": {"app": "kubernetes-bootcamp"}},
                "template": _template(images[-1]),
            },
        },
    )
    for revision, image in enumerate(images, start=1):
        hash_ = f"h{revision}abc"
        await conn.request(
            "POST",
            f"/apis/apps/v1/namespaces/{ns}/replicasets",
            body={
                "metadata": {
                    "name": f"kubernetes-bootcamp-{hash_}",
                    "labels": {"app": "kubernetes-bootcamp", "pod-template-hash": hash_},
                    "annotations": {
                        "deployment.kubernetes.io/revision": str(revision),
                        "kubernetes.io/change-cause": f"release {image}",
                        "deployment.kubernetes.io/desired-replicas": "2",
                    },
                    "ownerReferences": [
                        {
                            "apiVersion": "apps/v1",
                            "kind": "Deployment",
                            "name": "kubernetes-bootcamp",
                            "uid": deployment["metadata"]["uid"],
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {
                    "replicas": 2 if revision == current else 0,
                    "selector": {"matchLabels": {"app": "kubernetes-bootcamp", "pod-template-hash": hash_}},
                    "template": _template(image, hash_),
                },
            },
        )
    result: dict[str, Any] = deployment
    return result


@pytest.fixture
async def cluster(bare_sim: SimServer, tmp_path: Path) -> AsyncIterator[tuple[Connection, Path]]:
    kubeconfig = bare_sim.write_kubeconfig(tmp_path / "kubeconfig")
    conn = await open_connection(kubeconfig)
    for ns in ("mine", "theirs"):
        await make_namespace(conn, ns)
    yield conn, kubeconfig
    await conn.close()


async def _deployment(conn: Connection, ns: str) -> dict[str, Any]:
    result: dict[str, Any] = await conn.request(
        "GET", f"/apis/apps/v1/namespaces/{ns}/deployments/kubernetes-bootcamp"
    )
    return result


async def test_history_lists_what_kubectl_lists(cluster: tuple[Connection, Path]) -> None:
    conn, kubeconfig = cluster
    await _history(conn, "mine", [V1, V2, V3])
    revisions = await ops.rollout_history(conn, "mine", "kubernetes-bootcamp")
    theirs = await kubectl(kubeconfig, "rollout", "history", "deployment/kubernetes-bootcamp", "-n", "mine")
    assert theirs.returncode == 0, theirs.stderr
    rows = [
        re.split(r"\s{2,}", line.strip(), maxsplit=1)
        for line in theirs.stdout.splitlines()[2:]
        if line.strip()
    ]
    assert [(int(r[0]), r[1]) for r in rows] == [(r.revision, r.change_cause) for r in revisions]
    assert [r.images for r in revisions] == [(V1,), (V2,), (V3,)]
    assert [r.current for r in revisions] == [False, False, True]
    assert revisions[0].rs_name == "kubernetes-bootcamp-h1abc"


async def test_undo_to_previous_leaves_the_state_kubectl_leaves(cluster: tuple[Connection, Path]) -> None:
    conn, kubeconfig = cluster
    for ns in ("mine", "theirs"):
        await _history(conn, ns, [V1, V2, V3])
    theirs = await kubectl(kubeconfig, "rollout", "undo", "deployments/kubernetes-bootcamp", "-n", "theirs")
    assert theirs.returncode == 0, theirs.stderr
    assert "rolled back" in theirs.stdout
    result = await ops.rollout_undo(conn, "mine", "kubernetes-bootcamp")
    mine, twin = await _deployment(conn, "mine"), await _deployment(conn, "theirs")
    assert result["metadata"]["resourceVersion"] == mine["metadata"]["resourceVersion"]
    assert mine["spec"]["template"] == twin["spec"]["template"]
    assert mine["spec"]["template"]["spec"]["containers"][0]["image"] == V2
    assert "pod-template-hash" not in mine["spec"]["template"]["metadata"]["labels"]
    assert mine["metadata"]["annotations"] == twin["metadata"]["annotations"]
    assert mine["metadata"]["annotations"]["kubernetes.io/change-cause"] == f"release {V2}"


async def test_undo_to_a_chosen_revision(cluster: tuple[Connection, Path]) -> None:
    conn, kubeconfig = cluster
    for ns in ("mine", "theirs"):
        await _history(conn, ns, [V1, V2, V3])
    theirs = await kubectl(
        kubeconfig, "rollout", "undo", "deployment/kubernetes-bootcamp", "--to-revision=1", "-n", "theirs"
    )
    assert theirs.returncode == 0, theirs.stderr
    preview = await ops.rollout_undo(conn, "mine", "kubernetes-bootcamp", to_revision=1, dry_run=True)
    assert preview["spec"]["template"]["spec"]["containers"][0]["image"] == V1
    assert (await _deployment(conn, "mine"))["spec"]["template"]["spec"]["containers"][0]["image"] == V3
    await ops.rollout_undo(conn, "mine", "kubernetes-bootcamp", to_revision=1)
    mine, twin = await _deployment(conn, "mine"), await _deployment(conn, "theirs")
    assert mine["spec"]["template"] == twin["spec"]["template"]
    assert mine["metadata"]["annotations"] == twin["metadata"]["annotations"]


async def test_undo_unknown_revision(cluster: tuple[Connection, Path]) -> None:
    conn, kubeconfig = cluster
    await _history(conn, "mine", [V1, V2])
    before = await _deployment(conn, "mine")
    with pytest.raises(NotFound) as info:
        await ops.rollout_undo(conn, "mine", "kubernetes-bootcamp", to_revision=7)
    theirs = await kubectl(
        kubeconfig, "rollout", "undo", "deployment/kubernetes-bootcamp", "--to-revision=7", "-n", "mine"
    )
    assert theirs.returncode != 0
    assert (
        info.value.message.strip()
        == theirs.stderr.strip()
        == "error: unable to find specified revision 7 in history"
    )
    assert (await _deployment(conn, "mine"))["metadata"]["resourceVersion"] == before["metadata"][
        "resourceVersion"
    ]


async def test_undo_refuses_a_paused_deployment(cluster: tuple[Connection, Path]) -> None:
    conn, kubeconfig = cluster
    await _history(conn, "mine", [V1, V2], paused=True)
    with pytest.raises(ClusterError) as info:
        await ops.rollout_undo(conn, "mine", "kubernetes-bootcamp")
    theirs = await kubectl(kubeconfig, "rollout", "undo", "deployment/kubernetes-bootcamp", "-n", "mine")
    assert theirs.returncode != 0
    assert info.value.message.strip() == theirs.stderr.strip()
    assert "you cannot rollback a paused deployment" in info.value.message
    assert (await _deployment(conn, "mine"))["spec"]["template"]["spec"]["containers"][0]["image"] == V2


async def test_undo_skips_when_the_template_already_matches(cluster: tuple[Connection, Path]) -> None:
    conn, kubeconfig = cluster
    await _history(conn, "mine", [V1, V2])
    with pytest.raises(RollbackSkipped) as info:
        await ops.rollout_undo(conn, "mine", "kubernetes-bootcamp", to_revision=2)
    theirs = await kubectl(
        kubeconfig, "rollout", "undo", "deployment/kubernetes-bootcamp", "--to-revision=2", "-n", "mine"
    )
    assert theirs.returncode == 0
    assert info.value.message.strip() == theirs.stdout.strip()


async def test_undo_without_history(cluster: tuple[Connection, Path]) -> None:
    conn, _ = cluster
    await _history(conn, "mine", [V1])
    with pytest.raises(NotFound, match="no rollout history found"):
        await ops.rollout_undo(conn, "mine", "kubernetes-bootcamp")


async def test_restart_stamps_the_template_like_kubectl(cluster: tuple[Connection, Path]) -> None:
    conn, kubeconfig = cluster
    for ns in ("mine", "theirs"):
        await _history(conn, ns, [V1])
    theirs = await kubectl(kubeconfig, "rollout", "restart", "deployment/kubernetes-bootcamp", "-n", "theirs")
    assert theirs.returncode == 0, theirs.stderr
    await ops.rollout_restart(conn, "mine", "kubernetes-bootcamp")
    mine, twin = await _deployment(conn, "mine"), await _deployment(conn, "theirs")
    key = "kubectl.kubernetes.io/restartedAt"
    mine_at = mine["spec"]["template"]["metadata"]["annotations"][key]
    their_at = twin["spec"]["template"]["metadata"]["annotations"][key]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", mine_at)
    assert len(mine_at) == len(their_at)
    strip = copy.deepcopy(mine["spec"]["template"])
    strip["metadata"]["annotations"].pop(key)
    twin_strip = copy.deepcopy(twin["spec"]["template"])
    twin_strip["metadata"]["annotations"].pop(key)
    assert strip == twin_strip
