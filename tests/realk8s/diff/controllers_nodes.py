"""Node loss compared: a node's kubelet stops posting status, the node turns Unknown after the node monitor's
grace period (50 s on both), is tainted unreachable, its pods are marked NotReady, and the taint eviction
controller deletes a pod whose toleration of the taint runs out while one that tolerates it forever stays; when
the kubelet comes back, the taints go.

Stopping a kubelet has no API request: on the real control plane the node loses kwok's annotation, so kwok
stops renewing its lease and reporting its status; on the built-in cluster its kubelet is stopped in-process.
kwok then removes the evicted pod at once, where a kubelet that is gone leaves it Terminating (as the built-in
cluster does), so an evicted pod is compared as "marked for deletion or gone".
"""

from __future__ import annotations

from typing import Any

from kubetui.sim.testing import call_in_loop
from tests.realk8s.bootstrap import node_object
from tests.realk8s.diff.observe import CORE, condition, events, ok, wait
from tests.realk8s.diff.runner import Client

KWOK = "kwok.x-k8s.io/node"
NOT_READY, UNREACHABLE = "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"
KUBELET_CONDITIONS = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")
MERGE = "application/merge-patch+json"


class Nodes:
    """Adding a node and stopping or restarting its kubelet, on either cluster."""

    def __init__(self, client: Client):
        self.client = client

    def _sim(self, method: str, *args: Any) -> None:
        cluster = self.client.sim.cluster

        async def run() -> None:
            getattr(cluster, method)(*args)

        call_in_loop(self.client.sim, run())

    def add(self, name: str) -> None:
        if self.client.sim is not None:
            self._sim("add_node", name)
        else:  # a kwok node, like the stack's own (one /24 well above theirs)
            ok(self.client.send("POST", "/api/v1/nodes", node_object(name, 200), "application/json"), "node")

    def stop_kubelet(self, name: str) -> None:
        if self.client.sim is not None:
            self._sim("stop_kubelet", name)
        else:
            patch = {"metadata": {"annotations": {KWOK: None}}}
            ok(self.client.send("PATCH", f"/api/v1/nodes/{name}", patch, MERGE), "stop kwok")

    def start_kubelet(self, name: str) -> None:
        if self.client.sim is not None:
            self._sim("start_kubelet", name)
        else:
            patch = {"metadata": {"annotations": {KWOK: "fake"}}}
            ok(self.client.send("PATCH", f"/api/v1/nodes/{name}", patch, MERGE), "restart kwok")


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
            "events": events(client, ns, {"NodeNotReady", "TaintManagerEviction"}),
        }
        nodes.start_kubelet(name)
        back = wait(
            client,
            node_path,
            lambda n: n if _is_ready(n) and not _taints(n) else None,
            "the node to be Ready and untainted again",
            60,
        )
        result["returned"] = {"Ready": condition(back, "Ready").get("status"), "taints": _taints(back)}
        return result
    finally:
        for pod in ("brief", "patient"):
            client.send("DELETE", f"{pods}/{pod}", {"gracePeriodSeconds": 0}, "application/json")
        client.send("DELETE", node_path, None, "")
