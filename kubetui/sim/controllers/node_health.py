"""Node health as kube-controller-manager keeps it: a node whose kubelet stops posting status turns Unknown after
the grace period, carries the taints its conditions call for, and its pods are marked NotReady; the taint
eviction controller then deletes the pods that do not tolerate a NoExecute taint, once their tolerationSeconds
have passed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kubetui.sim.errors import ApiError
from kubetui.sim.store import DELETED, Event

from .base import Controller, Key, Obj, key_of, meta
from .scheduler import tolerates

NODE_MONITOR_GRACE_SECONDS = 50.0  # kube-controller-manager's --node-monitor-grace-period
UNKNOWN_REASON = "NodeStatusUnknown"
UNKNOWN_MESSAGE = "Kubelet stopped posting node status."
# The conditions the node lifecycle controller sets to Unknown (NetworkUnavailable is the network's to set).
KUBELET_CONDITIONS = ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure")
NOT_READY, UNREACHABLE = "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"
UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
# condition type → {status → taint key}, as nodeConditionToTaintKeyStatusMap in the node lifecycle controller.
CONDITION_TAINTS: dict[str, dict[str, str]] = {
    "Ready": {"False": NOT_READY, "Unknown": UNREACHABLE},
    "MemoryPressure": {"True": "node.kubernetes.io/memory-pressure"},
    "DiskPressure": {"True": "node.kubernetes.io/disk-pressure"},
    "NetworkUnavailable": {"True": "node.kubernetes.io/network-unavailable"},
    "PIDPressure": {"True": "node.kubernetes.io/pid-pressure"},
}
MANAGED_NO_SCHEDULE = {UNSCHEDULABLE, *(k for m in CONDITION_TAINTS.values() for k in m.values())}


def ready_condition(node: Obj) -> dict[str, Any] | None:
    conditions = (node.get("status") or {}).get("conditions") or []
    return next((c for c in conditions if c.get("type") == "Ready"), None)


def wanted_taints(node: Obj, *, starting: bool) -> tuple[set[str], set[str]]:
    """The NoSchedule and NoExecute taint keys a node's conditions and spec call for. A node still in its
    kubelet's start-up gets none for being NotReady: the built-in scheduler already treats it as tainted."""
    no_schedule: set[str] = set()
    for cond in (node.get("status") or {}).get("conditions") or []:
        key = CONDITION_TAINTS.get(str(cond.get("type")), {}).get(str(cond.get("status")))
        if key and not (starting and key == NOT_READY):
            no_schedule.add(key)
    if (node.get("spec") or {}).get("unschedulable"):
        no_schedule.add(UNSCHEDULABLE)
    ready = ready_condition(node) or {}
    no_execute = {CONDITION_TAINTS["Ready"][s] for s in ("False", "Unknown") if ready.get("status") == s}
    if starting:
        no_execute.discard(NOT_READY)
    return no_schedule, no_execute


def sync_taints(controller: Controller, node: Obj, *, starting: bool) -> Obj:
    """Adds and removes the taints the node lifecycle controller manages; others are left as they are."""
    no_schedule, no_execute = wanted_taints(node, starting=starting)
    taints = list((node.get("spec") or {}).get("taints") or [])

    def managed(t: dict[str, Any]) -> bool:
        if t.get("effect") == "NoSchedule":
            return t.get("key") in MANAGED_NO_SCHEDULE
        return t.get("effect") == "NoExecute" and t.get("key") in (NOT_READY, UNREACHABLE)

    kept = [
        t
        for t in taints
        if not managed(t) or t.get("key") in (no_schedule if t.get("effect") == "NoSchedule" else no_execute)
    ]
    have = {(t.get("key"), t.get("effect")) for t in kept}
    stamp = controller.clock.stamp()
    for effect, keys in (("NoSchedule", no_schedule), ("NoExecute", no_execute)):
        kept += [
            {"key": k, "effect": effect, "timeAdded": stamp} for k in sorted(keys) if (k, effect) not in have
        ]
    if kept == taints:
        return node
    spec = {k: v for k, v in (node.get("spec") or {}).items() if k != "taints"}
    if kept:
        spec["taints"] = kept
    return controller.store.update("nodes", {**node, "spec": spec}, check_version=False)


def mark_unknown(controller: Controller, node: Obj) -> Obj:
    """The kubelet has not posted status for the grace period: its conditions turn Unknown, and when the node
    was Ready, an event says so and its pods are marked NotReady."""
    stamp = controller.clock.stamp()
    was_ready = (ready_condition(node) or {}).get("status") == "True"
    conditions = []
    for cond in (node.get("status") or {}).get("conditions") or []:
        if cond.get("type") in KUBELET_CONDITIONS and cond.get("status") != "Unknown":
            cond = {
                **cond,
                "status": "Unknown",
                "reason": UNKNOWN_REASON,
                "message": UNKNOWN_MESSAGE,
                "lastTransitionTime": stamp,
            }
        conditions.append(cond)
    if conditions == (node.get("status") or {}).get("conditions"):
        return node
    status = {**node["status"], "conditions": conditions}
    node = controller.store.update(
        "nodes", {**node, "status": status}, check_version=False, subresource="status"
    )
    name = meta(node)["name"]
    if was_ready:
        record = controller.cluster.events.record
        record(node, "NodeNotReady", f"Node {name} status is now: NodeNotReady", component="node-controller")
        for ns, pod_name in sorted(controller.cluster.index.pods_on_node.get(name, ())):
            pod = controller.store.get("pods", ns, pod_name)
            if pod is not None and _mark_not_ready(controller, pod):
                record(pod, "NodeNotReady", "Node is not ready", type="Warning", component="node-controller")
    return node


def _mark_not_ready(controller: Controller, pod: Obj) -> bool:
    status = pod.get("status") or {}
    conditions = status.get("conditions") or []
    if not any(c.get("type") == "Ready" and c.get("status") != "False" for c in conditions):
        return False
    stamp = controller.clock.stamp()
    changed = [
        {**c, "status": "False", "lastTransitionTime": stamp} if c.get("type") == "Ready" else c
        for c in conditions
    ]
    try:
        controller.store.update(
            "pods",
            {**pod, "status": {**status, "conditions": changed}},
            check_version=False,
            subresource="status",
        )
    except ApiError:
        return False
    return True


class TaintEviction(Controller):
    """Deletes pods on nodes with NoExecute taints they do not tolerate: at once, or after the shortest
    tolerationSeconds of the tolerations that match (never, when one of those has none)."""

    name = "taint-eviction-controller"
    rtypes = ("pods", "nodes")

    def __init__(self, cluster: Any):
        super().__init__(cluster)
        self._since: dict[Key, float] = {}  # pod → when it was first seen under a NoExecute taint

    def keys_for(self, event: Event) -> Iterable[Key]:
        if event.rtype == "nodes":
            name = meta(event.obj)["name"]
            return sorted(self.cluster.index.pods_on_node.get(name, ())) if event.type != DELETED else ()
        if event.type == DELETED:
            self._since.pop(key_of(event.obj), None)
            return ()
        return [key_of(event.obj)] if (event.obj.get("spec") or {}).get("nodeName") else ()

    def resync(self) -> None:
        for pod in self.store.iter("pods"):
            if (pod.get("spec") or {}).get("nodeName"):
                self.enqueue(key_of(pod))

    def reconcile(self, key: Key) -> None:
        pod = self.store.get("pods", *key)
        if pod is None or meta(pod).get("deletionTimestamp"):
            self._since.pop(key, None)
            return
        node = self.store.get("nodes", "", (pod.get("spec") or {}).get("nodeName", ""))
        taints = [
            t for t in ((node or {}).get("spec") or {}).get("taints") or [] if t.get("effect") == "NoExecute"
        ]
        if not taints:
            self._since.pop(key, None)
            return
        since = self._since.setdefault(key, self.clock.now())
        if all(tolerates(pod, t) for t in taints):
            seconds = self._toleration_seconds(pod, taints)
            if seconds is None:
                return
            left = seconds - self.clock.sim_elapsed(since)
            if left > 0:
                self.enqueue_after(key, left + 0.01)
                return
        self._evict(pod)

    @staticmethod
    def _toleration_seconds(pod: Obj, taints: list[dict[str, Any]]) -> float | None:
        """The shortest tolerationSeconds of the tolerations that match the taints; None for forever."""
        shortest: float | None = None
        for tol in (pod.get("spec") or {}).get("tolerations") or []:
            if not any(tolerates({"spec": {"tolerations": [tol]}}, t) for t in taints):
                continue
            seconds = tol.get("tolerationSeconds")
            if seconds is None:
                continue
            if seconds <= 0:
                return 0.0
            shortest = float(seconds) if shortest is None else min(shortest, float(seconds))
        return shortest

    def _evict(self, pod: Obj) -> None:
        ns, name = key_of(pod)
        self.cluster.events.record(
            pod, "TaintManagerEviction", f"Marking for deletion Pod {ns}/{name}", component=self.name
        )
        status = pod.get("status") or {}
        conditions = [c for c in status.get("conditions") or [] if c.get("type") != "DisruptionTarget"]
        conditions.append(
            {
                "type": "DisruptionTarget",
                "status": "True",
                "lastProbeTime": None,
                "lastTransitionTime": self.clock.stamp(),
                "reason": "DeletionByTaintManager",
                "message": "Taint manager: deleting due to NoExecute taint",
            }
        )
        try:
            self.store.update(
                "pods",
                {**pod, "status": {**status, "conditions": conditions}},
                check_version=False,
                subresource="status",
            )
            self.cluster.delete("pods", ns, name)
        except ApiError:
            return
        self._since.pop((ns, name), None)
