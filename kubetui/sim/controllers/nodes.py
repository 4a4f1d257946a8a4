"""Nodes: how a kind/k3d node object looks, node lifecycle (NotReady → Ready), and the pod garbage collector
that removes pods bound to nodes which no longer exist."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from kubetui.sim.errors import ApiError
from kubetui.sim.store import ADDED, DELETED, Event

from . import node_health
from .base import Controller, Key, Obj, key_of, meta
from .node_health import ready_condition

KUBELET_VERSION = "v1.31.4"
CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane"


def _uuid_like(seed: str) -> str:
    h = hashlib.sha256(seed.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def node_conditions(ready: bool, now: str) -> list[dict[str, Any]]:
    def cond(ctype: str, status: str, reason: str, message: str) -> dict[str, Any]:
        return {
            "type": ctype,
            "status": status,
            "lastHeartbeatTime": now,
            "lastTransitionTime": now,
            "reason": reason,
            "message": message,
        }

    return [
        cond(
            "MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"
        ),
        cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        cond("Ready", "True", "KubeletReady", "kubelet is posting ready status")
        if ready
        else cond(
            "Ready", "False", "KubeletNotReady", "container runtime network not ready: NetworkReady=false"
        ),
    ]


def make_node(name: str, index: int, *, control_plane: bool, tainted: bool, ready: bool, now: str) -> Obj:
    """A node as kind/k3d register one: labels, pod CIDR 10.42.N.0/24, address 172.18.0.(N+2), capacity."""
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
    }
    if control_plane:
        labels[CONTROL_PLANE_LABEL] = ""
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
    capacity = {
        "cpu": "4",
        "ephemeral-storage": "61202244Ki",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": "8029532Ki",
        "pods": "110",
    }
    cidr = f"10.42.{index}.0/24"
    spec: dict[str, Any] = {
        "podCIDR": cidr,
        "podCIDRs": [cidr],
        "providerID": f"kind://docker/kubetui/{name}",
    }
    if control_plane and tainted:
        spec["taints"] = [{"key": CONTROL_PLANE_LABEL, "effect": "NoSchedule"}]
    return {
        "metadata": {
            "name": name,
            "labels": labels,
            "annotations": {
                "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///run/containerd/containerd.sock",
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": spec,
        "status": {
            "capacity": capacity,
            "allocatable": dict(capacity),
            "conditions": node_conditions(ready, now),
            "addresses": [
                {"type": "InternalIP", "address": f"172.18.0.{index + 2}"},
                {"type": "Hostname", "address": name},
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "machineID": hashlib.md5(name.encode(), usedforsecurity=False).hexdigest(),
                "systemUUID": _uuid_like(name),
                "bootID": _uuid_like("boot:" + name),
                "kernelVersion": "6.8.0-49-generic",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "containerRuntimeVersion": "containerd://1.7.18",
                "kubeletVersion": KUBELET_VERSION,
                "kubeProxyVersion": KUBELET_VERSION,
                "operatingSystem": "linux",
                "architecture": "amd64",
            },
            "images": [],
        },
    }


def next_node_index(nodes: Iterable[Obj]) -> int:
    used = set()
    for node in nodes:
        cidr = (node.get("spec") or {}).get("podCIDR", "")
        parts = cidr.split(".")
        if len(parts) == 4 and parts[2].isdigit():
            used.add(int(parts[2]))
    n = 0
    while n in used:
        n += 1
    return n


class NodeLifecycle(Controller):
    """Brings newly registered nodes to Ready after the kubelet's start-up, with the events kubelets post."""

    name = "node-controller"
    rtypes = ("nodes",)
    STARTUP_SECONDS = 5.0

    def __init__(self, cluster: Any):
        super().__init__(cluster)
        self._registered: dict[str, float] = {}  # node name → precise registration time

    def keys_for(self, event: Event) -> Iterable[Key]:
        name = meta(event.obj)["name"]
        if event.type == ADDED:
            self._registered[name] = self.clock.now()
            self._announce(event.obj)
            return [key_of(event.obj)]
        if event.type == DELETED:
            self._registered.pop(name, None)
            return ()
        return [key_of(event.obj)]  # cordon/uncordon

    def _announce(self, node: Obj) -> None:
        name = meta(node)["name"]
        record = self.cluster.events.record
        record(node, "Starting", "Starting kubelet.", component="kubelet", host=name)
        record(
            node,
            "RegisteredNode",
            f"Node {name} event: Registered Node {name} in Controller",
            component="node-controller",
        )

    def resync(self) -> None:
        for node in self.store.iter("nodes"):
            self.enqueue(key_of(node))

    def reconcile(self, key: Key) -> None:
        node = self.store.get("nodes", *key)
        if node is None:
            return
        ready = ready_condition(node)
        starting = bool(ready and ready.get("status") == "False" and ready.get("reason") == "KubeletNotReady")
        silent = self.cluster.kubelet.silent.get(key[1]) if self.cluster.kubelet is not None else None
        if silent is not None:
            left = node_health.NODE_MONITOR_GRACE_SECONDS - self.clock.sim_elapsed(silent)
            if left > 0:
                self.enqueue_after(key, left + 0.01)
            else:
                node = node_health.mark_unknown(self, node)
            node_health.sync_taints(self, node, starting=False)
            return
        node = node_health.sync_taints(self, node, starting=starting)
        if not starting:
            return
        assert ready is not None
        since = self.clock.sim_elapsed(self._registered.get(key[1]) or _ts(ready.get("lastTransitionTime")))
        if since < self.STARTUP_SECONDS:
            self.enqueue_after(key, self.STARTUP_SECONDS - since + 0.01)
            return
        status = {**node["status"], "conditions": node_conditions(True, self.clock.stamp())}
        self.store.update("nodes", {**node, "status": status}, check_version=False, subresource="status")
        name = key[1]
        self.cluster.events.record(
            node, "NodeReady", f"Node {name} status is now: NodeReady", component="kubelet", host=name
        )


def _ts(text: str | None) -> float:
    from kubetui.sim.clock import parse_time

    return parse_time(text) or 0.0


class PodGarbageCollector(Controller):
    """Force-deletes pods bound to nodes that were removed, so their ReplicaSets replace them elsewhere."""

    name = "pod-garbage-collector"
    rtypes = ("nodes",)

    def keys_for(self, event: Event) -> Iterable[Key]:
        if event.type == DELETED:
            return [key_of(event.obj)]
        return ()

    def resync(self) -> None:
        nodes = {meta(n)["name"] for n in self.store.iter("nodes")}
        for node in list(self.cluster.index.pods_on_node):
            if node not in nodes:
                self.enqueue(("", node))

    def reconcile(self, key: Key) -> None:
        node = key[1]
        if self.store.get("nodes", "", node) is not None:
            return
        for ns, name in sorted(self.cluster.index.pods_on_node.get(node, ())):
            pod = self.store.get("pods", ns, name)
            if pod is None:
                continue
            try:
                self.store.delete("pods", ns, name)
            except ApiError:
                continue
            self.cluster.events.record(
                pod,
                "NodeLost",
                f"Node {node} which was running pod {name} is gone",
                type="Warning",
                component="pod-garbage-collector",
            )
