"""kubectl-describe-like text on recorded objects: sections, alignment, events, and secrets never shown."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from kubetui.cluster.describe import (
    describe_deployment,
    describe_node,
    describe_pod,
    describe_replicaset,
    describe_secret,
    describe_service,
)
from kubetui.cluster.describe_text import DescribeWriter
from kubetui.cluster.render import parse_time

FIXTURES = Path(__file__).parent.parent / "fixtures" / "rows"
NOW = parse_time("2026-01-10T12:00:00Z") or 0.0


def _items(kind: str) -> dict[str, dict[str, Any]]:
    return {i["metadata"]["name"]: i for i in json.loads((FIXTURES / f"{kind}.json").read_text())["items"]}


def test_writer_aligns_each_run_of_tabbed_lines_like_tabwriter() -> None:
    w = DescribeWriter()
    w.line(0, "Name:", "web")
    w.line(0, "Namespace:", "default")
    w.write(0, "Containers:")
    w.line(1, "Image:", "nginx")
    assert w.text() == "Name:       web\nNamespace:  default\nContainers:\n  Image:  nginx\n"


def test_describe_crashlooping_pod_with_events() -> None:
    pod = _items("pods")["crash-5f6d7-xk2lp"]
    event = {
        "type": "Warning",
        "reason": "BackOff",
        "message": "Back-off restarting failed container app\n",
        "source": {"component": "kubelet"},
        "firstTimestamp": "2026-01-10T11:50:00Z",
        "lastTimestamp": "2026-01-10T11:58:00Z",
        "count": 5,
    }
    text = describe_pod(pod, [event], NOW)
    lines = text.splitlines()
    assert lines[0].split() == ["Name:", "crash-5f6d7-xk2lp"]
    assert "Node:             node-1/172.18.0.2" in lines
    assert "    State:          Waiting" in lines
    assert "      Reason:       CrashLoopBackOff" in lines
    assert "    Last State:     Terminated" in lines
    assert "      Exit Code:    1" in lines
    assert "    Restart Count:  7" in lines
    assert "    Image:          kubetui.test/crash:1" in lines
    events = lines[lines.index("Events:") :]
    assert events[1].split() == ["Type", "Reason", "Age", "From", "Message"]
    assert events[3].split() == [
        "Warning", "BackOff", "2m", "(x5", "over", "10m)", "kubelet", "Back-off", "restarting", "failed",
        "container", "app",
    ]  # fmt: skip


def test_describe_pod_without_events_says_none() -> None:
    text = describe_pod(_items("pods")["web-7d4b9c-abcde"], [], NOW)
    assert text.rstrip().endswith("Events:                      <none>") or text.rstrip().splitlines()[
        -1
    ].split() == [
        "Events:",
        "<none>",
    ]


def test_describe_deployment_shows_replicas_strategy_and_replicasets() -> None:
    dep = _items("deployments")["kubernetes-bootcamp"]
    dep["spec"]["strategy"] = {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
    }
    rss = list(_items("replicasets").values())
    text = describe_deployment(dep, rss, [], NOW)
    assert "Replicas:               4 desired | 2 updated | 5 total | 3 available | 2 unavailable" in text
    assert "RollingUpdateStrategy:  25% max unavailable, 25% max surge" in text
    assert "Selector:               app=kubernetes-bootcamp,!canary,tier in (api,web)" in text
    assert "Pod Template:" in text and "docker.io/jocatalin/kubernetes-bootcamp:v2" in text


def test_describe_replicaset_counts_pods() -> None:
    rs = _items("replicasets")["kubernetes-bootcamp-5485cc6795"]
    pods = list(_items("pods").values())[:3]
    text = describe_replicaset(rs, pods, [], NOW)
    assert "Replicas:     2 current / 2 desired" in text
    assert "Pods Status:  2 Running / 1 Waiting / 0 Succeeded / 0 Failed" in text


def test_describe_service_ports_and_endpoints() -> None:
    svc = _items("services")["myapp-service"]
    eps = _items("endpoints")["myapp-service"]
    text = describe_service(svc, eps, [], NOW)
    assert "Type:                     LoadBalancer" in text
    assert "LoadBalancer Ingress:     172.18.0.2,172.18.0.3,172.18.0.4" in text
    assert "TargetPort:               8089/TCP" in text
    assert "NodePort:                 <unset>  30080/TCP" in text
    assert "Endpoints:                10.244.1.2:8089,10.244.1.3:8089,10.244.2.4:8089" in text


def test_describe_node_lists_pods_and_conditions() -> None:
    node = _items("nodes")["kubetui-control-plane"]
    text = describe_node(node, [_items("pods")["web-7d4b9c-abcde"]], [], NOW)
    assert "Roles:              control-plane" in text
    assert "Non-terminated Pods:" in text and "web-7d4b9c-abcde" in text
    assert "Kubelet Version:            v1.31.0" in text


def test_describe_secret_masks_values() -> None:
    secret = {
        "metadata": {"name": "db", "namespace": "default"},
        "type": "Opaque",
        "data": {
            "password": base64.b64encode(b"s3cr3t!!").decode(),
            "token": base64.b64encode(b"abcdef").decode(),
        },
    }
    text = describe_secret(secret)
    assert "password:  8 bytes" in text
    assert "token:     6 bytes" in text
    assert "s3cr3t" not in text and "abcdef" not in text
    assert base64.b64encode(b"s3cr3t!!").decode() not in text
