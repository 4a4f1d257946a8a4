"""The Deployment controller: one ReplicaSet per pod template (named by pod-template-hash), revisions, rolling
update and Recreate, rollback by template match, history cleanup, and status with Available/Progressing."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from kubetui.sim.clock import parse_time
from kubetui.sim.errors import ApiError
from kubetui.sim.store import DELETED, Event

from .base import Controller, Key, Obj, controller_ref, key_of, meta, owner_ref
from .deletion import delete_object
from .deployment_status import progressing_and_available
from .deployment_util import (
    DESIRED,
    HASH_LABEL,
    MAX_REPLICAS,
    NOT_COPIED,
    REVISION,
    REVISION_HISTORY,
    _spec_replicas,
    _status,
    revision,
    surge_and_unavailable,
    template_hash,
    templates_equal,
)
from .replicaset import pod_is_active

DEPLOY = "deployments.apps"
RS = "replicasets.apps"


class DeploymentController(Controller):
    name = "deployment-controller"
    rtypes = (DEPLOY, RS, "pods")

    def keys_for(self, event: Event) -> Iterable[Key]:
        if event.rtype == DEPLOY:
            if event.type == DELETED:
                self._progressed_at.pop(meta(event.obj).get("uid", ""), None)
            return [key_of(event.obj)]
        if event.rtype == RS:
            keys = []
            for obj in (event.obj, event.old):
                ref = controller_ref(obj) if obj else None
                if obj and ref and ref.get("kind") == "Deployment":
                    keys.append((meta(obj).get("namespace") or "", ref["name"]))
            return keys
        # Recreate waits for the old pods to be gone.
        if event.type == DELETED:
            ref = controller_ref(event.obj)
            if ref and ref.get("kind") == "ReplicaSet":
                ns = meta(event.obj).get("namespace") or ""
                rs = self.store.get(RS, ns, ref["name"])
                dref = controller_ref(rs) if rs else None
                if dref and dref.get("kind") == "Deployment":
                    return [(ns, dref["name"])]
        return ()

    def __init__(self, cluster: Any):
        super().__init__(cluster)
        self._progressed_at: dict[str, float] = {}  # deployment uid → precise time of the last progress

    def resync(self) -> None:
        for d in self.store.iter(DEPLOY):
            self.enqueue(key_of(d))

    def replicasets_of(self, d: Obj) -> list[Obj]:
        uid = meta(d)["uid"]
        out = []
        for ns, name in self.cluster.index.owned(uid, RS):
            rs = self.store.get(RS, ns, name)
            if rs is not None and (controller_ref(rs) or {}).get("uid") == uid:
                out.append(rs)
        out.sort(key=lambda r: (meta(r).get("creationTimestamp") or "", meta(r)["name"]))
        return out

    # -- the sync ------------------------------------------------------------------------------------------

    def reconcile(self, key: Key) -> None:
        d = self.store.get(DEPLOY, *key)
        if d is None or meta(d).get("deletionTimestamp"):
            return
        spec = d.get("spec") or {}
        rss = self.replicasets_of(d)
        template = spec.get("template") or {}
        new_rs = next(
            (rs for rs in rss if templates_equal((rs.get("spec") or {}).get("template") or {}, template)),
            None,
        )
        olds = [rs for rs in rss if rs is not new_rs]
        created = False
        if spec.get("paused"):
            if new_rs is not None:
                new_rs = self._sync_revision(d, new_rs, olds)
                if not any(_spec_replicas(rs) for rs in olds):
                    new_rs = self._scale(d, new_rs, int(spec.get("replicas", 1)))
            self._sync_status(d, new_rs, olds, created=False)
            return
        if new_rs is None:
            new_rs = self._create_new_rs(d, olds)
            if new_rs is None:
                return
            created = True
        else:
            new_rs = self._sync_revision(d, new_rs, olds)
        d = self._set_deployment_revision(d, new_rs)
        if (spec.get("strategy") or {}).get("type") == "Recreate":
            new_rs, olds = self._recreate(d, new_rs, olds)
        else:
            new_rs, olds = self._rolling(d, new_rs, olds)
        complete = self._sync_status(d, new_rs, olds, created=created)
        if complete:
            self._cleanup(d, olds)

    # -- new ReplicaSet and revisions ----------------------------------------------------------------------

    def _create_new_rs(self, d: Obj, olds: list[Obj]) -> Obj | None:
        m, spec = meta(d), d.get("spec") or {}
        collisions = int((d.get("status") or {}).get("collisionCount", 0))
        hash_ = template_hash(spec.get("template") or {}, collisions)
        template = copy.deepcopy(spec.get("template") or {})
        template.setdefault("metadata", {}).setdefault("labels", {})[HASH_LABEL] = hash_
        selector = copy.deepcopy(spec.get("selector") or {})
        selector.setdefault("matchLabels", {})[HASH_LABEL] = hash_
        replicas = int(spec.get("replicas", 1))
        surge, _ = surge_and_unavailable(d)
        annotations = {k: v for k, v in (m.get("annotations") or {}).items() if k not in NOT_COPIED}
        annotations[REVISION] = str(max((revision(rs) for rs in olds), default=0) + 1)
        annotations[DESIRED] = str(replicas)
        annotations[MAX_REPLICAS] = str(replicas + surge)
        if (spec.get("strategy") or {}).get("type") == "Recreate":
            initial = 0 if any(_spec_replicas(rs) or _status(rs, "replicas") for rs in olds) else replicas
        else:
            current = sum(_spec_replicas(rs) for rs in olds)
            initial = max(0, min(replicas + surge - current, replicas))
        rs: dict[str, Any] = {
            "metadata": {
                "name": f"{m['name']}-{hash_}",
                "namespace": m.get("namespace") or "default",
                "labels": dict(template["metadata"]["labels"]),
                "annotations": annotations,
                "ownerReferences": [owner_ref(d)],
            },
            "spec": {
                "replicas": initial,
                "minReadySeconds": int(spec.get("minReadySeconds") or 0),
                "selector": selector,
                "template": template,
            },
        }
        self.cluster.admit(RS, rs, None)
        try:
            created = self.store.create(RS, rs)
        except ApiError as exc:
            if exc.code != 409:
                raise
            existing = self.store.get(RS, rs["metadata"]["namespace"], rs["metadata"]["name"])
            if existing is not None and templates_equal(
                (existing.get("spec") or {}).get("template") or {}, template
            ):
                if controller_ref(existing) is None:
                    # Left behind by an orphaning delete: adopt it, as the controller does.
                    em = meta(existing)
                    refs = [*(em.get("ownerReferences") or []), owner_ref(d)]
                    existing = self.store.update(
                        RS, {**existing, "metadata": {**em, "ownerReferences": refs}}, check_version=False
                    )
                return existing
            # A hash collision with some other ReplicaSet: bump collisionCount and try again.
            status = {**(d.get("status") or {}), "collisionCount": collisions + 1}
            self.store.update(DEPLOY, {**d, "status": status}, check_version=False, subresource="status")
            return None
        if initial:
            self._scaling_event(d, created, 0, initial)
        return created

    def _sync_revision(self, d: Obj, rs: Obj, olds: list[Obj]) -> Obj:
        """The current template's ReplicaSet carries the newest revision; a rollback moves it forward and
        remembers the numbers it had in ``revision-history``."""
        m = meta(rs)
        annotations = dict(m.get("annotations") or {})
        max_old = max((revision(o) for o in olds), default=0)
        current = revision(rs)
        if current <= max_old:
            if current > 0:
                history = [h for h in annotations.get(REVISION_HISTORY, "").split(",") if h]
                annotations[REVISION_HISTORY] = ",".join([*history, str(current)])
            annotations[REVISION] = str(max_old + 1)
        for k, v in (meta(d).get("annotations") or {}).items():
            if k not in NOT_COPIED:
                annotations[k] = v
        replicas = int((d.get("spec") or {}).get("replicas", 1))
        surge, _ = surge_and_unavailable(d)
        if _spec_replicas(rs) == replicas or annotations.get(DESIRED) is None:
            annotations[DESIRED] = str(replicas)
            annotations[MAX_REPLICAS] = str(replicas + surge)
        min_ready = int((d.get("spec") or {}).get("minReadySeconds") or 0)
        rs_spec = rs.get("spec") or {}
        if (
            annotations != (m.get("annotations") or {})
            or int(rs_spec.get("minReadySeconds") or 0) != min_ready
        ):
            updated = {**rs, "metadata": {**m, "annotations": annotations}}
            updated["spec"] = {**rs_spec, "minReadySeconds": min_ready}
            rs = self.store.update(RS, updated, check_version=False)
        return rs

    def _set_deployment_revision(self, d: Obj, new_rs: Obj) -> Obj:
        m = meta(d)
        annotations = dict(m.get("annotations") or {})
        rev = str(revision(new_rs))
        if annotations.get(REVISION) != rev:
            annotations[REVISION] = rev
            d = self.store.update(
                DEPLOY, {**d, "metadata": {**m, "annotations": annotations}}, check_version=False
            )
        return d

    # -- scaling -------------------------------------------------------------------------------------------

    def _scale(self, d: Obj, rs: Obj, replicas: int) -> Obj:
        before = _spec_replicas(rs)
        if before == replicas:
            return rs
        m = meta(rs)
        annotations = dict(m.get("annotations") or {})
        want = int((d.get("spec") or {}).get("replicas", 1))
        surge, _ = surge_and_unavailable(d)
        annotations[DESIRED] = str(want)
        annotations[MAX_REPLICAS] = str(want + surge)
        updated = self.store.update(
            RS,
            {
                **rs,
                "metadata": {**m, "annotations": annotations},
                "spec": {**rs["spec"], "replicas": replicas},
            },
            check_version=False,
        )
        self._scaling_event(d, updated, before, replicas)
        return updated

    def _scaling_event(self, d: Obj, rs: Obj, before: int, after: int) -> None:
        word = "up" if after > before else "down"
        self.cluster.events.record(
            d,
            "ScalingReplicaSet",
            f"Scaled {word} replica set {meta(rs)['name']} from {before} to {after}",
            component="deployment-controller",
        )

    def _rolling(self, d: Obj, new_rs: Obj, olds: list[Obj]) -> tuple[Obj, list[Obj]]:
        replicas = int((d.get("spec") or {}).get("replicas", 1))
        surge, max_unavailable = surge_and_unavailable(d)
        new_count = _spec_replicas(new_rs)
        if new_count > replicas:
            new_rs = self._scale(d, new_rs, replicas)
        elif new_count < replicas:
            # Pods a ReplicaSet has not yet stopped count as much as ones it has yet to create, so the surge
            # limit holds for the pods that really exist.
            current = sum(max(_spec_replicas(rs), self._active_pods(rs)) for rs in [new_rs, *olds])
            room = replicas + surge - current
            if room > 0:
                new_rs = self._scale(d, new_rs, new_count + min(room, replicas - new_count))
        if not any(_spec_replicas(rs) for rs in olds):
            return new_rs, olds
        all_count = _spec_replicas(new_rs) + sum(_spec_replicas(rs) for rs in olds)
        min_available = replicas - max_unavailable
        new_unavailable = _spec_replicas(new_rs) - _status(new_rs, "availableReplicas")
        max_down = all_count - min_available - new_unavailable
        if max_down <= 0:
            return new_rs, olds
        olds = list(olds)
        cleaned = 0
        for i, rs in enumerate(olds):  # oldest first: unhealthy replicas go before anything available
            if cleaned >= max_down:
                break
            unhealthy = _spec_replicas(rs) - _status(rs, "availableReplicas")
            if _spec_replicas(rs) == 0 or unhealthy <= 0:
                continue
            down = min(max_down - cleaned, unhealthy)
            olds[i] = self._scale(d, rs, _spec_replicas(rs) - down)
            cleaned += down
        available = _status(new_rs, "availableReplicas") + sum(
            _status(rs, "availableReplicas") for rs in olds
        )
        if available <= min_available:
            return new_rs, olds
        total = available - min_available
        done = 0
        for i, rs in enumerate(olds):
            if done >= total:
                break
            if _spec_replicas(rs) == 0:
                continue
            down = min(_spec_replicas(rs), total - done)
            olds[i] = self._scale(d, rs, _spec_replicas(rs) - down)
            done += down
        return new_rs, olds

    def _active_pods(self, rs: Obj) -> int:
        n = 0
        for ns, name in self.cluster.index.owned(meta(rs)["uid"], "pods"):
            pod = self.store.get("pods", ns, name)
            if pod is not None and pod_is_active(pod):
                n += 1
        return n

    def _recreate(self, d: Obj, new_rs: Obj, olds: list[Obj]) -> tuple[Obj, list[Obj]]:
        olds = [self._scale(d, rs, 0) if _spec_replicas(rs) else rs for rs in olds]
        for rs in olds:
            if self.cluster.index.owned(meta(rs)["uid"], "pods"):
                return new_rs, olds  # wait until every old pod is gone
        return self._scale(d, new_rs, int((d.get("spec") or {}).get("replicas", 1))), olds

    def _cleanup(self, d: Obj, olds: list[Obj]) -> None:
        limit = int((d.get("spec") or {}).get("revisionHistoryLimit", 10))
        idle = [
            rs
            for rs in olds
            if _spec_replicas(rs) == 0
            and _status(rs, "replicas") == 0
            and not meta(rs).get("deletionTimestamp")
        ]
        idle.sort(key=revision)
        for rs in idle[: max(0, len(idle) - limit)]:
            try:
                delete_object(self.cluster, RS, meta(rs).get("namespace") or "", meta(rs)["name"])
            except ApiError as exc:
                if exc.code != 404:
                    raise

    # -- status --------------------------------------------------------------------------------------------

    def _sync_status(self, d: Obj, new_rs: Obj | None, olds: list[Obj], *, created: bool) -> bool:
        """Writes the status; returns whether the rollout is complete."""
        spec = d.get("spec") or {}
        replicas = int(spec.get("replicas", 1))
        all_rs = ([new_rs] if new_rs is not None else []) + olds
        old_status = d.get("status") or {}
        available = sum(_status(rs, "availableReplicas") for rs in all_rs)
        status: dict[str, Any] = {
            "observedGeneration": meta(d).get("generation", 1),
            "replicas": sum(_status(rs, "replicas") for rs in all_rs),
            "updatedReplicas": _status(new_rs, "replicas") if new_rs is not None else 0,
            "readyReplicas": sum(_status(rs, "readyReplicas") for rs in all_rs),
            "availableReplicas": available,
            "unavailableReplicas": max(0, sum(_spec_replicas(rs) for rs in all_rs) - available),
        }
        if old_status.get("collisionCount"):
            status["collisionCount"] = old_status["collisionCount"]
        status = {k: v for k, v in status.items() if v or k == "observedGeneration"}
        _, max_unavailable = surge_and_unavailable(d)
        now = self.clock.now()
        conditions, complete, recheck = progressing_and_available(
            d,
            status,
            old_status,
            new_rs_name=meta(new_rs)["name"] if new_rs is not None else "",
            created=created,
            min_available=replicas - max_unavailable,
            now=now,
            stamp=self.clock.stamp(now),
            sim_elapsed=lambda since: self.clock.sim_elapsed(since, now),
            progressed_at=self._progressed_at.get(meta(d)["uid"]),
        )
        status["conditions"] = conditions
        prog = next((c for c in conditions if c["type"] == "Progressing"), None)
        if prog is not None and prog.get("lastUpdateTime") == self.clock.stamp(now):
            self._progressed_at[meta(d)["uid"]] = now
        if recheck is not None:
            self.enqueue_after(key_of(d), recheck + 0.01)
        if status != old_status:
            self.store.update(DEPLOY, {**d, "status": status}, check_version=False, subresource="status")
        return complete


def last_update(cond: dict[str, Any] | None) -> float | None:
    return parse_time((cond or {}).get("lastUpdateTime"))
