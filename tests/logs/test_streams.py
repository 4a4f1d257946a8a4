"""Log streams against the built-in cluster over real HTTP: one pod, all containers, a Deployment's pods
interleaved, pods joining and leaving, and resuming after cut connections without duplicates or gaps."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster.logs import LogLine, LogOptions, LogState, MultiPodLogs
from kubetui.sim.server import SimServer
from tests.cluster.simhelp import kubectl
from tests.logs.helpers import (
    NS,
    Collector,
    connect,
    container,
    create_myapp,
    create_pod,
    delete_pod,
    running_pods,
    wait_for,
)


def contiguous(got: list[Any], truth: list[Any]) -> bool:
    """``got`` appears in ``truth`` as one unbroken run: nothing repeated, nothing missing in between."""
    if not got:
        return False
    starts = [i for i, t in enumerate(truth) if t == got[0]]
    return any(truth[s : s + len(got)] == got for s in starts)


def truth(sim: SimServer, pod: str, name: str) -> list[str]:
    return [text for _, text in sim.cluster.pod_log(NS, pod, name)]


async def test_one_pod_one_container_streams_the_kubelet_log(sim: SimServer, kubeconfig: Path) -> None:
    conn = await connect(kubeconfig)
    await create_pod(conn, "single", [container("main", "kubetui.test/logger:1", rate=2)])
    got = Collector()
    logs = MultiPodLogs(conn, NS, got, LogOptions(container="main"), poll_interval=0.05, batch_interval=0.02)
    logs.set_pods(["single"])
    await wait_for(lambda: len(got.lines()) >= 40, what="40 lines")
    await logs.aclose()
    lines = got.lines()
    assert {(x.pod, x.container) for x in lines} == {("single", "main")}
    assert all(x.ts.endswith("Z") and x.ts[:4].isdigit() for x in lines)
    assert contiguous([x.text for x in lines], truth(sim, "single", "main"))
    assert got.has(LogState.STREAMING, "single")
    await conn.close()


async def test_all_containers_of_a_pod_side_by_side(sim: SimServer, kubeconfig: Path) -> None:
    conn = await connect(kubeconfig)
    sidecar = ["sh", "-c", "while true; do echo sidecar tick; sleep 1; done"]
    await create_pod(
        conn,
        "twins",
        [
            container("web", "kubetui.test/logger:1", rate=1),
            container("sidecar", "busybox:1.36", command=sidecar),
        ],
    )
    got = Collector()
    logs = MultiPodLogs(conn, NS, got, LogOptions(), poll_interval=0.05, batch_interval=0.02)
    logs.set_pods(["twins"])
    await wait_for(lambda: len(got.lines(container="web")) >= 5 and len(got.lines(container="sidecar")) >= 5)
    await logs.aclose()
    assert {x.text for x in got.lines(container="sidecar")} == {"sidecar tick"}
    assert all(x.text.startswith("twins line ") for x in got.lines(container="web"))
    assert contiguous([x.text for x in got.lines(container="web")], truth(sim, "twins", "web"))
    await conn.close()


async def test_deployment_pods_interleaved_and_only_one_consumes(sim: SimServer, kubeconfig: Path) -> None:
    """The journey's step 11: three pods all produce, one consumes; side by side it is plain which one."""
    conn = await connect(kubeconfig)
    await create_myapp(conn)
    pods = await running_pods(conn, "app=myapp", 3)
    got = Collector()
    logs = MultiPodLogs(conn, NS, got, LogOptions(tail_lines=50), poll_interval=0.05, batch_interval=0.05)
    logs.set_pods(pods)
    await wait_for(
        lambda: all(sum("produced" in x.text for x in got.lines(p)) >= 3 for p in pods), what="producers"
    )
    await logs.aclose()
    consumers = {x.pod for x in got.lines() if x.text.startswith("consumed message")}
    producers = {x.pod for x in got.lines() if x.text.startswith("produced message")}
    assert producers == set(pods)
    assert len(consumers) == 1
    # Interleaved: ordered by time across pods, not one pod's tail after another's.
    order = [x.pod for x in got.lines() if "message" in x.text]
    switches = sum(1 for a, b in itertools.pairwise(order) if a != b)
    assert switches >= len(pods) * 2
    for pod in pods:
        assert contiguous([x.text for x in got.lines(pod)], truth(sim, pod, "myapp"))
    await conn.close()


async def test_pods_join_and_leave_with_notes(sim: SimServer, kubeconfig: Path) -> None:
    conn = await connect(kubeconfig)
    for name in ("alpha", "beta"):
        await create_pod(conn, name, [container("main", "kubetui.test/logger:1", rate=2)])
    got = Collector()
    logs = MultiPodLogs(conn, NS, got, LogOptions(), poll_interval=0.05, batch_interval=0.02)
    logs.set_pods(["alpha"])
    await wait_for(lambda: len(got.lines("alpha")) >= 3)
    logs.set_pods(["alpha", "beta"])
    await wait_for(lambda: len(got.lines("beta")) >= 3)
    assert [s.pod for s in got.statuses(LogState.JOINED)] == ["beta"]
    logs.set_pods(["beta"])
    await wait_for(lambda: got.has(LogState.LEFT) and len(got.lines("beta")) >= 10, what="alpha left")
    left = got.statuses(LogState.LEFT)
    assert [s.pod for s in left] == ["alpha"]
    after = got.items[got.items.index(left[0]) + 1 :]
    assert not [x for x in after if isinstance(x, LogLine) and x.pod == "alpha"]  # no line after it left
    await delete_pod(conn, "beta")
    await wait_for(lambda: got.has(LogState.DELETED, "beta"), what="beta deleted")
    await logs.aclose()
    await conn.close()


async def test_resume_after_dropped_connections_without_duplicates_or_gaps(
    sim: SimServer, kubeconfig: Path
) -> None:
    conn = await connect(kubeconfig)
    await create_pod(conn, "steady", [container("main", "kubetui.test/logger:1", rate=4)])
    got = Collector()
    logs = MultiPodLogs(conn, NS, got, LogOptions(), poll_interval=0.05, batch_interval=0.02)
    logs.set_pods(["steady"])
    for round_ in range(3):
        await wait_for(lambda n=round_: len(got.lines()) >= 30 * (n + 1), what="lines before the cut")
        sim.drop_connections()
        await wait_for(lambda n=round_: len(got.statuses(LogState.RESUMED)) >= n + 1, what="resumed")
    await wait_for(lambda: len(got.lines()) >= 120)
    await logs.aclose()
    texts = [x.text for x in got.lines()]
    assert len(texts) == len(set(texts))  # every logger line is unique, so no duplicates
    assert contiguous(texts, truth(sim, "steady", "main"))  # and no gaps
    assert len(got.statuses(LogState.LOST)) >= 3
    await conn.close()


async def test_server_restart_is_lost_then_resumed(sim: SimServer, kubeconfig: Path) -> None:
    conn = await connect(kubeconfig)
    await create_pod(conn, "survivor", [container("main", "kubetui.test/logger:1", rate=2)])
    got = Collector()
    logs = MultiPodLogs(conn, NS, got, LogOptions(), poll_interval=0.05, batch_interval=0.02)
    logs.set_pods(["survivor"])
    await wait_for(lambda: len(got.lines()) >= 20)
    await sim.restart()
    await wait_for(lambda: got.has(LogState.RESUMED), timeout=15, what="resumed after the restart")
    seen = len(got.lines())
    await wait_for(lambda: len(got.lines()) >= seen + 20, what="lines after the restart")
    await logs.aclose()
    texts = [x.text for x in got.lines()]
    assert len(texts) == len(set(texts))  # nothing shown twice
    # (Not compared with the kubelet's log: the built-in cluster re-derives a container's lines after a
    # restart from its start time kept in whole seconds, so their timestamps move.)
    assert got.statuses(LogState.LOST)[0].message.startswith("connection lost")
    states = [s.state for s in got.statuses()]
    assert states.index(LogState.LOST) < states.index(LogState.RESUMED)
    await conn.close()


# -- on both backends: what kubectl logs prints ------------------------------------------------------------


@pytest.mark.kubectl
async def test_a_deployments_pods_stream_what_kubectl_logs_prints(backend: Any) -> None:
    """Each pod of a Deployment streams, side by side, exactly the lines and timestamps ``kubectl logs
    --timestamps`` prints for it (kwok serves every pod the same file; the built-in kubelet its own lines)."""
    conn = backend.conn
    ns = await backend.namespace("logs")
    labels = {"app": "talk"}
    await conn.request(
        "POST",
        f"/apis/apps/v1/namespaces/{ns}/deployments",
        body={
            "metadata": {"name": "talk"},
            "spec": {
                "replicas": 2,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [container("main", "kubetui.test/logger:1", rate=5)]},
                },
            },
        },
    )

    async def running() -> list[str] | None:
        pods = await conn.request("GET", f"/api/v1/namespaces/{ns}/pods", query={"labelSelector": "app=talk"})
        names = [
            p["metadata"]["name"]
            for p in pods["items"]
            if p["status"].get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")
        ]
        return sorted(names) if len(names) == 2 else None

    pods = await wait_for(running, timeout=60, what="2 Running pods")
    got = Collector()
    logs = MultiPodLogs(conn, ns, got, LogOptions(), poll_interval=0.05, batch_interval=0.02)
    logs.set_pods(pods)
    await wait_for(lambda: all(len(got.lines(pod=p)) >= 10 for p in pods), timeout=30, what="10 lines a pod")
    await logs.aclose()
    for pod in pods:
        assert got.has(LogState.STREAMING, pod)
        out = await kubectl(backend.kubeconfig, "logs", pod, "-n", ns, "--timestamps")
        assert out.returncode == 0, out.stderr
        printed = [tuple(line.split(" ", 1)) for line in out.stdout.splitlines()]
        streamed = [(x.ts, x.text) for x in got.lines(pod=pod)]
        assert contiguous(streamed, printed), (pod, streamed[:3], printed[:3])  # type: ignore[arg-type]
        assert {x.container for x in got.lines(pod=pod)} == {"main"}
