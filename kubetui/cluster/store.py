"""``Store``: the live cache of watched objects keyed by uid, indexed by namespace, name, owner, node, label."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from kubetui import kinds
from kubetui.cluster.watch import Delta

Obj = dict[str, Any]
ObjList = list[Obj]  # an alias, because Store.list shadows the builtin inside the class
# The extra indexes each kind asks the registry for.
_NODE_INDEXED = frozenset(k.plural for k in kinds.KINDS if "node" in k.indexes)
_INVOLVED_INDEXED = frozenset(k.plural for k in kinds.KINDS if "involved" in k.indexes)


def _meta(obj: Obj) -> dict[str, Any]:
    return obj.get("metadata") or {}


class Store:
    """Objects per kind (``pods``, ``deployments``...) keyed by uid, with the indexes the relations need.

    Only ``apply`` mutates it; everything else reads. Lists come back sorted by (namespace, name) so views
    are stable.
    """

    def __init__(self) -> None:
        self._objects: dict[str, dict[str, Obj]] = defaultdict(dict)
        self._by_namespace: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._by_name: dict[str, dict[tuple[str, str], str]] = defaultdict(dict)
        self._by_owner: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._by_label: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._by_node: dict[str, set[str]] = defaultdict(set)  # pods only
        self._by_involved: dict[str, set[str]] = defaultdict(set)  # events only: involvedObject.uid
        self.generation = 0  # bumped on every change, for cheap "did anything change" checks
        self._kind_generation: dict[str, int] = defaultdict(int)
        # Sorted lists per (kind, namespace), reused until that kind changes: views re-read them often.
        self._sorted_cache: dict[tuple[str, str | None], tuple[int, ObjList]] = {}

    # --- mutation -------------------------------------------------------------------------------------

    def apply(self, kind: str, deltas: Iterable[Delta]) -> set[str]:
        """Apply deltas of one kind; returns the uids that changed."""
        changed: set[str] = set()
        objects = self._objects[kind]
        for delta in deltas:
            obj = delta.obj
            uid = str(_meta(obj).get("uid") or "")
            if not uid:
                continue
            old = objects.get(uid)
            if delta.type == "DELETED":
                if old is not None:
                    self._unindex(kind, uid, old)
                    del objects[uid]
                    changed.add(uid)
                continue
            if old is obj:
                continue
            if old is not None:
                self._unindex(kind, uid, old)
            objects[uid] = obj
            self._index(kind, uid, obj)
            changed.add(uid)
        if changed:
            self.generation += 1
            self._kind_generation[kind] += 1
        return changed

    def clear(self, kind: str | None = None) -> None:
        kinds = [kind] if kind else list(self._objects)
        for k in kinds:
            for uid, obj in list(self._objects[k].items()):
                self._unindex(k, uid, obj)
            self._objects[k].clear()
            self._kind_generation[k] += 1
        self.generation += 1

    def _index(self, kind: str, uid: str, obj: Obj) -> None:
        meta = _meta(obj)
        ns = str(meta.get("namespace") or "")
        self._by_namespace[kind][ns].add(uid)
        self._by_name[kind][(ns, str(meta.get("name") or ""))] = uid
        for ref in meta.get("ownerReferences") or ():
            if ref.get("uid"):
                self._by_owner[kind][ref["uid"]].add(uid)
        for key, value in (meta.get("labels") or {}).items():
            self._by_label[kind][f"{key}={value}"].add(uid)
        if kind in _NODE_INDEXED:
            node = (obj.get("spec") or {}).get("nodeName")
            if node:
                self._by_node[node].add(uid)
        elif kind in _INVOLVED_INDEXED:
            involved = (obj.get("involvedObject") or (obj.get("regarding") or {})).get("uid")
            if involved:
                self._by_involved[involved].add(uid)

    def _unindex(self, kind: str, uid: str, obj: Obj) -> None:
        meta = _meta(obj)
        ns = str(meta.get("namespace") or "")
        _discard(self._by_namespace[kind], ns, uid)
        key = (ns, str(meta.get("name") or ""))
        if self._by_name[kind].get(key) == uid:
            del self._by_name[kind][key]
        for ref in meta.get("ownerReferences") or ():
            if ref.get("uid"):
                _discard(self._by_owner[kind], ref["uid"], uid)
        for k, v in (meta.get("labels") or {}).items():
            _discard(self._by_label[kind], f"{k}={v}", uid)
        if kind in _NODE_INDEXED:
            node = (obj.get("spec") or {}).get("nodeName")
            if node:
                _discard(self._by_node, node, uid)
        elif kind in _INVOLVED_INDEXED:
            involved = (obj.get("involvedObject") or (obj.get("regarding") or {})).get("uid")
            if involved:
                _discard(self._by_involved, involved, uid)

    # --- reads ----------------------------------------------------------------------------------------

    def get(self, kind: str, uid: str) -> Obj | None:
        return self._objects[kind].get(uid)

    def find(self, kind: str, namespace: str | None, name: str) -> Obj | None:
        uid = self._by_name[kind].get((namespace or "", name))
        return self._objects[kind].get(uid) if uid else None

    def count(self, kind: str, namespace: str | None = None) -> int:
        if namespace is None:
            return len(self._objects[kind])
        return len(self._by_namespace[kind].get(namespace, ()))

    def namespaces_of(self, kind: str) -> list[str]:
        return sorted(ns for ns, uids in self._by_namespace[kind].items() if uids)

    def list(self, kind: str, namespace: str | None = None) -> ObjList:
        """Objects of ``kind`` (in ``namespace``, or all), sorted by (namespace, name); a fresh list each call."""
        generation = self._kind_generation[kind]
        cached = self._sorted_cache.get((kind, namespace))
        if cached is not None and cached[0] == generation:
            return list(cached[1])
        if namespace is None:
            result = self._sorted(self._objects[kind].values())
        else:
            result = self._resolve(kind, self._by_namespace[kind].get(namespace, ()))
        self._sorted_cache[(kind, namespace)] = (generation, result)
        return list(result)

    def by_label(self, kind: str, selector: Mapping[str, str], namespace: str | None = None) -> ObjList:
        """Objects whose labels include every key=value of ``selector`` (an empty selector matches all)."""
        if not selector:
            return self.list(kind, namespace)
        index = self._by_label[kind]
        sets = sorted((index.get(f"{k}={v}", set()) for k, v in selector.items()), key=len)
        uids = set(sets[0]).intersection(*sets[1:])
        if namespace is not None:
            uids &= self._by_namespace[kind].get(namespace, set())
        return self._resolve(kind, uids)

    def owned_by(self, kind: str, owner_uid: str) -> ObjList:
        return self._resolve(kind, self._by_owner[kind].get(owner_uid, ()))

    def pods_on_node(self, node_name: str) -> ObjList:
        return self._resolve("pods", self._by_node.get(node_name, ()))

    def events_for_uid(self, uid: str) -> ObjList:
        return self._resolve("events", self._by_involved.get(uid, ()))

    def _resolve(self, kind: str, uids: Iterable[str]) -> ObjList:
        objects = self._objects[kind]
        return self._sorted(objects[u] for u in uids if u in objects)

    @staticmethod
    def _sorted(objs: Iterable[Obj]) -> ObjList:
        return sorted(objs, key=lambda o: (_meta(o).get("namespace") or "", _meta(o).get("name") or ""))


def _discard(index: dict[str, set[str]], key: str, uid: str) -> None:
    bucket = index.get(key)
    if bucket is not None:
        bucket.discard(uid)
        if not bucket:
            del index[key]
