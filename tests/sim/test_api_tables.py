"""Server-side Table cells follow kubectl's printing rules: pod status reasons, restarts, ages, ports, roles."""

from __future__ import annotations

from typing import Any

from kubetui.sim import tables
from kubetui.sim.server import SimServer
from kubetui.sim.tables_core import human_duration, parse_time
from tests.sim.api_client import call

NOW = "2026-01-01T01:00:00Z"
AT = parse_time(NOW) or 0.0


def _pod(status: dict[str, Any], **meta: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "p", "creationTimestamp": "2026-01-01T00:55:00Z", **meta},
        "spec": {"containers": [{"name": "app"}], "nodeName": "n1"},
        "status": status,
    }


def _row(obj: dict[str, Any], rtype: str = "pods") -> list[Any]:
    row: list[Any] = tables.table(rtype, [obj], None, NOW)["rows"][0]["cells"]
    return row


def test_human_duration_matches_kubernetes() -> None:
    cases = {
        0: "0s",
        59: "59s",
        119: "119s",
        125: "2m5s",
        600: "10m",
        3 * 3600 + 1200: "3h20m",
        10 * 3600: "10h",
        50 * 3600: "2d2h",
        400 * 86400: "400d",
        3 * 365 * 86400 + 2 * 86400: "3y2d",
    }
    assert {s: human_duration(s) for s in cases} == cases


def test_pod_running_and_crash_loop_with_restarts_ago() -> None:
    running = {
        "phase": "Running",
        "podIP": "10.0.0.5",
        "containerStatuses": [{"name": "app", "ready": True, "restartCount": 0, "state": {"running": {}}}],
    }
    assert _row(_pod(running)) == ["p", "1/1", "Running", "0", "5m", "10.0.0.5", "n1", "<none>", "<none>"]
    crashing = {
        "phase": "Running",
        "containerStatuses": [
            {
                "name": "app",
                "ready": False,
                "restartCount": 3,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {
                    "terminated": {"exitCode": 1, "reason": "Error", "finishedAt": "2026-01-01T00:58:00Z"}
                },
            }
        ],
    }
    assert _row(_pod(crashing))[1:4] == ["0/1", "CrashLoopBackOff", "3 (2m ago)"]


def test_pod_pending_pull_errors_terminating_and_init() -> None:
    pulling = {
        "phase": "Pending",
        "containerStatuses": [
            {
                "name": "app",
                "ready": False,
                "restartCount": 0,
                "state": {"waiting": {"reason": "ErrImagePull"}},
            }
        ],
    }
    assert _row(_pod(pulling))[2] == "ErrImagePull"
    assert _row(_pod({"phase": "Pending"}))[2] == "Pending"
    running = {
        "phase": "Running",
        "containerStatuses": [{"name": "app", "ready": True, "restartCount": 0, "state": {"running": {}}}],
    }
    assert _row(_pod(running, deletionTimestamp="2026-01-01T01:00:30Z"))[2] == "Terminating"
    init = _pod(
        {
            "phase": "Pending",
            "initContainerStatuses": [
                {"name": "setup", "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}}
            ],
        }
    )
    init["spec"]["initContainers"] = [{"name": "setup"}]
    assert _row(init)[2] == "Init:0/1"
    done = {
        "phase": "Succeeded",
        "containerStatuses": [
            {
                "name": "app",
                "ready": False,
                "restartCount": 0,
                "state": {"terminated": {"exitCode": 0, "reason": "Completed"}},
            }
        ],
    }
    assert _row(_pod(done))[1:3] == ["0/1", "Completed"]


def test_service_node_and_deployment_cells() -> None:
    svc = {
        "metadata": {"name": "web", "creationTimestamp": NOW},
        "spec": {
            "type": "LoadBalancer",
            "clusterIP": "10.96.0.10",
            "clusterIPs": ["10.96.0.10"],
            "ports": [{"port": 80, "nodePort": 30080, "protocol": "TCP"}],
            "selector": {"app": "web"},
        },
        "status": {"loadBalancer": {"ingress": [{"ip": "172.18.255.1"}]}},
    }
    assert _row(svc, "services") == [
        "web",
        "LoadBalancer",
        "10.96.0.10",
        "172.18.255.1",
        "80:30080/TCP",
        "0s",
        "app=web",
    ]
    node = {
        "metadata": {
            "name": "n1",
            "creationTimestamp": NOW,
            "labels": {"node-role.kubernetes.io/control-plane": ""},
        },
        "spec": {"unschedulable": True},
        "status": {
            "conditions": [{"type": "Ready", "status": "False"}],
            "addresses": [{"type": "InternalIP", "address": "172.18.0.2"}],
            "nodeInfo": {"kubeletVersion": "v1.31.0"},
        },
    }
    assert _row(node, "nodes")[:7] == [
        "n1",
        "NotReady,SchedulingDisabled",
        "control-plane",
        "0s",
        "v1.31.0",
        "172.18.0.2",
        "<none>",
    ]
    deploy = {
        "metadata": {"name": "web", "creationTimestamp": NOW},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"spec": {"containers": [{"name": "web", "image": "nginx"}]}},
        },
        "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2},
    }
    assert _row(deploy, "deployments.apps") == ["web", "2/3", 3, 2, "0s", "web", "nginx", "app=web"]


async def test_eviction_deletes_the_pod(bare_sim: SimServer) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "e"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }
    await call(bare_sim.url, "POST", "/api/v1/namespaces/default/pods", pod)
    eviction = {
        "apiVersion": "policy/v1",
        "kind": "Eviction",
        "metadata": {"name": "e", "namespace": "default"},
    }
    status, body = await call(bare_sim.url, "POST", "/api/v1/namespaces/default/pods/e/eviction", eviction)
    assert status == 201 and body["status"] == "Success"
    assert bare_sim.store.get("pods", "default", "e") is None


def test_selectors_and_load_balancer_addresses_print_as_kube_apiserver_does() -> None:
    selector = {
        "matchLabels": {"app": "web"},
        "matchExpressions": [
            {"key": "tier", "operator": "In", "values": ["web", "api"]},
            {"key": "canary", "operator": "DoesNotExist"},
            {"key": "zone", "operator": "NotIn", "values": ["b", "a"]},
        ],
    }
    template = {"spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    deploy = {
        "metadata": {"name": "d", "creationTimestamp": NOW},
        "spec": {"selector": selector, "template": template},
    }
    assert _row(deploy, "deployments.apps")[-1] == "app=web,!canary,tier in (api,web),zone notin (a,b)"
    broken = {
        **deploy,
        "spec": {**deploy["spec"], "selector": {"matchExpressions": [{"key": "k", "operator": "In"}]}},
    }
    assert _row(broken, "deployments.apps")[-1] == "<error>"
    ingress = [
        {"ip": "172.18.0.3"},
        {"ip": "172.18.0.2"},
        {"hostname": "lb.example.com"},
        {"ip": "172.18.0.2"},
    ]
    svc = {
        "metadata": {"name": "s", "creationTimestamp": NOW},
        "spec": {"type": "LoadBalancer", "ports": [{"port": 80}], "externalIPs": ["1.2.3.4"]},
        "status": {"loadBalancer": {"ingress": ingress}},
    }
    # A set, sorted, never clipped (kube-apiserver prints Tables wide), then the external IPs.
    assert _row(svc, "services")[3] == "172.18.0.2,172.18.0.3,lb.example.com,1.2.3.4"
    pending = {**svc, "spec": {"type": "LoadBalancer", "ports": [{"port": 80}]}, "status": {}}
    assert _row(pending, "services")[3] == "<pending>"
