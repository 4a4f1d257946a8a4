"""Lists in pages, as the API server's watch cache serves them: each page costs what the page costs, and every
page of one paginated list shows the cluster as it was when the first page was read.

The keys of each resource type are kept sorted as objects come and go (an insertion into a sorted list, not a
sort per request). A list that will need a ``continue`` takes a snapshot: a copy of that key order, plus, for each
object changed or deleted afterwards, its version from before the change. Objects nobody touches are shared with
the live store, so a snapshot of 100,000 pods costs a list of keys and grows only with what changes while the
client pages through it. Snapshots are kept while a client may still come back for the next page, as a real
server keeps a list's revision until etcd compacts it.
"""

from __future__ import annotations

import bisect
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from kubetui.sim.store import ADDED, DELETED, Event, ObjectStore

Obj = dict[str, Any]
Key = tuple[str, str]

SNAPSHOT_TTL = 300.0  # seconds a continue token stays good, like the default etcd compaction interval
MAX_SNAPSHOTS = 32
EXPIRE_EVERY = 5.0  # seconds between looks for expired snapshots while the store changes
_ABSENT: Obj = {}  # marks, in a snapshot, an object that did not exist yet


@dataclass
class Snapshot:
    """One type's objects at one resourceVersion: the key order then, and the old versions of what changed since."""

    keys: list[Key]
    taken: float
    before: dict[Key, Obj] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    items: list[Obj]
    more: bool  # another page follows; its continue key is the last item's key
    remaining: int | None  # objects after this page (only when no selector filters them)


class Pager:
    """Sorted keys per type, and the snapshots behind open continue tokens."""

    def __init__(self, store: ObjectStore, clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.clock = clock
        self._keys: dict[str, list[Key]] = {}
        self._snapshots: OrderedDict[tuple[str, int], Snapshot] = OrderedDict()
        self._expired_at = clock()
        store.add_listener(self._on_event)

    def close(self) -> None:
        self.store.remove_listener(self._on_event)
        self._keys.clear()
        self._snapshots.clear()

    # -- keeping up with the store ---------------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        meta = event.obj["metadata"]
        key = (meta.get("namespace") or "", meta["name"])
        keys = self._keys.get(event.rtype)
        if keys is not None:
            if event.type == ADDED:
                bisect.insort(keys, key)
            elif event.type == DELETED:
                i = bisect.bisect_left(keys, key)
                if i < len(keys) and keys[i] == key:
                    del keys[i]
        if self._snapshots and self.clock() - self._expired_at > EXPIRE_EVERY:
            # An open snapshot keeps the old version of everything that changes, so it must expire even when
            # no one asks for another page (a client that lists once and then only watches).
            self._expire()
        for (rtype, _rv), snap in self._snapshots.items():
            if rtype == event.rtype and key not in snap.before:
                snap.before[key] = _ABSENT if event.type == ADDED else (event.old or event.obj)

    def keys(self, rtype: str) -> list[Key]:
        keys = self._keys.get(rtype)
        if keys is None:
            keys = self._keys[rtype] = sorted(self.store._objects[rtype])
        return keys

    # -- pages -------------------------------------------------------------------------------------------------

    def page(
        self,
        rtype: str,
        namespace: str | None,
        *,
        rv: int,
        after: Key | None = None,
        limit: int = 0,
        match: Callable[[Obj], bool] | None = None,
    ) -> Page | None:
        """The objects after ``after`` (all, or ``limit`` of them) as of resourceVersion ``rv``.

        A first page (``after`` None) reads the live store at its current version; a later page reads the
        snapshot its first page left. None means that snapshot is gone: the continue token has expired.
        """
        self._expire()
        lookup: Callable[[Key], Obj | None]
        if after is None:
            keys, lookup = self.keys(rtype), self.store._objects[rtype].get
        else:
            snap = self._snapshots.get((rtype, rv))
            if snap is None:
                return None
            self._snapshots.move_to_end((rtype, rv))
            keys, lookup = snap.keys, _reader(snap, self.store._objects[rtype])
        lo, hi = 0, len(keys)
        if namespace:
            lo = bisect.bisect_left(keys, (namespace, ""))
            hi = bisect.bisect_left(keys, (namespace + "\x00", ""))
        if after is not None:
            lo = max(lo, bisect.bisect_right(keys, after, lo, hi))
        items, more = _collect(_objects(keys, lo, hi, lookup), limit, match)
        remaining = None
        if more and match is None:
            remaining = hi - lo - len(items)
        if more and after is None and (rtype, rv) not in self._snapshots:
            self._snapshots[(rtype, rv)] = Snapshot(list(keys), self.clock())
            while len(self._snapshots) > MAX_SNAPSHOTS:
                self._snapshots.popitem(last=False)
        return Page(items, more, remaining)

    def _expire(self) -> None:
        self._expired_at = self.clock()
        cutoff = self._expired_at - SNAPSHOT_TTL
        for key, snap in list(self._snapshots.items()):
            if snap.taken < cutoff:
                del self._snapshots[key]


def _reader(snap: Snapshot, live: dict[Key, Obj]) -> Callable[[Key], Obj | None]:
    def lookup(key: Key) -> Obj | None:
        old = snap.before.get(key)
        if old is None:
            return live.get(key)
        return None if old is _ABSENT else old

    return lookup


def _objects(keys: list[Key], lo: int, hi: int, lookup: Callable[[Key], Obj | None]) -> Iterator[Obj]:
    for i in range(lo, hi):
        obj = lookup(keys[i])
        if obj is not None:
            yield obj


def _collect(objs: Iterator[Obj], limit: int, match: Callable[[Obj], bool] | None) -> tuple[list[Obj], bool]:
    """Up to ``limit`` matching objects (all if 0), and whether a further match exists."""
    items: list[Obj] = []
    for obj in objs:
        if match is not None and not match(obj):
            continue
        if limit and len(items) == limit:
            return items, True
        items.append(obj)
    return items, False
