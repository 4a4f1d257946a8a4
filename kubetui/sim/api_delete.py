"""Deletion as the API server does it: preconditions, graceful pod termination, propagation finalizers, namespaces."""

from __future__ import annotations

import asyncio
import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from kubetui.sim import errors
from kubetui.sim.resources import RESOURCE_TYPES, ResourceType
from kubetui.sim.store import ObjectStore

Obj = dict[str, Any]

PROTECTED_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
_tasks: set[asyncio.Task[None]] = set()


def _later(stamp: str, seconds: int) -> str:
    try:
        base = datetime.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        base = datetime.now(UTC)
    return (base + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_preconditions(rt: ResourceType, obj: Obj, options: Obj) -> None:
    pre = options.get("preconditions") or {}
    meta = obj["metadata"]
    if pre.get("uid") and pre["uid"] != meta["uid"]:
        raise errors.ApiError(
            409,
            "Conflict",
            f'Operation cannot be fulfilled on {rt.plural} "{meta["name"]}": Precondition failed: UID in '
            f"precondition: {pre['uid']}, UID in object meta: {meta['uid']}",
            kind=rt.plural,
            name=meta["name"],
            group=rt.group,
        )
    if pre.get("resourceVersion") and pre["resourceVersion"] != meta["resourceVersion"]:
        raise errors.ApiError(
            409,
            "Conflict",
            f'Operation cannot be fulfilled on {rt.plural} "{meta["name"]}": Precondition failed: ResourceVersion '
            f"in precondition: {pre['resourceVersion']}, ResourceVersion in object meta: {meta['resourceVersion']}",
            kind=rt.plural,
            name=meta["name"],
            group=rt.group,
        )


def check_delete(rt: ResourceType, obj: Obj, options: Obj) -> None:
    """What refuses a deletion before anything happens: preconditions and the system namespaces."""
    name = obj["metadata"]["name"]
    _check_preconditions(rt, obj, options)
    if rt.key == "namespaces" and name in PROTECTED_NAMESPACES:
        raise errors.ApiError(
            403,
            "Forbidden",
            f'namespaces "{name}" is forbidden: this namespace may not be deleted',
            kind="namespaces",
            name=name,
        )


def propagation(options: Obj) -> str:
    policy = options.get("propagationPolicy")
    return str(policy) if policy else ("Orphan" if options.get("orphanDependents") else "Background")


def delete(store: ObjectStore, rt: ResourceType, obj: Obj, options: Obj, *, dry: bool = False) -> Obj:
    """Deletes or starts deleting ``obj``; returns what the API answers with (the object's last state).

    Used for dry runs and for clusters without a ``delete`` of their own (SimCluster has one).
    """
    meta = obj["metadata"]
    name = meta["name"]
    check_delete(rt, obj, options)
    policy = propagation(options)
    grace = options.get("gracePeriodSeconds")
    now = store.clock()
    finalizers = list(meta.get("finalizers") or [])
    if policy == "Orphan" and "orphan" not in finalizers:
        finalizers.append("orphan")
    if policy == "Foreground" and "foregroundDeletion" not in finalizers:
        finalizers.append("foregroundDeletion")
    new = copy.deepcopy(obj)
    nmeta = new["metadata"]
    spec = obj.get("spec") or {}
    phase = (obj.get("status") or {}).get("phase")
    graceful_pod = (
        rt.key == "pods" and spec.get("nodeName") and phase not in ("Succeeded", "Failed") and grace != 0
    )
    if rt.key == "namespaces":
        nmeta.setdefault("deletionTimestamp", now)
        nmeta["deletionGracePeriodSeconds"] = 0
        new["status"] = {**(new.get("status") or {}), "phase": "Terminating"}
        if dry:
            return new
        if meta.get("deletionTimestamp"):
            return obj
        stored = store.update("namespaces", new, check_version=False)
        _spawn(_finalize_namespace(store, name))
        return stored
    if graceful_pod or finalizers:
        if meta.get("deletionTimestamp"):
            if grace == 0 and not finalizers:
                return obj if dry else store.delete(rt.key, meta.get("namespace") or "", name)
            return obj  # already being deleted
        seconds = 0
        if graceful_pod:
            default = spec.get("terminationGracePeriodSeconds")
            seconds = int(grace if grace is not None else (default if default is not None else 30))
        nmeta["deletionTimestamp"] = _later(now, seconds)
        nmeta["deletionGracePeriodSeconds"] = seconds
        if finalizers:
            nmeta["finalizers"] = finalizers
        if rt.has_generation:
            nmeta["generation"] = int(meta.get("generation", 1)) + 1
        if dry:
            return new
        return store.update(rt.key, new, check_version=False)
    if dry:
        return obj
    return store.delete(rt.key, meta.get("namespace") or "", name)


def finish_if_released(store: ObjectStore, rt: ResourceType, obj: Obj) -> Obj:
    """An object being deleted whose last finalizer was just removed goes away, as in Kubernetes."""
    meta = obj["metadata"]
    if not meta.get("deletionTimestamp") or meta.get("finalizers") or rt.key == "namespaces":
        return obj
    if rt.key == "pods" and meta.get("deletionGracePeriodSeconds"):
        return obj  # the kubelet removes it when the containers have stopped
    if store.get(rt.key, meta.get("namespace") or "", meta["name"]) is not obj:
        return obj
    return store.delete(rt.key, meta.get("namespace") or "", meta["name"])


def _spawn(coro: Any) -> None:
    try:
        task = asyncio.get_running_loop().create_task(coro)
    except RuntimeError:
        coro.close()
        return
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


# Owners first, so their controllers do not recreate what is being removed.
_NAMESPACE_ORDER = sorted(
    (rt for rt in RESOURCE_TYPES if rt.namespaced),
    key=lambda rt: rt.key not in ("deployments.apps", "replicasets.apps"),
)


async def _finalize_namespace(store: ObjectStore, name: str) -> None:
    """The namespace controller's job: delete everything in the namespace, then the namespace itself."""
    for _ in range(36000):
        if store.get("namespaces", "", name) is None:
            return
        remaining = 0
        for rt in _NAMESPACE_ORDER:
            for obj in store.list(rt.key, name):
                remaining += 1
                if not obj["metadata"].get("deletionTimestamp"):
                    try:
                        delete(store, rt, obj, {"propagationPolicy": "Background"})
                    except errors.ApiError:
                        pass
        if remaining == 0:
            ns = store.get("namespaces", "", name)
            if ns is not None:
                store.delete("namespaces", "", name)
            return
        await asyncio.sleep(0.2)
