"""Facts the registry of kinds holds and its callers ask for: which pods an object has, its pod spec, selector
and ports, and which owner kinds the owner chain follows."""

from __future__ import annotations

from typing import Any

import pytest

from kubetui import kinds
from kubetui.cluster import relations
from kubetui.cluster.store import Store
from kubetui.cluster.watch import Delta
from kubetui.kinds import objects

POD_SPEC = {
    "containers": [
        {"name": "c", "ports": [{"containerPort": 8080}, {"containerPort": 53, "protocol": "UDP"}]}
    ]
}


def _obj(kind: str, name: str, uid: str, owner: str | None = None, **rest: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "default", "uid": uid, "labels": {"app": name}}
    if owner:
        meta["ownerReferences"] = [{"uid": owner, "controller": True, "kind": "X", "name": "x"}]
    return {"kind": kind, "metadata": meta, **rest}


def _store(kind: str, *objs: dict[str, Any]) -> Store:
    store = Store()
    store.apply(kind, [Delta("ADDED", kind, o) for o in objs])
    return store


def test_each_kind_yields_its_pods_the_way_its_entry_says() -> None:
    mounting = {"volumes": [{"name": "v", "configMap": {"name": "settings"}}]}
    store = _store(
        "pods",
        _obj("Pod", "db-1", "p1", "sts"),
        _obj("Pod", "db-0", "p0", "sts"),
        _obj("Pod", "reader", "p2", spec=mounting),
        _obj("Pod", "stray", "p3", "other"),
    )
    sts = _obj("StatefulSet", "db", "sts")
    job = _obj("Job", "batch", "other")
    cm = _obj("ConfigMap", "settings", "cm")
    names = lambda objs: [o["metadata"]["name"] for o in objs]  # noqa: E731
    assert names(relations.pods_of(store, sts)) == ["db-0", "db-1"]
    assert names(relations.pods_of(store, job)) == ["stray"]
    assert names(relations.pods_of(store, cm)) == ["reader"]
    assert names(relations.pods_of(store, cm, "configmaps")) == ["reader"]
    assert relations.pods_of(store, _obj("Ingress", "web", "i")) == []  # no pods of its own
    test = relations.pod_test(store, sts, "statefulsets")
    assert [test(p) for p in store.list("pods")] == [True, True, False, False]


def test_owner_chain_follows_any_kind_the_registry_knows() -> None:
    store = _store("replicasets", _obj("ReplicaSet", "web-1", "rs", "dep"))
    store.apply("deployments", [Delta("ADDED", "deployments", _obj("Deployment", "web", "dep"))])
    pod = _obj("Pod", "web-1-a", "p", "rs")
    pod["metadata"]["ownerReferences"][0].update(kind="ReplicaSet", apiVersion="apps/v1")
    store.get("replicasets", "rs")["metadata"]["ownerReferences"][0].update(
        kind="Deployment", apiVersion="apps/v1"
    )  # type: ignore[index]
    assert [o["metadata"]["name"] for o in relations.owner_chain(store, pod)] == ["web-1", "web"]
    pod["metadata"]["ownerReferences"][0].update(kind="ReplicaSet", apiVersion="example.com/v1")
    assert relations.owner_chain(store, pod) == []  # a custom kind of the same name is not a ReplicaSet


@pytest.mark.parametrize(
    ("plural", "obj", "spec", "selector", "ports"),
    [
        ("pods", {"metadata": {"labels": {"a": "b"}}, "spec": POD_SPEC}, POD_SPEC, {"a": "b"}, [8080, 53]),
        (
            "deployments",
            {"spec": {"selector": {"matchLabels": {"app": "x"}}, "template": {"spec": POD_SPEC}}},
            POD_SPEC,
            {"app": "x"},
            [8080, 53],
        ),
        (
            "cronjobs",
            {"spec": {"jobTemplate": {"spec": {"template": {"spec": POD_SPEC}}}}},
            POD_SPEC,
            {},
            [8080, 53],
        ),
        ("services", {"spec": {"selector": {"app": "x"}, "ports": [{"port": 80}]}}, {}, {"app": "x"}, [80]),
        ("configmaps", {"data": {}}, {}, {}, []),
    ],
)
def test_pod_spec_selector_and_ports_are_read_per_kind(
    plural: str, obj: dict[str, Any], spec: dict[str, Any], selector: dict[str, str], ports: list[int]
) -> None:
    assert objects.pod_spec(plural, obj) == spec
    assert objects.selector_map(plural, obj) == selector
    assert objects.port_numbers(plural, obj) == ports


def test_udp_ports_keep_their_protocol() -> None:
    assert objects.ports("pods", {"spec": POD_SPEC}) == [(8080, "TCP"), (53, "UDP")]


def test_the_views_a_selection_drives_are_named_once() -> None:
    assert kinds.showing(kinds.VIEW_REVISIONS) == "deployments"
    assert kinds.showing(kinds.VIEW_TRAFFIC) == "services"
    assert kinds.POD.plural == "pods"
    assert {k.plural for k in kinds.KINDS if k.pod_view == kinds.NARROW} == {"deployments", "nodes"}
    assert kinds.lookup("Service") is not None and kinds.lookup("Service").name_rule == "dns1035"  # type: ignore[union-attr]


def _discovered(spec: kinds.KindSpec) -> Any:
    from kubetui.cluster.discovery import ApiResource

    singular = spec.singular or spec.kind.lower()
    return ApiResource(
        spec.group, spec.version, spec.plural, singular, spec.kind, spec.namespaced, spec.short_names
    )


def test_the_registry_and_discovery_resolve_names_by_the_same_rules() -> None:
    from kubetui.cluster import discovery

    served = [_discovered(k) for k in kinds.KINDS]
    for spec in kinds.KINDS:
        singular = spec.singular or spec.kind.lower()
        for name in (
            spec.plural,
            singular,
            spec.kind,
            *spec.short_names,
            spec.qualified,
            f"{spec.plural}.{spec.version}.{spec.group}",
        ):
            if not spec.group and name.endswith("."):
                continue
            assert kinds.lookup(name) is spec, name
            assert discovery.resolve(served, name).plural == spec.plural, name
    assert kinds.lookup("deploy.apps") is kinds.spec("deployments")  # a short name qualified by its group
    assert kinds.lookup("dp") is kinds.spec("deployments")  # the command line's k9s alias
    assert kinds.lookup("deployments.batch") is None and kinds.lookup("") is None
