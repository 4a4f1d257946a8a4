"""The built-in cluster's object store: what etcd plus the watch cache give a real API server.

Objects are plain JSON dicts, keyed by resource type key (``pods``, ``deployments.apps``), namespace and name.
Every change takes the next cluster-wide resourceVersion and is kept in a per-type event history, from which
watches are served. Like the API server's watch cache, that history is a time window (at least the last 100
changes, at most ``history``); a watch from a version older than it gets ``410 Expired`` and must relist.
Stored dicts are never mutated in place: every write stores a new dict, so readers may hold on to them.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import os
import random
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from kubetui.sim import crds, errors
from kubetui.sim.files import write_private
from kubetui.sim.resources import BY_KEY, ResourceType

Obj = dict[str, Any]
NameKey = tuple[str, str]  # (namespace or "", name)

ADDED = "ADDED"
MODIFIED = "MODIFIED"
DELETED = "DELETED"


def now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True, slots=True)
class Event:
    """One change: ``obj`` is the object after it (for DELETED, the last state, with the new version)."""

    type: str
    rtype: str  # resource type key
    obj: Obj
    old: Obj | None
    rv: int
    at: float = 0.0  # time.monotonic() of the change, for the history window


@dataclass(eq=False)
class Watch:
    """A subscription to one resource type's changes, optionally in one namespace."""

    rtype: str
    namespace: str | None
    queue: asyncio.Queue[Event | None] = field(default_factory=asyncio.Queue)
    closed: bool = False

    def push(self, event: Event) -> None:
        if not self.closed:
            self.queue.put_nowait(event)

    def close(self) -> None:
        """Ends the watch; the reader gets ``None``."""
        if not self.closed:
            self.closed = True
            self.queue.put_nowait(None)


# Types JSON would quietly turn into strings make ``clone`` fall back to ``deepcopy`` instead.
_EXACT = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


def clone(obj: Obj) -> Obj:
    """A deep copy of a JSON object: through orjson, about five times faster than ``copy.deepcopy`` on a pod;
    anything JSON cannot carry (non-string keys, huge ints) falls back to ``deepcopy``."""
    try:
        return orjson.loads(orjson.dumps(obj, option=_EXACT))
    except TypeError:
        return copy.deepcopy(obj)


# The watch cache keeps changes for 75 s (kube-apiserver's eventFreshDuration), at least 100 of each type.
HISTORY_SECONDS = 75.0
HISTORY_MIN = 100
# Names deleted and maybe created again: how many are remembered (see ``ObjectStore.new_uid``).
UID_COUNTS_MAX = 4096


def _key(obj: Obj) -> NameKey:
    meta = obj.get("metadata") or {}
    return (meta.get("namespace") or "", meta.get("name") or "")


class ObjectStore:
    """All objects of the cluster, their versions, their event history and the watches on them."""

    def __init__(
        self,
        *,
        history: int = 20000,
        history_seconds: float = HISTORY_SECONDS,
        seed: int | None = None,
        clock: Callable[[], str] = now_rfc3339,
    ):
        self.rv = 0
        self.history_size = history
        self.history_seconds = history_seconds
        self.rng = random.Random(seed)
        # Uids and generated names are hashed from the seed and what is being created, never drawn from one
        # shared stream, so they do not depend on the order in which controllers and clients get there.
        self.seed = seed if seed is not None else int.from_bytes(os.urandom(8), "big")
        self._epoch = 0  # the resourceVersion the store was loaded at: uids never repeat across restarts
        # (type, namespace, name) → (deletions so far, salt) for the most recently deleted names, oldest first.
        self._uid_counts: dict[tuple[str, str, str], tuple[int, int]] = {}
        self._uid_forgotten = 0  # names dropped from ``_uid_counts`` so far
        self._event_counts: dict[str, dict[str, int]] = {}  # involved uid → {reason|fieldPath: Events so far}
        self._name_counts: dict[tuple[str, str, str], int] = {}
        self.clock = clock
        self._objects: dict[str, dict[NameKey, Obj]] = {key: {} for key in BY_KEY}
        self._history: dict[str, deque[Event]] = {key: deque() for key in BY_KEY}
        # Highest resourceVersion that has been dropped from each history; older watches get 410.
        self._compacted: dict[str, int] = dict.fromkeys(BY_KEY, 0)
        self._watches: dict[str, set[Watch]] = {key: set() for key in BY_KEY}
        self._listeners: list[Callable[[Event], None]] = []
        # The types this store serves: the built-in ones and those CustomResourceDefinitions add.
        self.types: dict[str, ResourceType] = dict(BY_KEY)
        self._listeners.append(lambda event: crds.track(self, event))

    # -- reading -------------------------------------------------------------------------------------------

    def rtype(self, key: str) -> ResourceType:
        return self.types[key]

    def lookup(self, group: str, plural: str) -> ResourceType | None:
        """The type served at ``/apis/{group}/{version}/{plural}`` (group "" for the core group)."""
        return self.types.get(f"{plural}.{group}" if group else plural)

    def add_type(self, rt: ResourceType) -> None:
        """Serves a new type (a CustomResourceDefinition's); its objects, if any, are kept."""
        self.types[rt.key] = rt
        self._objects.setdefault(rt.key, {})
        self._history.setdefault(rt.key, deque())
        self._compacted.setdefault(rt.key, self.rv)
        self._watches.setdefault(rt.key, set())

    def remove_type(self, key: str) -> None:
        """Stops serving a custom type: its objects go and its watches end, as when a CRD is deleted."""
        if key in BY_KEY or key not in self.types:
            return
        del self.types[key]
        for w in list(self._watches.pop(key, ())):
            w.close()
        self._objects.pop(key, None)
        self._history.pop(key, None)
        self._compacted.pop(key, None)

    def get(self, rtype: str, namespace: str, name: str) -> Obj | None:
        return self._objects[rtype].get((namespace or "", name))

    def must_get(self, rtype: str, namespace: str, name: str) -> Obj:
        obj = self.get(rtype, namespace, name)
        if obj is None:
            rt = self.types[rtype]
            raise errors.not_found(rt.plural, name, rt.group)
        return obj

    def list(self, rtype: str, namespace: str | None = None) -> list[Obj]:
        """Objects sorted by namespace then name, as etcd's key order gives them."""
        items = self._objects[rtype]
        if namespace:
            return [items[k] for k in sorted(items) if k[0] == namespace]
        return [items[k] for k in sorted(items)]

    def iter(self, rtype: str) -> Iterator[Obj]:
        """All objects of a type in no particular order (cheaper than ``list``)."""
        return iter(list(self._objects[rtype].values()))

    def count(self, rtype: str) -> int:
        return len(self._objects[rtype])

    # -- writing -------------------------------------------------------------------------------------------

    def _digest(self, *parts: object) -> bytes:
        text = "\0".join(str(p) for p in (self.seed, self._epoch, *parts))
        return hashlib.sha256(text.encode()).digest()

    def new_uid(self, rtype: str = "", obj: Obj | None = None, *, dry: bool = False) -> str:
        """The uid for a new object: a UUID hashed from the seed and (type, namespace, identity, count).

        The identity is the name, and the count how many objects of that name were deleted before, so a
        name created again gets a new uid. Event names carry a timestamp, so an Event's identity is what it
        is about (involved object uid, reason, field path) and the count is how many such Events came before.

        Only the last ``UID_COUNTS_MAX`` deleted names keep their count, as a series ``(count, salt)``. The salt
        is how many counts had been dropped when the series began; it only grows, so a name whose count was
        dropped starts a new series that no earlier uid of that name was hashed from. Until a count is dropped
        the salt is 0 and is left out, so small clusters keep the uids they always had.
        """
        ns, name = _key(obj) if obj is not None else ("", "")
        if rtype and not self.types[rtype].namespaced:
            ns = ""
        identity, n, salt = name, 0, 0
        if rtype == "events" and obj is not None:
            identity, n = self._event_identity(obj, name, dry)
        elif identity:
            n, salt = self._uid_counts.get((rtype, ns, identity), (0, self._uid_forgotten))
        parts = ("uid", rtype, ns, identity, n, *(("salt", salt) if salt else ()))
        return str(uuid.UUID(bytes=self._digest(*parts)[:16], version=4))

    def _event_identity(self, event: Obj, name: str, dry: bool) -> tuple[str, int]:
        involved = event.get("involvedObject") or event.get("regarding") or {}
        owner = str(involved.get("uid") or "")
        rtype = _RTYPE_OF_KIND.get(str(involved.get("kind")))
        about = (
            self.get(rtype, str(involved.get("namespace") or ""), str(involved.get("name")))
            if rtype
            else None
        )
        if not owner or about is None or about["metadata"].get("uid") != owner:
            # About an object that is gone (its counts went with it) or unknown: the Event's own name, unique
            # among Events, keeps the uid unique.
            return f"gone|{owner}|{name}", 0
        what = f"{event.get('reason')}|{involved.get('fieldPath', '')}"
        counts = self._event_counts.setdefault(owner, {})
        n = counts.get(what, 0)
        if not dry:
            counts[what] = n + 1
        return f"{owner}|{what}", n

    def generate_name(self, rtype: str, namespace: str, prefix: str, alphabet: str, length: int = 5) -> str:
        """``generateName`` resolved to a free name: a suffix hashed from the seed, prefix and attempt count."""
        rt = self.types[rtype]
        ns = namespace if rt.namespaced else ""
        key = (rtype, ns, prefix)
        while True:
            n = self._name_counts.get(key, 0)
            self._name_counts[key] = n + 1
            digest = self._digest("name", rtype, ns, prefix, n)
            name = prefix + "".join(alphabet[b % len(alphabet)] for b in digest[:length])
            if (ns, name) not in self._objects[rtype]:
                return name

    def create(self, rtype: str, obj: Obj, *, take: bool = False) -> Obj:
        """Stores a new object, filling uid, creationTimestamp, resourceVersion and generation.

        The object is copied first, unless ``take``: a caller that built it and never touches it again (a
        scenario written straight into the store) hands it over.
        """
        rt = self.types[rtype]
        obj = obj if take else clone(obj)
        meta = obj.setdefault("metadata", {})
        ns, name = _key(obj)
        if not rt.namespaced:
            meta.pop("namespace", None)
            ns = ""
        if (ns, name) in self._objects[rtype]:
            raise errors.already_exists(rt.plural, name, rt.group)
        obj["apiVersion"] = rt.api_version
        obj["kind"] = rt.kind
        meta["uid"] = self.new_uid(rtype, obj)
        meta["creationTimestamp"] = meta.get("creationTimestamp") or self.clock()
        meta.pop("deletionTimestamp", None)
        if rt.has_generation:
            meta["generation"] = 1
        return self._commit(rtype, ADDED, obj, None)

    def update(self, rtype: str, obj: Obj, *, check_version: bool = True, subresource: str = "") -> Obj:
        """Replaces an object. With ``check_version``, a stale metadata.resourceVersion gives 409 Conflict.

        ``subresource="status"`` keeps the stored spec; a plain update keeps the stored status for types that
        have one. A change to spec (or any non-status field) bumps metadata.generation.
        """
        rt = self.types[rtype]
        obj = clone(obj)
        meta = obj.setdefault("metadata", {})
        ns, name = _key(obj)
        if not rt.namespaced:
            meta.pop("namespace", None)
            ns = ""
        current = self._objects[rtype].get((ns, name))
        if current is None:
            raise errors.not_found(rt.plural, name, rt.group)
        cur_meta = current["metadata"]
        given_rv = meta.get("resourceVersion")
        if check_version and given_rv and given_rv != cur_meta["resourceVersion"]:
            raise errors.conflict(rt.plural, name, rt.group)
        if meta.get("uid") and meta["uid"] != cur_meta["uid"]:
            raise errors.conflict(rt.plural, name, rt.group)
        obj["apiVersion"] = rt.api_version
        obj["kind"] = rt.kind
        meta["uid"] = cur_meta["uid"]
        meta["creationTimestamp"] = cur_meta["creationTimestamp"]
        if "deletionTimestamp" in cur_meta:
            meta["deletionTimestamp"] = cur_meta["deletionTimestamp"]
            if "deletionGracePeriodSeconds" in cur_meta:
                meta["deletionGracePeriodSeconds"] = cur_meta["deletionGracePeriodSeconds"]
        if subresource == "status":
            for k in list(obj):
                if k not in ("status", "metadata", "apiVersion", "kind"):
                    obj.pop(k)
            for k, v in current.items():
                if k not in ("status", "metadata"):
                    obj[k] = v
            obj["metadata"] = {**cur_meta, "resourceVersion": cur_meta["resourceVersion"]}
        elif "status" in current and rtype not in ("namespaces",):
            obj["status"] = current["status"]
            if rtype == "services" and (obj.get("spec") or {}).get("type") != "LoadBalancer":
                # The built-in load balancer lets its address go with the type, in the same write.
                obj["status"] = {**current["status"], "loadBalancer": {}}
        if rt.has_generation:
            gen = cur_meta.get("generation", 1)
            if subresource != "status" and _spec_changed(current, obj):
                gen += 1
            elif obj["metadata"].get("deletionTimestamp") and not cur_meta.get("deletionTimestamp"):
                gen += 1  # the start of a deletion counts as a change, as in Kubernetes
            meta = obj["metadata"]
            meta["generation"] = gen
        if _same(current, obj):
            return current  # a no-op write does not take a new version, as in Kubernetes
        return self._commit(rtype, MODIFIED, obj, current)

    def delete(self, rtype: str, namespace: str, name: str) -> Obj:
        """Removes an object at once (graceful deletion and finalizers are the API layer's business)."""
        rt = self.types[rtype]
        ns = namespace if rt.namespaced else ""
        current = self._objects[rtype].get((ns, name))
        if current is None:
            raise errors.not_found(rt.plural, name, rt.group)
        return self._commit(rtype, DELETED, current, current)

    def _commit(self, rtype: str, kind: str, obj: Obj, old: Obj | None) -> Obj:
        self.rv += 1
        if kind == DELETED:
            if rtype != "events":  # the next object of this name gets another uid
                self._count_deletion((rtype, *_key(obj)))
                self._event_counts.pop(obj["metadata"].get("uid", ""), None)
            obj = {**obj, "metadata": {**obj["metadata"], "resourceVersion": str(self.rv)}}
            del self._objects[rtype][_key(obj)]
        else:
            obj["metadata"]["resourceVersion"] = str(self.rv)
            self._objects[rtype][_key(obj)] = obj
        now = time.monotonic()
        event = Event(kind, rtype, obj, old, self.rv, now)
        history = self._history[rtype]
        history.append(event)
        too_old = now - self.history_seconds
        while len(history) > self.history_size or (len(history) > HISTORY_MIN and history[0].at < too_old):
            self._compacted[rtype] = history.popleft().rv
        for w in list(self._watches[rtype]):
            if w.namespace is None or w.namespace == _key(obj)[0]:
                w.push(event)
        for listener in list(self._listeners):
            listener(event)
        return obj

    def _count_deletion(self, counted: tuple[str, str, str]) -> None:
        n, salt = self._uid_counts.pop(counted, (0, self._uid_forgotten))
        self._uid_counts[counted] = (n + 1, salt)  # moved to the end: the most recently deleted are kept
        if len(self._uid_counts) > UID_COUNTS_MAX:
            del self._uid_counts[next(iter(self._uid_counts))]
            self._uid_forgotten += 1

    # -- watching ------------------------------------------------------------------------------------------

    def watch(self, rtype: str, namespace: str | None, since: int) -> Watch:
        """Events after resourceVersion ``since``; raises 410 Expired if that version left the history."""
        if since < self._compacted[rtype]:
            raise errors.expired(f"too old resource version: {since} ({self._compacted[rtype] + 1})")
        w = Watch(rtype, namespace or None)
        for event in self._history[rtype]:
            if event.rv > since and (w.namespace is None or w.namespace == _key(event.obj)[0]):
                w.push(event)
        self._watches[rtype].add(w)
        return w

    def unwatch(self, w: Watch) -> None:
        self._watches[w.rtype].discard(w)
        w.close()

    def close_all_watches(self) -> None:
        for watches in self._watches.values():
            for w in list(watches):
                w.close()
            watches.clear()

    def add_listener(self, listener: Callable[[Event], None]) -> None:
        """Calls ``listener`` synchronously after every change (controllers use this to enqueue work)."""
        self._listeners.append(listener)

    def remove_listener(self, listener: Callable[[Event], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def compact(self, rtype: str | None = None) -> None:
        """Drops the event history (of one type or all), as etcd compaction does; older watches get 410."""
        for key in [rtype] if rtype else list(self.types):
            if self._history[key]:
                self._compacted[key] = self._history[key][-1].rv
                self._history[key].clear()
            self._compacted[key] = max(self._compacted[key], self.rv)

    # -- persistence ---------------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Writes every object and the current resourceVersion, atomically."""
        data = {
            "resourceVersion": self.rv,
            "objects": {k: list(v.values()) for k, v in self._objects.items()},
        }
        write_private(path, orjson.dumps(data))  # Secrets are in it: 0600

    def load(self, path: Path) -> None:
        """Restores objects saved by ``save``; versions carry on increasing from the saved one."""
        data = orjson.loads(path.read_bytes())
        for crd in data.get("objects", {}).get(crds.CRD_KEY, []):  # their types first, then their objects
            custom = crds.custom_type(crd)
            if custom is not None:
                self.add_type(custom)
        for key, items in data.get("objects", {}).items():
            if key in self._objects:
                self._objects[key] = {_key(o): o for o in items}
        self.rv = max(self.rv, int(data.get("resourceVersion", 0)))
        # A restart with the same seed would otherwise hand out the uids of objects that still exist; every
        # uid minted since the last load took a resourceVersion, so the loaded version is a fresh epoch.
        self.rng = random.Random(f"{self.rng.random()}:{self.rv}")
        self._epoch = self.rv
        self._uid_counts.clear()
        self._uid_forgotten = 0
        self._event_counts.clear()
        self._name_counts.clear()
        # Nothing before the restart can be replayed: a watch from an older version must relist.
        for key in self._compacted:
            self._compacted[key] = self.rv


_RTYPE_OF_KIND = {rt.kind: key for key, rt in BY_KEY.items()}


def _spec_changed(old: Obj, new: Obj) -> bool:
    for k in set(old) | set(new):
        if k in ("metadata", "status", "apiVersion", "kind"):
            continue
        if (
            k == "spec"
            and new.get("kind") == "Pod"
            and isinstance(old.get(k), dict)
            and isinstance(new.get(k), dict)
        ):
            # Binding a pod to its node is no change of its spec.
            if {**old[k], "nodeName": None} != {**new[k], "nodeName": None}:
                return True
            continue
        if old.get(k) != new.get(k):
            return True
    # Deleting by setting deletionTimestamp also bumps generation in Kubernetes, but only via the API layer.
    return False


def _same(old: Obj, new: Obj) -> bool:
    om = {k: v for k, v in old["metadata"].items() if k not in ("resourceVersion", "managedFields")}
    nm = {k: v for k, v in new["metadata"].items() if k not in ("resourceVersion", "managedFields")}
    if om != nm:
        return False
    # A change of field ownership alone is a write (a co-owner's apply), a new timestamp alone is not.
    if "managedFields" in new["metadata"] and _untimed(old) != _untimed(new):
        return False
    return all(old.get(k) == new.get(k) for k in set(old) | set(new) if k != "metadata")


def _untimed(obj: Obj) -> list[Obj]:
    return [{k: v for k, v in e.items() if k != "time"} for e in obj["metadata"].get("managedFields") or []]
