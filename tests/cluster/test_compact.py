"""Compactor: objects keep their exact JSON value while equal parts and short strings are shared between them."""

from __future__ import annotations

import copy
import sys

import orjson

from kubetui.cluster.compact import Compactor
from tests.cluster.objects import deployment, pod, replicaset


def _pods(count: int) -> list[dict]:
    rs = replicaset("web-1", deployment("web"), count)
    out = []
    for i in range(count):
        p = pod(f"web-{i}", labels={"app": "web"}, node=f"n{i % 2}", rs=rs)
        p["spec"]["tolerations"] = [{"key": "node.kubernetes.io/not-ready", "operator": "Exists"}]
        p["status"]["podIPs"] = [{"ip": f"10.0.0.{i}"}]
        out.append(p)
    return out


def test_every_object_keeps_its_json_value() -> None:
    pods = _pods(50)
    before = [orjson.dumps(p) for p in pods]
    compactor = Compactor()
    after = [orjson.dumps(compactor.compact(copy.deepcopy(p))) for p in pods]
    assert after == before


def test_equal_parts_become_one_object_and_different_ones_do_not() -> None:
    compactor = Compactor()
    a, b = (compactor.compact(p) for p in _pods(2))
    assert a["spec"]["tolerations"] is b["spec"]["tolerations"]
    assert a["metadata"]["ownerReferences"] is b["metadata"]["ownerReferences"]
    assert a["metadata"]["labels"] is b["metadata"]["labels"]
    assert a["status"]["podIPs"] is not b["status"]["podIPs"]
    assert a["status"]["podIPs"] != b["status"]["podIPs"]
    # the sections that hold each object's own name and uid stay its own
    assert a["metadata"] is not b["metadata"] and a["spec"] is not b["spec"]


def test_true_one_and_one_point_zero_stay_apart() -> None:
    compactor = Compactor()
    objs = [
        compactor.compact({"metadata": {"name": str(i)}, "spec": {"x": {"v": v}}})
        for i, v in enumerate((1, True, 1.0, 1))
    ]
    values = [o["spec"]["x"]["v"] for o in objs]
    assert [type(v) for v in values] == [int, bool, float, int]
    assert objs[0]["spec"]["x"] is objs[3]["spec"]["x"]
    assert objs[0]["spec"]["x"] is not objs[1]["spec"]["x"]
    assert objs[0]["spec"]["x"] is not objs[2]["spec"]["x"]


def test_dict_and_list_with_the_same_text_never_meet() -> None:
    compactor = Compactor()
    a = compactor.compact({"spec": {"x": {"a": []}}})
    b = compactor.compact({"spec": {"x": {"a": {}}}})
    assert a["spec"]["x"] == {"a": []} and b["spec"]["x"] == {"a": {}}


def test_remembered_parts_are_bounded_and_common_ones_stay_shared() -> None:
    compactor = Compactor(limit=10)
    shared = {"key": "same", "operator": "Exists"}
    first = compactor.compact({"spec": {"t": [dict(shared)]}})
    for i in range(200):  # many unique parts: the memory of parts stays at two generations of ten
        obj = compactor.compact({"spec": {"own": {"ip": f"10.1.{i}.1"}, "t": [dict(shared)]}})
        assert obj["spec"]["t"] is first["spec"]["t"]
        assert len(compactor._young) <= 10 and len(compactor._old) <= 10


def test_short_strings_are_interned_and_long_ones_left_alone() -> None:
    compactor = Compactor()
    name = "".join(["ng", "inx:1.27"])
    long = "x" * 1000
    a = compactor.compact({"spec": {"image": name, "message": long}})
    b = compactor.compact({"spec": {"image": "".join(["nginx", ":1.27"]), "message": "x" * 1000}})
    assert a["spec"]["image"] is b["spec"]["image"]
    assert a["spec"]["message"] == b["spec"]["message"] == long


def test_a_remembered_part_costs_about_its_own_size() -> None:
    """orjson returns its whole growth buffer (4 KiB for a short text); kept as a key, every remembered part cost
    that much: up to 34 MB for the two generations."""
    import tracemalloc

    # The names are interned before measuring: a growth step of the interpreter's table of interned strings
    # (shared by the whole process, 1.9 MB once other tests have filled it) is not what a part costs.
    names = [sys.intern(f"p{i}") for i in range(2000)]
    parts = [{"metadata": {"x": {"name": name}}} for name in names]  # one short distinct part each
    compactor = Compactor(limit=4096)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for obj in parts:
            compactor.compact(obj)
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(compactor._young) == 2000
    assert kept / 2000 < 600, f"{kept / 2000:.0f} bytes kept per remembered part"
