"""Relations of StatefulSets, DaemonSets, CronJobs, Ingresses, PVCs, ConfigMaps and Secrets, from objects."""

from __future__ import annotations

from typing import Any

from kubetui.cluster import relations_kinds as rk
from kubetui.cluster.store import Store
from kubetui.cluster.watch import Delta


def _obj(kind: str, name: str, uid: str, owner: str | None = None, **rest: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "default", "uid": uid}
    if owner:
        meta["ownerReferences"] = [{"uid": owner, "controller": True, "kind": "X", "name": "x"}]
    return {"kind": kind, "metadata": meta, **rest}


def _store(*pods: dict[str, Any]) -> Store:
    store = Store()
    store.apply("pods", [Delta("ADDED", "pods", p) for p in pods])
    return store


def test_statefulset_pods_come_in_ordinal_order() -> None:
    sts = _obj("StatefulSet", "db", "s1")
    store = _store(
        *(_obj("Pod", f"db-{i}", f"p{i}", "s1") for i in (10, 2, 0, 1)), _obj("Pod", "other", "o", "zz")
    )
    assert [p["metadata"]["name"] for p in rk.owned_pods(store, sts)] == ["db-0", "db-1", "db-2", "db-10"]


def test_daemonset_has_one_pod_per_node() -> None:
    ds = _obj("DaemonSet", "agent", "d1")
    store = _store(
        _obj("Pod", "agent-a", "p1", "d1", spec={"nodeName": "node-1"}),
        _obj("Pod", "agent-b", "p2", "d1", spec={"nodeName": "node-2"}),
    )
    assert {n: p["metadata"]["name"] for n, p in rk.pods_by_node(store, ds).items()} == {
        "node-1": "agent-a",
        "node-2": "agent-b",
    }


def test_cronjob_jobs_then_their_pods() -> None:
    cj = _obj("CronJob", "tick", "c1")
    jobs = [
        _obj("Job", "tick-29000001", "j2", "c1"),
        _obj("Job", "tick-29000000", "j1", "c1"),
        _obj("Job", "x", "j3"),
    ]
    assert [j["metadata"]["name"] for j in rk.jobs_of(cj, jobs)] == ["tick-29000000", "tick-29000001"]
    store = _store(_obj("Pod", "tick-29000000-abcde", "p1", "j1"))
    assert [p["metadata"]["name"] for p in rk.owned_pods(store, jobs[1])] == ["tick-29000000-abcde"]


def test_ingress_names_its_services() -> None:
    ing = _obj(
        "Ingress",
        "front",
        "i1",
        spec={
            "defaultBackend": {"service": {"name": "fallback", "port": {"number": 80}}},
            "rules": [
                {
                    "host": "a.example.com",
                    "http": {
                        "paths": [
                            {
                                "path": "/api",
                                "backend": {"service": {"name": "api", "port": {"name": "http"}}},
                            }
                        ]
                    },
                }
            ],
        },
    )
    assert rk.ingress_services(ing) == [
        ("*", "*", "fallback", "80"),
        ("a.example.com", "/api", "api", "http"),
    ]


def test_pvc_configmap_and_secret_users() -> None:
    user = _obj(
        "Pod",
        "web",
        "p1",
        spec={
            "imagePullSecrets": [{"name": "regcred"}],
            "volumes": [
                {"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
                {"name": "c", "configMap": {"name": "settings"}},
            ],
            "containers": [
                {
                    "name": "c",
                    "env": [{"name": "T", "valueFrom": {"secretKeyRef": {"name": "token", "key": "t"}}}],
                }
            ],
        },
    )
    bystander = _obj("Pod", "idle", "p2", spec={"containers": [{"name": "c"}]})
    store = _store(user, bystander)
    for kind, name in (
        ("PersistentVolumeClaim", "data"),
        ("ConfigMap", "settings"),
        ("Secret", "regcred"),
        ("Secret", "token"),
    ):
        assert [p["metadata"]["name"] for p in rk.pods_using(store, _obj(kind, name, "x"))] == ["web"], (
            kind,
            name,
        )
    assert rk.pods_using(store, _obj("Secret", "unused", "x")) == []
