"""An Event's TTL runs from when it was last written, as the API server's lease on its key does, not from the
time the Event reports: a client may post one whose lastTimestamp is a day old, and it is listed for an hour."""

from __future__ import annotations

from kubetui.sim.cluster import SimCluster
from kubetui.sim.controllers.events import EVENT_TTL_SECONDS


def test_an_event_reporting_an_old_time_lives_a_ttl_from_its_write() -> None:
    cluster = SimCluster(scenario="empty", seed=5)
    start = cluster.clock.now()
    yesterday = cluster.clock.stamp(start - 26 * 3600)
    cluster.store.create(
        "events",
        {
            "metadata": {"name": "old.report", "namespace": "default"},
            "involvedObject": {"kind": "Pod", "name": "old", "namespace": "default"},
            "reason": "Tested",
            "firstTimestamp": yesterday,
            "lastTimestamp": yesterday,
        },
    )
    cluster.clock.now = lambda: start + EVENT_TTL_SECONDS - 60  # type: ignore[method-assign]
    cluster.events.prune()
    assert cluster.store.count("events") == 1, "expired by the time it reports, not by when it was written"
    cluster.clock.now = lambda: start + EVENT_TTL_SECONDS + 60  # type: ignore[method-assign]
    cluster.events.prune()
    assert cluster.store.count("events") == 0
