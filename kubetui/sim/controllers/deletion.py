"""Deleting objects the way the API server does: grace periods for pods, finalizers, propagation policies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kubetui.sim import errors

from .base import Obj, meta

if TYPE_CHECKING:
    from kubetui.sim.cluster import SimCluster

FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"


def default_propagation(rtype: str) -> str:
    return "Background"


def delete_object(
    cluster: SimCluster,
    rtype: str,
    namespace: str,
    name: str,
    *,
    propagation: str | None = None,
    grace_seconds: int | None = None,
    uid: str | None = None,
) -> Obj:
    """Starts (or finishes) the deletion of an object and returns what the API answers with.

    Pods on a node get ``deletionTimestamp`` and are removed by their kubelet after the grace period;
    ``Foreground``/``Orphan`` add the garbage collector's finalizers; namespaces get emptied by the namespace
    controller first; everything else goes at once and the garbage collector deletes its dependents.
    """
    store = cluster.store
    obj = store.must_get(rtype, namespace, name)
    m = meta(obj)
    if uid and m.get("uid") != uid:
        raise errors.conflict(store.rtype(rtype).plural, name, store.rtype(rtype).group)
    propagation = propagation or default_propagation(rtype)
    if propagation not in ("Background", "Foreground", "Orphan"):
        raise errors.bad_request(f"unsupported propagation policy {propagation!r}")
    finalizers: list[str] = list(m.get("finalizers") or [])
    # As kube-apiserver does, the finalizer goes on whether or not there are dependents; the garbage collector
    # takes it off once it has handled them (at once when there are none).
    if propagation == "Foreground" and FOREGROUND not in finalizers:
        finalizers.append(FOREGROUND)
    if propagation == "Orphan" and ORPHAN not in finalizers:
        finalizers.append(ORPHAN)
    now = cluster.clock.now()
    if m.get("deletionTimestamp"):
        if rtype == "pods" and grace_seconds == 0:
            return _finish_pod(cluster, obj)
        if finalizers != list(m.get("finalizers") or []):
            return store.update(rtype, _with_meta(obj, finalizers=finalizers), check_version=False)
        return obj
    if rtype == "pods":
        spec = obj.get("spec") or {}
        grace = spec.get("terminationGracePeriodSeconds", 30) if grace_seconds is None else grace_seconds
        phase = (obj.get("status") or {}).get("phase")
        # A pod no kubelet runs (unscheduled or finished) has nothing to stop: it goes at once.
        if grace > 0 and spec.get("nodeName") and phase not in ("Succeeded", "Failed"):
            return store.update(
                rtype,
                _with_meta(
                    obj,
                    finalizers=finalizers,
                    deletionTimestamp=cluster.clock.stamp(now + cluster.clock.wall(grace)),
                    deletionGracePeriodSeconds=grace,
                ),
                check_version=False,
            )
    if rtype == "namespaces":
        updated = _with_meta(obj, deletionTimestamp=cluster.clock.stamp(now))
        updated["status"] = {"phase": "Terminating"}
        return store.update(rtype, updated, check_version=False, subresource="")
    if finalizers:
        return store.update(
            rtype,
            _with_meta(
                obj,
                finalizers=finalizers,
                deletionTimestamp=cluster.clock.stamp(now),
                deletionGracePeriodSeconds=0,
            ),
            check_version=False,
        )
    return store.delete(rtype, namespace, name)


def _finish_pod(cluster: SimCluster, obj: Obj) -> Obj:
    m = meta(obj)
    if m.get("finalizers"):
        return obj
    return cluster.store.delete("pods", m.get("namespace") or "", m["name"])


def _with_meta(obj: Obj, **changes: Any) -> Obj:
    m = dict(meta(obj))
    for k, v in changes.items():
        if v in (None, []) and k == "finalizers":
            m.pop(k, None)
        else:
            m[k] = v
    return {**obj, "metadata": m}


def remove_finalizer(cluster: SimCluster, rtype: str, obj: Obj, finalizer: str) -> Obj | None:
    """Drops one finalizer; an object being deleted with none left is removed, as the API server does."""
    m = meta(obj)
    finalizers = [f for f in m.get("finalizers") or [] if f != finalizer]
    if not finalizers and m.get("deletionTimestamp") and rtype != "namespaces":
        if rtype == "pods" and (obj.get("spec") or {}).get("nodeName"):
            # The kubelet still has to stop the containers; it deletes the pod afterwards.
            return cluster.store.update(rtype, _with_meta(obj, finalizers=None), check_version=False)
        return cluster.store.delete(rtype, m.get("namespace") or "", m["name"])
    return cluster.store.update(rtype, _with_meta(obj, finalizers=finalizers or None), check_version=False)
