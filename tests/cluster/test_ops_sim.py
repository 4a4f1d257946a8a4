"""Operations on the built-in cluster over real HTTP, each compared with what real kubectl does."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from kubetui.cluster.errors import Invalid, NotFound, ReadOnlyError
from kubetui.sim.server import SimServer
from tests.cluster.simhelp import kubectl, make_namespace, open_connection

pytestmark = pytest.mark.kubectl
AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.39"


@pytest.fixture
async def cluster(bare_sim: SimServer, tmp_path: Path) -> AsyncIterator[tuple[Connection, Path]]:
    kubeconfig = bare_sim.write_kubeconfig(tmp_path / "kubeconfig")
    conn = await open_connection(kubeconfig)
    for ns in ("mine", "theirs"):
        await make_namespace(conn, ns)
    yield conn, kubeconfig
    await conn.close()


async def _get(conn: Connection, path: str) -> dict[str, Any]:
    result: dict[str, Any] = await conn.request("GET", path)
    return result


def _deploy_path(ns: str, name: str) -> str:
    return f"/apis/apps/v1/namespaces/{ns}/deployments/{name}"


async def test_create_deployment_sends_what_kubectl_sends(cluster: tuple[Connection, Path]) -> None:
    conn, kubeconfig = cluster
    theirs = await kubectl(
        kubeconfig,
        "create", "deployment", "hello-node", "-n", "theirs", f"--image={AGNHOST}", "--replicas=2", "--port=8080",
        "--dry-run=client", "-o", "json", "--", "/agnhost", "netexec", "--http-port=8080",
    )  # fmt: skip
    assert theirs.returncode == 0, theirs.stderr
    expected = theirs.json()
    created = await ops.create_deployment(
        conn,
        "mine",
        "hello-node",
        AGNHOST,
        replicas=2,
        port=8080,
        command=["/agnhost", "netexec", "--http-port=8080"],
    )
    stored = await _get(conn, _deploy_path("mine", "hello-node"))
    assert created["metadata"]["uid"] == stored["metadata"]["uid"]
    assert stored["metadata"]["labels"] == expected["metadata"]["labels"]
    assert stored["spec"]["selector"] == expected["spec"]["selector"]
    assert stored["spec"]["replicas"] == expected["spec"]["replicas"] == 2
    mine_c = stored["spec"]["template"]["spec"]["containers"][0]
    their_c = expected["spec"]["template"]["spec"]["containers"][0]
    for key in ("name", "image", "command", "ports"):
        assert mine_c[key] == their_c[key], key
    assert (
        stored["spec"]["template"]["metadata"]["labels"] == expected["spec"]["template"]["metadata"]["labels"]
    )


async def test_dry_run_create_stores_nothing(cluster: tuple[Connection, Path]) -> None:
    conn, _ = cluster
    result = await ops.create_deployment(conn, "mine", "ghost", "nginx", dry_run=True)
    assert result["metadata"]["name"] == "ghost"
    with pytest.raises(NotFound):
        await _get(conn, _deploy_path("mine", "ghost"))


async def test_invalid_name_is_refused_before_sending(cluster: tuple[Connection, Path]) -> None:
    conn, _ = cluster
    with pytest.raises(Invalid) as info:
        await ops.create_deployment(conn, "mine", "Hello_Node", "nginx")
    assert "a lowercase RFC 1123 subdomain must consist of" in info.value.message
    listed = await _get(conn, "/apis/apps/v1/namespaces/mine/deployments")
    assert listed["items"] == []


async def test_scale_matches_kubectl_scale(cluster: tuple[Connection, Path]) -> None:
    conn, kubeconfig = cluster
    for ns in ("mine", "theirs"):
        await ops.create_deployment(
            conn, ns, "kubernetes-bootcamp", "gcr.io/google-samples/kubernetes-bootcamp:v1"
        )
    result = await kubectl(
        kubeconfig, "scale", "deployments/kubernetes-bootcamp", "--replicas=4", "-n", "theirs"
    )
    assert result.returncode == 0, result.stderr
    scaled = await ops.scale(conn, "deployments", "mine", "kubernetes-bootcamp", 4)
    assert scaled["kind"] == "Scale" and scaled["spec"]["replicas"] == 4
    mine = await _get(conn, _deploy_path("mine", "kubernetes-bootcamp"))
    theirs = await _get(conn, _deploy_path("theirs", "kubernetes-bootcamp"))
    assert mine["spec"]["replicas"] == theirs["spec"]["replicas"] == 4
    preview = await ops.scale(conn, "deployments", "mine", "kubernetes-bootcamp", 2, dry_run=True)
    assert preview["spec"]["replicas"] == 2
    assert (await _get(conn, _deploy_path("mine", "kubernetes-bootcamp")))["spec"]["replicas"] == 4


async def test_negative_replicas_refused_with_kubectls_message(cluster: tuple[Connection, Path]) -> None:
    conn, kubeconfig = cluster
    await ops.create_deployment(conn, "mine", "web", "nginx")
    with pytest.raises(Invalid, match="COUNT must be greater than or equal to 0"):
        await ops.scale(conn, "deployments", "mine", "web", -1)
    theirs = await kubectl(kubeconfig, "scale", "deployment/web", "--replicas=-1", "-n", "mine")
    assert theirs.returncode != 0
    assert "must be greater than or equal to 0" in theirs.stderr
    assert (await _get(conn, _deploy_path("mine", "web")))["spec"]["replicas"] == 1


async def test_set_image_matches_kubectl_set_image(cluster: tuple[Connection, Path]) -> None:
    conn, kubeconfig = cluster
    for ns in ("mine", "theirs"):
        await ops.create_deployment(
            conn, ns, "kubernetes-bootcamp", "gcr.io/google-samples/kubernetes-bootcamp:v1"
        )
    v2 = "docker.io/jocatalin/kubernetes-bootcamp:v2"
    result = await kubectl(
        kubeconfig,
        "set",
        "image",
        "deployments/kubernetes-bootcamp",
        f"kubernetes-bootcamp={v2}",
        "-n",
        "theirs",
    )
    assert result.returncode == 0, result.stderr
    await ops.set_image(conn, "mine", "kubernetes-bootcamp", {"kubernetes-bootcamp": v2})
    mine = await _get(conn, _deploy_path("mine", "kubernetes-bootcamp"))
    theirs = await _get(conn, _deploy_path("theirs", "kubernetes-bootcamp"))
    assert mine["spec"]["template"] == theirs["spec"]["template"]
    assert mine["spec"]["template"]["spec"]["containers"][0]["image"] == v2
    with pytest.raises(NotFound, match='unable to find container named "nope"'):
        await ops.set_image(conn, "mine", "kubernetes-bootcamp", {"nope": "nginx"})


async def test_registry_secret_matches_kubectl(cluster: tuple[Connection, Path]) -> None:
    conn, kubeconfig = cluster
    theirs = await kubectl(
        kubeconfig,
        "create", "secret", "docker-registry", "my-secret", "-n", "theirs",
        "--docker-server=registry.example.com", "--docker-username=dev", "--docker-password=s3cr&t",
        "--docker-email=dev@example.com", "--dry-run=client", "-o", "json",
    )  # fmt: skip
    assert theirs.returncode == 0, theirs.stderr
    await ops.create_registry_secret(
        conn, "mine", "my-secret", "registry.example.com", "dev", "s3cr&t", "dev@example.com"
    )
    stored = await _get(conn, "/api/v1/namespaces/mine/secrets/my-secret")
    expected = theirs.json()
    assert stored["type"] == expected["type"] == "kubernetes.io/dockerconfigjson"
    assert stored["data"] == expected["data"]
    config = json.loads(base64.b64decode(stored["data"][".dockerconfigjson"]))
    assert config["auths"]["registry.example.com"]["auth"] == base64.b64encode(b"dev:s3cr&t").decode()


async def test_add_image_pull_secret_matches_kubectl_patch(cluster: tuple[Connection, Path]) -> None:
    conn, kubeconfig = cluster
    for ns in ("mine", "theirs"):
        await ops.create_deployment(conn, ns, "myapp", "registry.example.com/team/myapp:001", replicas=3)
    patch = '{"spec":{"template":{"spec":{"imagePullSecrets":[{"name":"my-secret"}]}}}}'
    theirs = await kubectl(kubeconfig, "patch", "deployment", "myapp", "-n", "theirs", "-p", patch)
    assert theirs.returncode == 0, theirs.stderr
    await ops.add_image_pull_secret(conn, "mine", "myapp", "my-secret")
    await ops.add_image_pull_secret(conn, "mine", "myapp", "my-secret")  # merged by name, not duplicated
    stored = await _get(conn, _deploy_path("mine", "myapp"))
    twin = await _get(conn, _deploy_path("theirs", "myapp"))
    assert stored["spec"]["template"] == twin["spec"]["template"]
    assert stored["spec"]["template"]["spec"]["imagePullSecrets"] == [{"name": "my-secret"}]


async def test_expose_matches_kubectl_expose(cluster: tuple[Connection, Path]) -> None:
    conn, kubeconfig = cluster
    for ns in ("mine", "theirs"):
        await ops.create_deployment(conn, ns, "hello-node", AGNHOST, port=8080)
    theirs = await kubectl(
        kubeconfig, "expose", "deployment", "hello-node", "--type=LoadBalancer", "--port=8080", "-n", "theirs",
        "--dry-run=client", "-o", "json",
    )  # fmt: skip
    assert theirs.returncode == 0, theirs.stderr
    expected = theirs.json()
    await ops.expose(conn, "mine", "deployments", "hello-node", "LoadBalancer", 8080)
    stored = await _get(conn, "/api/v1/namespaces/mine/services/hello-node")
    assert stored["spec"]["type"] == expected["spec"]["type"] == "LoadBalancer"
    assert stored["spec"]["selector"] == expected["spec"]["selector"]
    assert stored["metadata"].get("labels") == expected["metadata"].get("labels")
    mine_ports = [
        {k: p.get(k) for k in ("port", "targetPort", "protocol", "name")} for p in stored["spec"]["ports"]
    ]
    their_ports = [
        {k: p.get(k) for k in ("port", "targetPort", "protocol", "name")} for p in expected["spec"]["ports"]
    ]
    assert mine_ports == their_ports
    # Without --port the container ports are used, as kubectl introspects them.
    svc = await ops.expose(
        conn, "mine", "deployments", "hello-node", "NodePort", service_name="hello-np", node_port=30080
    )
    assert [(p["port"], p["targetPort"], p["nodePort"]) for p in svc["spec"]["ports"]] == [
        (8080, 8080, 30080)
    ]


async def test_expose_multi_port_workload_like_kubectl(cluster: tuple[Connection, Path]) -> None:
    conn, kubeconfig = cluster
    for ns in ("mine", "theirs"):
        await conn.request(
            "POST",
            f"/apis/apps/v1/namespaces/{ns}/deployments",
            body={
                "metadata": {"name": "dns", "labels": {"app": "dns", "tier": "infra"}},
                "spec": {
                    "selector": {"matchLabels": {"app": "dns"}},
                    "template": {
                        "metadata": {"labels": {"app": "dns"}},
                        "spec": {
                            "containers": [
                                {
                                    "name": "dns",
                                    "image": "busybox",
                                    "ports": [
                                        {"containerPort": 53, "protocol": "UDP"},
                                        {"containerPort": 9153},
                                    ],
                                }
                            ]
                        },
                    },
                },
            },
        )
    for port in (None, 53):
        theirs = await kubectl(
            kubeconfig, "expose", "deployment", "dns", "-n", "theirs", "--dry-run=client", "-o", "json",
            *([f"--port={port}"] if port else []),
        )  # fmt: skip
        assert theirs.returncode == 0, theirs.stderr
        mine = await ops.expose(conn, "mine", "deployments", "dns", port=port, dry_run=True)
        expected = theirs.json()
        assert mine["spec"]["ports"] == expected["spec"]["ports"], port
        assert mine["spec"]["selector"] == expected["spec"]["selector"]
        assert mine["metadata"]["labels"] == expected["metadata"]["labels"]


async def test_delete_with_propagation(cluster: tuple[Connection, Path]) -> None:
    conn, _ = cluster
    await ops.create_deployment(conn, "mine", "doomed", "nginx")
    await ops.delete(conn, "deployments", "mine", "doomed", dry_run=True)
    await _get(conn, _deploy_path("mine", "doomed"))
    await ops.delete(conn, "deployments", "mine", "doomed", propagation="Background")
    with pytest.raises(NotFound):
        await _get(conn, _deploy_path("mine", "doomed"))


async def test_read_only_connection_refuses_mutations_but_allows_dry_runs(
    bare_sim: SimServer, tmp_path: Path
) -> None:
    kubeconfig = bare_sim.write_kubeconfig(tmp_path / "kubeconfig")
    conn = await open_connection(kubeconfig, readonly=True)
    try:
        with pytest.raises(ReadOnlyError):
            await ops.create_deployment(conn, "default", "web", "nginx")
        preview = await ops.create_deployment(conn, "default", "web", "nginx", dry_run=True)
        assert preview["metadata"]["name"] == "web"
        listed = await _get(conn, "/apis/apps/v1/namespaces/default/deployments")
        assert listed["items"] == []
    finally:
        await conn.close()


async def test_events_for_object(cluster: tuple[Connection, Path]) -> None:
    conn, _ = cluster
    dep = await ops.create_deployment(conn, "mine", "web", "nginx")
    for i, name in enumerate(("web", "other")):
        await conn.request(
            "POST",
            "/api/v1/namespaces/mine/events",
            body={
                "metadata": {"name": f"ev-{i}"},
                "involvedObject": {"kind": "Deployment", "namespace": "mine", "name": name},
                "reason": "ScalingReplicaSet",
                "message": f"about {name}",
                "type": "Normal",
                "firstTimestamp": "2026-01-10T11:00:00Z",
                "lastTimestamp": "2026-01-10T11:00:00Z",
                "count": 1,
            },
        )
    events = await ops.events_for(conn, {**dep, "kind": "Deployment"})
    assert [e["message"] for e in events] == ["about web"]
