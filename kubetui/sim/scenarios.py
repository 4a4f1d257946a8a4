"""Scenarios the built-in cluster starts with: ``empty``, ``demo`` and ``scale:N``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kubetui.sim import errors
from kubetui.sim.controllers.admission import KUBERNETES_SERVICE_IP

if TYPE_CHECKING:
    from kubetui.sim.cluster import SimCluster

SYSTEM_NAMESPACES = ("default", "kube-node-lease", "kube-public", "kube-system")


async def build(cluster: SimCluster) -> None:
    name, _, arg = cluster.scenario.partition(":")
    if name == "empty":
        build_empty(cluster, cluster.node_count or 3)
    elif name == "demo":
        from kubetui.sim.scenario_demo import build_demo

        await build_demo(cluster)
    elif name == "scale":
        from kubetui.sim.scenario_scale import build_scale

        try:
            pods = int(arg or "1000")
        except ValueError:
            raise ValueError(f"scale scenario wants a pod count, e.g. scale:10000 (got {arg!r})") from None
        build_scale(cluster, pods)
    else:
        raise ValueError(f"unknown scenario {cluster.scenario!r}: use empty, demo or scale:N")


def create_namespace(cluster: SimCluster, name: str, labels: dict[str, str] | None = None) -> None:
    obj: dict[str, Any] = {"metadata": {"name": name, "labels": dict(labels or {})}}
    cluster.admit("namespaces", obj, None)
    try:
        cluster.store.create("namespaces", obj)
    except errors.ApiError as exc:
        if exc.code != 409:
            raise


def build_empty(cluster: SimCluster, nodes: int) -> None:
    """Namespaces, nodes, and the ``kubernetes`` Service pointing at the API server."""
    for ns in SYSTEM_NAMESPACES:
        create_namespace(cluster, ns)
    cluster.build_nodes(nodes)
    svc: dict[str, Any] = {
        "metadata": {
            "name": "kubernetes",
            "namespace": "default",
            "labels": {"component": "apiserver", "provider": "kubernetes"},
        },
        "spec": {
            "clusterIP": KUBERNETES_SERVICE_IP,
            "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": 6443}],
            "type": "ClusterIP",
        },
    }
    # The allocator never hands out 10.96.0.1, so admission must accept it here as the apiserver does.
    svc["spec"]["clusterIPs"] = [KUBERNETES_SERVICE_IP]
    svc["spec"].update({"sessionAffinity": "None", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack"})
    svc["spec"]["internalTrafficPolicy"] = "Cluster"
    svc["status"] = {"loadBalancer": {}}
    created = cluster.store.create("services", svc)
    api_ip = "172.18.0.2"
    cluster.store.create(
        "endpoints",
        {
            "metadata": {
                "name": "kubernetes",
                "namespace": "default",
                "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"},
            },
            "subsets": [
                {"addresses": [{"ip": api_ip}], "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}]}
            ],
        },
    )
    cluster.store.create(
        "endpointslices.discovery.k8s.io",
        {
            "metadata": {
                "name": "kubernetes",
                "namespace": "default",
                "labels": {"kubernetes.io/service-name": "kubernetes"},
            },
            "addressType": "IPv4",
            "endpoints": [{"addresses": [api_ip], "conditions": {"ready": True}}],
            "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}],
        },
    )
    del created
