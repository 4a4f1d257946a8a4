"""JSON encoding for the API: each stored object's bytes cached by resourceVersion and spliced into lists."""

from __future__ import annotations

from typing import Any

import orjson

from kubetui.sim.paging import Pager
from kubetui.sim.store import DELETED, Event, ObjectStore

Obj = dict[str, Any]

# Types whose encoded bytes are not kept. Events are the most numerous objects at a steady churn (up to 5,000),
# each written about once and sent once to each watcher, and are listed rarely: kept, their bytes would cost
# more than the Events themselves (about 900 bytes each), for a cache that is hardly ever hit.
UNCACHED = frozenset({"events"})


def dumps(data: Any) -> bytes:
    return orjson.dumps(data)


class Codec:
    """Encodes stored objects once per resourceVersion; lists and watches reuse the bytes."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self._cache: dict[tuple[str, str, str], tuple[str, bytes]] = {}
        self.pager = Pager(store)
        store.add_listener(self._on_event)

    def close(self) -> None:
        self.store.remove_listener(self._on_event)
        self.pager.close()
        self._cache.clear()

    def _on_event(self, event: Event) -> None:
        if event.type == DELETED:
            meta = event.obj["metadata"]
            self._cache.pop((event.rtype, meta.get("namespace") or "", meta["name"]), None)

    def encode(self, rtype: str, obj: Obj) -> bytes:
        meta = obj["metadata"]
        key = (rtype, meta.get("namespace") or "", meta["name"])
        rv = meta.get("resourceVersion", "")
        hit = self._cache.get(key)
        if hit is not None and hit[0] == rv:
            return hit[1]
        data = orjson.dumps(_kind_first(obj))
        # Only the live version is worth keeping; old versions replayed from history would evict it.
        if rtype not in UNCACHED and self.store.get(rtype, key[1], key[2]) is obj:
            # orjson hands back its whole growth buffer (at least 4 KiB, 8 KiB for a 600-byte Event, 32 KiB
            # for a 3 KB pod) and never shrinks it; kept for every live object that is most of the cluster's
            # memory, so what is kept is an exact-size copy.
            data = bytes(memoryview(data))
            self._cache[key] = (rv, data)
        return data

    def list_body(self, kind: str, api_version: str, meta: Obj, items: list[Obj], rtype: str) -> bytes:
        # Items of a list carry no kind or apiVersion of their own, as kube-apiserver encodes them; every encoded
        # object starts with both, so they are cut off the cached bytes.
        item_kind = kind.removesuffix("List")
        head = b'{"kind":' + orjson.dumps(item_kind) + b',"apiVersion":' + orjson.dumps(api_version) + b","
        parts = []
        for o in items:
            data = self.encode(rtype, o)
            parts.append(b"{" + data[len(head) :] if data.startswith(head) else data)
        head = b'{"kind":' + orjson.dumps(kind) + b',"apiVersion":' + orjson.dumps(api_version)
        return head + b',"metadata":' + orjson.dumps(meta) + b',"items":[' + b",".join(parts) + b"]}"


def _kind_first(obj: Obj) -> Obj:
    """The object with ``kind`` and ``apiVersion`` as its first keys, the order kube-apiserver writes."""
    keys = iter(obj)
    if next(keys, None) == "kind" and next(keys, None) == "apiVersion":
        return obj
    out: Obj = {}
    if "kind" in obj:
        out["kind"] = obj["kind"]
    if "apiVersion" in obj:
        out["apiVersion"] = obj["apiVersion"]
    out.update(obj)
    return out
