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


async def test_a_job_runs_its_pods_to_completion(sim: SimServer, tmp_path: Any) -> None:
    conn = await open_connection(sim.write_kubeconfig(tmp_path / "kc"))
    try:
        jobs = "/apis/batch/v1/namespaces/default/jobs"
        body = {
            "metadata": {"name": "count"},
            "spec": {
                "completions": 3,
                "parallelism": 2,
                "template": {
                    "spec": {
                        "restartPolicy": "Never",
                        "containers": [
                            {"name": "c", "image": "busybox", "command": ["sh", "-c", "echo done"]}
                        ],
                    }
                },
            },
        }
        await conn.request("POST", jobs, body=body)

        async def complete() -> dict[str, Any]:
            job = await conn.request("GET", f"{jobs}/count")
            done = any(c["type"] == "Complete" for c in (job.get("status") or {}).get("conditions") or [])
            return job if done else {}

        job = await _until(complete)
        assert job["status"]["succeeded"] == 3 and job["status"].get("active", 0) == 0
        pods = await conn.request(
            "GET", "/api/v1/namespaces/default/pods", query={"labelSelector": "job-name=count"}
        )
        assert sorted(p["status"]["phase"] for p in pods["items"]) == ["Succeeded"] * 3
    finally:
        await conn.close()


async def test_a_cronjob_makes_jobs_on_schedule_in_simulated_time(sim: SimServer, tmp_path: Any) -> None:
    conn = await open_connection(sim.write_kubeconfig(tmp_path / "kc"))
    try:
        path = "/apis/batch/v1/namespaces/default/cronjobs"
        template = {
            "spec": {
                "template": {
                    "spec": {
                        "restartPolicy": "OnFailure",
                        "containers": [{"name": "c", "image": "busybox", "command": ["sh", "-c", "date"]}],
                    }
                }
            }
        }
        body = {"metadata": {"name": "tick"}, "spec": {"schedule": "* * * * *", "jobTemplate": template}}
        await conn.request("POST", path, body=body)

        async def two_jobs() -> list[dict[str, Any]]:
            listed = await conn.request("GET", "/apis/batch/v1/namespaces/default/jobs")
            mine = [j for j in listed["items"] if j["metadata"]["name"].startswith("tick-")]
            return mine if len(mine) >= 2 else []

        jobs = await _until(two_jobs, timeout=60)  # every simulated minute: about 1.2 s at speed 50
        stamps = sorted(int(j["metadata"]["name"].removeprefix("tick-")) for j in jobs)
        assert stamps[1] - stamps[0] == 1  # consecutive minutes
        cj = await conn.request("GET", f"{path}/tick")
        assert cj["status"]["lastScheduleTime"]
    finally:
        await conn.close()


async def test_a_restart_replaces_statefulset_and_daemonset_pods(sim: SimServer, tmp_path: Any) -> None:
    from kubetui.cluster.rollout import rollout_restart

    conn = await open_connection(sim.write_kubeconfig(tmp_path / "kc"))
    try:
        base = "/apis/apps/v1/namespaces/default"
        sts = {
            "metadata": {"name": "db"},
            "spec": {
                "replicas": 2,
                "serviceName": "db",
                "selector": {"matchLabels": {"app": "db"}},
                "template": TEMPLATE,
            },
        }
        agent = {**TEMPLATE, "metadata": {"labels": {"app": "agent"}}}
        ds = {
            "metadata": {"name": "agent"},
            "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": agent},
        }
        await conn.request("POST", f"{base}/statefulsets", body=sts)
        await conn.request("POST", f"{base}/daemonsets", body=ds)

        async def uids(app: str, count: int) -> dict[str, str]:
            pods = await conn.request(
                "GET", "/api/v1/namespaces/default/pods", query={"labelSelector": f"app={app}"}
            )
            ready = [
                p for p in pods["items"]
                if not p["metadata"].get("deletionTimestamp")
                and any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions", []))
            ]  # fmt: skip
            return {p["metadata"]["name"]: p["metadata"]["uid"] for p in ready} if len(ready) == count else {}

        before_db, before_agent = await _until(lambda: uids("db", 2)), await _until(lambda: uids("agent", 2))
        await rollout_restart(conn, "default", "db", kind="statefulsets")
        await rollout_restart(conn, "default", "agent", kind="daemonsets")

        async def replaced(app: str, before: dict[str, str]) -> dict[str, str]:
            now = await uids(app, 2)
            return now if now and not set(now.values()) & set(before.values()) else {}

        after_db = await _until(lambda: replaced("db", before_db), timeout=60)
        assert sorted(after_db) == ["db-0", "db-1"]  # same names, new pods
        await _until(lambda: replaced("agent", before_agent), timeout=60)
    finally:
        await conn.close()
