"""The journey's steps done twice on each backend with its controllers: by kubectl in one namespace and by
kubetui's operations in another, comparing the cluster state after each step."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from kubetui.cluster.errors import NotFound
from tests.backends import Twins, settled, wait_for

pytestmark = pytest.mark.kubectl
AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.39"
V1 = "gcr.io/google-samples/kubernetes-bootcamp:v1"
V2 = "docker.io/jocatalin/kubernetes-bootcamp:v2"


def _template(dep: dict[str, Any]) -> dict[str, Any]:
    template: dict[str, Any] = dep["spec"]["template"]
    return template


async def _revisions(conn: Connection, ns: str, name: str) -> list[tuple[int, tuple[str, ...], bool]]:
    return [(r.revision, r.images, r.current) for r in await ops.rollout_history(conn, ns, name)]


async def _both(twins: Twins, name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return await settled(twins.conn, twins.mine, name), await settled(twins.conn, twins.theirs, name)


async def test_journey_twins(twins: Twins) -> None:
    conn, k, ns_mine, ns_theirs = twins.conn, twins.kubectl, twins.mine, twins.theirs
    # 3. create deployment with a command
    await k(
        "create",
        "deployment",
        "hello-node",
        f"--image={AGNHOST}",
        "--",
        "/agnhost",
        "netexec",
        "--http-port=8080",
    )
    await ops.create_deployment(
        conn, ns_mine, "hello-node", AGNHOST, command=["/agnhost", "netexec", "--http-port=8080"]
    )
    mine, theirs = await _both(twins, "hello-node")
    assert _template(mine) == _template(theirs)
    assert mine["spec"]["selector"] == theirs["spec"]["selector"]
    assert mine["metadata"]["labels"] == theirs["metadata"]["labels"]

    # 4. expose as a LoadBalancer
    await k("expose", "deployment", "hello-node", "--type=LoadBalancer", "--port=8080")
    await ops.expose(conn, ns_mine, "deployments", "hello-node", "LoadBalancer", 8080)
    svc_mine = await conn.request("GET", f"/api/v1/namespaces/{ns_mine}/services/hello-node")
    svc_theirs = await conn.request("GET", f"/api/v1/namespaces/{ns_theirs}/services/hello-node")
    for key in ("type", "selector", "sessionAffinity", "externalTrafficPolicy"):
        assert svc_mine["spec"].get(key) == svc_theirs["spec"].get(key), key
    strip = ("nodePort",)
    assert [{k: v for k, v in p.items() if k not in strip} for p in svc_mine["spec"]["ports"]] == [
        {k: v for k, v in p.items() if k not in strip} for p in svc_theirs["spec"]["ports"]
    ]
    assert svc_mine["metadata"].get("labels") == svc_theirs["metadata"].get("labels")

    # 5.-6. second app, scaled up and down
    await k("create", "deployment", "kubernetes-bootcamp", f"--image={V1}")
    await ops.create_deployment(conn, ns_mine, "kubernetes-bootcamp", V1)
    for replicas in (4, 2):
        await k("scale", "deployments/kubernetes-bootcamp", f"--replicas={replicas}")
        await ops.scale(conn, "deployments", ns_mine, "kubernetes-bootcamp", replicas)
        mine, theirs = await _both(twins, "kubernetes-bootcamp")
        assert mine["spec"]["replicas"] == theirs["spec"]["replicas"] == replicas

        # Scaled down, the rollout counts as done (as kubectl's rollout status says) while the surplus pods
        # still stop: the real cluster's ready count follows a moment later.
        async def ready(replicas: int = replicas) -> bool:
            counts = [
                (await conn.request("GET", f"/apis/apps/v1/namespaces/{ns}/deployments/kubernetes-bootcamp"))[
                    "status"
                ].get("readyReplicas")
                for ns in (ns_mine, ns_theirs)
            ]
            return counts == [replicas, replicas]

        await wait_for(ready, timeout=60, what=f"{replicas} ready replicas in both namespaces")

    # 7. rolling update
    await k("set", "image", "deployments/kubernetes-bootcamp", f"kubernetes-bootcamp={V2}")
    await ops.set_image(conn, ns_mine, "kubernetes-bootcamp", {"kubernetes-bootcamp": V2})
    mine, theirs = await _both(twins, "kubernetes-bootcamp")
    assert _template(mine) == _template(theirs)
    assert await _revisions(conn, ns_mine, "kubernetes-bootcamp") == await _revisions(
        conn, ns_theirs, "kubernetes-bootcamp"
    ) == [(1, (V1,), False), (2, (V2,), True)]  # fmt: skip

    # 8. roll back
    await k("rollout", "undo", "deployments/kubernetes-bootcamp")
    await ops.rollout_undo(conn, ns_mine, "kubernetes-bootcamp")
    mine, theirs = await _both(twins, "kubernetes-bootcamp")
    assert _template(mine) == _template(theirs)
    assert mine["metadata"]["annotations"] == theirs["metadata"]["annotations"]
    assert await _revisions(conn, ns_mine, "kubernetes-bootcamp") == await _revisions(
        conn, ns_theirs, "kubernetes-bootcamp"
    ) == [(2, (V2,), False), (3, (V1,), True)]  # fmt: skip

    # restart
    await k("rollout", "restart", "deployments/kubernetes-bootcamp")
    await ops.rollout_restart(conn, ns_mine, "kubernetes-bootcamp")
    mine, theirs = await _both(twins, "kubernetes-bootcamp")
    key = "kubectl.kubernetes.io/restartedAt"
    assert (
        key in _template(mine)["metadata"]["annotations"]
        and key in _template(theirs)["metadata"]["annotations"]
    )
    assert [r[:2] for r in await _revisions(conn, ns_mine, "kubernetes-bootcamp")] == [
        r[:2] for r in await _revisions(conn, ns_theirs, "kubernetes-bootcamp")
    ]

    # 9. clean up
    await k("delete", "deployments/kubernetes-bootcamp", "services/hello-node")
    await ops.delete(conn, "deployments", ns_mine, "kubernetes-bootcamp")
    await ops.delete(conn, "services", ns_mine, "hello-node")
    for ns in (ns_mine, ns_theirs):
        for path in (
            f"/apis/apps/v1/namespaces/{ns}/deployments/kubernetes-bootcamp",
            f"/api/v1/namespaces/{ns}/services/hello-node",
        ):
            with pytest.raises(NotFound):
                await conn.request("GET", path)
    for _ in range(600):  # the garbage collector's pace
        left = [
            len((await conn.request("GET", f"/apis/apps/v1/namespaces/{ns}/replicasets", query={"labelSelector": "app=kubernetes-bootcamp"}))["items"])
            for ns in (ns_mine, ns_theirs)
        ]  # fmt: skip
        if left == [0, 0]:
            break
        await asyncio.sleep(0.1)
    assert left == [0, 0]

    # 10. private registry secret, added to a Deployment
    await k("create", "secret", "docker-registry", "my-secret", "--docker-server=registry.example.com",
            "--docker-username=dev", "--docker-password=pw")  # fmt: skip
    await ops.create_registry_secret(conn, ns_mine, "my-secret", "registry.example.com", "dev", "pw")
    secret_mine = await conn.request("GET", f"/api/v1/namespaces/{ns_mine}/secrets/my-secret")
    secret_theirs = await conn.request("GET", f"/api/v1/namespaces/{ns_theirs}/secrets/my-secret")
    assert (secret_mine["type"], secret_mine["data"]) == (secret_theirs["type"], secret_theirs["data"])
