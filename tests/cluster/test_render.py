"""kubectl's columns and computed values, checked on recorded objects in the shape real clusters return."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster.render import (
    COLUMNS,
    WIDE_COLUMNS,
    human_age,
    parse_time,
    pod_status,
    row,
    status_class,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "rows"
NOW = parse_time("2026-01-10T12:00:00Z") or 0.0


def _items(kind: str) -> dict[str, dict[str, Any]]:
    data = json.loads((FIXTURES / f"{kind}.json").read_text())
    return {item["metadata"]["name"]: item for item in data["items"]}


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (-1.5, "0s"),
        (-2, "<invalid>"),
        (45, "45s"),
        (119.9, "119s"),
        (120, "2m"),
        (302, "5m2s"),
        (599, "9m59s"),
        (600, "10m"),
        (3 * 3600 - 1, "179m"),
        (3 * 3600, "3h"),
        (3 * 3600 + 30 * 60, "3h30m"),
        (8 * 3600 + 59 * 60, "8h"),
        (47 * 3600, "47h"),
        (48 * 3600, "2d"),
        (51 * 3600, "2d3h"),
        (8 * 86400 + 5 * 3600, "8d"),
        (364 * 86400, "364d"),
        (731 * 86400, "2y1d"),
        (3 * 365 * 86400, "3y"),
        (9 * 365 * 86400 + 20 * 86400, "9y"),
    ],
)
def test_human_age_matches_kubectl(seconds: float, text: str) -> None:
    assert human_age(seconds) == text


POD_ROWS = {
    "web-7d4b9c-abcde": ("1/1", "Running", "0"),
    "crash-5f6d7-xk2lp": ("0/1", "CrashLoopBackOff", "7 (5m ago)"),
    "myapp-6b8f-qwert": ("0/1", "ErrImagePull", "0"),
    "myapp-6b8f-zxcvb": ("0/1", "ImagePullBackOff", "0"),
    "initpod-1": ("0/1", "Init:0/1", "0"),
    "initpod-2": ("0/1", "Init:1/2", "0"),
    "initpod-3": ("0/1", "Init:CrashLoopBackOff", "3 (90s ago)"),
    "initpod-4": ("0/1", "Init:ExitCode:3", "0"),
    "web-7d4b9c-old12": ("1/1", "Terminating", "0"),
    "job-abc12": ("0/1", "Completed", "0"),
    "job-done": ("0/1", "Completed", "0"),
    "sig-1": ("0/1", "Signal:9", "0"),
    "exit-1": ("0/1", "ExitCode:2", "0"),
    "multi-1": ("1/2", "Running", "3 (3m ago)"),
    "multi-2": ("1/2", "Running", "0"),
    "multi-3": ("1/2", "NotReady", "0"),
    "lost-1": ("1/1", "Unknown", "0"),
    "pend-1": ("0/1", "Pending", "0"),
    "evict-1": ("0/1", "OOMKilled", "0"),
    "side-1": ("2/2", "Running", "1 (30m ago)"),
    "gated-1": ("0/1", "SchedulingGated", "0"),
}


@pytest.mark.parametrize("name", sorted(POD_ROWS))
def test_pod_row(name: str) -> None:
    pod = _items("pods")[name]
    ready, status, restarts = POD_ROWS[name]
    assert row("pods", pod, NOW) == (name, ready, status, restarts, "120m")
    assert pod_status(pod) == status


def test_pod_wide_cells() -> None:
    pods = _items("pods")
    assert row("pods", pods["web-7d4b9c-abcde"], NOW, wide=True)[5:] == (
        "10.244.1.5",
        "node-1",
        "<none>",
        "<none>",
    )
    assert row("pods", pods["pend-1"], NOW, wide=True)[5:] == ("<none>", "<none>", "<none>", "<none>")
    assert row("pods", pods["multi-1"], NOW, wide=True)[8] == "0/2"
    assert len(row("pods", pods["multi-1"], NOW, wide=True)) == len(WIDE_COLUMNS["pods"])


def test_deployment_rows() -> None:
    deps = _items("deployments")
    assert row("deployments", deps["hello-node"], NOW) == ("hello-node", "1/1", "1", "1", "2d3h")
    assert row("deployments", deps["kubernetes-bootcamp"], NOW, wide=True) == (
        "kubernetes-bootcamp",
        "3/4",
        "2",
        "3",
        "5m2s",
        "kubernetes-bootcamp,log",
        "docker.io/jocatalin/kubernetes-bootcamp:v2,busybox",
        "app=kubernetes-bootcamp,!canary,tier in (api,web)",
    )
    assert row("deployments", deps["myapp"], NOW) == ("myapp", "0/3", "3", "0", "2d3h")
    assert row("deployments", deps["hello-node"], NOW, wide=True)[5:] == (
        "agnhost",
        "registry.k8s.io/e2e-test-images/agnhost:2.39",
        "app=hello-node",
    )


def test_replicaset_rows() -> None:
    rss = _items("replicasets")
    assert row("replicasets", rss["kubernetes-bootcamp-5485cc6795"], NOW, wide=True) == (
        "kubernetes-bootcamp-5485cc6795",
        "2",
        "2",
        "1",
        "60s",
        "kubernetes-bootcamp",
        "docker.io/jocatalin/kubernetes-bootcamp:v2",
        "app=kubernetes-bootcamp,pod-template-hash=5485cc6795",
    )
    assert row("replicasets", rss["kubernetes-bootcamp-fb5c67579"], NOW) == (
        "kubernetes-bootcamp-fb5c67579",
        "0",
        "0",
        "0",
        "2d3h",
    )


def test_service_rows() -> None:
    svcs = _items("services")
    assert row("services", svcs["kubernetes"], NOW, wide=True) == (
        "kubernetes",
        "ClusterIP",
        "10.96.0.1",
        "<none>",
        "443/TCP",
        "40d",
        "<none>",
    )
    assert row("services", svcs["hello-node"], NOW) == (
        "hello-node",
        "LoadBalancer",
        "10.96.12.34",
        "<pending>",
        "8080:31234/TCP",
        "2d3h",
    )
    myapp = svcs["myapp-service"]
    # `kubectl get` prints the API server's Table, which is built wide: the address list is never clipped.
    assert row("services", myapp, NOW)[3:5] == (
        "172.18.0.2,172.18.0.3,172.18.0.4",
        "80:30080/TCP,9090:30090/UDP",
    )
    assert row("services", myapp, NOW, wide=True)[3] == "172.18.0.2,172.18.0.3,172.18.0.4"
    assert row("services", myapp, NOW, wide=True)[6] == "app=myapp,tier=web"
    assert row("services", svcs["np"], NOW)[1:5] == ("NodePort", "10.96.1.1", "1.2.3.4", "80:30001/TCP")
    assert row("services", svcs["ext"], NOW)[1:5] == ("ExternalName", "<none>", "db.example.com", "<none>")
    assert row("services", svcs["headless"], NOW)[1:5] == ("ClusterIP", "None", "<none>", "<none>")
    assert row("services", svcs["lb-host"], NOW)[3] == "a1b2c3.elb.example.com"


def test_node_rows() -> None:
    nodes = _items("nodes")
    assert row("nodes", nodes["kubetui-control-plane"], NOW, wide=True) == (
        "kubetui-control-plane",
        "Ready",
        "control-plane",
        "13d",
        "v1.31.0",
        "172.18.0.2",
        "<none>",
        "Debian GNU/Linux 12 (bookworm)",
        "6.8.0-45-generic",
        "containerd://1.7.18",
    )
    assert row("nodes", nodes["worker-1"], NOW, wide=True) == (
        "worker-1",
        "NotReady,SchedulingDisabled",
        "infra,worker",
        "2y1d",
        "v1.31.0",
        "172.18.0.3",
        "203.0.113.9",
        "<unknown>",
        "6.8.0",
        "containerd://1.7.18",
    )
    assert row("nodes", nodes["worker-2"], NOW, wide=True) == (
        "worker-2",
        "Unknown",
        "<none>",
        "5m",
        "",
        "<none>",
        "<none>",
        "<unknown>",
        "<unknown>",
        "<unknown>",
    )
    assert row("nodes", nodes["worker-3"], NOW) == (
        "worker-3",
        "Ready,SchedulingDisabled",
        "<none>",
        "4h",
        "v1.30.2",
    )


def test_namespace_rows() -> None:
    nss = _items("namespaces")
    assert row("namespaces", nss["default"], NOW) == ("default", "Active", "40d")
    assert row("namespaces", nss["old"], NOW) == ("old", "Terminating", "60m")


def test_event_rows() -> None:
    evs = _items("events")
    failed = evs["myapp-6b8f-qwert.17a"]
    assert row("events", failed, NOW) == (
        "2m",
        "Warning",
        "Failed",
        "pod/myapp-6b8f-qwert",
        'Failed to pull image "registry.example.com/team/myapp:001": pull access denied',
    )
    assert row("events", failed, NOW, wide=True)[4:] == (
        "spec.containers{myapp}",
        "kubelet, worker-1",
        'Failed to pull image "registry.example.com/team/myapp:001": pull access denied',
        "10m",
        "5",
        "myapp-6b8f-qwert.17a",
    )
    assert row("events", evs["hello-node.17b"], NOW)[:4] == (
        "30s",
        "Normal",
        "ScalingReplicaSet",
        "deployment/hello-node",
    )
    scheduled = row("events", evs["sched.17c"], NOW, wide=True)
    assert (scheduled[0], scheduled[5], scheduled[7], scheduled[8]) == (
        "2m59s",
        "default-scheduler",
        "2m59s",
        "1",
    )
    series = row("events", evs["series.17d"], NOW, wide=True)
    assert (series[0], series[3], series[5], series[7], series[8]) == (
        "60s",
        "node/worker-1",
        "node-controller, cp-1",
        "60m",
        "4",
    )


def test_endpoints_rows() -> None:
    eps = _items("endpoints")
    assert row("endpoints", eps["kubernetes"], NOW) == ("kubernetes", "172.18.0.2:6443", "2d3h")
    assert row("endpoints", eps["myapp-service"], NOW)[1] == (
        "10.244.1.2:8089,10.244.1.3:8089,10.244.2.4:8089 + 3 more..."
    )
    assert row("endpoints", eps["empty"], NOW)[1] == "<none>"
    assert row("endpoints", eps["headless"], NOW)[1] == "10.244.3.3"


def test_every_row_has_its_columns() -> None:
    for kind in (
        "pods",
        "deployments",
        "replicasets",
        "services",
        "nodes",
        "namespaces",
        "events",
        "endpoints",
    ):
        for obj in _items(kind).values():
            assert len(row(kind, obj, NOW)) == len(COLUMNS[kind])
            assert len(row(kind, obj, NOW, wide=True)) == len(WIDE_COLUMNS[kind])


@pytest.mark.parametrize(
    ("kind", "name", "cls"),
    [
        ("pods", "web-7d4b9c-abcde", "running"),
        ("pods", "crash-5f6d7-xk2lp", "failed"),
        ("pods", "myapp-6b8f-qwert", "failed"),
        ("pods", "initpod-1", "pending"),
        ("pods", "initpod-3", "failed"),
        ("pods", "web-7d4b9c-old12", "terminating"),
        ("pods", "job-abc12", "completed"),
        ("pods", "multi-1", "warning"),
        ("pods", "multi-3", "warning"),
        ("pods", "pend-1", "pending"),
        ("pods", "lost-1", "failed"),
        ("deployments", "hello-node", "running"),
        ("deployments", "kubernetes-bootcamp", "pending"),
        ("deployments", "myapp", "failed"),
        ("nodes", "kubetui-control-plane", "running"),
        ("nodes", "worker-1", "failed"),
        ("nodes", "worker-3", "warning"),
        ("services", "hello-node", "pending"),
        ("services", "myapp-service", "running"),
        ("events", "myapp-6b8f-qwert.17a", "warning"),
        ("namespaces", "old", "terminating"),
    ],
)
def test_status_class(kind: str, name: str, cls: str) -> None:
    assert status_class(kind, _items(kind)[name]) == cls
