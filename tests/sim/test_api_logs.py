"""``pods/{name}/log``: filters (tail, since, timestamps), container choice and the kubelet's errors."""

from __future__ import annotations

from kubetui.sim.server import SimServer
from tests.sim.api_client import call

PODS = "/api/v1/namespaces/default/pods"


def _pod(name: str, containers: list[str], state: dict | None, node: str | None = "sim-worker-1") -> dict:
    spec: dict = {"containers": [{"name": c, "image": "nginx"} for c in containers]}
    if node:
        spec["nodeName"] = node
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": spec,
    }
    if state is not None:
        pod["status"] = {
            "phase": "Running",
            "containerStatuses": [
                {"name": c, "state": state, "restartCount": 0, "ready": True} for c in containers
            ],
        }
    return pod


def _store_pod(sim: SimServer, pod: dict) -> None:
    # Status is the kubelet's to write, so it goes straight into the store here.
    sim.store.create("pods", pod)


async def test_log_lines_tail_since_and_timestamps(bare_sim: SimServer) -> None:
    _store_pod(bare_sim, _pod("web", ["web"], {"running": {"startedAt": "2026-01-01T00:00:00Z"}}))
    bare_sim.cluster.logs[("default", "web", "web")] = [
        ("2026-01-01T00:00:01.000000000Z", "one"),
        ("2026-01-01T00:00:02.000000000Z", "two"),
        ("2026-01-01T00:00:03.000000000Z", "three"),
    ]
    status, text = await call(bare_sim.url, "GET", f"{PODS}/web/log")
    assert status == 200 and text == "one\ntwo\nthree\n"
    _, text = await call(bare_sim.url, "GET", f"{PODS}/web/log", params={"tailLines": "2"})
    assert text == "two\nthree\n"
    _, text = await call(
        bare_sim.url,
        "GET",
        f"{PODS}/web/log",
        params={"sinceTime": "2026-01-01T00:00:02Z", "timestamps": "true"},
    )
    assert text == "2026-01-01T00:00:02.000000000Z two\n2026-01-01T00:00:03.000000000Z three\n"
    _, text = await call(bare_sim.url, "GET", f"{PODS}/web/log", params={"limitBytes": "6"})
    assert text == "one\ntw"


async def test_log_errors_as_the_kubelet_words_them(bare_sim: SimServer) -> None:
    _store_pod(bare_sim, _pod("two", ["a", "b"], {"running": {}}))
    status, err = await call(bare_sim.url, "GET", f"{PODS}/two/log")
    assert (
        status == 400
        and err["message"] == "a container name must be specified for pod two, choose one of: [a b]"
    )
    status, err = await call(bare_sim.url, "GET", f"{PODS}/two/log", params={"container": "zz"})
    assert status == 400 and err["message"] == "container zz is not valid for pod two"
    _store_pod(bare_sim, _pod("starting", ["app"], {"waiting": {"reason": "ContainerCreating"}}))
    status, err = await call(bare_sim.url, "GET", f"{PODS}/starting/log")
    assert status == 400
    assert err["message"] == 'container "app" in pod "starting" is waiting to start: ContainerCreating'
    _store_pod(bare_sim, _pod("pull", ["app"], {"waiting": {"reason": "ImagePullBackOff"}}))
    _, err = await call(bare_sim.url, "GET", f"{PODS}/pull/log")
    assert (
        err["message"]
        == 'container "app" in pod "pull" is waiting to start: trying and failing to pull image'
    )
    _store_pod(bare_sim, _pod("pending", ["app"], None, node=None))
    _, err = await call(bare_sim.url, "GET", f"{PODS}/pending/log")
    assert err["message"] == "pod pending does not have a host assigned"
    _, err = await call(bare_sim.url, "GET", f"{PODS}/two/log", params={"container": "a", "previous": "true"})
    assert err["message"] == 'previous terminated container "a" in pod "two" not found'
    status, err = await call(bare_sim.url, "GET", f"{PODS}/ghost/log")
    assert status == 404 and err["message"] == 'pods "ghost" not found'


async def test_follow_streams_from_the_real_cluster(sim: SimServer) -> None:
    import asyncio

    import aiohttp

    deploy = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "boot"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "boot"}},
            "template": {
                "metadata": {"labels": {"app": "boot"}},
                "spec": {
                    "containers": [{"name": "boot", "image": "gcr.io/google-samples/kubernetes-bootcamp:v1"}]
                },
            },
        },
    }
    await call(sim.url, "POST", "/apis/apps/v1/namespaces/default/deployments", deploy)
    for _ in range(200):
        pods = [
            p for p in sim.store.list("pods", "default") if (p.get("status") or {}).get("phase") == "Running"
        ]
        if pods:
            break
        await asyncio.sleep(0.05)
    name = pods[0]["metadata"]["name"]
    lines: list[bytes] = []
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{sim.url}{PODS}/{name}/log", params={"follow": "true"}, timeout=aiohttp.ClientTimeout(total=20)
        ) as resp,
    ):
        assert resp.status == 200
        async for line in resp.content:
            lines.append(line)
            if len(lines) >= 3:
                break
    assert all(b"kubernetes-bootcamp" in line or b"Running On" in line for line in lines[:3])
