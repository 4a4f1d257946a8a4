"""Persistence (--state), admission defaults and Service allocation, Endpoints/EndpointSlices, namespaces."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from kubetui.sim import errors
from kubetui.sim.cluster import SimCluster

from .controller_support import container_state, create, deployment, pods_of, wait_for

DEPLOY = "deployments.apps"


@pytest.fixture
async def cluster() -> AsyncIterator[SimCluster]:
    c = SimCluster(scenario="empty", nodes=3, seed=5, speed=200)
    await c.start()
    yield c
    await c.stop()


def running(cluster: SimCluster, app: str, n: int, ns: str = "default") -> bool:
    live = [p for p in pods_of(cluster, app, ns) if not p["metadata"].get("deletionTimestamp")]
    return len(live) == n and all(
        container_state(p) == "running" and p["status"]["containerStatuses"][0]["ready"] for p in live
    )


async def test_state_file_carries_objects_and_versions_across_restart(tmp_path: Path) -> None:
    state = tmp_path / "cluster.json"
    first = SimCluster(scenario="empty", nodes=2, seed=1, speed=200, state=state)
    await first.start()
    create(first, DEPLOY, deployment("keep", "nginx:1.27", replicas=2))
    await wait_for(lambda: running(first, "keep", 2))
    names = sorted(p["metadata"]["name"] for p in pods_of(first, "keep"))
    uids = {p["metadata"]["uid"] for p in pods_of(first, "keep")}
    log_before = first.pod_log("default", names[0])
    rv = first.store.rv
    await first.stop()
    assert state.exists()

    second = SimCluster(scenario="empty", nodes=2, seed=1, speed=200, state=state)
    await second.start()
    try:
        assert second.loaded
        assert sorted(p["metadata"]["name"] for p in pods_of(second, "keep")) == names
        assert {p["metadata"]["uid"] for p in pods_of(second, "keep")} == uids
        assert second.store.rv >= rv
        # Logs come back from the container's start time: the same lines as before the restart.
        assert second.pod_log("default", names[0])[: len(log_before)] == log_before
        d = copy.deepcopy(second.store.get(DEPLOY, "default", "keep"))
        assert d is not None
        d["spec"]["replicas"] = 3
        updated = second.store.update(DEPLOY, d)
        assert int(updated["metadata"]["resourceVersion"]) > rv
        await wait_for(lambda: running(second, "keep", 3), what="controllers carry on after the restart")
        # The new pod's address comes after the highest one the restored pods hold.
        ips = {p["metadata"]["name"]: p["status"]["podIP"] for p in pods_of(second, "keep")}
        kept = sorted((ips[n] for n in names), key=lambda ip: int(ip.rsplit(".", 1)[1]))
        (new_ip,) = (ip for n, ip in ips.items() if n not in names)
        assert int(new_ip.rsplit(".", 1)[1]) == int(kept[-1].rsplit(".", 1)[1]) + 1, (kept, new_ip)
        assert len(second.store.list("namespaces")) == 4  # the scenario was not built again
    finally:
        await second.stop()


async def test_service_defaults_and_allocation(cluster: SimCluster) -> None:
    svc = create(
        cluster,
        "services",
        {
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
                "type": "LoadBalancer",
                "selector": {"app": "web"},
                "ports": [{"port": 80, "targetPort": "http"}],
            },
        },
    )
    spec = svc["spec"]
    assert spec["clusterIP"] == spec["clusterIPs"][0] and spec["clusterIP"].startswith("10.")
    assert spec["sessionAffinity"] == "None" and spec["ipFamilies"] == ["IPv4"]
    assert spec["ipFamilyPolicy"] == "SingleStack" and spec["externalTrafficPolicy"] == "Cluster"
    assert spec["ports"][0]["protocol"] == "TCP" and 30000 <= spec["ports"][0]["nodePort"] <= 32767
    assert spec["allocateLoadBalancerNodePorts"] is True
    taken = spec["ports"][0]["nodePort"]
    with pytest.raises(errors.ApiError) as exc:
        create(
            cluster,
            "services",
            {
                "metadata": {"name": "clash", "namespace": "default"},
                "spec": {"type": "NodePort", "ports": [{"port": 81, "nodePort": taken}]},
            },
        )
    assert exc.value.code == 422
    assert exc.value.causes[0]["field"] == "spec.ports[0].nodePort"
    assert "provided port is already allocated" in exc.value.message
    with pytest.raises(errors.ApiError) as exc:
        create(
            cluster,
            "services",
            {
                "metadata": {"name": "far", "namespace": "default"},
                "spec": {"type": "NodePort", "ports": [{"port": 81, "nodePort": 80}]},
            },
        )
    assert "The range of valid ports is 30000-32767" in exc.value.message
    # Updates keep the allocated IP and port; changing the clusterIP is refused.
    new = copy.deepcopy(svc)
    del new["spec"]["clusterIP"], new["spec"]["clusterIPs"], new["spec"]["ports"][0]["nodePort"]
    cluster.admit("services", new, svc)
    assert new["spec"]["clusterIP"] == spec["clusterIP"] and new["spec"]["ports"][0]["nodePort"] == taken
    bad = copy.deepcopy(svc)
    bad["spec"]["clusterIP"] = "10.96.0.77"
    bad["spec"]["clusterIPs"] = ["10.96.0.77"]
    with pytest.raises(errors.ApiError):
        cluster.admit("services", bad, svc)

    lb = await wait_for(
        lambda: (
            (s := cluster.store.get("services", "default", "web"))
            and s["status"]["loadBalancer"].get("ingress")
            and s
        )
    )
    assert lb["status"]["loadBalancer"]["ingress"][0]["ip"].startswith("172.18.255.")


async def test_endpoints_and_slices_follow_ready_pods_with_named_ports(cluster: SimCluster) -> None:
    d = deployment("web", "nginx:1.27", replicas=2)
    d["spec"]["template"]["spec"]["containers"][0]["ports"] = [{"name": "http", "containerPort": 80}]
    create(cluster, DEPLOY, d)
    create(
        cluster,
        "services",
        {
            "metadata": {"name": "web", "namespace": "default"},
            "spec": {
                "selector": {"app": "web"},
                "ports": [{"name": "web", "port": 8080, "targetPort": "http"}],
            },
        },
    )
    await wait_for(lambda: running(cluster, "web", 2))

    def endpoints() -> dict | None:
        ep = cluster.store.get("endpoints", "default", "web")
        subsets = (ep or {}).get("subsets") or []
        return ep if subsets and len(subsets[0].get("addresses", [])) == 2 else None

    ep = await wait_for(endpoints, what="2 ready endpoints")
    subset = ep["subsets"][0]
    assert subset["ports"] == [{"port": 80, "protocol": "TCP", "name": "web"}]
    ips = {p["status"]["podIP"] for p in pods_of(cluster, "web")}
    assert {a["ip"] for a in subset["addresses"]} == ips
    addr = subset["addresses"][0]
    assert addr["targetRef"]["kind"] == "Pod" and addr["nodeName"].startswith("kubetui-worker")
    (slice_,) = [
        s
        for s in cluster.store.list("endpointslices.discovery.k8s.io", "default")
        if s["metadata"]["labels"].get("kubernetes.io/service-name") == "web"
    ]
    assert slice_["metadata"]["name"].startswith("web-") and slice_["addressType"] == "IPv4"
    assert slice_["ports"] == [{"name": "web", "port": 80, "protocol": "TCP"}]
    assert {e["addresses"][0] for e in slice_["endpoints"]} == ips
    assert all(
        e["conditions"] == {"ready": True, "serving": True, "terminating": False} for e in slice_["endpoints"]
    )
    assert slice_["metadata"]["ownerReferences"][0]["kind"] == "Service"

    # A pod going away drops out of Endpoints at once and shows as terminating in the slice.
    victim = pods_of(cluster, "web")[0]["metadata"]["name"]
    cluster.delete("pods", "default", victim)
    ep = await wait_for(
        lambda: (e := cluster.store.get("endpoints", "default", "web")) and victim not in str(e) and e
    )
    # Deleting the Service removes its Endpoints and (through the garbage collector) its slices.
    cluster.store.delete("services", "default", "web")
    await wait_for(lambda: cluster.store.get("endpoints", "default", "web") is None)
    await wait_for(
        lambda: (
            not [
                s
                for s in cluster.store.list("endpointslices.discovery.k8s.io", "default")
                if s["metadata"]["name"].startswith("web-")
            ]
        )
    )


async def test_pod_and_namespace_defaults(cluster: SimCluster) -> None:
    pod = create(
        cluster,
        "pods",
        {
            "metadata": {"name": "p", "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]},
        },
    )
    spec = pod["spec"]
    assert spec["serviceAccountName"] == "default" and spec["schedulerName"] == "default-scheduler"
    assert spec["dnsPolicy"] == "ClusterFirst" and spec["terminationGracePeriodSeconds"] == 30
    assert spec["containers"][0]["imagePullPolicy"] == "Always"  # no tag means :latest
    assert spec["containers"][0]["terminationMessagePath"] == "/dev/termination-log"
    assert {t["key"] for t in spec["tolerations"]} == {
        "node.kubernetes.io/not-ready",
        "node.kubernetes.io/unreachable",
    }
    assert pod["status"] == {"phase": "Pending", "qosClass": "BestEffort"}
    ns = create(cluster, "namespaces", {"metadata": {"name": "team"}})
    assert ns["spec"]["finalizers"] == ["kubernetes"] and ns["status"]["phase"] == "Active"
    assert ns["metadata"]["labels"]["kubernetes.io/metadata.name"] == "team"
    await wait_for(lambda: cluster.store.get("serviceaccounts", "team", "default"))
    await wait_for(lambda: cluster.store.get("configmaps", "team", "kube-root-ca.crt"))


async def test_private_image_pulls_once_the_secret_exists(cluster: SimCluster) -> None:
    import base64
    import json

    create(
        cluster,
        DEPLOY,
        deployment(
            "myapp",
            "registry.example.com/team/myapp:001",
            replicas=1,
            pod_spec={"imagePullSecrets": [{"name": "reg"}]},
        ),
    )
    await wait_for(
        lambda: [
            p for p in pods_of(cluster, "myapp") if container_state(p) in ("ErrImagePull", "ImagePullBackOff")
        ]
    )
    pod = pods_of(cluster, "myapp")[0]
    events = [e["message"] for e in cluster.store.list("events", "default") if e["reason"] == "Failed"]
    assert any("authorization failed" in m and "registry.example.com" in m for m in events)
    # A secret for another registry does not help; one for registry.example.com does (at the next retry).
    config = {"auths": {"https://registry.example.com": {"auth": base64.b64encode(b"u:p").decode()}}}
    create(
        cluster,
        "secrets",
        {
            "metadata": {"name": "reg", "namespace": "default"},
            "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": base64.b64encode(json.dumps(config).encode()).decode()},
        },
    )
    await wait_for(lambda: running(cluster, "myapp", 1), timeout=15, what="pull after the secret appeared")
    assert pods_of(cluster, "myapp")[0]["metadata"]["uid"] == pod["metadata"]["uid"]


async def test_deleting_a_namespace_empties_it_then_removes_it(cluster: SimCluster) -> None:
    create(cluster, "namespaces", {"metadata": {"name": "team"}})
    create(cluster, DEPLOY, deployment("web", "nginx:1.27", replicas=2, namespace="team"))
    create(
        cluster,
        "services",
        {
            "metadata": {"name": "web", "namespace": "team"},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]},
        },
    )
    await wait_for(lambda: running(cluster, "web", 2, ns="team"))
    ns = cluster.delete("namespaces", "", "team")
    assert ns["status"]["phase"] == "Terminating" and ns["metadata"]["deletionTimestamp"]
    await wait_for(lambda: cluster.store.get("namespaces", "", "team") is None, what="namespace gone")
    for rtype in (
        "pods",
        "replicasets.apps",
        DEPLOY,
        "services",
        "endpoints",
        "serviceaccounts",
        "configmaps",
    ):
        assert cluster.store.list(rtype, "team") == [], rtype
