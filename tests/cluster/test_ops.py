"""Operations on both backends over real HTTP, each compared with real kubectl doing the same: kubetui acts in
one namespace, kubectl in its twin, and the objects left behind must be equal once normalised."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from kubetui.cluster.errors import Invalid, NotFound, ReadOnlyError
from kubetui.sim.server import SimServer
from tests.backends import Twins, normalised, settled, wait_for
from tests.cluster.simhelp import kubectl, open_connection

pytestmark = pytest.mark.kubectl
AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.39"
V1 = "gcr.io/google-samples/kubernetes-bootcamp:v1"
V2 = "docker.io/jocatalin/kubernetes-bootcamp:v2"
DEPLOY = "/apis/apps/v1/namespaces/{}/deployments/"


async def test_create_deployment_leaves_what_kubectl_leaves(twins: Twins) -> None:
    await twins.kubectl("create", "deployment", "hello-node", f"--image={AGNHOST}", "--replicas=2", "--port=8080",
            "--", "/agnhost", "netexec", "--http-port=8080")  # fmt: skip
    created = await ops.create_deployment(
        twins.conn, twins.mine, "hello-node", AGNHOST, replicas=2, port=8080,
        command=["/agnhost", "netexec", "--http-port=8080"],
    )  # fmt: skip
    stored = await twins.same_deployment("hello-node")
    assert created["metadata"]["uid"] == stored["metadata"]["uid"]
    assert stored["spec"]["template"]["spec"]["containers"][0]["command"][0] == "/agnhost"


async def test_dry_run_create_stores_nothing(twins: Twins) -> None:
    result = await ops.create_deployment(twins.conn, twins.mine, "ghost", "nginx", dry_run=True)
    assert result["metadata"]["name"] == "ghost"
    with pytest.raises(NotFound):
        await twins.get(DEPLOY + "ghost")


async def test_invalid_name_is_refused_before_sending(twins: Twins) -> None:
    with pytest.raises(Invalid) as info:
        await ops.create_deployment(twins.conn, twins.mine, "Hello_Node", "nginx")
    assert "a lowercase RFC 1123 subdomain must consist of" in info.value.message
    assert (await twins.get("/apis/apps/v1/namespaces/{}/deployments"))["items"] == []


async def test_scale_matches_kubectl_scale(twins: Twins) -> None:
    for ns in (twins.mine, twins.theirs):
        await ops.create_deployment(twins.conn, ns, "kubernetes-bootcamp", V1)
    await twins.kubectl("scale", "deployments/kubernetes-bootcamp", "--replicas=4")
    scaled = await ops.scale(twins.conn, "deployments", twins.mine, "kubernetes-bootcamp", 4)
    assert scaled["kind"] == "Scale" and scaled["spec"]["replicas"] == 4
    mine = await twins.same_deployment("kubernetes-bootcamp")
    assert mine["spec"]["replicas"] == 4 and mine["status"]["readyReplicas"] == 4
    preview = await ops.scale(twins.conn, "deployments", twins.mine, "kubernetes-bootcamp", 2, dry_run=True)
    assert preview["spec"]["replicas"] == 2
    assert (await twins.get(DEPLOY + "kubernetes-bootcamp"))["spec"]["replicas"] == 4


async def test_negative_replicas_refused_with_kubectls_message(twins: Twins) -> None:
    await ops.create_deployment(twins.conn, twins.mine, "web", "nginx")
    with pytest.raises(Invalid, match="COUNT must be greater than or equal to 0"):
        await ops.scale(twins.conn, "deployments", twins.mine, "web", -1)
    theirs = await kubectl(twins.kubeconfig, "scale", "deployment/web", "--replicas=-1", "-n", twins.mine)
    assert theirs.returncode != 0
    assert "must be greater than or equal to 0" in theirs.stderr
    assert (await twins.get(DEPLOY + "web"))["spec"]["replicas"] == 1


async def test_set_image_matches_kubectl_set_image(twins: Twins) -> None:
    for ns in (twins.mine, twins.theirs):
        await ops.create_deployment(twins.conn, ns, "kubernetes-bootcamp", V1)
    await twins.kubectl("set", "image", "deployments/kubernetes-bootcamp", f"kubernetes-bootcamp={V2}")
    await ops.set_image(twins.conn, twins.mine, "kubernetes-bootcamp", {"kubernetes-bootcamp": V2})
    mine = await twins.same_deployment("kubernetes-bootcamp")
    assert mine["spec"]["template"]["spec"]["containers"][0]["image"] == V2
    with pytest.raises(NotFound, match='unable to find container named "nope"'):
        await ops.set_image(twins.conn, twins.mine, "kubernetes-bootcamp", {"nope": "nginx"})


async def test_registry_secret_matches_kubectl(twins: Twins) -> None:
    await twins.kubectl("create", "secret", "docker-registry", "my-secret", "--docker-server=registry.example.com",
            "--docker-username=dev", "--docker-password=s3cr&t", "--docker-email=dev@example.com")  # fmt: skip
    await ops.create_registry_secret(
        twins.conn, twins.mine, "my-secret", "registry.example.com", "dev", "s3cr&t", "dev@example.com"
    )
    mine, theirs = await twins.both("/api/v1/namespaces/{}/secrets/my-secret")
    assert normalised(mine) == normalised(theirs)
    assert mine["type"] == "kubernetes.io/dockerconfigjson"
    config = json.loads(base64.b64decode(mine["data"][".dockerconfigjson"]))
    assert config["auths"]["registry.example.com"]["auth"] == base64.b64encode(b"dev:s3cr&t").decode()


async def test_add_image_pull_secret_matches_kubectl_patch(twins: Twins) -> None:
    for ns in (twins.mine, twins.theirs):
        await ops.create_deployment(
            twins.conn, ns, "myapp", "registry.example.com/team/myapp:001", replicas=3
        )
    await twins.kubectl("patch", "deployment", "myapp", "-p",
            '{"spec":{"template":{"spec":{"imagePullSecrets":[{"name":"my-secret"}]}}}}')  # fmt: skip
    await ops.add_image_pull_secret(twins.conn, twins.mine, "myapp", "my-secret")
    await ops.add_image_pull_secret(twins.conn, twins.mine, "myapp", "my-secret")  # merged by name
    mine, theirs = await twins.both(DEPLOY + "myapp")
    assert normalised(mine)["spec"] == normalised(theirs)["spec"]
    assert mine["spec"]["template"]["spec"]["imagePullSecrets"] == [{"name": "my-secret"}]


async def test_expose_matches_kubectl_expose(twins: Twins) -> None:
    for ns in (twins.mine, twins.theirs):
        await ops.create_deployment(twins.conn, ns, "hello-node", AGNHOST, port=8080)
    await twins.kubectl("expose", "deployment", "hello-node", "--type=LoadBalancer", "--port=8080")
    await ops.expose(twins.conn, twins.mine, "deployments", "hello-node", "LoadBalancer", 8080)
    # Without --port the container ports are used, as kubectl introspects them.
    await twins.kubectl("expose", "deployment", "hello-node", "--type=NodePort", "--name=hello-np")
    await ops.expose(twins.conn, twins.mine, "deployments", "hello-node", "NodePort", service_name="hello-np")
    for name in ("hello-node", "hello-np"):
        mine, theirs = await twins.both("/api/v1/namespaces/{}/services/" + name)
        assert normalised(mine) == normalised(theirs), name
        assert mine["spec"]["ports"][0]["nodePort"] >= 30000


async def test_expose_multi_port_workload_like_kubectl(twins: Twins) -> None:
    for ns in (twins.mine, twins.theirs):
        await twins.conn.request(
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
        name = f"dns-{port or 'all'}"
        await twins.kubectl(
            "expose", "deployment", "dns", f"--name={name}", *([f"--port={port}"] if port else [])
        )
        await ops.expose(twins.conn, twins.mine, "deployments", "dns", port=port, service_name=name)
        mine, theirs = await twins.both("/api/v1/namespaces/{}/services/" + name)
        assert normalised(mine) == normalised(theirs), port


async def _owned(conn: Connection, ns: str) -> list[tuple[str, str, bool]]:
    """(kind, app label, still owned) of every ReplicaSet and Pod left in ``ns`` and not being deleted."""
    left = []
    for path, kind in (
        (f"/apis/apps/v1/namespaces/{ns}/replicasets", "ReplicaSet"),
        (f"/api/v1/namespaces/{ns}/pods", "Pod"),
    ):
        for item in (await conn.request("GET", path))["items"]:
            meta = item["metadata"]
            if not meta.get("deletionTimestamp"):
                left.append((kind, meta["labels"].get("app", ""), bool(meta.get("ownerReferences"))))
    return sorted(left)


@pytest.mark.parametrize(
    ("policy", "cascade"), [("Background", "background"), ("Foreground", "foreground"), ("Orphan", "orphan")]
)
async def test_delete_with_each_propagation_policy_like_kubectl(
    twins: Twins, policy: str, cascade: str
) -> None:
    for ns in (twins.mine, twins.theirs):
        await ops.create_deployment(twins.conn, ns, "doomed", "nginx", replicas=2)
        await settled(twins.conn, ns, "doomed")
    await ops.delete(twins.conn, "deployments", twins.mine, "doomed", dry_run=True)
    await twins.get(DEPLOY + "doomed")
    await twins.kubectl("delete", "deployment", "doomed", f"--cascade={cascade}", "--wait=false")
    await ops.delete(twins.conn, "deployments", twins.mine, "doomed", propagation=policy)

    async def gone_in_both() -> bool:
        for ns in (twins.mine, twins.theirs):
            try:
                await twins.conn.request("GET", DEPLOY.format(ns) + "doomed")
                return False
            except NotFound:
                pass
        return True

    await wait_for(gone_in_both, timeout=60, what="the Deployment gone from both namespaces")
    # the garbage collector then removes (or, orphaned, releases) what the Deployment owned
    want = [] if policy != "Orphan" else [("Pod", "doomed", True)] * 2 + [("ReplicaSet", "doomed", False)]

    async def collected() -> bool:
        return await _owned(twins.conn, twins.mine) == await _owned(twins.conn, twins.theirs) == want

    await wait_for(collected, timeout=60, what=f"what a {policy} delete leaves: {want}")


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
        listed = await conn.request("GET", "/apis/apps/v1/namespaces/default/deployments")
        assert listed["items"] == []
    finally:
        await conn.close()


async def test_events_for_object(twins: Twins) -> None:
    dep = await ops.create_deployment(twins.conn, twins.mine, "web", "nginx")
    for i, name in enumerate(("web", "other")):
        await twins.conn.request(
            "POST",
            f"/api/v1/namespaces/{twins.mine}/events",
            body={
                "metadata": {"name": f"ev-{i}"},
                "involvedObject": {"kind": "Deployment", "namespace": twins.mine, "name": name},
                "reason": "Testing",
                "message": f"about {name}",
                "type": "Normal",
                "firstTimestamp": "2026-01-10T11:00:00Z",
                "lastTimestamp": "2026-01-10T11:00:00Z",
                "count": 1,
            },
        )
    # the real controller adds its own ScalingReplicaSet event about the same Deployment
    events = await ops.events_for(twins.conn, {**dep, "kind": "Deployment"})
    assert "about web" in [e["message"] for e in events]
    assert "about other" not in [e["message"] for e in events]
    assert all(e["involvedObject"]["name"] == "web" for e in events)
