"""Relations: revisions order, pods of each owner, and the Service traffic path with every IP and port."""

from __future__ import annotations

from kubetui.cluster.relations import (
    events_for,
    owner_chain,
    pods_of,
    pods_on_node,
    replicasets_of,
    resolve_target_port,
    traffic_path,
)
from kubetui.cluster.store import Store
from kubetui.cluster.watch import Delta
from tests.cluster.objects import deployment, event, meta, node, pod, replicaset, service


def _load(store: Store, kind: str, *objs) -> None:
    store.apply(kind, [Delta("ADDED", kind, o) for o in objs])


def _names(objs) -> list[str]:
    return [o["metadata"]["name"] for o in objs]


def _cluster() -> tuple[Store, dict]:
    store = Store()
    dep = deployment("hello")
    # revision 10 must sort above 9 (numbers, not strings)
    old, mid, new = (
        replicaset("hello-9", dep, 9, 0),
        replicaset("hello-2", dep, 2, 0),
        replicaset("hello-10", dep, 10, 2),
    )
    other = replicaset("other-1", deployment("other"), 1)
    named_port = [{"name": "http", "containerPort": 8080}]
    p1 = pod("hello-10-a", labels={"app": "hello"}, node="n1", ip="10.0.1.5", rs=new, ports=named_port)
    p2 = pod(
        "hello-10-b", labels={"app": "hello"}, node="n2", ip="10.0.2.7", rs=new, ready=False, ports=named_port
    )
    stray = pod("other-1-a", labels={"app": "other"}, node="n1", ip="10.0.1.9", rs=other)
    _load(store, "deployments", dep)
    _load(store, "replicasets", old, mid, new, other)
    _load(store, "pods", p1, p2, stray)
    _load(store, "nodes", node("n1", "172.18.0.2"), node("n2", "172.18.0.3", external="203.0.113.4"))
    return store, {"dep": dep, "new": new, "p1": p1, "p2": p2}


def test_deployment_replicasets_pods_and_nodes() -> None:
    store, o = _cluster()
    assert _names(replicasets_of(store, o["dep"])) == ["hello-10", "hello-9", "hello-2"]
    assert _names(pods_of(store, o["dep"])) == ["hello-10-a", "hello-10-b"]
    assert _names(pods_of(store, o["new"])) == ["hello-10-a", "hello-10-b"]
    assert _names(pods_on_node(store, "n1")) == ["hello-10-a", "other-1-a"]
    n2 = store.find("nodes", "", "n2")
    assert n2 is not None and _names(pods_of(store, n2)) == ["hello-10-b"]
    assert _names(owner_chain(store, o["p1"])) == ["hello-10", "hello"]


def test_load_balancer_traffic_path_with_named_target_port() -> None:
    store, _ = _cluster()
    svc = service(
        "hello",
        selector={"app": "hello"},
        type="LoadBalancer",
        clusterIP="10.96.0.20",
        ports=[{"name": "web", "protocol": "TCP", "port": 80, "targetPort": "http", "nodePort": 31234}],
    )
    svc["status"] = {"loadBalancer": {"ingress": [{"ip": "192.168.5.1"}]}}
    _load(store, "services", svc)
    assert _names(pods_of(store, svc)) == ["hello-10-a", "hello-10-b"]
    path = traffic_path(store, svc)
    assert (path.type, path.cluster_ip) == ("LoadBalancer", "10.96.0.20")
    (route,) = path.routes
    assert (route.port, route.target_port, route.node_port) == (80, "http", 31234)
    assert [str(h) for h in route.load_balancers] == ["192.168.5.1:80"]
    assert [(str(h), h.label) for h in route.nodes] == [
        ("172.18.0.2:31234", "n1 InternalIP"),
        ("172.18.0.3:31234", "n2 InternalIP"),
        ("203.0.113.4:31234", "n2 ExternalIP"),
    ]
    assert str(route.cluster_ip) == "10.96.0.20:80"
    assert [(e.pod, e.node, str(e), e.ready, e.container) for e in route.endpoints] == [
        ("hello-10-a", "n1", "10.0.1.5:8080", True, "main"),
        ("hello-10-b", "n2", "10.0.2.7:8080", False, "main"),
    ]
    assert path.ready_endpoints == 1


def test_cluster_ip_path_prefers_endpointslices() -> None:
    store, o = _cluster()
    svc = service("hello", selector={"app": "hello"}, clusterIP="10.96.0.21", ports=[{"port": 8080}])
    _load(store, "services", svc)
    eps = {
        "kind": "EndpointSlice",
        "metadata": meta("hello-abc", labels={"kubernetes.io/service-name": "hello"}),
        "ports": [{"name": "", "port": 8080, "protocol": "TCP"}],
        "endpoints": [
            {
                "addresses": ["10.0.1.5"],
                "conditions": {"ready": True},
                "nodeName": "n1",
                "targetRef": {"kind": "Pod", "name": "hello-10-a", "uid": o["p1"]["metadata"]["uid"]},
            }
        ],
    }
    _load(store, "endpointslices", eps)
    (route,) = traffic_path(store, svc).routes
    assert route.node_port is None and route.nodes == () and route.load_balancers == ()
    assert route.target_port == 8080  # defaults to port
    assert [(e.pod, str(e), e.ready) for e in route.endpoints] == [("hello-10-a", "10.0.1.5:8080", True)]
    # a selector-less service finds its pods through the slices
    manual = service("manual", clusterIP="10.96.0.22", ports=[{"port": 80}])
    eps2 = {**eps, "metadata": meta("manual-x", labels={"kubernetes.io/service-name": "manual"})}
    _load(store, "services", manual)
    _load(store, "endpointslices", eps2)
    assert _names(pods_of(store, manual)) == ["hello-10-a"]


def test_resolve_target_port_and_events() -> None:
    store, o = _cluster()
    assert resolve_target_port(o["p1"], "http") == (8080, "main")
    assert resolve_target_port(o["p1"], "grpc") == (None, "")
    assert resolve_target_port(o["p1"], 9000) == (9000, "")
    _load(
        store,
        "events",
        event("late", o["p1"], "2026-01-01T00:00:09Z"),
        event("early", o["p1"], "2026-01-01T00:00:01Z"),
    )
    assert _names(events_for(store, o["p1"])) == ["early", "late"]
