"""Indexes the controllers share, kept current from store events: dependents by owner uid, pods by node."""

from __future__ import annotations

from collections import defaultdict

from kubetui.sim.resources import BY_KEY
from kubetui.sim.store import DELETED, Event, ObjectStore

from .base import Obj, meta

Ref = tuple[str, str, str]  # (rtype, namespace, name)


class Index:
    """Who owns what and which pods sit on which node; cheaper than scanning the store on every reconcile."""

    def __init__(self) -> None:
        self.dependents: dict[str, set[Ref]] = defaultdict(set)  # owner uid → dependents
        self.uids: dict[str, Ref] = {}  # uid → object
        self.pods_on_node: dict[str, set[tuple[str, str]]] = defaultdict(set)

    def rebuild(self, store: ObjectStore) -> None:
        self.dependents.clear()
        self.uids.clear()
        self.pods_on_node.clear()
        for rtype in BY_KEY:
            if rtype == "events":
                continue
            for obj in store.iter(rtype):
                self._add(rtype, obj)

    def on_event(self, event: Event) -> None:
        if event.rtype == "events":
            return
        if event.old is not None:
            self._remove(event.rtype, event.old)
        if event.type != DELETED:
            self._add(event.rtype, event.obj)

    def _ref(self, rtype: str, obj: Obj) -> Ref:
        m = meta(obj)
        return (rtype, m.get("namespace") or "", m.get("name") or "")

    def _add(self, rtype: str, obj: Obj) -> None:
        m = meta(obj)
        ref = self._ref(rtype, obj)
        if m.get("uid"):
            self.uids[m["uid"]] = ref
        for owner in m.get("ownerReferences") or []:
            if owner.get("uid"):
                self.dependents[owner["uid"]].add(ref)
        if rtype == "pods":
            node = (obj.get("spec") or {}).get("nodeName")
            if node:
                self.pods_on_node[node].add((ref[1], ref[2]))

    def _remove(self, rtype: str, obj: Obj) -> None:
        m = meta(obj)
        ref = self._ref(rtype, obj)
        if self.uids.get(m.get("uid", "")) == ref:
            del self.uids[m["uid"]]
        for owner in m.get("ownerReferences") or []:
            deps = self.dependents.get(owner.get("uid", ""))
            if deps is not None:
                deps.discard(ref)
                if not deps:
                    del self.dependents[owner["uid"]]
        if rtype == "pods":
            node = (obj.get("spec") or {}).get("nodeName")
            if node and node in self.pods_on_node:
                self.pods_on_node[node].discard((ref[1], ref[2]))

    def owned(self, uid: str, rtype: str) -> list[tuple[str, str]]:
        """(namespace, name) of the objects of ``rtype`` listing ``uid`` among their owners."""
        return sorted((ns, name) for rt, ns, name in self.dependents.get(uid, ()) if rt == rtype)
