"""Rollout history, undo (to the previous or any chosen revision) and restart on both backends, against kubectl
doing the same on a twin Deployment whose history the cluster's own deployment controller wrote."""

from __future__ import annotations

import re

import pytest

from kubetui.cluster import ops
from kubetui.cluster.connection import STRATEGIC_MERGE_PATCH
from kubetui.cluster.errors import ClusterError, NotFound
from kubetui.cluster.rollout import RollbackSkipped
from tests.backends import Twins, settled
from tests.cluster.simhelp import V1, V2, V3, kubectl

pytestmark = pytest.mark.kubectl
NAME = "kubernetes-bootcamp"
DEPLOY = "/apis/apps/v1/namespaces/{}/deployments/" + NAME


async def history(twins: Twins, images: list[str], *, paused: bool = False) -> None:
    """In both namespaces, a Deployment whose revisions 1..N ran ``images``, each with its change-cause."""
    for ns in (twins.mine, twins.theirs):
        await ops.create_deployment(twins.conn, ns, NAME, images[0], replicas=2)
        for image in images:
            await twins.conn.request(
                "PATCH",
                DEPLOY.format(ns),
                body={
                    "metadata": {"annotations": {"kubernetes.io/change-cause": f"release {image}"}},
                    "spec": {"template": {"spec": {"containers": [{"name": NAME, "image": image}]}}},
                },
                content_type=STRATEGIC_MERGE_PATCH,
            )
            await settled(twins.conn, ns, NAME)
        if paused:
            await twins.conn.request(
                "PATCH",
                DEPLOY.format(ns),
                body={"spec": {"paused": True}},
                content_type=STRATEGIC_MERGE_PATCH,
            )


async def revisions(twins: Twins, ns: str) -> list[tuple[int, tuple[str, ...], bool, str]]:
    return [
        (r.revision, r.images, r.current, r.change_cause)
        for r in await ops.rollout_history(twins.conn, ns, NAME)
    ]


async def test_history_lists_what_kubectl_lists(twins: Twins) -> None:
    await history(twins, [V1, V2, V3])
    listed = await ops.rollout_history(twins.conn, twins.mine, NAME)
    theirs = await kubectl(twins.kubeconfig, "rollout", "history", f"deployment/{NAME}", "-n", twins.mine)
    assert theirs.returncode == 0, theirs.stderr
    rows = [
        re.split(r"\s{2,}", line.strip(), maxsplit=1)
        for line in theirs.stdout.splitlines()[2:]
        if line.strip()
    ]
    assert [(int(r[0]), r[1]) for r in rows] == [(r.revision, r.change_cause) for r in listed]
    assert [(r.revision, r.images, r.current) for r in listed] == [
        (1, (V1,), False),
        (2, (V2,), False),
        (3, (V3,), True),
    ]
    assert all(r.rs_name.startswith(f"{NAME}-") for r in listed)


async def test_undo_to_any_revision_leaves_what_kubectl_leaves(twins: Twins) -> None:
    await history(twins, [V1, V2, V3])
    # to revision 1, then to revision 2, then back to the previous one: each step on both twins
    for target, image in ((1, V1), (2, V2), (None, V1)):
        args = [f"--to-revision={target}"] if target else []
        out = await twins.kubectl("rollout", "undo", f"deployment/{NAME}", *args)
        assert "rolled back" in out
        preview = await ops.rollout_undo(twins.conn, twins.mine, NAME, to_revision=target or 0, dry_run=True)
        assert preview["spec"]["template"]["spec"]["containers"][0]["image"] == image
        await ops.rollout_undo(twins.conn, twins.mine, NAME, to_revision=target or 0)
        mine = await twins.same_deployment(NAME)
        assert mine["spec"]["template"]["spec"]["containers"][0]["image"] == image, target
        assert "pod-template-hash" not in mine["spec"]["template"]["metadata"]["labels"]
        assert await revisions(twins, twins.mine) == await revisions(twins, twins.theirs), target
    assert [r[:3] for r in await revisions(twins, twins.mine)] == [
        (3, (V3,), False),
        (5, (V2,), False),
        (6, (V1,), True),
    ]


async def test_undo_unknown_revision_fails_like_kubectl(twins: Twins) -> None:
    await history(twins, [V1, V2])
    before = await twins.get(DEPLOY)
    with pytest.raises(NotFound) as info:
        await ops.rollout_undo(twins.conn, twins.mine, NAME, to_revision=7)
    theirs = await kubectl(
        twins.kubeconfig, "rollout", "undo", f"deployment/{NAME}", "--to-revision=7", "-n", twins.mine
    )
    assert theirs.returncode != 0
    assert (
        info.value.message.strip()
        == theirs.stderr.strip()
        == "error: unable to find specified revision 7 in history"
    )
    assert (await twins.get(DEPLOY))["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]


async def test_undo_refuses_a_paused_deployment_like_kubectl(twins: Twins) -> None:
    await history(twins, [V1, V2], paused=True)
    with pytest.raises(ClusterError) as info:
        await ops.rollout_undo(twins.conn, twins.mine, NAME)
    theirs = await kubectl(twins.kubeconfig, "rollout", "undo", f"deployment/{NAME}", "-n", twins.mine)
    assert theirs.returncode != 0
    assert info.value.message.strip() == theirs.stderr.strip()
    assert "you cannot rollback a paused deployment" in info.value.message
    assert (await twins.get(DEPLOY))["spec"]["template"]["spec"]["containers"][0]["image"] == V2


async def test_undo_skips_when_the_template_already_matches(twins: Twins) -> None:
    await history(twins, [V1, V2])
    with pytest.raises(RollbackSkipped) as info:
        await ops.rollout_undo(twins.conn, twins.mine, NAME, to_revision=2)
    theirs = await kubectl(
        twins.kubeconfig, "rollout", "undo", f"deployment/{NAME}", "--to-revision=2", "-n", twins.mine
    )
    assert theirs.returncode == 0
    assert info.value.message.strip() == theirs.stdout.strip()


async def test_undo_without_history(twins: Twins) -> None:
    await history(twins, [V1])
    with pytest.raises(NotFound, match="no rollout history found"):
        await ops.rollout_undo(twins.conn, twins.mine, NAME)
    theirs = await kubectl(twins.kubeconfig, "rollout", "undo", f"deployment/{NAME}", "-n", twins.mine)
    assert theirs.returncode != 0 and "no rollout history found" in theirs.stderr


async def test_restart_stamps_the_template_like_kubectl(twins: Twins) -> None:
    await history(twins, [V1])
    await twins.kubectl("rollout", "restart", f"deployment/{NAME}")
    await ops.rollout_restart(twins.conn, twins.mine, NAME)
    mine = await twins.same_deployment(NAME)  # restartedAt is compared by presence: the instants differ
    stamp = mine["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp)
    assert [r[:2] for r in await revisions(twins, twins.mine)] == [(1, (V1,)), (2, (V1,))]
    assert await revisions(twins, twins.mine) == await revisions(twins, twins.theirs)
