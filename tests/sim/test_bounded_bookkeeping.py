"""The built-in cluster's bookkeeping stays bounded however many objects come and go, as a real API server's
does: the watch history is a time window, Events expire after their TTL, and what was kept about an object
(its random streams, its uid count) goes, or is capped, once the object is gone."""

from __future__ import annotations

import gc
import time
import tracemalloc
from functools import partial
from typing import Any

import pytest

from kubetui.sim.cluster import SimCluster
from kubetui.sim.codec import Codec
from kubetui.sim.controllers.events import EVENT_TTL_SECONDS
from kubetui.sim.errors import ApiError
from kubetui.sim.store import HISTORY_MIN, UID_COUNTS_MAX, ObjectStore

from .controller_support import container_state, create, deployment, pods_of, wait_for

DEPLOY = "deployments.apps"


def _configmap(name: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": "default"}, "data": {"k": "v"}}


def test_uid_counts_are_capped_and_a_name_created_again_never_repeats_a_uid() -> None:
    store = ObjectStore(seed=7)
    uids_of_a: list[str] = []
    for cycle in range(3):
        uids_of_a.append(store.create("configmaps", _configmap("a"))["metadata"]["uid"])
        store.delete("configmaps", "default", "a")
        # Enough other names deleted to push "a" out of the remembered counts.
        for i in range(UID_COUNTS_MAX + 10):
            store.create("configmaps", _configmap(f"other-{cycle}-{i}"))
            store.delete("configmaps", "default", f"other-{cycle}-{i}")
        assert len(store._uid_counts) <= UID_COUNTS_MAX
    uids_of_a.append(store.create("configmaps", _configmap("a"))["metadata"]["uid"])
    assert len(set(uids_of_a)) == len(uids_of_a)


def test_the_watch_history_keeps_a_time_window_and_older_watches_get_410() -> None:
    store = ObjectStore(seed=1, history_seconds=60.0)
    for i in range(3 * HISTORY_MIN):
        store.create("configmaps", _configmap(f"c{i}"))
    assert len(store._history["configmaps"]) == 3 * HISTORY_MIN  # all of it is younger than the window
    first_rv = store.rv - 3 * HISTORY_MIN
    store.unwatch(store.watch("configmaps", None, first_rv))
    store.history_seconds = 0.05  # as if a minute went by
    time.sleep(0.1)
    store.create("configmaps", _configmap("late"))
    assert len(store._history["configmaps"]) == HISTORY_MIN
    with pytest.raises(ApiError) as expired:
        store.watch("configmaps", None, first_rv)
    assert expired.value.code == 410
    recent = store.watch("configmaps", None, store.rv - HISTORY_MIN)
    assert recent.queue.qsize() == HISTORY_MIN
    store.unwatch(recent)


def test_events_expire_after_their_ttl_even_below_the_cap() -> None:
    cluster = SimCluster(scenario="empty", seed=3)
    about = cluster.store.create("configmaps", _configmap("noisy"))
    for i in range(10):
        cluster.events.record(about, f"Reason{i}", "something happened")
    client_made = {
        "metadata": {"name": "noisy.client", "namespace": "default"},
        "involvedObject": {"kind": "ConfigMap", "name": "noisy", "namespace": "default"},
        "reason": "FromAClient",
        "lastTimestamp": cluster.clock.stamp(),
    }
    cluster.store.create("events", client_made)
    assert cluster.store.count("events") == 11
    start = cluster.clock.now()
    cluster.clock.now = lambda: start + EVENT_TTL_SECONDS + 61  # type: ignore[method-assign]
    cluster.events.expire_due()  # the cluster's housekeeping, with nothing recorded meanwhile
    assert cluster.store.count("events") == 0
    assert not cluster.events._seen
    cluster.events.record(about, "Reason0", "something happened")
    assert [e["count"] for e in cluster.store.list("events")] == [1]  # a new Event, not a bump of a gone one


def test_an_event_written_again_lives_a_ttl_from_that_write() -> None:
    cluster = SimCluster(scenario="empty", seed=3)
    about = cluster.store.create("configmaps", _configmap("noisy"))
    start = cluster.clock.now()
    cluster.events.record(about, "Again", "happens again")
    cluster.events.record(about, "Once", "happens once")
    cluster.clock.now = lambda: start + EVENT_TTL_SECONDS - 120  # type: ignore[method-assign]
    cluster.events.record(about, "Again", "happens again")  # a bump: the Event is written again
    cluster.clock.now = lambda: start + EVENT_TTL_SECONDS + 61  # type: ignore[method-assign]
    cluster.events.expire_due()
    assert [(e["reason"], e["count"]) for e in cluster.store.list("events")] == [("Again", 2)]
    cluster.clock.now = lambda: start + 2 * EVENT_TTL_SECONDS  # type: ignore[method-assign]
    cluster.events.expire_due()
    assert cluster.store.count("events") == 0


def test_an_event_costs_about_two_kilobytes_with_all_that_is_kept_about_it() -> None:
    """At a steady churn the built-in cluster keeps thousands of Events (up to 5,000): each one's object, its
    store index, its watch-history entry, the recorder's aggregation entry, and whatever is kept of its
    encoding for the watcher that every kubetui has on Events. Once about 4.5 KB (each Event a copy of what
    was recorded with strings of its own, and its encoded JSON kept), so 5,000 of them alone moved the
    cluster's memory by more than 10 % after it had otherwise settled."""
    cluster = SimCluster(scenario="empty", seed=4)
    store = cluster.store
    codec = Codec(store)
    pods = [
        store.create("pods", {"metadata": {"name": f"web-6d4cf56db6-{i:05d}", "namespace": "default"}})
        for i in range(400)
    ]
    container = "spec.containers{web}"
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for pod in pods:
            name = pod["metadata"]["name"]
            record = partial(cluster.events.record, pod, component="kubelet", host="node-7")
            cluster.events.record(
                pod,
                "Scheduled",
                f"Successfully assigned default/{name} to node-7",
                component="default-scheduler",
            )
            record("Pulled", 'Container image "nginx:1.27" already present on machine', field_path=container)
            record("Created", "Created container: web", field_path=container)
            record("Started", "Started container web", field_path=container)
            record("Killing", "Stopping container web", field_path=container)
        sent = [codec.encode("events", e) for e in store.iter("events")]  # what the watcher is sent
        del sent
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        codec.close()
    assert store.count("events") == 5 * len(pods)
    per_event = kept / store.count("events")
    assert per_event < 2000, f"{per_event:.0f} bytes kept per Event"


def _running(cluster: SimCluster, n: int) -> bool:
    pods = pods_of(cluster, "web")
    return len(pods) == n and all(container_state(p) == "running" for p in pods)


async def test_pods_that_come_and_go_leave_no_random_streams_behind() -> None:
    cluster = SimCluster(scenario="empty", nodes=1, seed=5, speed=50)
    await cluster.start()
    try:
        create(cluster, DEPLOY, deployment("web", "nginx:1.27", replicas=0))
        for _ in range(3):
            for replicas in (4, 0):
                current = cluster.store.must_get(DEPLOY, "default", "web")
                cluster.store.update(
                    DEPLOY,
                    {**current, "spec": {**current["spec"], "replicas": replicas}},
                    check_version=False,
                )
                await wait_for(partial(_running, cluster, replicas), timeout=30, what="pods running")
        per_pod = [s for s in cluster.clock._streams if s.startswith(("kubelet/", "pull/"))]
        assert per_pod == []
        assert not cluster.kubelet or not cluster.kubelet.runtimes
        cluster.delete(DEPLOY, "default", "web")
        await wait_for(lambda: not cluster.store.list("replicasets.apps", "default"), what="ReplicaSet gone")
        assert not [s for s in cluster.clock._streams if s.startswith("pod-names/web-")]
    finally:
        await cluster.stop()


def test_the_encoded_objects_kept_for_lists_and_watches_cost_their_size_not_a_json_buffer() -> None:
    store = ObjectStore(seed=2)
    codec = Codec(store)
    objs = [store.create("configmaps", _configmap(f"c{i}")) for i in range(200)]
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        encoded = [codec.encode("configmaps", o) for o in objs]
        kept = tracemalloc.get_traced_memory()[0] - before
        assert len(codec._cache) == len(objs)  # each one kept, as lists and watches reuse it
    finally:
        tracemalloc.stop()
        codec.close()
    size = sum(len(e) for e in encoded)
    # Each entry is the bytes, a key and a tuple; orjson's own buffer would be 4 KiB an object or more.
    assert kept < 2 * size + 200 * 400, (
        f"{kept / len(objs):.0f} bytes kept per object of {size / len(objs):.0f}"
    )
