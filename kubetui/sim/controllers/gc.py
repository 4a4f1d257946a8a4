"""The garbage collector (ownerReferences: Background, Foreground and Orphan deletion) and the controller that
gives every namespace its ``default`` ServiceAccount and ``kube-root-ca.crt`` ConfigMap."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from kubetui.sim.errors import ApiError
from kubetui.sim.resources import BY_KEY
from kubetui.sim.store import ADDED, DELETED, Event

from .base import Controller, Key, Obj, key_of, meta
from .deletion import FOREGROUND, ORPHAN, delete_object, remove_finalizer

if TYPE_CHECKING:
    from kubetui.sim.cluster import SimCluster

GONE = "gone"  # key ("gone", owner uid): the owner no longer exists
FINAL = "final"  # key ("final", "rtype|namespace|name"): an owner waiting on its GC finalizers


def _final_key(rtype: str, obj: Obj) -> Key:
    ns, name = key_of(obj)
    return (FINAL, f"{rtype}|{ns}|{name}")


class GarbageCollector(Controller):
    name = "garbagecollector"
    rtypes = tuple(k for k in BY_KEY if k != "events")

    def keys_for(self, event: Event) -> Iterable[Key]:
        keys: list[Key] = []
        m = meta(event.obj)
        if event.type == DELETED:
            keys.append((GONE, m.get("uid", "")))
            # A dependent going away may be what an owner in foreground deletion waits for.
            for ref in m.get("ownerReferences") or []:
                owner = self.cluster.index.uids.get(ref.get("uid", ""))
                if owner is not None:
                    keys.append((FINAL, "|".join(owner)))
        elif m.get("deletionTimestamp") and {FOREGROUND, ORPHAN} & set(m.get("finalizers") or []):
            keys.append(_final_key(event.rtype, event.obj))
        else:
            # An owner that does not exist: checked again a moment later (it may be on its way), then the
            # dependent is collected.
            for ref in m.get("ownerReferences") or []:
                if ref.get("uid") and ref["uid"] not in self.cluster.index.uids:
                    self.enqueue_after((GONE, ref["uid"]), DANGLING_GRACE)
        return keys

    def resync(self) -> None:
        index = self.cluster.index
        for uid in list(index.dependents):
            if uid not in index.uids:
                self.enqueue((GONE, uid))
        for rtype in self.rtypes:
            for obj in self.store.iter(rtype):
                m = meta(obj)
                if m.get("deletionTimestamp") and {FOREGROUND, ORPHAN} & set(m.get("finalizers") or []):
                    self.enqueue(_final_key(rtype, obj))

    def reconcile(self, key: Key) -> None:
        if key[0] == GONE:
            self._owner_gone(key[1])
        else:
            rtype, ns, name = key[1].split("|", 2)
            self._finalize(rtype, ns, name)

    def _owner_gone(self, uid: str) -> None:
        index = self.cluster.index
        if not uid or uid in index.uids:
            return
        for rtype, ns, name in sorted(index.dependents.get(uid, ())):
            obj = self.store.get(rtype, ns, name)
            if obj is None:
                continue
            refs = meta(obj).get("ownerReferences") or []
            alive = [r for r in refs if r.get("uid") != uid and r.get("uid") in index.uids]
            if alive:
                self._set_owner_refs(rtype, obj, alive)
            elif not meta(obj).get("deletionTimestamp"):
                with contextlib.suppress(ApiError):
                    delete_object(self.cluster, rtype, ns, name, propagation="Background")

    def _finalize(self, rtype: str, ns: str, name: str) -> None:
        obj = self.store.get(rtype, ns, name)
        if obj is None or not meta(obj).get("deletionTimestamp"):
            return
        uid = meta(obj).get("uid", "")
        finalizers = meta(obj).get("finalizers") or []
        deps = sorted(self.cluster.index.dependents.get(uid, ()))
        if ORPHAN in finalizers:
            for drt, dns, dname in deps:
                dep = self.store.get(drt, dns, dname)
                if dep is not None:
                    refs = [r for r in meta(dep).get("ownerReferences") or [] if r.get("uid") != uid]
                    self._set_owner_refs(drt, dep, refs)
            obj = self.store.get(rtype, ns, name)
            if obj is not None:
                remove_finalizer(self.cluster, rtype, obj, ORPHAN)
            return
        if FOREGROUND in finalizers:
            if not deps:
                remove_finalizer(self.cluster, rtype, obj, FOREGROUND)
                return
            for drt, dns, dname in deps:
                dep = self.store.get(drt, dns, dname)
                if dep is not None and not meta(dep).get("deletionTimestamp"):
                    with contextlib.suppress(ApiError):
                        delete_object(self.cluster, drt, dns, dname, propagation="Foreground")

    def _set_owner_refs(self, rtype: str, obj: Obj, refs: list[dict]) -> None:
        m = dict(meta(obj))
        if refs:
            m["ownerReferences"] = refs
        else:
            m.pop("ownerReferences", None)
        with contextlib.suppress(ApiError):
            self.store.update(rtype, {**obj, "metadata": m}, check_version=False)


ROOT_CA = (
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAjMSEwHwYDVQQDDBhrdWJldHVp\n"
    "LXNpbS1zZXJ2ZXItY2FAMTcwMDAeFw0yNDAxMDEwMDAwMDBaFw0zNDAxMDEwMDAw\n"
    "-----END CERTIFICATE-----\n"
)


class NamespaceDefaults(Controller):
    """What the serviceaccount and root-ca-cert publisher controllers put into every namespace."""

    name = "serviceaccount-controller"
    rtypes = ("namespaces", "serviceaccounts", "configmaps")

    def keys_for(self, event: Event) -> Iterable[Key]:
        if event.rtype == "namespaces":
            return [("", meta(event.obj)["name"])] if event.type == ADDED else ()
        if event.type == DELETED:
            return [("", meta(event.obj).get("namespace") or "")]
        return ()

    def resync(self) -> None:
        for ns in self.store.iter("namespaces"):
            self.enqueue(("", meta(ns)["name"]))

    def reconcile(self, key: Key) -> None:
        ns = self.store.get("namespaces", "", key[1])
        if ns is None or meta(ns).get("deletionTimestamp"):
            return
        name = key[1]
        if self.store.get("serviceaccounts", name, "default") is None:
            with contextlib.suppress(ApiError):
                self.store.create("serviceaccounts", {"metadata": {"name": "default", "namespace": name}})
        if self.store.get("configmaps", name, "kube-root-ca.crt") is None:
            with contextlib.suppress(ApiError):
                self.store.create(
                    "configmaps",
                    {
                        "metadata": {
                            "name": "kube-root-ca.crt",
                            "namespace": name,
                            "annotations": {
                                "kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters."
                            },
                        },
                        "data": {"ca.crt": ROOT_CA},
                    },
                )


# Owners first, so their controllers do not recreate what is being removed; events last.
TERMINATING_SECONDS = 2.0
DANGLING_GRACE = 1.0  # simulated seconds before a dependent of a missing owner is collected  # simulated seconds an emptied namespace stays Terminating

_NAMESPACED = sorted(
    (k for k, rt in BY_KEY.items() if rt.namespaced),
    key=lambda k: (k not in ("deployments.apps", "replicasets.apps"), k == "events"),
)


class NamespaceController(Controller):
    """Empties a namespace being deleted, then removes the ``kubernetes`` finalizer and the namespace."""

    name = "namespace-controller"
    rtypes = tuple(BY_KEY)

    def __init__(self, cluster: SimCluster) -> None:
        super().__init__(cluster)
        self._started: dict[str, float] = {}  # namespace -> when it was first found empty

    def keys_for(self, event: Event) -> Iterable[Key]:
        if event.rtype == "namespaces":
            if event.type != DELETED and meta(event.obj).get("deletionTimestamp"):
                return [("", meta(event.obj)["name"])]
            return ()
        if event.type == DELETED:
            ns = meta(event.obj).get("namespace") or ""
            current = self.store.get("namespaces", "", ns) if ns else None
            if current is not None and meta(current).get("deletionTimestamp"):
                return [("", ns)]
        return ()

    def resync(self) -> None:
        for ns in self.store.iter("namespaces"):
            if meta(ns).get("deletionTimestamp"):
                self.enqueue(("", meta(ns)["name"]))

    def reconcile(self, key: Key) -> None:
        name = key[1]
        ns = self.store.get("namespaces", "", name)
        if ns is None or not meta(ns).get("deletionTimestamp"):
            return
        remaining = 0
        for rtype in _NAMESPACED:
            for obj in self.store.list(rtype, name):
                remaining += 1
                if not meta(obj).get("deletionTimestamp"):
                    with contextlib.suppress(ApiError):
                        delete_object(self.cluster, rtype, name, meta(obj)["name"], propagation="Background")
        if remaining:
            self.enqueue_after(key, 5.0)  # deletions also wake this up; the timer is a safety net
            return
        # kube-controller-manager checks an emptied namespace again before it lets go (its discovery and a
        # second look): for a couple of seconds the namespace is there, Terminating, refusing new content.
        started = self._started.setdefault(name, self.clock.now())
        left = TERMINATING_SECONDS - self.clock.sim_elapsed(started)
        if left > 0:
            self.enqueue_after(key, left)
            return
        self._started.pop(name, None)
        spec = {**(ns.get("spec") or {}), "finalizers": []}
        if meta(ns).get("finalizers"):
            self.store.update("namespaces", {**ns, "spec": spec}, check_version=False)
            return
        self.store.delete("namespaces", "", name)
