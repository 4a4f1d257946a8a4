"""The built-in kubelet runs readiness and liveness probes: a failing readiness probe keeps a running pod out of
its Service's ready addresses, a failing liveness probe restarts the container (compared with the real control
plane in tests/realk8s/diff/controllers_probes.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from kubetui.sim.cluster import SimCluster

from .controller_support import create, wait_for


@pytest.fixture
async def cluster() -> AsyncIterator[SimCluster]:
    c = SimCluster(scenario="empty", nodes=2, seed=7, speed=50)
    await c.start()
    yield c
    await c.stop()


def _pod(name: str, app: str, **probes: Any) -> dict[str, Any]:
    container = {"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}], **probes}
    return {
        "metadata": {"name": name, "namespace": "default", "labels": {"app": app}},
        "spec": {"containers": [container]},
    }


def _status(cluster: SimCluster, name: str) -> dict[str, Any]:
    pod = cluster.store.get("pods", "default", name) or {}
    return dict(pod.get("status") or {})


def _ready(cluster: SimCluster, name: str) -> str | None:
    conditions = _status(cluster, name).get("conditions") or []
    return next((c["status"] for c in conditions if c["type"] == "Ready"), None)


async def test_readiness_probe_decides_ready_and_endpoints(cluster: SimCluster) -> None:
    service = {
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]},
    }
    create(cluster, "services", service)
    create(
        cluster, "pods", _pod("passes", "web", readinessProbe={"httpGet": {"port": 80}, "periodSeconds": 1})
    )
    create(
        cluster, "pods", _pod("fails", "web", readinessProbe={"httpGet": {"port": 8080}, "periodSeconds": 1})
    )
    create(
        cluster,
        "pods",
        _pod("execs", "other", readinessProbe={"exec": {"command": ["cat", "/etc/hostname"]}}),
    )
    await wait_for(
        lambda: _ready(cluster, "passes") == "True" and _ready(cluster, "execs") == "True", 10, "Ready"
    )
    await wait_for(lambda: cluster.store.get("endpoints", "default", "web"), 10, "endpoints")
    await wait_for(
        lambda: (
            [
                len(s.get("addresses") or []) + len(s.get("notReadyAddresses") or [])
                for s in cluster.store.must_get("endpoints", "default", "web").get("subsets") or []
            ]
            == [2]
        ),
        10,
        "both pods in the endpoints",
    )
    (subset,) = cluster.store.must_get("endpoints", "default", "web")["subsets"]
    assert [a["targetRef"]["name"] for a in subset["addresses"]] == ["passes"]
    assert [a["targetRef"]["name"] for a in subset["notReadyAddresses"]] == ["fails"]
    assert _status(cluster, "fails")["phase"] == "Running" and _ready(cluster, "fails") == "False"
    events = [
        (e["involvedObject"]["name"], e["reason"], e["message"])
        for e in cluster.store.list("events", "default")
    ]
    assert any(
        name == "fails" and reason == "Unhealthy" and "connection refused" in message
        for name, reason, message in events
    )


async def test_liveness_failures_restart_the_container(cluster: SimCluster) -> None:
    probe = {"exec": {"command": ["false"]}, "periodSeconds": 1, "failureThreshold": 2}
    create(cluster, "pods", _pod("dies", "dies", livenessProbe=probe))
    create(
        cluster, "pods", _pod("lives", "lives", livenessProbe={"tcpSocket": {"port": 80}, "periodSeconds": 1})
    )

    def restarts(name: str) -> int:
        statuses = _status(cluster, name).get("containerStatuses") or [{}]
        return int(statuses[0].get("restartCount", 0))

    await wait_for(lambda: restarts("dies") >= 2, 20, "two restarts")
    assert restarts("lives") == 0
    reasons = {(e["involvedObject"]["name"], e["reason"]) for e in cluster.store.list("events", "default")}
    assert {("dies", "Unhealthy"), ("dies", "Killing")} <= reasons
    assert ("lives", "Unhealthy") not in reasons
