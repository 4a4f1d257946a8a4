"""The ReplicaSet controller: keeps ``spec.replicas`` pods alive from the template and reports their status."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterable
from typing import TYPE_CHECKING

from kubetui.sim.clock import parse_time
from kubetui.sim.errors import ApiError
from kubetui.sim.store import ADDED, DELETED, Event

from .base import (
    Controller,
    Key,
    Obj,
    controlled_pods,
    controller_ref,
    key_of,
    meta,
    owner_ref,
    selector_matches,
)
from .deletion import delete_object

if TYPE_CHECKING:
    from kubetui.sim.cluster import SimCluster

RS = "replicasets.apps"
# The real controller's burstReplicas: at most this many pods are created or deleted in one sync.
BURST_REPLICAS = 500
# Simulated seconds before the next sync of a ReplicaSet still short of (or over) its replicas.
NEXT_BURST = 0.5
YIELD_EVERY = 16  # pods created between two chances for the API server to answer


def pod_is_active(pod: Obj) -> bool:
    return not meta(pod).get("deletionTimestamp") and (pod.get("status") or {}).get("phase") not in (
        "Succeeded",
        "Failed",
    )


def pod_condition(pod: Obj, ctype: str) -> dict | None:
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == ctype:
            return cond
    return None


def pod_is_ready(pod: Obj) -> bool:
    cond = pod_condition(pod, "Ready")
    return bool(cond and cond.get("status") == "True")


def ready_for(pod: Obj, now: float, precise_since: float | None = None) -> float | None:
    """Seconds (wall-clock) the pod has been Ready, or None when it is not ready."""
    cond = pod_condition(pod, "Ready")
    if not cond or cond.get("status") != "True":
        return None
    since = precise_since or parse_time(cond.get("lastTransitionTime")) or now
    return max(0.0, now - since)


class ReplicaSetController(Controller):
    name = "replicaset-controller"
    rtypes = ("replicasets.apps", "pods")

    def __init__(self, cluster: SimCluster) -> None:
        super().__init__(cluster)
        # Pods without a controller that a ReplicaSet's selector matched, for its next sync to adopt.
        self._orphans: dict[Key, set[Key]] = {}

    def keys_for(self, event: Event) -> Iterable[Key]:
        if event.rtype == RS:
            if event.type == ADDED:
                self._note_orphans(event.obj)  # pods made before their ReplicaSet
            elif event.type == DELETED:
                self.clock.forget(_name_stream(event.obj))
            return [key_of(event.obj)]
        keys = []
        for obj in (event.obj, event.old):
            ref = controller_ref(obj) if obj else None
            if obj and ref and ref.get("kind") == "ReplicaSet":
                keys.append((meta(obj).get("namespace") or "", ref["name"]))
        if event.type != DELETED and not controller_ref(event.obj):
            for rs in self._selecting(event.obj):  # an orphan some ReplicaSet may adopt
                self._orphans.setdefault(key_of(rs), set()).add(key_of(event.obj))
                keys.append(key_of(rs))
        return keys

    def _note_orphans(self, rs: Obj) -> None:
        selector = (rs.get("spec") or {}).get("selector")
        for pod in self.store.list("pods", meta(rs).get("namespace") or ""):
            if not controller_ref(pod) and selector_matches(selector, meta(pod).get("labels") or {}):
                self._orphans.setdefault(key_of(rs), set()).add(key_of(pod))

    def _selecting(self, pod: Obj) -> list[Obj]:
        labels = meta(pod).get("labels") or {}
        return [
            rs
            for rs in self.store.list(RS, meta(pod).get("namespace") or "")
            if selector_matches((rs.get("spec") or {}).get("selector"), labels)
        ]

    def _claim(self, rs: Obj, pods: list[Obj]) -> list[Obj]:
        """The pods a ReplicaSet controls after adopting matching orphans and releasing owned pods whose labels
        no longer match, as the real controller's ControllerRefManager does."""
        selector = (rs.get("spec") or {}).get("selector")
        kept = []
        for pod in pods:
            if selector_matches(selector, meta(pod).get("labels") or {}):
                kept.append(pod)
            elif not meta(pod).get("deletionTimestamp"):
                refs = [r for r in meta(pod).get("ownerReferences") or [] if r.get("uid") != meta(rs)["uid"]]
                self._set_owners(pod, refs)
        if meta(rs).get("deletionTimestamp"):
            return kept
        for pod_key in sorted(self._orphans.pop(key_of(rs), ())):
            orphan = self.store.get("pods", *pod_key)
            if orphan is None:
                continue
            m = meta(orphan)
            if controller_ref(orphan) or m.get("deletionTimestamp") or not pod_is_active(orphan):
                continue
            if selector_matches(selector, m.get("labels") or {}):
                kept.append(self._set_owners(orphan, [*(m.get("ownerReferences") or []), owner_ref(rs)]))
        return kept

    def _set_owners(self, pod: Obj, refs: list[Obj]) -> Obj:
        m = {**meta(pod), "ownerReferences": refs}
        if not refs:
            del m["ownerReferences"]
        return self.store.update("pods", {**pod, "metadata": m}, check_version=False)

    def resync(self) -> None:
        for rs in self.store.iter(RS):
            self.enqueue(key_of(rs))

    def pods_of(self, rs: Obj) -> list[Obj]:
        return controlled_pods(self.cluster, rs)

    async def reconcile(self, key: Key) -> None:
        rs = self.store.get(RS, *key)
        if rs is None:
            return
        pods = self._claim(rs, self.pods_of(rs))
        active = [p for p in pods if pod_is_active(p)]
        spec = rs.get("spec") or {}
        want = int(spec.get("replicas", 1))
        if not meta(rs).get("deletionTimestamp"):
            diff = want - len(active)
            if diff > 0:
                burst = min(diff, BURST_REPLICAS)
                created = await self._create_batches(key, burst, active)
                if created < diff:  # more to make, or a creation failed: try again after a pause
                    self.enqueue_after(key, NEXT_BURST)
            elif diff < 0:
                for pod in self._victims(active, min(-diff, BURST_REPLICAS)):
                    self._delete_pod(rs, pod)
                    active.remove(pod)
                if -diff > BURST_REPLICAS:
                    self.enqueue_after(key, NEXT_BURST)
        rs = self.store.get(RS, *key)  # the batches yielded: read it again before writing its status
        if rs is not None:
            self._update_status(rs, active)

    async def _create_batches(self, key: Key, count: int, active: list[Obj]) -> int:
        """Create ``count`` pods in slow-start batches (1, 2, 4, ...) as the real controller does.

        The first failure ends the sync, so a cluster that refuses pods gets one error, not ``count``; between
        batches the API server answers other requests.
        """
        done, batch = 0, 1
        while done < count:
            rs = self.store.get(RS, *key)
            if rs is None or meta(rs).get("deletionTimestamp"):
                break
            for i in range(min(batch, count - done)):
                if i and i % YIELD_EVERY == 0:
                    await asyncio.sleep(0)  # a batch of 256 must not hold the API server for a second
                try:
                    active.append(self._create_pod(rs))
                except ApiError as exc:
                    self.cluster.events.record(
                        rs,
                        "FailedCreate",
                        f"Error creating: {exc.message}",
                        type="Warning",
                        component="replicaset-controller",
                    )
                    return done
                done += 1
            batch *= 2
            await asyncio.sleep(0)
        return done

    # -- pods ----------------------------------------------------------------------------------------------

    def _create_pod(self, rs: Obj) -> Obj:
        m = meta(rs)
        template = copy.deepcopy((rs.get("spec") or {}).get("template") or {})
        tmeta = template.get("metadata") or {}
        pod = {
            "metadata": {
                "generateName": f"{m['name']}-",
                "namespace": m.get("namespace") or "default",
                "labels": dict(tmeta.get("labels") or {}),
                "ownerReferences": [owner_ref(rs)],
            },
            "spec": template.get("spec") or {},
        }
        if tmeta.get("annotations"):
            pod["metadata"]["annotations"] = dict(tmeta["annotations"])
        self.cluster.admit("pods", pod, None)
        for _ in range(20):
            # One random stream per ReplicaSet: names stay the same for a seed however controllers interleave.
            pod["metadata"]["name"] = f"{m['name']}-{self.clock.suffix(_name_stream(rs))}"
            try:
                created = self.store.create("pods", pod)
                break
            except ApiError as exc:
                if exc.code != 409:
                    raise
        else:
            raise ApiError(500, "InternalError", "could not generate a unique pod name")
        self.cluster.events.record(
            rs,
            "SuccessfulCreate",
            f"Created pod: {created['metadata']['name']}",
            component="replicaset-controller",
        )
        return created

    def _victims(self, pods: list[Obj], n: int) -> list[Obj]:
        """Which pods to delete first, as the controller ranks them: unscheduled, pending, not ready, newest."""

        def rank(pod: Obj) -> tuple:
            spec, status = pod.get("spec") or {}, pod.get("status") or {}
            phase_rank = {"Pending": 0, "Unknown": 1, "Running": 2}.get(status.get("phase", ""), 0)
            restarts = sum(c.get("restartCount", 0) for c in status.get("containerStatuses") or [])
            created = meta(pod).get("creationTimestamp") or ""
            return (
                1 if spec.get("nodeName") else 0,
                phase_rank,
                1 if pod_is_ready(pod) else 0,
                -restarts,
                _neg(created),
                _neg(meta(pod).get("name", "")),
            )

        return sorted(pods, key=rank)[:n]

    def _delete_pod(self, rs: Obj, pod: Obj) -> None:
        name = meta(pod)["name"]
        try:
            delete_object(self.cluster, "pods", meta(pod).get("namespace") or "", name)
        except ApiError as exc:
            if exc.code != 404:
                raise
        self.cluster.events.record(
            rs, "SuccessfulDelete", f"Deleted pod: {name}", component="replicaset-controller"
        )

    # -- status --------------------------------------------------------------------------------------------

    def _update_status(self, rs: Obj, active: list[Obj]) -> None:
        spec = rs.get("spec") or {}
        min_ready = float(spec.get("minReadySeconds") or 0)
        labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
        now = self.clock.now()
        ready = available = labelled = 0
        wait: float | None = None
        for pod in active:
            pod_labels = meta(pod).get("labels") or {}
            if all(pod_labels.get(k) == v for k, v in labels.items()):
                labelled += 1
            kubelet = self.cluster.kubelet
            for_secs = ready_for(pod, now, kubelet.ready_since(pod) if kubelet is not None else None)
            if for_secs is None:
                continue
            ready += 1
            sim_ready = for_secs * self.clock.speed
            if sim_ready >= min_ready:
                available += 1
            else:
                left = min_ready - sim_ready
                wait = left if wait is None else min(wait, left)
        if wait is not None:
            self.enqueue_after(key_of(rs), wait + 0.01)
        old = rs.get("status") or {}
        status = {
            "replicas": len(active),
            "fullyLabeledReplicas": labelled,
            "readyReplicas": ready,
            "availableReplicas": available,
            "observedGeneration": meta(rs).get("generation", 1),
        }
        if old.get("conditions"):
            status["conditions"] = old["conditions"]
        # Kubernetes omits zero counts from the serialized status.
        status = {k: v for k, v in status.items() if v or k in ("replicas", "observedGeneration")}
        if status != old:
            self.store.update(RS, {**rs, "status": status}, check_version=False, subresource="status")


def _neg(text: str) -> tuple[int, ...]:
    """Sorts strings descending inside an ascending sort key."""
    return tuple(-ord(ch) for ch in text)


def rs_selects(rs: Obj, pod: Obj) -> bool:
    return selector_matches((rs.get("spec") or {}).get("selector"), meta(pod).get("labels"))


def _name_stream(rs: Obj) -> str:
    """The random stream a ReplicaSet's pod names are drawn from."""
    return "pod-names/" + meta(rs)["name"]
