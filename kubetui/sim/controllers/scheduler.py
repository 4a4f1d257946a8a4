"""The scheduler: binds pending pods to Ready, schedulable nodes whose taints they tolerate, fewest pods first."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kubetui.cluster.quantity import parse_quantity, pod_requests_and_limits
from kubetui.sim.store import DELETED, Event

from .base import Controller, Key, Obj, key_of, meta


def node_is_ready(node: Obj) -> bool:
    for cond in (node.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return cond.get("status") == "True"
    return False


def tolerates(pod: Obj, taint: dict) -> bool:
    for tol in (pod.get("spec") or {}).get("tolerations") or []:
        if tol.get("effect") and tol.get("effect") != taint.get("effect"):
            continue
        if tol.get("operator") == "Exists" and (not tol.get("key") or tol.get("key") == taint.get("key")):
            return True
        if tol.get("key") == taint.get("key") and tol.get("value", "") == taint.get("value", ""):
            return True
    return False


class Scheduler(Controller):
    name = "default-scheduler"
    rtypes = ("pods", "nodes")

    def keys_for(self, event: Event) -> Iterable[Key]:
        if event.rtype == "nodes":
            if event.type != DELETED:
                return self._unscheduled()
            return ()
        if event.type != DELETED and self._wants_node(event.obj):
            return [key_of(event.obj)]
        if event.type == DELETED and (event.obj.get("spec") or {}).get("nodeName"):
            return self._unscheduled()  # its node has room again
        return ()

    def _wants_node(self, pod: Obj) -> bool:
        spec = pod.get("spec") or {}
        return (
            not spec.get("nodeName")
            and not meta(pod).get("deletionTimestamp")
            and spec.get("schedulerName", "default-scheduler") == "default-scheduler"
            and (pod.get("status") or {}).get("phase", "Pending") == "Pending"
        )

    def _unscheduled(self) -> list[Key]:
        return [key_of(p) for p in self.store.iter("pods") if self._wants_node(p)]

    def resync(self) -> None:
        for key in self._unscheduled():
            self.enqueue(key)

    def reconcile(self, key: Key) -> None:
        pod = self.store.get("pods", *key)
        if pod is None or not self._wants_node(pod):
            return
        nodes = sorted(self.store.iter("nodes"), key=lambda n: meta(n)["name"])
        fits: list[Obj] = []
        reasons: dict[str, int] = {}
        for node in nodes:
            why = self._unfit(pod, node)
            whys = [why] if why else self._insufficient(pod, node)
            for reason in whys:
                reasons[reason] = reasons.get(reason, 0) + 1
            if not whys:
                fits.append(node)
        if not fits:
            self._unschedulable(pod, len(nodes), reasons)
            return
        index = self.cluster.index
        best = min(fits, key=lambda n: (len(index.pods_on_node.get(meta(n)["name"], ())), meta(n)["name"]))
        self._bind(pod, meta(best)["name"])

    def _unfit(self, pod: Obj, node: Obj) -> str:
        spec = node.get("spec") or {}
        if not node_is_ready(node):
            return "node(s) had untolerated taint {node.kubernetes.io/not-ready: }"
        if spec.get("unschedulable"):
            return "node(s) were unschedulable"
        for taint in spec.get("taints") or []:
            if taint.get("effect") in ("NoSchedule", "NoExecute") and not tolerates(pod, taint):
                return f"node(s) had untolerated taint {{{taint.get('key')}: {taint.get('value', '')}}}"
        labels = meta(node).get("labels") or {}
        for k, v in ((pod.get("spec") or {}).get("nodeSelector") or {}).items():
            if labels.get(k) != v:
                return "node(s) didn't match Pod's node affinity/selector"
        cap = int(((node.get("status") or {}).get("allocatable") or {}).get("pods", "110"))
        if len(self.cluster.index.pods_on_node.get(meta(node)["name"], ())) >= cap:
            return "Too many pods"
        return ""

    def _insufficient(self, pod: Obj, node: Obj) -> list[str]:
        """The resources the pod requests more of than the node has left (NodeResourcesFit)."""
        wanted, _ = pod_requests_and_limits(pod)
        allocatable = (node.get("status") or {}).get("allocatable") or {}
        used: dict[str, Any] = {}
        for ns, name in self.cluster.index.pods_on_node.get(meta(node)["name"], ()):
            other = self.store.get("pods", ns, name)
            if other is None or (other.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                continue
            for resource, amount in pod_requests_and_limits(other)[0].items():
                used[resource] = used[resource] + amount if resource in used else amount
        out = []
        for resource in ("cpu", "memory", "ephemeral-storage"):
            request = wanted.get(resource)
            if request is None or request.value <= 0 or resource not in allocatable:
                continue
            taken = used[resource].value if resource in used else 0
            if taken + request.value > parse_quantity(allocatable[resource]).value:
                out.append(f"Insufficient {resource}")
        return out

    def _bind(self, pod: Obj, node: str) -> None:
        m = meta(pod)
        now = self.clock.stamp()
        spec = {**pod["spec"], "nodeName": node}
        status = dict(pod.get("status") or {})
        conditions = [c for c in status.get("conditions") or [] if c.get("type") != "PodScheduled"]
        conditions.append(
            {"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": now}
        )
        status["conditions"] = conditions
        bound = self.store.update("pods", {**pod, "spec": spec}, check_version=False)
        self.store.update("pods", {**bound, "status": status}, check_version=False, subresource="status")
        self.cluster.events.record(
            pod,
            "Scheduled",
            f"Successfully assigned {m.get('namespace')}/{m['name']} to {node}",
            component="default-scheduler",
        )

    def _unschedulable(self, pod: Obj, total: int, reasons: dict[str, int]) -> None:
        if total == 0:
            message = "no nodes available to schedule pods"
        else:
            parts = ", ".join(f"{n} {why}" for why, n in sorted(reasons.items()))
            message = (
                f"0/{total} nodes are available: {parts}. preemption: 0/{total} nodes are available: "
                f"{total} Preemption is not helpful for scheduling."
            )
        status = dict(pod.get("status") or {})
        conditions = [c for c in status.get("conditions") or [] if c.get("type") != "PodScheduled"]
        old = next((c for c in status.get("conditions") or [] if c.get("type") == "PodScheduled"), None)
        if old and old.get("message") == message:
            return
        conditions.append(
            {
                "type": "PodScheduled",
                "status": "False",
                "lastProbeTime": None,
                "lastTransitionTime": self.clock.stamp(),
                "reason": "Unschedulable",
                "message": message,
            }
        )
        status["conditions"] = conditions
        self.store.update("pods", {**pod, "status": status}, check_version=False, subresource="status")
        self.cluster.events.record(
            pod, "FailedScheduling", message, type="Warning", component="default-scheduler"
        )
