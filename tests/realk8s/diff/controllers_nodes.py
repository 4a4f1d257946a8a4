"""Node loss compared: a node's kubelet stops posting status, the node turns Unknown after the node monitor's
grace period (50 s on both), is tainted unreachable, its pods are marked NotReady, and the taint eviction
controller deletes a pod whose toleration of the taint runs out while one that tolerates it forever stays; when
the kubelet comes back, the taints go.

Stopping a kubelet has no API request. On the built-in cluster the node's kubelet is stopped in-process. On the
real control plane the lost node is not one of kwok's (kwok's lease renewals stall for all its nodes when one of
them is taken away or deleted): the harness plays its kubelet, registering the node with its status, renewing
its Lease every two seconds and reporting its pods Running, and stops renewing to lose it.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from kubetui.sim.testing import call_in_loop
from tests.realk8s.bootstrap import node_object
from tests.realk8s.diff.observe import CORE, condition, events, ok, wait
from tests.realk8s.diff.runner import Client

LEASES = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases"
NOT_READY, UNREACHABLE = "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"
KUBELET_CONDITIONS = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")
# Keeps the scheduler from placing other pods on the node; the scenario's pods are bound to it directly.
FENCE = {"key": "example.com/node-loss", "effect": "NoSchedule"}
MERGE = "application/merge-patch+json"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _node_status(stamp: str) -> dict[str, Any]:
    def cond(kind: str, status: str, reason: str) -> dict[str, str]:
        return {
            "type": kind,
            "status": status,
            "reason": reason,
            "message": reason,
            "lastHeartbeatTime": stamp,
            "lastTransitionTime": stamp,
        }

    capacity = {"cpu": "2", "memory": "2035140Ki", "pods": "110"}
    return {
        "capacity": capacity,
        "allocatable": capacity,
        "conditions": [
            cond("MemoryPressure", "False", "KubeletHasSufficientMemory"),
            cond("DiskPressure", "False", "KubeletHasNoDiskPressure"),
            cond("PIDPressure", "False", "KubeletHasSufficientPID"),
            cond("Ready", "True", "KubeletReady"),
        ],
        "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
        "nodeInfo": {"kubeletVersion": "v1.37.2", "operatingSystem": "linux", "architecture": "amd64"},
    }


class Nodes:
    """A node of the scenario's own, and its kubelet stopping and coming back, on either cluster."""

    def __init__(self, client: Client):
        self.client = client
        self.name = ""
        self._stop = threading.Event()
        self._beats: threading.Thread | None = None

    def _sim(self, method: str, *args: Any) -> None:
        cluster = self.client.sim.cluster

        async def run() -> None:
            getattr(cluster, method)(*args)

        call_in_loop(self.client.sim, run())

    def add(self, name: str) -> None:
        self.name = name
        if self.client.sim is not None:
            self._sim("add_node", name)
        else:
            node = node_object(name, 200)
            node["metadata"]["annotations"] = {"node.alpha.kubernetes.io/ttl": "0"}  # not kwok's
            node["status"] = _node_status(_now())
            created = ok(self.client.send("POST", "/api/v1/nodes", node, "application/json"), "node")
            owner = {"apiVersion": "v1", "kind": "Node", "name": name, "uid": created["metadata"]["uid"]}
            lease = {
                "metadata": {"name": name, "ownerReferences": [owner]},
                "spec": {"holderIdentity": name, "leaseDurationSeconds": 40, "renewTime": _now()},
            }
            ok(self.client.send("POST", LEASES, lease, "application/json"), "lease")
            self.start_kubelet(name)
        patch = {"spec": {"taints": [FENCE]}}
        ok(self.client.send("PATCH", f"/api/v1/nodes/{name}", patch, MERGE), "fence")

    def report_running(self, ns: str, pod: str) -> None:
        """What the kubelet reports of a pod it started (the built-in kubelet reports it itself)."""
        if self.client.sim is not None:
            return
        stamp = _now()[:19] + "Z"
        conditions = [
            {"type": kind, "status": "True", "lastTransitionTime": stamp}
            for kind in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady")
        ]
        container = {
            "name": "c",
            "image": "nginx:1.27",
            "imageID": "",
            "ready": True,
            "restartCount": 0,
            "started": True,
            "state": {"running": {"startedAt": stamp}},
        }
        status = {
            "phase": "Running",
            "conditions": conditions,
            "containerStatuses": [container],
            "hostIP": "127.0.0.1",
            "startTime": stamp,
        }
        path = f"{CORE.format(ns=ns)}/pods/{pod}/status"
        ok(self.client.send("PATCH", path, {"status": status}, MERGE), "pod status")

    def _heartbeat(self) -> None:
        while not self._stop.wait(2.0):
            self.client.send("PATCH", f"{LEASES}/{self.name}", {"spec": {"renewTime": _now()}}, MERGE)

    def stop_kubelet(self, name: str) -> None:
        if self.client.sim is not None:
            self._sim("stop_kubelet", name)
            return
        self._stop.set()
        if self._beats is not None:
            self._beats.join()

    def start_kubelet(self, name: str) -> None:
        if self.client.sim is not None:
            self._sim("start_kubelet", name)
            return
        status = {"status": {"conditions": _node_status(_now())["conditions"]}}
        ok(self.client.send("PATCH", f"/api/v1/nodes/{name}/status", status, MERGE), "node status")
        self._stop = threading.Event()
        self._beats = threading.Thread(target=self._heartbeat, name=f"kubelet-{name}", daemon=True)
        self._beats.start()

    def remove(self, name: str) -> None:
        self._stop.set()
        if self._beats is not None:
            self._beats.join()
        self.client.send("DELETE", f"/api/v1/nodes/{name}", None, "")


def _pod(name: str, node: str, seconds: int | None) -> dict[str, Any]:
    extra = {"tolerationSeconds": seconds} if seconds is not None else {}
    tolerations = [
        {"key": k, "operator": "Exists", "effect": "NoExecute", **extra} for k in (UNREACHABLE, NOT_READY)
    ]
    return {
        "metadata": {"name": name, "labels": {"app": "node-loss"}},
        "spec": {
            "nodeName": node,
            "tolerations": tolerations,
            "containers": [{"name": "c", "image": "nginx:1.27"}],
        },
    }


def _is_ready(obj: Any) -> bool:
    return condition(obj, "Ready").get("status") == "True"


def _taints(node: Any) -> list[tuple[str, str, bool]]:
    return sorted(
        (t["key"], t["effect"], "timeAdded" in t) for t in (node.get("spec") or {}).get("taints") or []
    )


def node_loss(client: Client, ns: str) -> Any:
    """Two pods on a node that is lost: one tolerates the lost node 2 s, the other forever."""
    nodes, name = Nodes(client), f"{ns}-lost"
    node_path, pods = f"/api/v1/nodes/{name}", f"{CORE.format(ns=ns)}/pods"
    nodes.add(name)
    try:
        wait(client, node_path, _is_ready, "the new node to be Ready")
        for pod, seconds in (("brief", 2), ("patient", None)):
            ok(client.send("POST", pods, _pod(pod, name, seconds), "application/json"), pod)
            nodes.report_running(ns, pod)
            wait(client, f"{pods}/{pod}", _is_ready, f"{pod} to be Ready")
        nodes.stop_kubelet(name)
        wait(
            client,
            node_path,
            lambda n: (UNREACHABLE, "NoExecute", True) in _taints(n),
            "the unreachable NoExecute taint",
            150,
        )
        wait(
            client,
            f"{pods}?labelSelector=app%3Dnode-loss",
            lambda b: all(
                p["metadata"]["name"] != "brief" or p["metadata"].get("deletionTimestamp") for p in b["items"]
            ),
            "the eviction of brief",
            60,
        )
        lost = ok(client.send("GET", node_path, None, ""), "node")
        patient = ok(client.send("GET", f"{pods}/patient", None, ""), "patient")
        result = {
            "conditions": sorted(
                (c["type"], c["status"], c.get("reason"), c.get("message"))
                for c in lost["status"]["conditions"]
                if c["type"] in KUBELET_CONDITIONS
            ),
            "taints": _taints(lost),
            "patient": {
                "terminating": bool(patient["metadata"].get("deletionTimestamp")),
                "phase": patient["status"].get("phase"),
                "Ready": condition(patient, "Ready").get("status"),
                "ContainersReady": condition(patient, "ContainersReady").get("status"),
            },
            "events": events(client, ns, {"NodeNotReady", "TaintManagerEviction"}, {"brief", "patient"}),
        }
        nodes.start_kubelet(name)
        back = wait(
            client,
            node_path,
            lambda n: (
                n if _is_ready(n) and not {NOT_READY, UNREACHABLE} & {k for k, _, _ in _taints(n)} else None
            ),
            "the node to be Ready and untainted again",
            60,
        )
        result["returned"] = {"Ready": condition(back, "Ready").get("status"), "taints": _taints(back)}
        return result
    finally:
        for pod in ("brief", "patient"):
            client.send("DELETE", f"{pods}/{pod}", {"gracePeriodSeconds": 0}, "application/json")
        nodes.remove(name)


def daemon_tolerations(client: Client, ns: str) -> Any:
    """A DaemonSet's pods tolerate every condition of their node, so a lost node keeps its daemons."""
    labels = {"app": "daemon"}
    daemon = {
        "metadata": {"name": "daemon"},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]},
            },
        },
    }
    ok(
        client.send("POST", f"/apis/apps/v1/namespaces/{ns}/daemonsets", daemon, "application/json"),
        "daemonset",
    )
    pods = wait(
        client, f"{CORE.format(ns=ns)}/pods?labelSelector=app%3Ddaemon", lambda b: b["items"], "a daemon pod"
    )
    client.send("DELETE", f"/apis/apps/v1/namespaces/{ns}/daemonsets/daemon", None, "")
    return sorted(
        (t.get("key"), t.get("operator"), t.get("effect"), t.get("tolerationSeconds"))
        for t in pods[0]["spec"].get("tolerations") or []
    )
