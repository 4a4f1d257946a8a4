"""Uids and generated names follow from the seed, whatever order the controllers happen to run in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kubetui.sim.cluster import SimCluster
from kubetui.sim.store import ObjectStore

from .controller_support import container_state, create, deployment, pods_of, wait_for

DEPLOY = "deployments.apps"
KINDS = (
    "namespaces",
    "nodes",
    DEPLOY,
    "replicasets.apps",
    "pods",
    "services",
    "serviceaccounts",
    "configmaps",
)


def _settled(cluster: SimCluster) -> bool:
    pods = pods_of(cluster, "web") + pods_of(cluster, "api")
    return len(pods) == 5 and all(container_state(p) == "running" for p in pods)


def _uids(cluster: SimCluster) -> dict[tuple[str, str, str], str]:
    return {
        (rtype, o["metadata"].get("namespace", ""), o["metadata"]["name"]): o["metadata"]["uid"]
        for rtype in KINDS
        for o in cluster.store.list(rtype)
    }


def _first_event_uids(cluster: SimCluster) -> dict[tuple[str, ...], str]:
    """The uid of the first Event about each (object, reason, field); later ones may differ with timing."""
    first: dict[tuple[str, ...], tuple[int, str]] = {}
    for ev in cluster.store.list("events"):
        inv = ev["involvedObject"]
        key = (inv.get("kind", ""), inv.get("name", ""), ev.get("reason", ""), inv.get("fieldPath", ""))
        rv = int(ev["metadata"]["resourceVersion"]) if ev.get("count", 1) == 1 else 0
        if key not in first or rv < first[key][0]:
            first[key] = (rv, ev["metadata"]["uid"])
    return {k: v[1] for k, v in first.items()}


async def _run(speed: float, stagger: bool) -> tuple[dict[Any, str], dict[Any, str]]:
    cluster = SimCluster(scenario="empty", nodes=2, seed=11, speed=speed)
    await cluster.start()
    try:
        create(cluster, DEPLOY, deployment("web", "nginx:1.27", replicas=3))
        if stagger:  # the second deployment arrives while the first one's pods are being started
            await wait_for(lambda: len(pods_of(cluster, "web")) == 3)
        create(cluster, DEPLOY, deployment("api", "nginx:1.27", replicas=2))
        create(cluster, "services", {"metadata": {"name": "web"}, "spec": {"selector": {"app": "web"}}})
        await wait_for(lambda: _settled(cluster), timeout=20, what="pods running")
        return _uids(cluster), _first_event_uids(cluster)
    finally:
        await cluster.stop()


async def test_uids_depend_on_the_seed_not_on_timing() -> None:
    uids_a, events_a = await _run(speed=200, stagger=False)
    uids_b, events_b = await _run(speed=40, stagger=True)
    assert uids_a.keys() == uids_b.keys()
    assert uids_a == uids_b
    shared = events_a.keys() & events_b.keys()
    assert len(shared) >= 10  # Scheduled, Pulled, Created, Started of each pod, ScalingReplicaSet, ...
    assert {k: events_a[k] for k in shared} == {k: events_b[k] for k in shared}
    assert len(set(uids_a.values()) | set(events_a.values())) == len(uids_a) + len(events_a)


def test_a_name_created_again_gets_a_new_uid_and_generated_names_are_seeded() -> None:
    store, other = ObjectStore(seed=3), ObjectStore(seed=3)
    first = store.create("configmaps", {"metadata": {"name": "c", "namespace": "default"}})
    store.delete("configmaps", "default", "c")
    second = store.create("configmaps", {"metadata": {"name": "c", "namespace": "default"}})
    assert first["metadata"]["uid"] != second["metadata"]["uid"]
    assert other.create("configmaps", first)["metadata"]["uid"] == first["metadata"]["uid"]
    assert ObjectStore(seed=4).create("configmaps", first)["metadata"]["uid"] != first["metadata"]["uid"]
    names = [store.generate_name("pods", "default", "job-", "bcdfg") for _ in range(3)]
    assert len(set(names)) == 3
    assert [other.generate_name("pods", "default", "job-", "bcdfg") for _ in range(3)] == names


def test_uids_stay_unique_across_state_restarts(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    store = ObjectStore(seed=1)
    seen = {
        store.create("configmaps", {"metadata": {"name": "a", "namespace": "default"}})["metadata"]["uid"]
    }
    store.delete("configmaps", "default", "a")
    store.save(state)
    for _ in range(3):  # each run recreates "a" after a restart with the same seed
        restarted = ObjectStore(seed=1)
        restarted.load(state)
        created = restarted.create("configmaps", {"metadata": {"name": "a", "namespace": "default"}})
        assert created["metadata"]["uid"] not in seen
        seen.add(created["metadata"]["uid"])
        restarted.delete("configmaps", "default", "a")
        restarted.save(state)


def test_event_uids_are_unique_and_their_counts_go_with_the_object() -> None:
    store = ObjectStore(seed=2)
    pod = store.create("pods", {"metadata": {"name": "p", "namespace": "default"}, "spec": {}})
    involved = {"kind": "Pod", "namespace": "default", "name": "p", "uid": pod["metadata"]["uid"]}

    def event(name: str) -> str:
        body = {
            "metadata": {"name": name, "namespace": "default"},
            "involvedObject": involved,
            "reason": "BackOff",
        }
        return str(store.create("events", body)["metadata"]["uid"])

    uids = [event("p.1"), event("p.2")]
    store.delete("pods", "default", "p")
    assert not store._event_counts  # nothing is kept per object once it is gone
    uids += [event("p.3"), event("p.4")]  # late Events about the deleted pod
    assert len(set(uids) | {pod["metadata"]["uid"]}) == 5
