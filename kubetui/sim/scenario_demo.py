"""The ``demo`` scenario: a few apps in several states across namespaces, settled before the server answers."""

from __future__ import annotations

import asyncio
import base64
import copy
from typing import TYPE_CHECKING, Any

import orjson

from kubetui.sim.scenario_demo_kinds import add_kinds, kinds_settled
from kubetui.sim.scenarios import build_empty, create_namespace

if TYPE_CHECKING:
    from kubetui.sim.cluster import SimCluster

DEPLOY = "deployments.apps"
# The demo settles at this speed at least, so it is ready at once even when the cluster then runs in real time.
SETTLE_SPEED = 400.0
SETTLE_SECONDS = 6.0  # wall-clock ceiling


def _deployment(
    name: str,
    namespace: str,
    image: str,
    replicas: int = 1,
    *,
    command: list[str] | None = None,
    ports: list[int] | None = None,
    pull_secret: str | None = None,
    env: dict[str, str] | None = None,
    container: str | None = None,
) -> dict[str, Any]:
    c: dict[str, Any] = {"name": container or name, "image": image}
    if command:
        c["command"] = command
    if ports:
        c["ports"] = [{"containerPort": p, "protocol": "TCP"} for p in ports]
    if env:
        c["env"] = [{"name": k, "value": v} for k, v in env.items()]
    spec: dict[str, Any] = {"containers": [c]}
    if pull_secret:
        spec["imagePullSecrets"] = [{"name": pull_secret}]
    return {
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": spec},
        },
    }


def _service(
    name: str, namespace: str, svc_type: str, port: int, target: int, app: str | None = None
) -> dict:
    return {
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": app or name}},
        "spec": {
            "type": svc_type,
            "selector": {"app": app or name},
            "ports": [{"port": port, "targetPort": target, "protocol": "TCP"}],
        },
    }


def _coredns() -> dict[str, Any]:
    """CoreDNS as kubeadm deploys it: label k8s-app=kube-dns, named ports the kube-dns Service targets."""
    d = _deployment("coredns", "kube-system", "registry.k8s.io/coredns/coredns:v1.11.3", 2)
    labels = {"k8s-app": "kube-dns"}
    d["metadata"]["labels"] = dict(labels)
    d["spec"]["selector"] = {"matchLabels": dict(labels)}
    d["spec"]["template"]["metadata"]["labels"] = dict(labels)
    c = d["spec"]["template"]["spec"]["containers"][0]
    c["args"] = ["-conf", "/etc/coredns/Corefile"]
    d["spec"]["template"]["spec"]["tolerations"] = [
        {"key": "CriticalAddonsOnly", "operator": "Exists"},
        {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"},
    ]
    d["spec"]["template"]["spec"]["priorityClassName"] = "system-cluster-critical"
    c["ports"] = [
        {"name": "dns", "containerPort": 53, "protocol": "UDP"},
        {"name": "dns-tcp", "containerPort": 53, "protocol": "TCP"},
        {"name": "metrics", "containerPort": 9153, "protocol": "TCP"},
    ]
    return d


def _kube_dns() -> dict[str, Any]:
    return {
        "metadata": {
            "name": "kube-dns",
            "namespace": "kube-system",
            "labels": {"k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS"},
        },
        "spec": {
            "clusterIP": "10.96.0.10",
            "selector": {"k8s-app": "kube-dns"},
            "ports": [
                {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": "dns"},
                {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": "dns-tcp"},
                {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": "metrics"},
            ],
        },
    }


def _registry_secret(name: str, namespace: str, server: str, user: str, password: str) -> dict:
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    config = {"auths": {server: {"username": user, "password": password, "auth": auth}}}
    return {
        "metadata": {"name": name, "namespace": namespace},
        "type": "kubernetes.io/dockerconfigjson",
        "data": {".dockerconfigjson": base64.b64encode(orjson.dumps(config)).decode()},
    }


def _add(cluster: SimCluster, rtype: str, obj: dict[str, Any]) -> dict[str, Any]:
    cluster.admit(rtype, obj, None)
    return cluster.store.create(rtype, obj)


def _rolled_out(cluster: SimCluster, namespace: str, name: str) -> bool:
    d = cluster.store.get(DEPLOY, namespace, name)
    if d is None:
        return False
    s, want = d.get("status") or {}, d["spec"]["replicas"]
    return (
        s.get("observedGeneration") == d["metadata"].get("generation")
        and s.get("updatedReplicas", 0) == want
        and s.get("availableReplicas", 0) == want
        and s.get("replicas", 0) == want
    )


async def _until(check: Any, seconds: float = SETTLE_SECONDS) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not check() and loop.time() < deadline:
        await asyncio.sleep(0.01)


async def build_demo(cluster: SimCluster) -> None:
    build_empty(cluster, cluster.node_count or 3)
    speed = cluster.clock.speed
    cluster.clock.speed = max(speed, SETTLE_SPEED)
    try:
        await _populate(cluster)
    finally:
        cluster.clock.speed = speed


async def _populate(cluster: SimCluster) -> None:
    for ns in ("shop", "staging"):
        create_namespace(cluster, ns)
    _add(cluster, DEPLOY, _coredns())
    _add(cluster, "services", _kube_dns())
    # The journey's first app, exposed through a load balancer.
    _add(
        cluster,
        DEPLOY,
        _deployment(
            "hello-node",
            "default",
            "registry.k8s.io/e2e-test-images/agnhost:2.39",
            command=["/agnhost", "netexec", "--http-port=8080"],
            container="agnhost",
        ),
    )
    _add(cluster, "services", _service("hello-node", "default", "LoadBalancer", 8080, 8080))
    # The second app, with two revisions behind it.
    _add(
        cluster,
        DEPLOY,
        _deployment("kubernetes-bootcamp", "default", "gcr.io/google-samples/kubernetes-bootcamp:v1", 2),
    )
    _add(cluster, "services", _service("kubernetes-bootcamp", "default", "NodePort", 8080, 8080))
    # Their own service from a private registry, with the secret it needs.
    _add(
        cluster,
        "secrets",
        _registry_secret("my-secret", "shop", "registry.example.com", "dev", "demo-password"),
    )
    _add(
        cluster,
        DEPLOY,
        _deployment(
            "myapp", "shop", "registry.example.com/team/myapp:001", 3, ports=[8089], pull_secret="my-secret"
        ),
    )
    _add(cluster, "services", _service("myapp-service", "shop", "LoadBalancer", 80, 8089, app="myapp"))
    _add(cluster, DEPLOY, _deployment("web", "shop", "nginx:1.27", 2, ports=[80]))
    _add(cluster, "services", _service("web", "shop", "ClusterIP", 80, 80))
    # Things that go wrong: a crash loop and an image that does not exist.
    _add(cluster, DEPLOY, _deployment("payments", "staging", "kubetui.test/crash:1", 1))
    _add(cluster, DEPLOY, _deployment("frontend", "staging", "docker.io/acme/frontend:2.0", 1, ports=[80]))
    _add(
        cluster,
        "pods",
        {
            "metadata": {"name": "log-writer", "namespace": "staging", "labels": {"run": "log-writer"}},
            "spec": {
                "containers": [
                    {
                        "name": "log-writer",
                        "image": "busybox:1.36",
                        "command": ["sh", "-c", 'while true; do echo "$(date) heartbeat"; sleep 5; done'],
                    }
                ]
            },
        },
    )
    await _until(lambda: _rolled_out(cluster, "default", "kubernetes-bootcamp"))
    d = cluster.store.get(DEPLOY, "default", "kubernetes-bootcamp")
    if d is not None:
        d = copy.deepcopy(d)
        d["spec"]["template"]["spec"]["containers"][0]["image"] = "docker.io/jocatalin/kubernetes-bootcamp:v2"
        cluster.store.update(DEPLOY, d)

    def settled() -> bool:
        done = all(
            _rolled_out(cluster, ns, name)
            for ns, name in (
                ("kube-system", "coredns"),
                ("default", "hello-node"),
                ("default", "kubernetes-bootcamp"),
                ("shop", "myapp"),
                ("shop", "web"),
            )
        )
        crashing = [
            p for p in cluster.store.list("pods", "staging") if p["metadata"]["name"].startswith("payments-")
        ]
        restarts = [
            cs.get("restartCount", 0)
            for p in crashing
            for cs in (p.get("status") or {}).get("containerStatuses") or []
        ]
        backoff = [
            cs["state"]["waiting"].get("reason")
            for p in crashing
            for cs in (p.get("status") or {}).get("containerStatuses") or []
            if "waiting" in cs.get("state", {})
        ]
        terminating = any(p["metadata"].get("deletionTimestamp") for p in cluster.store.iter("pods"))
        return (
            done
            and not terminating
            and bool(restarts)
            and max(restarts) >= 2
            and "CrashLoopBackOff" in backoff
        )

    await _until(settled)
    await add_kinds(cluster, _until)
    await _until(lambda: settled() and kinds_settled(cluster))
