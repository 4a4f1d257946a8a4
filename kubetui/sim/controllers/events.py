"""Records core/v1 Events as Kubernetes components do: aggregated by object, reason and message, with counts."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from kubetui.sim.errors import ApiError
from kubetui.sim.store import DELETED, Event

from .base import Obj, meta

if TYPE_CHECKING:
    from kubetui.sim.cluster import SimCluster

# The API server keeps events an hour (--event-ttl); beyond that, and beyond this many, the oldest go.
EVENT_TTL_SECONDS = 3600.0
MAX_EVENTS = 5000
# How often, in simulated seconds, events past their TTL are looked for.
EXPIRE_EVERY = 60.0
# How far apart, in simulated seconds, the marks of when Events were written are: an Event outlives its TTL by
# this much at most (and by up to ``EXPIRE_EVERY`` until the next look).
MARK_EVERY = 10.0
# Distinct (component, host) sources and texts kept for sharing before they start over.
MAX_SOURCES = 1024
MAX_TEXTS = 1024


class EventRecorder:
    """``record(obj, reason, message)`` creates or bumps an Event about ``obj``.

    At a steady churn thousands of Events are kept, so each one's cost counts: the Event is stored as built
    (not copied), its strings are shared with the object it is about, the clock's stamp of the second and the
    other Events that say the same, and the bookkeeping below keeps nothing of its own per Event but one
    aggregation entry.
    """

    def __init__(self, cluster: SimCluster):
        self.cluster = cluster
        self.enabled = True
        # Aggregation key (involved uid, reason, message, field path) → the Event's name: recorded Events'
        # names are unique across namespaces (see ``_last_name``), and the namespace is the involved object's.
        self._seen: dict[tuple[str, str, str, str], str] = {}
        self._last_name = 0
        self._expired_at = cluster.clock.now()
        # When Events were last written: their TTL runs from there, as the API server's lease on the key is
        # renewed by every write, whatever time the Event itself reports (a client may post one from
        # yesterday). Every write takes the next resourceVersion, so one mark (time, version) a few seconds
        # says it for all of them: every Event whose version is at most the mark's was written by that time.
        self._marks: deque[tuple[float, int]] = deque()
        self._mark_opened = 0.0
        self._sources: dict[tuple[str, str], Obj] = {}  # (component, host) → the ``source`` Events share
        self._texts: dict[str, str] = {}  # messages and field paths lately recorded, to be shared
        cluster.store.add_listener(self._on_change)

    def _on_change(self, event: Event) -> None:
        if event.rtype == "events" and event.type != DELETED:
            self._mark(event.rv)

    def _mark(self, rv: int) -> None:
        clock = self.cluster.clock
        now = clock.now()
        if self._marks and clock.sim_elapsed(self._mark_opened, now) < MARK_EVERY:
            self._marks[-1] = (now, rv)
        else:
            self._marks.append((now, rv))
            self._mark_opened = now

    def record(
        self,
        obj: Obj,
        reason: str,
        message: str,
        *,
        type: str = "Normal",
        component: str = "",
        host: str = "",
        field_path: str = "",
    ) -> None:
        if not self.enabled:
            return
        store = self.cluster.store
        m = meta(obj)
        namespace = m.get("namespace") or "default"
        stamp = self.cluster.clock.stamp()
        self.expire_due()
        message = self._shared(message)
        field_path = self._shared(field_path)
        agg = (m.get("uid", ""), reason, message, field_path)
        existing = self._seen.get(agg)
        if existing is not None:
            current = store.get("events", namespace, existing)
            if current is not None:
                updated = {**current, "count": int(current.get("count") or 1) + 1, "lastTimestamp": stamp}
                try:
                    store.update("events", updated, check_version=False)
                except ApiError:
                    pass
                return
        involved = {
            "kind": obj.get("kind", ""),
            "namespace": m.get("namespace"),
            "name": m.get("name", ""),
            "uid": m.get("uid", ""),
            "apiVersion": obj.get("apiVersion", ""),
            "resourceVersion": m.get("resourceVersion", ""),
        }
        if not involved["namespace"]:
            del involved["namespace"]
        if field_path:
            involved["fieldPath"] = field_path
        # Real event names are "<object>.<unix nanoseconds in hex>".
        nanos = max(int(self.cluster.clock.now() * 1e9), self._last_name + 1)
        self._last_name = nanos
        # Built here and never touched again, so the store takes it as it is. ``kind`` and ``apiVersion`` come
        # first, where the store would put them in what it serves anyway.
        event = {
            "kind": "Event",
            "apiVersion": "v1",
            "metadata": {"name": f"{m.get('name', '')}.{nanos:x}", "namespace": namespace},
            "involvedObject": involved,
            "reason": reason,
            "message": message,
            "source": self._source(component, host),
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
            "count": 1,
            "type": type,
            "eventTime": None,
            "reportingComponent": component,
            "reportingInstance": host,
        }
        try:
            created = store.create("events", event, take=True)
        except ApiError:
            return
        self._seen[agg] = created["metadata"]["name"]
        if store.count("events") > MAX_EVENTS:
            self.prune()

    def _shared(self, text: str) -> str:
        """``text`` as recorded before, if it was lately: the messages and field paths that many Events repeat
        ("Started container web") are kept once. Not ``sys.intern``: the messages that name a pod are new
        every time and would grow the interpreter's table of interned strings for good."""
        shared = self._texts.get(text)
        if shared is None:
            if len(self._texts) >= MAX_TEXTS:
                self._texts.clear()
            shared = self._texts[text] = text
        return shared

    def _source(self, component: str, host: str) -> Obj:
        """One ``source`` dict for all Events of a component on a host: stored objects are never changed in
        place, so they may share it."""
        source = self._sources.get((component, host))
        if source is None:
            if len(self._sources) >= MAX_SOURCES:
                self._sources.clear()
            source = self._sources[(component, host)] = {
                "component": component,
                **({"host": host} if host else {}),
            }
        return source

    def expire_due(self) -> None:
        """Drops events past their TTL if the last look was ``EXPIRE_EVERY`` ago (called on every record and
        by the cluster's housekeeping, so Events that clients create expire too)."""
        if self.cluster.clock.sim_elapsed(self._expired_at) >= EXPIRE_EVERY:
            self.prune()

    async def run(self) -> None:
        """Housekeeping for a running cluster: expires events even when nothing records new ones."""
        while True:
            await self.cluster.clock.sleep(EXPIRE_EVERY)
            self.expire_due()

    def prune(self) -> None:
        """Drops events past their TTL, then the oldest beyond ``MAX_EVENTS``."""
        store = self.cluster.store
        clock = self.cluster.clock
        now = self._expired_at = clock.now()
        # Events loaded from saved state were last written before the restart: their lease starts now.
        self._mark(store.rv)
        expired = 0  # every Event of this version or older was last written more than a TTL ago
        while len(self._marks) > 1 and clock.sim_elapsed(self._marks[0][0], now) > EVENT_TTL_SECONDS:
            expired = self._marks.popleft()[1]
        events = sorted(store.iter("events"), key=_last_seen)
        excess = len(events) - MAX_EVENTS * 9 // 10
        for i, ev in enumerate(events):
            m = ev["metadata"]
            if i < excess or int(m.get("resourceVersion") or 0) <= expired:
                try:
                    store.delete("events", m["namespace"], m["name"])
                except ApiError:
                    pass
        live = {e["metadata"]["name"] for e in store.iter("events")}
        self._seen = {k: v for k, v in self._seen.items() if v in live}


def _last_seen(event: Obj) -> str:
    """When an Event last happened: ``lastTimestamp``, or for events.k8s.io-style ones their ``eventTime``, or
    failing both when it was created (all RFC 3339, so they sort as text)."""
    return str(
        event.get("lastTimestamp")
        or event.get("eventTime")
        or event["metadata"].get("creationTimestamp")
        or ""
    )
