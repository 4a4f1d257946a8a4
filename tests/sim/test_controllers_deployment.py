"""The Deployment controller on the store: ReplicaSets per template, revisions, rolling update, rollback,
Recreate, history cleanup, status and conditions, events with Kubernetes' wording."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator

import pytest

from kubetui.sim.cluster import SimCluster
from kubetui.sim.controllers.deployment_util import HASH_LABEL, REVISION, REVISION_HISTORY, template_hash

from .controller_support import create, deployment, pods_of, wait_for

DEPLOY = "deployments.apps"
RS = "replicasets.apps"


@pytest.fixture
async def cluster() -> AsyncIterator[SimCluster]:
    c = SimCluster(scenario="empty", nodes=3, seed=3, speed=200)
    await c.start()
    yield c
    await c.stop()


def get(cluster: SimCluster, rtype: str, name: str, ns: str = "default") -> dict:
    obj = cluster.store.get(rtype, ns, name)
    assert obj is not None, f"{rtype} {name} missing"
    return obj


def replicasets(cluster: SimCluster, app: str) -> list[dict]:
    return [r for r in cluster.store.list(RS, "default") if r["metadata"]["name"].startswith(app + "-")]


def rolled_out(cluster: SimCluster, name: str) -> bool:
    d = cluster.store.get(DEPLOY, "default", name)
    if d is None:
        return False
    s, want = d.get("status") or {}, d["spec"]["replicas"]
    conds = {c["type"]: c["reason"] for c in s.get("conditions") or []}
    return (
        s.get("observedGeneration", 0) >= d["metadata"]["generation"]
        and s.get("updatedReplicas", 0) == want
        and s.get("replicas", 0) == want
        and s.get("availableReplicas", 0) == want
        and conds.get("Progressing") == "NewReplicaSetAvailable"
    )


def live_images(cluster: SimCluster, app: str) -> set[str]:
    """Images of the pods that are not terminating."""
    return {
        p["spec"]["containers"][0]["image"]
        for p in pods_of(cluster, app)
        if not p["metadata"].get("deletionTimestamp")
    }


def update_spec(cluster: SimCluster, name: str, change) -> dict:
    d = copy.deepcopy(get(cluster, DEPLOY, name))
    change(d["spec"])
    return cluster.store.update(DEPLOY, d)


def set_image(spec: dict, image: str) -> None:
    spec["template"]["spec"]["containers"][0]["image"] = image


async def test_create_deployment_makes_hashed_replicaset_and_status(cluster: SimCluster) -> None:
    d = create(
        cluster,
        DEPLOY,
        deployment(
            "hello-node",
            "registry.k8s.io/e2e-test-images/agnhost:2.39",
            command=["/agnhost", "netexec", "--http-port=8080"],
        ),
    )
    assert d["spec"]["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
    }
    assert d["spec"]["revisionHistoryLimit"] == 10 and d["spec"]["progressDeadlineSeconds"] == 600
    await wait_for(lambda: rolled_out(cluster, "hello-node"), what="rollout")
    (rs,) = replicasets(cluster, "hello-node")
    hash_ = rs["metadata"]["labels"][HASH_LABEL]
    assert rs["metadata"]["name"] == f"hello-node-{hash_}"
    assert hash_ == template_hash(get(cluster, DEPLOY, "hello-node")["spec"]["template"])
    # Rendered like Kubernetes: the decimal digits of an fnv32a sum through the safe alphabet.
    assert set(hash_) <= set("456789bcdf") and 6 <= len(hash_) <= 10
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "hello-node", HASH_LABEL: hash_}
    ann = rs["metadata"]["annotations"]
    assert ann[REVISION] == "1"
    assert ann["deployment.kubernetes.io/desired-replicas"] == "1"
    assert ann["deployment.kubernetes.io/max-replicas"] == "2"
    assert rs["metadata"]["ownerReferences"][0]["kind"] == "Deployment"
    d = get(cluster, DEPLOY, "hello-node")
    assert d["metadata"]["annotations"][REVISION] == "1"
    s = d["status"]
    assert (s["replicas"], s["updatedReplicas"], s["readyReplicas"], s["availableReplicas"]) == (1, 1, 1, 1)
    assert s["observedGeneration"] == 1 and "unavailableReplicas" not in s
    conds = {c["type"]: c for c in s["conditions"]}
    assert (
        conds["Available"]["status"] == "True" and conds["Available"]["reason"] == "MinimumReplicasAvailable"
    )
    assert conds["Available"]["message"] == "Deployment has minimum availability."
    assert (
        conds["Progressing"]["message"]
        == f'ReplicaSet "{rs["metadata"]["name"]}" has successfully progressed.'
    )
    (pod,) = pods_of(cluster, "hello-node")
    assert pod["metadata"]["labels"][HASH_LABEL] == hash_
    msgs = [
        e["message"] for e in cluster.store.list("events", "default") if e["reason"] == "ScalingReplicaSet"
    ]
    assert msgs == [f"Scaled up replica set {rs['metadata']['name']} from 0 to 1"]
    logs = [line for _, line in cluster.pod_log("default", pod["metadata"]["name"])]
    assert logs[0].endswith("Started HTTP server on port 8080") and logs[0].startswith("I")


async def test_scale_up_and_down(cluster: SimCluster) -> None:
    create(cluster, DEPLOY, deployment("kubernetes-bootcamp", "gcr.io/google-samples/kubernetes-bootcamp:v1"))
    await wait_for(lambda: rolled_out(cluster, "kubernetes-bootcamp"))
    update_spec(cluster, "kubernetes-bootcamp", lambda s: s.update(replicas=4))
    await wait_for(
        lambda: (
            rolled_out(cluster, "kubernetes-bootcamp") and len(pods_of(cluster, "kubernetes-bootcamp")) == 4
        )
    )
    update_spec(cluster, "kubernetes-bootcamp", lambda s: s.update(replicas=2))
    await wait_for(
        lambda: (
            rolled_out(cluster, "kubernetes-bootcamp") and len(pods_of(cluster, "kubernetes-bootcamp")) == 2
        )
    )
    (rs,) = replicasets(cluster, "kubernetes-bootcamp")
    name = rs["metadata"]["name"]
    msgs = [
        e["message"] for e in cluster.store.list("events", "default") if e["reason"] == "ScalingReplicaSet"
    ]
    assert msgs == [
        f"Scaled up replica set {name} from 0 to 1",
        f"Scaled up replica set {name} from 1 to 4",
        f"Scaled down replica set {name} from 4 to 2",
    ]
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] == "2"


async def test_rolling_update_then_undo_reuses_old_replicaset(cluster: SimCluster) -> None:
    app = "kubernetes-bootcamp"
    create(cluster, DEPLOY, deployment(app, "gcr.io/google-samples/kubernetes-bootcamp:v1", replicas=4))
    await wait_for(lambda: rolled_out(cluster, app))
    (rs1,) = replicasets(cluster, app)
    seen_total: list[int] = []
    seen_available: list[int] = []

    def watch(event) -> None:
        if event.rtype == "pods" and event.obj["metadata"].get("labels", {}).get("app") == app:
            active = [
                p
                for p in cluster.store.list("pods", "default")
                if p["metadata"].get("labels", {}).get("app") == app
                and not p["metadata"].get("deletionTimestamp")
            ]
            seen_total.append(len(active))
            ready = [
                p
                for p in active
                if any(
                    c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions", [])
                )
            ]
            seen_available.append(len(ready))

    cluster.store.add_listener(watch)
    update_spec(cluster, app, lambda s: set_image(s, "docker.io/jocatalin/kubernetes-bootcamp:v2"))
    await wait_for(lambda: rolled_out(cluster, app) and len(replicasets(cluster, app)) == 2, timeout=20)
    cluster.store.remove_listener(watch)
    # maxSurge 25% of 4 → 1, maxUnavailable 25% of 4 → 1: never more than 5 pods, never fewer than 3 ready.
    assert max(seen_total) <= 5
    assert min(seen_available[5:] or [4]) >= 3
    rs2 = next(r for r in replicasets(cluster, app) if r["metadata"]["name"] != rs1["metadata"]["name"])
    assert rs2["metadata"]["annotations"][REVISION] == "2"
    assert get(cluster, RS, rs1["metadata"]["name"])["spec"]["replicas"] == 0
    assert get(cluster, DEPLOY, app)["metadata"]["annotations"][REVISION] == "2"
    assert live_images(cluster, app) == {"docker.io/jocatalin/kubernetes-bootcamp:v2"}

    # kubectl rollout undo: copy revision 1's template (minus pod-template-hash) into the Deployment.
    old_template = copy.deepcopy(get(cluster, RS, rs1["metadata"]["name"])["spec"]["template"])
    del old_template["metadata"]["labels"][HASH_LABEL]
    update_spec(cluster, app, lambda s: s.update(template=old_template))
    await wait_for(
        lambda: (
            rolled_out(cluster, app)
            and live_images(cluster, app) == {"gcr.io/google-samples/kubernetes-bootcamp:v1"}
        ),
        timeout=20,
    )
    assert len(replicasets(cluster, app)) == 2  # the old ReplicaSet came back instead of a new one
    back = get(cluster, RS, rs1["metadata"]["name"])
    assert back["metadata"]["annotations"][REVISION] == "3"
    assert back["metadata"]["annotations"][REVISION_HISTORY] == "1"
    assert back["spec"]["replicas"] == 4
    assert get(cluster, DEPLOY, app)["metadata"]["annotations"][REVISION] == "3"
    msgs = [
        e["message"] for e in cluster.store.list("events", "default") if e["reason"] == "ScalingReplicaSet"
    ]
    assert f"Scaled up replica set {rs2['metadata']['name']} from 0 to 1" in msgs
    last = [m for m in msgs if rs2["metadata"]["name"] in m][-1]
    assert last.startswith(f"Scaled down replica set {rs2['metadata']['name']} from ") and last.endswith(
        " to 0"
    )


async def test_recreate_scales_old_to_zero_before_new(cluster: SimCluster) -> None:
    create(cluster, DEPLOY, deployment("rec", "nginx:1.26", replicas=2, strategy={"type": "Recreate"}))
    await wait_for(lambda: rolled_out(cluster, "rec"))
    overlap: list[set[str]] = []

    def watch(event) -> None:
        if event.rtype == "pods":
            images = {
                p["spec"]["containers"][0]["image"]
                for p in cluster.store.list("pods", "default")
                if p["metadata"]["name"].startswith("rec-")
            }
            overlap.append(images)

    cluster.store.add_listener(watch)
    update_spec(cluster, "rec", lambda s: set_image(s, "nginx:1.27"))
    await wait_for(lambda: rolled_out(cluster, "rec") and len(replicasets(cluster, "rec")) == 2, timeout=20)
    cluster.store.remove_listener(watch)
    assert all(len(images) <= 1 for images in overlap), "old and new pods must never run together"


async def test_revision_history_limit_deletes_oldest_replicasets(cluster: SimCluster) -> None:
    create(cluster, DEPLOY, deployment("hist", "nginx:1.20", revisionHistoryLimit=1))
    await wait_for(lambda: rolled_out(cluster, "hist"))
    for tag in ("1.21", "1.22", "1.23"):
        update_spec(cluster, "hist", lambda s, tag=tag: set_image(s, f"nginx:{tag}"))
        await wait_for(
            lambda tag=tag: rolled_out(cluster, "hist") and live_images(cluster, "hist") == {f"nginx:{tag}"},
            timeout=20,
        )
    await wait_for(lambda: len(replicasets(cluster, "hist")) == 2)
    revisions = sorted(int(r["metadata"]["annotations"][REVISION]) for r in replicasets(cluster, "hist"))
    assert revisions == [3, 4]


async def test_progress_deadline_exceeded_for_image_that_never_pulls(cluster: SimCluster) -> None:
    create(cluster, DEPLOY, deployment("stuck", "nosuch/thing:1", progressDeadlineSeconds=30))

    def timed_out() -> bool:
        d = get(cluster, DEPLOY, "stuck")
        conds = {c["type"]: c for c in d.get("status", {}).get("conditions", [])}
        p = conds.get("Progressing")
        return bool(p and p["reason"] == "ProgressDeadlineExceeded" and p["status"] == "False")

    await wait_for(timed_out, timeout=15, what="ProgressDeadlineExceeded")
    d = get(cluster, DEPLOY, "stuck")
    conds = {c["type"]: c for c in d["status"]["conditions"]}
    rs = replicasets(cluster, "stuck")[0]["metadata"]["name"]
    assert conds["Progressing"]["message"] == f'ReplicaSet "{rs}" has timed out progressing.'
    assert conds["Available"]["status"] == "False"
    assert conds["Available"]["reason"] == "MinimumReplicasUnavailable"
    assert d["status"]["unavailableReplicas"] == 1


async def test_paused_deployment_does_not_roll_out(cluster: SimCluster) -> None:
    create(cluster, DEPLOY, deployment("p", "nginx:1.26"))
    await wait_for(lambda: rolled_out(cluster, "p"))
    update_spec(cluster, "p", lambda s: s.update(paused=True))
    update_spec(cluster, "p", lambda s: set_image(s, "nginx:1.27"))
    await wait_for(
        lambda: any(
            c["reason"] == "DeploymentPaused" for c in get(cluster, DEPLOY, "p")["status"]["conditions"]
        )
    )
    assert len(replicasets(cluster, "p")) == 1
    update_spec(cluster, "p", lambda s: s.pop("paused"))
    await wait_for(lambda: rolled_out(cluster, "p") and len(replicasets(cluster, "p")) == 2, timeout=20)


async def test_deleting_a_deployment_cascades_to_replicasets_and_pods(cluster: SimCluster) -> None:
    create(cluster, DEPLOY, deployment("gone", "nginx", replicas=2))
    await wait_for(lambda: rolled_out(cluster, "gone"))
    cluster.delete(DEPLOY, "default", "gone")
    await wait_for(lambda: not replicasets(cluster, "gone") and not pods_of(cluster, "gone"), what="cascade")


async def test_foreground_deletion_waits_for_dependents(cluster: SimCluster) -> None:
    create(cluster, DEPLOY, deployment("fg", "nginx", replicas=2))
    await wait_for(lambda: rolled_out(cluster, "fg"))
    d = cluster.delete(DEPLOY, "default", "fg", propagation="Foreground")
    assert "foregroundDeletion" in d["metadata"]["finalizers"] and d["metadata"]["deletionTimestamp"]
    saw_owner_with_pods = False

    def check() -> bool:
        nonlocal saw_owner_with_pods
        if cluster.store.get(DEPLOY, "default", "fg") is not None and pods_of(cluster, "fg"):
            saw_owner_with_pods = True
        return cluster.store.get(DEPLOY, "default", "fg") is None

    await wait_for(check, what="foreground deletion")
    assert saw_owner_with_pods
    assert not pods_of(cluster, "fg") and not replicasets(cluster, "fg")


async def test_orphan_deletion_keeps_replicaset(cluster: SimCluster) -> None:
    create(cluster, DEPLOY, deployment("orph", "nginx"))
    await wait_for(lambda: rolled_out(cluster, "orph"))
    cluster.delete(DEPLOY, "default", "orph", propagation="Orphan")
    await wait_for(lambda: cluster.store.get(DEPLOY, "default", "orph") is None)
    (rs,) = replicasets(cluster, "orph")
    assert "ownerReferences" not in rs["metadata"]
    assert len(pods_of(cluster, "orph")) == 1


async def test_recreated_deployment_adopts_its_orphaned_replicaset(cluster: SimCluster) -> None:
    create(cluster, DEPLOY, deployment("adopt", "nginx:1.27", replicas=2))
    await wait_for(lambda: rolled_out(cluster, "adopt"))
    pods_before = {p["metadata"]["uid"] for p in pods_of(cluster, "adopt")}
    cluster.delete(DEPLOY, "default", "adopt", propagation="Orphan")
    await wait_for(lambda: cluster.store.get(DEPLOY, "default", "adopt") is None)
    create(cluster, DEPLOY, deployment("adopt", "nginx:1.27", replicas=2))
    await wait_for(lambda: rolled_out(cluster, "adopt"))
    (rs,) = replicasets(cluster, "adopt")
    assert rs["metadata"]["ownerReferences"][0]["uid"] == get(cluster, DEPLOY, "adopt")["metadata"]["uid"]
    assert {p["metadata"]["uid"] for p in pods_of(cluster, "adopt")} == pods_before


async def test_readiness_delay_and_min_ready_seconds_hold_back_availability(cluster: SimCluster) -> None:
    d = deployment("slow", "nginx:1.27", replicas=2, minReadySeconds=30)
    d["spec"]["template"]["spec"]["containers"][0]["readinessProbe"] = {
        "httpGet": {"path": "/", "port": 80},
        "initialDelaySeconds": 10,
    }
    statuses: list[tuple[int, int, int]] = []

    def watch(event) -> None:
        if event.rtype == DEPLOY and event.obj["metadata"]["name"] == "slow":
            s = event.obj.get("status") or {}
            statuses.append((s.get("replicas", 0), s.get("readyReplicas", 0), s.get("availableReplicas", 0)))

    cluster.store.add_listener(watch)
    create(cluster, DEPLOY, d)
    await wait_for(lambda: rolled_out(cluster, "slow"), timeout=20)
    cluster.store.remove_listener(watch)
    assert any(r == 2 and ready == 0 for r, ready, _ in statuses), "running but not yet ready"
    assert any(ready == 2 and avail < 2 for _, ready, avail in statuses), "ready but not yet available"
    (rs,) = replicasets(cluster, "slow")
    assert rs["spec"]["minReadySeconds"] == 30
    probe = get(cluster, DEPLOY, "slow")["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]
    assert probe["periodSeconds"] == 10 and probe["failureThreshold"] == 3  # defaults filled in


async def test_zero_downtime_rollout_of_a_bad_image_keeps_old_pods_until_undone(cluster: SimCluster) -> None:
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    create(
        cluster,
        DEPLOY,
        deployment("zd", "nginx:1.26", replicas=3, strategy=strategy, progressDeadlineSeconds=60),
    )
    await wait_for(lambda: rolled_out(cluster, "zd"))
    (good,) = replicasets(cluster, "zd")
    ready_counts: list[int] = []

    def watch(event) -> None:
        if event.rtype == "pods" and event.obj["metadata"].get("labels", {}).get("app") == "zd":
            ready = [
                p
                for p in pods_of(cluster, "zd")
                if not p["metadata"].get("deletionTimestamp")
                and any(
                    c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions", [])
                )
            ]
            ready_counts.append(len(ready))

    cluster.store.add_listener(watch)
    update_spec(cluster, "zd", lambda s: set_image(s, "nginx:9.9-does-not-exist"))

    def stuck() -> bool:
        conds = {c["type"]: c for c in get(cluster, DEPLOY, "zd")["status"].get("conditions", [])}
        return conds.get("Progressing", {}).get("reason") == "ProgressDeadlineExceeded"

    await wait_for(stuck, timeout=20, what="the bad rollout to time out")
    assert get(cluster, RS, good["metadata"]["name"])["spec"]["replicas"] == 3
    # Undo as kubectl does: the good template goes back in, its ReplicaSet takes the next revision.
    template = copy.deepcopy(get(cluster, RS, good["metadata"]["name"])["spec"]["template"])
    del template["metadata"]["labels"][HASH_LABEL]
    update_spec(cluster, "zd", lambda s: s.update(template=template))
    await wait_for(lambda: rolled_out(cluster, "zd") and len(pods_of(cluster, "zd")) == 3, timeout=20)
    cluster.store.remove_listener(watch)
    assert min(ready_counts) >= 3, "maxUnavailable 0: never fewer ready pods than replicas"
    assert get(cluster, RS, good["metadata"]["name"])["metadata"]["annotations"][REVISION] == "3"
    assert live_images(cluster, "zd") == {"nginx:1.26"}
