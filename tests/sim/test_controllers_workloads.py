"""StatefulSets make ordered pods NAME-0..N-1 one after another and remove them from the top; DaemonSets run
one pod on each schedulable node."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from kubetui.sim.server import SimServer
from tests.cluster.simhelp import open_connection

TEMPLATE = {
    "metadata": {"labels": {"app": "db"}},
    "spec": {"containers": [{"name": "db", "image": "registry.k8s.io/e2e-test-images/agnhost:2.39"}]},
}


async def _until(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await check()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def test_statefulset_pods_come_in_order_and_leave_from_the_top(sim: SimServer, tmp_path: Any) -> None:
    conn = await open_connection(sim.write_kubeconfig(tmp_path / "kc"))
    sts = "/apis/apps/v1/namespaces/default/statefulsets"
    created: list[str] = []

    def watch(event: Any) -> None:
        if event.rtype == "pods" and event.type == "ADDED":
            created.append(event.obj["metadata"]["name"])

    sim.store.add_listener(watch)
    try:
        body = {
            "metadata": {"name": "db"},
            "spec": {
                "replicas": 3,
                "serviceName": "db",
                "selector": {"matchLabels": {"app": "db"}},
                "template": TEMPLATE,
            },
        }
        await conn.request("POST", sts, body=body)

        async def ready() -> bool:
            got = await conn.request("GET", f"{sts}/db")
            return (got.get("status") or {}).get("readyReplicas") == 3

        await _until(ready)
        assert created == ["db-0", "db-1", "db-2"]
        pod = await conn.request("GET", "/api/v1/namespaces/default/pods/db-1")
        assert pod["spec"]["hostname"] == "db-1" and pod["spec"]["subdomain"] == "db"
        assert pod["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] == "db-1"
        await conn.request(
            "PATCH", f"{sts}/db", body={"spec": {"replicas": 1}}, content_type="application/merge-patch+json"
        )

        async def one_left() -> list[str]:
            pods = await conn.request(
                "GET", "/api/v1/namespaces/default/pods", query={"labelSelector": "app=db"}
            )
            names = sorted(p["metadata"]["name"] for p in pods["items"])
            return names if names == ["db-0"] else []

        await _until(one_left)
    finally:
        sim.store.remove_listener(watch)
        await conn.close()


async def test_daemonset_runs_one_pod_per_node(sim: SimServer, tmp_path: Any) -> None:
    conn = await open_connection(sim.write_kubeconfig(tmp_path / "kc"))
    try:
        nodes = [n["metadata"]["name"] for n in (await conn.request("GET", "/api/v1/nodes"))["items"]]
        assert len(nodes) == 2
        ds = "/apis/apps/v1/namespaces/default/daemonsets"
        body = {
            "metadata": {"name": "agent"},
            "spec": {"selector": {"matchLabels": {"app": "db"}}, "template": TEMPLATE},
        }
        await conn.request("POST", ds, body=body)

        async def spread() -> list[str]:
            pods = await conn.request(
                "GET", "/api/v1/namespaces/default/pods", query={"labelSelector": "app=db"}
            )
            on = sorted(p["spec"].get("nodeName", "") for p in pods["items"])
            return on if on == sorted(nodes) else []

        await _until(spread)

        async def counted() -> bool:
            status = (await conn.request("GET", f"{ds}/agent")).get("status") or {}
            return status.get("desiredNumberScheduled") == 2 and status.get("numberReady") == 2

        await _until(counted)
    finally:
        await conn.close()
