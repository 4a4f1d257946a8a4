"""Store: deltas keep objects and every index consistent, including when labels, nodes and owners change."""

from __future__ import annotations

import copy

from kubetui.cluster.store import Store
from kubetui.cluster.watch import Delta
from tests.cluster.objects import deployment, event, pod, replicaset


def _names(objs) -> list[str]:
    return [o["metadata"]["name"] for o in objs]


def test_add_modify_delete_keep_indexes_consistent() -> None:
    store = Store()
    dep = deployment("web")
    rs = replicaset("web-1", dep, 1)
    a = pod("web-a", labels={"app": "web", "tier": "fe"}, node="n1", rs=rs)
    b = pod("web-b", labels={"app": "web"}, node="n2", rs=rs)
    c = pod("db", "data", labels={"app": "db"}, node="n1")
    changed = store.apply("pods", [Delta("ADDED", "pods", o) for o in (a, b, c)])
    assert changed == {a["metadata"]["uid"], b["metadata"]["uid"], c["metadata"]["uid"]}
    assert _names(store.list("pods")) == ["db", "web-a", "web-b"]  # sorted by (namespace, name)
    assert _names(store.list("pods", "data")) == ["db"]
    assert store.find("pods", "default", "web-b") is b
    assert store.get("pods", a["metadata"]["uid"]) is a
    assert _names(store.by_label("pods", {"app": "web"})) == ["web-a", "web-b"]
    assert _names(store.by_label("pods", {"app": "web", "tier": "fe"})) == ["web-a"]
    assert _names(store.by_label("pods", {"app": "web"}, "data")) == []
    assert _names(store.pods_on_node("n1")) == ["db", "web-a"]
    assert _names(store.owned_by("pods", rs["metadata"]["uid"])) == ["web-a", "web-b"]

    # a label and node change moves the pod between index buckets
    a2 = copy.deepcopy(a)
    a2["metadata"]["labels"] = {"app": "canary"}
    a2["metadata"]["resourceVersion"] = "999"
    a2["spec"]["nodeName"] = "n2"
    assert store.apply("pods", [Delta("MODIFIED", "pods", a2)]) == {a["metadata"]["uid"]}
    assert _names(store.by_label("pods", {"app": "web"})) == ["web-b"]
    assert _names(store.by_label("pods", {"app": "canary"})) == ["web-a"]
    assert _names(store.pods_on_node("n1")) == ["db"]
    assert _names(store.pods_on_node("n2")) == ["web-a", "web-b"]

    gen = store.generation
    store.apply("pods", [Delta("DELETED", "pods", b), Delta("DELETED", "pods", pod("never-seen"))])
    assert store.generation == gen + 1
    assert store.find("pods", "default", "web-b") is None
    assert _names(store.owned_by("pods", rs["metadata"]["uid"])) == ["web-a"]
    assert store.count("pods") == 2 and store.count("pods", "default") == 1
    assert store.apply("pods", [Delta("DELETED", "pods", b)]) == set()


def test_events_by_involved_object_and_clear() -> None:
    store = Store()
    p = pod("web-a")
    store.apply("pods", [Delta("ADDED", "pods", p)])
    e1 = event("e1", p, "2026-01-01T00:00:02Z")
    e2 = event("e2", p, "2026-01-01T00:00:01Z")
    store.apply("events", [Delta("ADDED", "events", e1), Delta("ADDED", "events", e2)])
    assert _names(store.events_for_uid(p["metadata"]["uid"])) == ["e1", "e2"]
    store.clear("events")
    assert store.events_for_uid(p["metadata"]["uid"]) == [] and store.count("events") == 0
    assert store.count("pods") == 1


def test_list_reflects_every_change_despite_caching() -> None:
    store = Store()
    a, b = pod("b-pod"), pod("a-pod", "other")
    store.apply("pods", [Delta("ADDED", "pods", a)])
    first = store.list("pods")
    first.append({"mutated": True})  # callers get their own list
    assert _names(store.list("pods")) == ["b-pod"]
    store.apply("pods", [Delta("ADDED", "pods", b)])
    assert _names(store.list("pods")) == ["b-pod", "a-pod"]
    assert _names(store.list("pods", "other")) == ["a-pod"]
    store.apply("pods", [Delta("DELETED", "pods", b)])
    assert _names(store.list("pods", "other")) == [] and _names(store.list("pods")) == ["b-pod"]
    store.clear()
    assert store.list("pods") == []
