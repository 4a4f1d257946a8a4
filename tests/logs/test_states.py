"""Honest states instead of a silent wait: not started, image pull failures, CrashLoopBackOff with the previous
container's lines, ended, deleted, previous container on request, and permission denied."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from kubetui.cluster.logs import LogOptions, LogState, MultiPodLogs
from kubetui.sim.server import SimServer
from tests.logs.helpers import NS, Collector, connect, container, create_pod, delete_pod, wait_for


async def test_waiting_then_streaming_when_the_container_starts(sim: SimServer, kubeconfig: Path) -> None:
    conn = await connect(kubeconfig)
    # Pulling this image takes a while (simulated), long enough to be seen waiting.
    await create_pod(conn, "slow", [container("main", "gcr.io/google-samples/kubernetes-bootcamp:v1")])
    got = Collector()
    logs = MultiPodLogs(conn, NS, got, LogOptions(), poll_interval=0.02, batch_interval=0.01)
    logs.set_pods(["slow"])
    await wait_for(lambda: got.lines("slow"), timeout=15, what="first line")
    await logs.aclose()
    states = [s.state for s in got.statuses(pod="slow")]
    assert states[0] is LogState.WAITING
    assert "ContainerCreating" in got.statuses(LogState.WAITING)[0].message
    assert LogState.STREAMING in states
    assert got.lines("slow")[0].text.startswith("Kubernetes Bootcamp App Started")
    await conn.close()


async def test_unschedulable_pod_says_why_it_waits(sim: SimServer, kubeconfig: Path) -> None:
    conn = await connect(kubeconfig)
    await create_pod(conn, "nowhere", [container("main", "nginx")], nodeSelector={"disk": "none-has-this"})
    got = Collector()
    logs = MultiPodLogs(conn, NS, got, LogOptions(), poll_interval=0.02, batch_interval=0.01)
    logs.set_pods(["nowhere"])
    await wait_for(lambda: got.has(LogState.WAITING), what="waiting")
    await logs.aclose()
    assert "Unschedulable" in got.statuses(LogState.WAITING)[-1].message or "ContainerCreating" in (
        got.statuses(LogState.WAITING)[-1].message
    )
    assert not got.lines()
    await conn.close()


async def test_image_pull_failure_is_reported(sim: SimServer, kubeconfig: Path) -> None:
    conn = await connect(kubeconfig)
    await create_pod(conn, "typo", [container("main", "registry.example.com/team/does-not-exist:1")])
    got = Collector()
    logs = MultiPodLogs(conn, NS, got, LogOptions(), poll_interval=0.02, batch_interval=0.01)
    logs.set_pods(["typo"])
    await wait_for(lambda: got.has(LogState.IMAGE_PULL), timeout=15, what="image pull state")
    await logs.aclose()
    message = got.statuses(LogState.IMAGE_PULL)[0].message
    assert message.startswith(("ErrImagePull", "ImagePullBackOff"))
    assert not got.lines()
    await conn.close()


async def test_crash_loop_offers_the_previous_containers_last_lines(sim: SimServer, kubeconfig: Path) -> None:
    conn = await connect(kubeconfig)
    await create_pod(conn, "crashy", [container("main", "kubetui.test/crash:1")])
    got = Collector()
    logs = MultiPodLogs(conn, NS, got, LogOptions(), poll_interval=0.02, batch_interval=0.01)
    logs.set_pods(["crashy"])
    await wait_for(lambda: got.has(LogState.CRASH_LOOP), timeout=15, what="CrashLoopBackOff")
    await logs.aclose()
    crash = got.statuses(LogState.CRASH_LOOP)[0]
    assert crash.message.startswith("CrashLoopBackOff")
    assert "panic: configuration file not found" in [x.text for x in crash.previous]
    assert all(x.pod == "crashy" and x.container == "main" for x in crash.previous)
    # The lines of the run that crashed were streamed too, before the note.
    assert "panic: configuration file not found" in [x.text for x in got.lines("crashy")]
    # p in the view: the previous container's whole log, then its end.
    prev = Collector()
    logs = MultiPodLogs(conn, NS, prev, LogOptions(previous=True, follow=False), poll_interval=0.02)
    logs.set_pods(["crashy"])
    await logs.wait()
    await logs.aclose()
    assert [x.text for x in prev.lines()][:3] == [
        "starting crash demo",
        "loading configuration from /etc/crash/config.yaml",
        "panic: configuration file not found",
    ]
    assert prev.has(LogState.ENDED)
    await conn.close()


async def test_container_that_finishes_ends_its_stream(sim: SimServer, kubeconfig: Path) -> None:
    conn = await connect(kubeconfig)
    await create_pod(
        conn, "once", [container("main", "busybox", command=["echo", "all done"])], restartPolicy="Never"
    )
    got = Collector()
    logs = MultiPodLogs(conn, NS, got, LogOptions(), poll_interval=0.02, batch_interval=0.01)
    logs.set_pods(["once"])
    await wait_for(lambda: got.has(LogState.ENDED), timeout=15, what="end of stream")
    await logs.wait()  # the stream task finished by itself
    await logs.aclose()
    assert [x.text for x in got.lines()] == ["all done"]
    assert "Completed" in got.statuses(LogState.ENDED)[0].message
    await conn.close()


async def test_deleted_pod_is_said(sim: SimServer, kubeconfig: Path) -> None:
    conn = await connect(kubeconfig)
    await create_pod(conn, "doomed", [container("main", "kubetui.test/logger:1", rate=2)])
    got = Collector()
    logs = MultiPodLogs(conn, NS, got, LogOptions(), poll_interval=0.02, batch_interval=0.01)
    logs.set_pods(["doomed", "never-existed"])
    await wait_for(lambda: got.lines("doomed") and got.has(LogState.DELETED, "never-existed"))
    await delete_pod(conn, "doomed")
    await wait_for(lambda: got.has(LogState.DELETED, "doomed"), what="deleted note")
    await logs.aclose()
    await conn.close()


@pytest.fixture
async def rbac_server(tmp_path: Path) -> AsyncIterator[Path]:
    """An API server whose RBAC denies pods/log (the built-in cluster has no RBAC): real HTTP, real Status."""

    async def pod(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        body = {
            "kind": "Pod",
            "metadata": {"name": name, "namespace": NS},
            "spec": {"containers": [{"name": "c"}], "nodeName": "n1"},
            "status": {"phase": "Running", "containerStatuses": [{"name": "c", "state": {"running": {}}}]},
        }
        return web.json_response(body)

    async def log(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        status = {
            "kind": "Status",
            "apiVersion": "v1",
            "status": "Failure",
            "message": f'pods "{name}" is forbidden: User "dev" cannot get resource "pods/log" in API group "" '
            f'in the namespace "{NS}"',
            "reason": "Forbidden",
            "details": {"name": name, "kind": "pods"},
            "code": 403,
        }
        return web.json_response(status, status=403)

    app = web.Application()
    app.router.add_get("/api/v1/namespaces/{ns}/pods/{name}", pod)
    app.router.add_get("/api/v1/namespaces/{ns}/pods/{name}/log", log)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    path = tmp_path / "kubeconfig"
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: rbac\n"
        f"clusters:\n- name: rbac\n  cluster:\n    server: http://127.0.0.1:{port}\n"
        "users:\n- name: dev\n  user:\n    token: not-a-real-token\n"
        "contexts:\n- name: rbac\n  context:\n    cluster: rbac\n    user: dev\n"
    )
    yield path
    await runner.cleanup()


async def test_permission_denied_is_said_and_final(rbac_server: Path) -> None:
    conn = await connect(rbac_server)
    got = Collector()
    logs = MultiPodLogs(conn, NS, got, LogOptions(), poll_interval=0.02, batch_interval=0.01)
    logs.set_pods(["secret-pod"])
    await wait_for(lambda: got.has(LogState.FORBIDDEN), what="forbidden")
    await logs.wait()
    await logs.aclose()
    status = got.statuses(LogState.FORBIDDEN)[0]
    assert status.message.startswith("permission denied")
    assert "pods/log" in status.message
    await conn.close()


async def test_unknown_container_is_an_error_not_a_wait(sim: SimServer, kubeconfig: Path) -> None:
    conn = await connect(kubeconfig)
    await create_pod(conn, "one", [container("main", "kubetui.test/logger:1", rate=1)])
    got = Collector()
    logs = MultiPodLogs(conn, NS, got, LogOptions(container="mian"), poll_interval=0.02, batch_interval=0.01)
    logs.set_pods(["one"])
    await wait_for(lambda: got.has(LogState.ERROR), what="error state")
    await logs.wait()  # nothing left to wait for: the stream has given up
    await logs.aclose()
    assert got.statuses(LogState.ERROR)[0].message == "container mian is not valid for pod one"
    assert not got.has(LogState.WAITING)
    await conn.close()
