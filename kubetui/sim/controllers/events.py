"""Records core/v1 Events as Kubernetes components do: aggregated by object, reason and message, with counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubetui.sim.errors import ApiError
from kubetui.sim.store import Event

from .base import Obj, meta

if TYPE_CHECKING:
    from kubetui.sim.cluster import SimCluster

# The API server keeps events an hour (--event-ttl); beyond that, and beyond this many, the oldest go.
EVENT_TTL_SECONDS = 3600.0
MAX_EVENTS = 5000
# How often, in simulated seconds, events past their TTL are looked for.
EXPIRE_EVERY = 60.0


class EventRecorder:
    """``record(obj, reason, message)`` creates or bumps an Event about ``obj``."""

    def __init__(self, cluster: SimCluster):
        self.cluster = cluster
        self.enabled = True
        self._seen: dict[tuple[str, str, str, str], tuple[str, str]] = {}  # aggregation key → (ns, name)
        self._last_name = 0
        self._expired_at = cluster.clock.now()
        # When each Event was last written: its TTL runs from there, as the API server's lease on the key is
        # renewed by every write, whatever time the Event itself reports (a client may post one from yesterday).
        self._written: dict[tuple[str, str], float] = {}
        cluster.store.add_listener(self._on_change)

    def _on_change(self, event: Event) -> None:
        if event.rtype != "events":
            return
        m = event.obj["metadata"]
        key = (m.get("namespace") or "", m.get("name") or "")
        if event.type == "DELETED":
            self._written.pop(key, None)
        else:
            self._written[key] = self.cluster.clock.now()

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
        agg = (m.get("uid", ""), reason, message, field_path)
        existing = self._seen.get(agg)
        if existing is not None:
            current = store.get("events", *existing)
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
        event = {
            "metadata": {"name": f"{m.get('name', '')}.{nanos:x}", "namespace": namespace},
            "involvedObject": involved,
            "reason": reason,
            "message": message,
            "source": {"component": component, **({"host": host} if host else {})},
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
            "count": 1,
            "type": type,
            "eventTime": None,
            "reportingComponent": component,
            "reportingInstance": host,
        }
        try:
            created = store.create("events", event)
        except ApiError:
            return
        self._seen[agg] = (namespace, created["metadata"]["name"])
        if store.count("events") > MAX_EVENTS:
            self.prune()

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
        events = sorted(store.iter("events"), key=_last_seen)
        excess = len(events) - MAX_EVENTS * 9 // 10
        for i, ev in enumerate(events):
            # Events loaded from saved state were last written before the restart: their lease starts now.
            last = self._written.setdefault((ev["metadata"]["namespace"], ev["metadata"]["name"]), now)
            if i < excess or clock.sim_elapsed(last, now) > EVENT_TTL_SECONDS:
                try:
                    store.delete("events", ev["metadata"]["namespace"], ev["metadata"]["name"])
                except ApiError:
                    pass
        live = {(e["metadata"]["namespace"], e["metadata"]["name"]) for e in store.iter("events")}
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
