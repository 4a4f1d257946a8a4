"""PersistentVolumes and their claims, as kube-controller-manager's persistent-volume binder moves them.

A volume nobody claims is ``Available``; a claim takes the smallest Available volume of its class whose access
modes and capacity cover it, and both turn ``Bound``; a claim that finds nothing stays ``Pending`` and is looked
at again every 15 s, so a volume created after its claim is bound on the next pass (as on a real cluster). When a
bound claim goes, a ``Retain`` volume is ``Released`` and keeps its data; the built-in cluster has no volume
plugin that could delete one, so a ``Delete`` volume fails as on a cluster without a deleter.

Keys: a volume is ``("", name)`` (cluster-scoped), a claim ``(namespace, name)`` — namespaces are never empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kubetui.cluster.quantity import parse_quantity
from kubetui.sim.store import Event

from .base import Controller, Key, Obj, key_of, map_matches, meta

PVS = "persistentvolumes"
PVCS = "persistentvolumeclaims"
CLAIM_RESYNC_SECONDS = 15.0  # the binder's claim sync period
BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller"
BIND_COMPLETED = "pv.kubernetes.io/bind-completed"


def _class(obj: Obj) -> str:
    return (obj.get("spec") or {}).get("storageClassName") or ""


def _phase(obj: Obj) -> str:
    return (obj.get("status") or {}).get("phase") or ""


def _bytes(value: Any) -> Any:
    try:
        return parse_quantity(value).value
    except ValueError:
        return None


def _fits(pv: Obj, claim: Obj) -> bool:
    """Whether ``pv`` can hold ``claim``: class, volume mode, access modes, size and the claim's selector."""
    pv_spec, spec = pv.get("spec") or {}, claim.get("spec") or {}
    if _class(pv) != _class(claim):
        return False
    if (pv_spec.get("volumeMode") or "Filesystem") != (spec.get("volumeMode") or "Filesystem"):
        return False
    if not set(spec.get("accessModes") or []) <= set(pv_spec.get("accessModes") or []):
        return False
    want = _bytes(((spec.get("resources") or {}).get("requests") or {}).get("storage", "0"))
    have = _bytes((pv_spec.get("capacity") or {}).get("storage", "0"))
    if want is None or have is None or have < want:
        return False
    selector = spec.get("selector")
    if selector:
        labels = meta(pv).get("labels") or {}
        if not map_matches(selector.get("matchLabels") or {}, labels):
            return False
    return True


class VolumeBinder(Controller):
    name = "persistentvolume-binder-controller"
    rtypes = (PVS, PVCS)

    def keys_for(self, event: Event) -> Iterable[Key]:
        obj = event.obj
        if event.rtype == PVCS:
            keys = [key_of(obj)]
            volume = (obj.get("spec") or {}).get("volumeName")
            if volume:
                keys.append(("", volume))
            return keys
        keys = [("", meta(obj).get("name") or "")]
        claim = (obj.get("spec") or {}).get("claimRef") or {}
        if claim.get("namespace") and claim.get("name"):
            keys.append((claim["namespace"], claim["name"]))
        return keys

    def resync(self) -> None:
        for pv in self.store.iter(PVS):
            self.enqueue(("", meta(pv)["name"]))
        for claim in self.store.iter(PVCS):
            self.enqueue(key_of(claim))

    def reconcile(self, key: Key) -> None:
        if key[0]:
            self._sync_claim(key)
        else:
            self._sync_volume(key[1])

    # -- volumes -------------------------------------------------------------------------------------------

    def _sync_volume(self, name: str) -> None:
        pv = self.store.get(PVS, "", name)
        if pv is None:
            return
        ref = (pv.get("spec") or {}).get("claimRef")
        if not ref:
            self._set_volume_phase(pv, "Available")
            return
        claim = self.store.get(PVCS, ref.get("namespace") or "", ref.get("name") or "")
        if claim is None or (ref.get("uid") and meta(claim).get("uid") != ref.get("uid")):
            if _phase(pv) in ("Bound", "Available", "Pending"):
                if ref.get("uid"):
                    self._release(pv)
                else:
                    self._set_volume_phase(pv, "Available")  # pre-bound to a claim not created yet
            return
        if (claim.get("spec") or {}).get("volumeName") == name:
            self._set_volume_phase(pv, "Bound")
        else:
            self.enqueue(key_of(claim))  # a volume pre-bound to this claim: the claim's sync binds it

    def _release(self, pv: Obj) -> None:
        policy = (pv.get("spec") or {}).get("persistentVolumeReclaimPolicy") or "Retain"
        if policy == "Delete":
            message = f'error getting deleter volume plugin for volume "{meta(pv)["name"]}": no deletable volume plugin matched'
            self._set_volume_phase(pv, "Failed", message)
        else:
            self._set_volume_phase(pv, "Released")

    def _set_volume_phase(self, pv: Obj, phase: str, message: str = "") -> Obj:
        if _phase(pv) == phase:
            return pv
        status: dict[str, Any] = {"phase": phase, "lastPhaseTransitionTime": self.clock.stamp()}
        if message:
            status["message"] = message
        return self.store.update(PVS, {**pv, "status": status}, check_version=False, subresource="status")

    # -- claims --------------------------------------------------------------------------------------------

    def _sync_claim(self, key: Key) -> None:
        claim = self.store.get(PVCS, *key)
        if claim is None or meta(claim).get("deletionTimestamp"):
            return
        wanted = (claim.get("spec") or {}).get("volumeName")
        if wanted:
            pv = self.store.get(PVS, "", wanted)
            if pv is None:
                if _phase(claim) == "Bound":
                    self._set_claim_status(claim, {"phase": "Lost"})
                return
            ref = (pv.get("spec") or {}).get("claimRef") or {}
            if not ref or self._refers_to(ref, claim):
                self._bind(pv, claim)
            return
        pv = self._best_match(claim)
        if pv is None:
            if _phase(claim) != "Pending":
                self._set_claim_status(claim, {"phase": "Pending"})
            cls = _class(claim)
            reason = (
                f'storageclass.storage.k8s.io "{cls}" not found'
                if cls and not self._storage_class_exists(cls)
                else "no persistent volumes available for this claim and no storage class is set"
            )
            self.cluster.events.record(
                claim, "FailedBinding" if not cls else "ProvisioningFailed", reason, type="Warning",
                component="persistentvolume-controller",
            )  # fmt: skip
            self.enqueue_after(key, CLAIM_RESYNC_SECONDS)
            return
        self._bind(pv, claim)

    def _storage_class_exists(self, name: str) -> bool:
        rtype = "storageclasses.storage.k8s.io"
        return rtype in self.store.types and self.store.get(rtype, "", name) is not None

    @staticmethod
    def _refers_to(ref: dict[str, Any], claim: Obj) -> bool:
        m = meta(claim)
        return (
            ref.get("namespace") == m.get("namespace")
            and ref.get("name") == m.get("name")
            and (not ref.get("uid") or ref.get("uid") == m.get("uid"))
        )

    def _best_match(self, claim: Obj) -> Obj | None:
        best: Obj | None = None
        for pv in self.store.iter(PVS):
            ref = (pv.get("spec") or {}).get("claimRef")
            if meta(pv).get("deletionTimestamp") or (ref and not self._refers_to(ref, claim)):
                continue
            if ref and self._refers_to(ref, claim):
                return pv  # pre-bound to this claim: it wins whatever its size
            if _phase(pv) != "Available" or not _fits(pv, claim):
                continue
            size = _bytes((pv.get("spec") or {}).get("capacity", {}).get("storage", "0"))
            if best is None or size < _bytes(best["spec"]["capacity"]["storage"]):
                best = pv
        return best

    def _bind(self, pv: Obj, claim: Obj) -> None:
        m = meta(claim)
        ref = {
            "kind": "PersistentVolumeClaim",
            "namespace": m["namespace"],
            "name": m["name"],
            "uid": m["uid"],
            "apiVersion": "v1",
            "resourceVersion": m.get("resourceVersion", ""),
        }
        spec = pv.get("spec") or {}
        if (spec.get("claimRef") or {}).get("uid") != m["uid"]:
            annotations = {**(meta(pv).get("annotations") or {}), BOUND_BY_CONTROLLER: "yes"}
            pv = self.store.update(
                PVS,
                {
                    **pv,
                    "metadata": {**meta(pv), "annotations": annotations},
                    "spec": {**spec, "claimRef": ref},
                },
                check_version=False,
            )
        self._set_volume_phase(pv, "Bound")
        spec = claim.get("spec") or {}
        if spec.get("volumeName") != meta(pv)["name"] or BIND_COMPLETED not in (m.get("annotations") or {}):
            annotations = {**(m.get("annotations") or {}), BIND_COMPLETED: "yes"}
            if not spec.get("volumeName"):
                annotations[BOUND_BY_CONTROLLER] = "yes"
            claim = self.store.update(
                PVCS,
                {
                    **claim,
                    "metadata": {**m, "annotations": annotations},
                    "spec": {**spec, "volumeName": meta(pv)["name"]},
                },
                check_version=False,
            )
        pv_spec = pv.get("spec") or {}
        self._set_claim_status(
            claim,
            {
                "phase": "Bound",
                "accessModes": list(pv_spec.get("accessModes") or []),
                "capacity": dict(pv_spec.get("capacity") or {}),
            },
        )

    def _set_claim_status(self, claim: Obj, status: dict[str, Any]) -> None:
        if (claim.get("status") or {}) == status:
            return
        self.store.update(PVCS, {**claim, "status": status}, check_version=False, subresource="status")
