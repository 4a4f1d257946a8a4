"""A node whose kubelet stops: Unknown after the grace period, tainted unreachable, its pods marked NotReady
and evicted as their tolerations allow; back again, Ready and untainted (compared with the real control plane
in tests/realk8s/diff/controllers_nodes.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from kubetui.sim.cluster import SimCluster

from .controller_support import create, wait_for

UNREACHABLE = "node.kubernetes.io/unreachable"


@pytest.fixture
async def cluster() -> AsyncIterator[SimCluster]:
    c = SimCluster(scenario="empty", nodes=2, seed=7, speed=100)
    await c.start()
    yield c
    await c.stop()


def _pod(name: str, node: str, seconds: int | None) -> dict[str, Any]:
    tolerations = [
        {"key": key, "operator": "Exists", "effect": "NoExecute"}
        | ({"tolerationSeconds": seconds} if seconds is not None else {})
        for key in (UNREACHABLE, "node.kubernetes.io/not-ready")
    ]
    return {
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "nodeName": node,
            "tolerations": tolerations,
            "containers": [{"name": "c", "image": "nginx:1.27"}],
        },
    }


def _ready(pod: dict[str, Any] | None) -> str | None:
    conditions = ((pod or {}).get("status") or {}).get("conditions") or []
    return next((c["status"] for c in conditions if c["type"] == "Ready"), None)


async def test_lost_node_is_tainted_and_its_pods_evicted_by_their_tolerations(cluster: SimCluster) -> None:
    node = "kubetui-worker"
    for name, seconds in (("brief", 20), ("patient", None), ("plain", 0)):
        create(cluster, "pods", _pod(name, node, seconds))
    await wait_for(
        lambda: all(_ready(cluster.store.get("pods", "default", n)) == "True" for n in ("brief", "patient")),
        20,
        "pods Ready",
    )
    cluster.stop_kubelet(node)

    def conditions() -> Any:
        got = cluster.store.must_get("nodes", "", node)
        return [(c["type"], c["status"], c.get("reason")) for c in got["status"]["conditions"]]

    await wait_for(lambda: ("Ready", "Unknown", "NodeStatusUnknown") in conditions(), 10, "Ready Unknown")
    assert all(status == "Unknown" for _, status, _ in conditions())
    taints = {(t["key"], t["effect"]) for t in cluster.store.must_get("nodes", "", node)["spec"]["taints"]}
    assert taints == {(UNREACHABLE, "NoSchedule"), (UNREACHABLE, "NoExecute")}
    # tolerationSeconds 0 goes at once, 20 s later (on the simulated clock), none never.
    plain = await wait_for(
        lambda: (
            (p := cluster.store.get("pods", "default", "plain"))
            and p["metadata"].get("deletionTimestamp")
            and p
        ),
        5,
        "eviction",
    )
    assert [c["reason"] for c in plain["status"]["conditions"] if c["type"] == "DisruptionTarget"] == [
        "DeletionByTaintManager"
    ]
    assert not cluster.store.must_get("pods", "default", "brief")["metadata"].get("deletionTimestamp")
    await wait_for(
        lambda: cluster.store.must_get("pods", "default", "brief")["metadata"].get("deletionTimestamp"),
        5,
        "later eviction",
    )
    patient = cluster.store.must_get("pods", "default", "patient")
    assert not patient["metadata"].get("deletionTimestamp") and _ready(patient) == "False"
    # Nobody stops the evicted pods while the kubelet is gone; it does once it is back.
    assert cluster.store.get("pods", "default", "plain") is not None
    reasons = {(e["involvedObject"]["name"], e["reason"]) for e in cluster.store.list("events", "default")}
    assert {("patient", "NodeNotReady"), ("plain", "TaintManagerEviction"), (node, "NodeNotReady")} <= reasons

    cluster.start_kubelet(node)
    await wait_for(
        lambda: not cluster.store.must_get("nodes", "", node)["spec"].get("taints"), 5, "taints removed"
    )
    await wait_for(lambda: cluster.store.get("pods", "default", "plain") is None, 10, "evicted pods stopped")
    await wait_for(
        lambda: _ready(cluster.store.get("pods", "default", "patient")) == "True", 10, "Ready again"
    )


async def test_daemon_pods_stay_on_a_lost_node(cluster: SimCluster) -> None:
    labels = {"app": "daemon"}
    daemon = {
        "metadata": {"name": "daemon", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]},
            },
        },
    }
    create(cluster, "daemonsets.apps", daemon)
    node = "kubetui-worker"

    def daemon_pod() -> dict[str, Any] | None:
        pods = [p for p in cluster.store.list("pods", "default") if p["spec"].get("nodeName") == node]
        return pods[0] if pods else None

    pod = await wait_for(lambda: _ready(daemon_pod()) == "True" and daemon_pod(), 20, "a Ready daemon pod")
    assert {(t["key"], t["effect"]) for t in pod["spec"]["tolerations"]} >= {
        (UNREACHABLE, "NoExecute"),
        ("node.kubernetes.io/not-ready", "NoExecute"),
    }
    cluster.stop_kubelet(node)
    await wait_for(lambda: cluster.store.must_get("nodes", "", node)["spec"].get("taints"), 10, "taints")
    await wait_for(lambda: _ready(daemon_pod()) == "False", 10, "marked NotReady")
    still = daemon_pod()
    assert still is not None and still["metadata"]["uid"] == pod["metadata"]["uid"]
    assert not still["metadata"].get("deletionTimestamp")
