"""The StatefulSet and DaemonSet controllers, as far as a learner sees them: ordered pods ``NAME-0..N-1``
(created one at a time, each after the one before is Ready; removed from the highest ordinal down), and one
pod per schedulable node."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable

import orjson

from kubetui.sim.errors import ApiError
from kubetui.sim.store import DELETED, Event

from .base import Controller, Key, Obj, controlled_pods, controller_ref, key_of, meta, owner_ref
from .deletion import delete_object
from .replicaset import pod_is_active, pod_is_ready

STS = "statefulsets.apps"
DS = "daemonsets.apps"


REVISION_LABEL = "controller-revision-hash"


def template_hash(owner: Obj) -> str:
    """Names the pod template's revision, so that a changed template (a restart) replaces the pods."""
    template = (owner.get("spec") or {}).get("template") or {}
    digest = hashlib.sha256(orjson.dumps(template, option=orjson.OPT_SORT_KEYS)).hexdigest()
    return f"{meta(owner).get('name', '')}-{digest[:10]}"


def _outdated(owner: Obj, pod: Obj) -> bool:
    return (meta(pod).get("labels") or {}).get(REVISION_LABEL) != template_hash(owner)


def _template_pod(owner: Obj, name: str, labels: dict[str, str]) -> Obj:
    m = meta(owner)
    template = copy.deepcopy((owner.get("spec") or {}).get("template") or {})
    tmeta = template.get("metadata") or {}
    pod: Obj = {
        "metadata": {
            "name": name,
            "namespace": m.get("namespace") or "default",
            "labels": {**(tmeta.get("labels") or {}), **labels, REVISION_LABEL: template_hash(owner)},
            "ownerReferences": [owner_ref(owner)],
        },
        "spec": template.get("spec") or {},
    }
    if tmeta.get("annotations"):
        pod["metadata"]["annotations"] = dict(tmeta["annotations"])
    return pod


class _OwnerController(Controller):
    """Shared: keys from the owner's events and from its pods' controller references."""

    owner_key = ""
    owner_kind = ""
    name_stream = ""  # the random stream for pod names, followed by the owner's name ("" for none)

    def keys_for(self, event: Event) -> Iterable[Key]:
        if event.rtype == self.owner_key:
            if event.type == DELETED and self.name_stream:
                self.clock.forget(self.name_stream + meta(event.obj)["name"])
            return [key_of(event.obj)]
        keys = []
        for obj in (event.obj, event.old):
            ref = controller_ref(obj) if obj else None
            if obj and ref and ref.get("kind") == self.owner_kind:
                keys.append((meta(obj).get("namespace") or "", ref["name"]))
        return keys

    def resync(self) -> None:
        for owner in self.store.iter(self.owner_key):
            self.enqueue(key_of(owner))

    def pods_of(self, owner: Obj) -> list[Obj]:
        return controlled_pods(self.cluster, owner)

    def _create(self, owner: Obj, pod: Obj) -> bool:
        try:
            self.cluster.admit("pods", pod, None)
            created = self.store.create("pods", pod)
        except ApiError as exc:
            self.cluster.events.record(
                owner,
                "FailedCreate",
                f"create Pod {meta(pod)['name']} failed: {exc.message}",
                type="Warning",
                component=self.name,
            )
            return False
        self.cluster.events.record(
            owner,
            "SuccessfulCreate",
            f"create Pod {meta(created)['name']} in {self.owner_kind} {meta(owner)['name']} successful",
            component=self.name,
        )
        return True

    def _delete(self, owner: Obj, pod: Obj) -> None:
        name = meta(pod)["name"]
        try:
            delete_object(self.cluster, "pods", meta(pod).get("namespace") or "", name)
        except ApiError as exc:
            if exc.code != 404:
                raise
        self.cluster.events.record(
            owner,
            "SuccessfulDelete",
            f"delete Pod {name} in {self.owner_kind} {meta(owner)['name']} successful",
            component=self.name,
        )

    def _write_status(self, owner: Obj, status: Obj) -> None:
        status = {k: v for k, v in status.items() if v or k in ("replicas", "observedGeneration")}
        old = owner.get("status") or {}
        if old.get("conditions"):
            status["conditions"] = old["conditions"]
        if status != old:
            self.store.update(
                self.owner_key, {**owner, "status": status}, check_version=False, subresource="status"
            )


class StatefulSetController(_OwnerController):
    name = "statefulset-controller"
    rtypes = (STS, "pods")
    owner_key = STS
    owner_kind = "StatefulSet"

    async def reconcile(self, key: Key) -> None:
        sts = self.store.get(STS, *key)
        if sts is None:
            return
        name = meta(sts)["name"]
        want = int((sts.get("spec") or {}).get("replicas", 1))
        pods = {meta(p)["name"]: p for p in self.pods_of(sts)}
        active = [p for p in pods.values() if pod_is_active(p)]
        terminating = any(meta(p).get("deletionTimestamp") for p in pods.values())
        if not meta(sts).get("deletionTimestamp") and not terminating:
            # OrderedReady: one change at a time, each waiting for the pods before it to be Ready.
            missing = next((i for i in range(want) if f"{name}-{i}" not in pods), None)
            extra = sorted(
                (p for p in active if _ordinal(name, meta(p)["name"]) >= want),
                key=lambda p: _ordinal(name, meta(p)["name"]),
            )
            if missing is not None and all(pod_is_ready(pods[f"{name}-{i}"]) for i in range(missing)):
                pod_name = f"{name}-{missing}"
                pod = _template_pod(
                    sts,
                    pod_name,
                    {
                        "statefulset.kubernetes.io/pod-name": pod_name,
                        "apps.kubernetes.io/pod-index": str(missing),
                    },
                )
                pod["spec"]["hostname"] = pod_name
                if (sts.get("spec") or {}).get("serviceName"):
                    pod["spec"]["subdomain"] = sts["spec"]["serviceName"]
                self._create(sts, pod)
            elif missing is None and extra and all(pod_is_ready(p) for p in active if p not in extra):
                self._delete(sts, extra[-1])  # the highest ordinal first
            elif missing is None and all(pod_is_ready(p) for p in active):
                # RollingUpdate: replace pods of an old template from the highest ordinal down, one at a time
                old = [p for p in active if _outdated(sts, p)]
                if old:
                    self._delete(sts, max(old, key=lambda p: _ordinal(name, meta(p)["name"])))
        sts = self.store.get(STS, *key)
        if sts is None:
            return
        active = [p for p in self.pods_of(sts) if pod_is_active(p)]
        ready = sum(1 for p in active if pod_is_ready(p))
        self._write_status(
            sts,
            {
                "replicas": len(active),
                "readyReplicas": ready,
                "currentReplicas": len(active),
                "updatedReplicas": sum(1 for p in active if not _outdated(sts, p)),
                "availableReplicas": ready,
                "observedGeneration": meta(sts).get("generation", 1),
            },
        )


def _ordinal(set_name: str, pod_name: str) -> int:
    suffix = pod_name.removeprefix(f"{set_name}-")
    return int(suffix) if suffix.isdigit() else -1


def _schedulable(node: Obj, selector: dict[str, str]) -> bool:
    if (node.get("spec") or {}).get("unschedulable"):
        return False
    labels = meta(node).get("labels") or {}
    return all(labels.get(k) == v for k, v in selector.items())


# What the DaemonSet controller adds to every pod's tolerations: a daemon stays on its node whatever the node's
# condition (AddOrUpdateDaemonPodTolerations in the real controller).
DAEMON_TOLERATIONS = (
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
)


def _add_daemon_tolerations(spec: Obj) -> None:
    tolerations = list(spec.get("tolerations") or [])
    wanted = [*DAEMON_TOLERATIONS]
    if spec.get("hostNetwork"):
        wanted.append(("node.kubernetes.io/network-unavailable", "NoSchedule"))
    for key, effect in wanted:
        toleration = {"key": key, "operator": "Exists", "effect": effect}
        if not any(t.get("key") == key and t.get("effect") == effect for t in tolerations):
            tolerations.append(toleration)
    spec["tolerations"] = tolerations


class DaemonSetController(_OwnerController):
    name = "daemonset-controller"
    rtypes = (DS, "pods", "nodes")
    owner_key = DS
    owner_kind = "DaemonSet"
    name_stream = "ds/"

    def keys_for(self, event: Event) -> Iterable[Key]:
        if event.rtype == "nodes":  # a node came or went: every DaemonSet looks again
            return [key_of(ds) for ds in self.store.iter(DS)]
        return super().keys_for(event)

    async def reconcile(self, key: Key) -> None:
        ds = self.store.get(DS, *key)
        if ds is None:
            return
        spec = ((ds.get("spec") or {}).get("template") or {}).get("spec") or {}
        selector = spec.get("nodeSelector") or {}
        nodes = {meta(n)["name"] for n in self.store.iter("nodes") if _schedulable(n, selector)}
        pods = [p for p in self.pods_of(ds) if pod_is_active(p)]
        on_node = {(p.get("spec") or {}).get("nodeName"): p for p in pods}
        if not meta(ds).get("deletionTimestamp"):
            for node in sorted(nodes - set(on_node)):
                pod = _template_pod(ds, "", {})
                pod["metadata"].pop("name")
                pod["metadata"]["generateName"] = f"{meta(ds)['name']}-"
                pod["metadata"]["name"] = (
                    f"{meta(ds)['name']}-{self.clock.suffix(self.name_stream + meta(ds)['name'])}"
                )
                pod["spec"]["nodeName"] = node  # bound to its node, as the DaemonSet's affinity makes it
                _add_daemon_tolerations(pod["spec"])
                self._create(ds, pod)
            for node, pod in on_node.items():
                if node not in nodes:
                    self._delete(ds, pod)
            # RollingUpdate with maxUnavailable 1: one pod of an old template at a time, once the rest are ready
            old = [p for n, p in on_node.items() if n in nodes and _outdated(ds, p)]
            if old and all(pod_is_ready(p) for p in pods if p not in old):
                self._delete(ds, old[0])
        ds = self.store.get(DS, *key)
        if ds is None:
            return
        pods = [p for p in self.pods_of(ds) if pod_is_active(p)]
        ready = sum(1 for p in pods if pod_is_ready(p))
        self._write_status(
            ds,
            {
                "desiredNumberScheduled": len(nodes),
                "currentNumberScheduled": len(pods),
                "numberReady": ready,
                "updatedNumberScheduled": sum(1 for p in pods if not _outdated(ds, p)),
                "numberAvailable": ready,
                "numberMisscheduled": 0,
                "observedGeneration": meta(ds).get("generation", 1),
            },
        )
