"""Watchers against the built-in cluster over real HTTP converge on the server's truth: after live changes,
a dropped connection, a 410 (compacted history), a server restart, and as real kubectl sees it."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from kubetui.cluster.connection import STRATEGIC_MERGE_PATCH, Connection
from kubetui.cluster.store import Store
from kubetui.cluster.watch import KIND_INFO, KINDS, Delta, Watcher, WatchHub, WatchState
from kubetui.sim.server import SimServer

SIM_KEYS = {
    "nodes": "nodes",
    "namespaces": "namespaces",
    "deployments": "deployments.apps",
    "replicasets": "replicasets.apps",
    "pods": "pods",
    "services": "services",
    "endpointslices": "endpointslices.discovery.k8s.io",
    "events": "events",
}


class Recorder:
    def __init__(self) -> None:
        self.store = Store()
        self.states: list[WatchState] = []

    def on_deltas(self, kind: str, deltas: list[Delta]) -> None:
        self.store.apply(kind, deltas)

    def on_state(self, state: WatchState) -> None:
        self.states.append(state)


def truth(sim: SimServer, kind: str) -> dict[str, str]:
    return {o["metadata"]["uid"]: o["metadata"]["resourceVersion"] for o in sim.store.list(SIM_KEYS[kind])}


def held(store: Store, kind: str) -> dict[str, str]:
    return {o["metadata"]["uid"]: o["metadata"]["resourceVersion"] for o in store.list(kind)}


async def converged(sim: SimServer, store: Store, kinds=KINDS, timeout: float = 10.0) -> None:
    """Wait until the store holds exactly the server's objects; the cluster's controllers may still be
    changing things, so it must be equal at one moment, not forever."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        diff = [k for k in kinds if held(store, k) != truth(sim, k)]
        if not diff:
            return
        if asyncio.get_running_loop().time() > deadline:
            detail = {k: (held(store, k), truth(sim, k)) for k in diff}
            raise AssertionError(f"store differs from the server for {diff}: {detail}")
        await asyncio.sleep(0.02)


async def all_live(hub: WatchHub, timeout: float = 15.0) -> None:
    """Kinds that saw no change may converge while still waiting out their backoff; all come back live."""
    deadline = asyncio.get_running_loop().time() + timeout
    while {s.phase for s in hub.states.values()} != {"live"}:
        assert asyncio.get_running_loop().time() < deadline, hub.states
        await asyncio.sleep(0.05)


def deployment(name: str, replicas: int = 2) -> dict:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": name, "image": "nginx"}]},
            },
        },
    }


@pytest.fixture
async def hub(sim: SimServer, kubeconfig: Path):
    conn = await Connection.open(str(kubeconfig))
    rec = Recorder()
    watch_hub = WatchHub(conn, None, rec.on_deltas, rec.on_state, backoff_initial=0.05)
    watch_hub.start()
    assert await watch_hub.wait_synced(10)
    yield conn, watch_hub, rec
    await watch_hub.stop()
    await conn.close()


async def test_live_changes_converge_for_every_kind(sim: SimServer, hub) -> None:
    conn, watch_hub, rec = hub
    assert {s.phase for s in watch_hub.states.values()} == {"live"}
    await converged(sim, rec.store)
    assert rec.store.count("nodes") == 2
    await conn.request("POST", "/apis/apps/v1/namespaces/default/deployments", body=deployment("web", 3))
    await converged(sim, rec.store)
    await conn.request(
        "PATCH",
        "/apis/apps/v1/namespaces/default/deployments/web",
        body={"spec": {"replicas": 1}},
        content_type=STRATEGIC_MERGE_PATCH,
    )
    await conn.request("DELETE", "/apis/apps/v1/namespaces/default/deployments/web")
    await converged(sim, rec.store)


async def test_dropped_connections_then_missed_changes(sim: SimServer, kubeconfig: Path) -> None:
    conn = await Connection.open(str(kubeconfig))
    rec = Recorder()
    # a slow first retry leaves time to change the cluster while the watchers are cut off
    watch_hub = WatchHub(conn, None, rec.on_deltas, rec.on_state, backoff_initial=1.0)
    watch_hub.start()
    assert await watch_hub.wait_synced(10)
    await conn.request("POST", "/apis/apps/v1/namespaces/default/deployments", body=deployment("old", 1))
    await converged(sim, rec.store)
    sim.drop_connections()
    await asyncio.sleep(0.05)
    sim.store.delete("deployments.apps", "default", "old")
    sim.store.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "late"}})
    sim.store.compact()
    await converged(sim, rec.store, timeout=15)
    assert rec.store.find("namespaces", None, "late") is not None
    assert any(s.phase == "reconnecting" for s in rec.states)
    await all_live(watch_hub)
    await converged(sim, rec.store)
    await watch_hub.stop()
    await conn.close()


async def test_410_on_rewatch_relists_without_an_outage(
    sim: SimServer, kubeconfig: Path, monkeypatch
) -> None:
    # Short server-side timeouts make the watch end cleanly, and without bookmarks it re-watches from the
    # version of its last event, which compaction has since forgotten.
    monkeypatch.setattr(Watcher, "watch_timeout_range", (1, 1))
    monkeypatch.setattr(Watcher, "bookmarks", False)
    lists: list[str] = []
    original = Watcher._list_and_diff

    async def counting(self: Watcher) -> None:
        lists.append(self.kind)
        await original(self)

    monkeypatch.setattr(Watcher, "_list_and_diff", counting)
    conn = await Connection.open(str(kubeconfig))
    rec = Recorder()
    watcher = Watcher(conn, "namespaces", None, rec.on_deltas, rec.on_state)
    task = asyncio.create_task(watcher.run())
    deadline = asyncio.get_running_loop().time() + 10
    while watcher.state.phase != "live":
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.02)
    # other kinds move the global resourceVersion on; compaction then forgets the namespaces watcher's one
    for i in range(3):
        sim.store.create(
            "configmaps",
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}", "namespace": "default"}},
        )
    sim.store.compact()
    while len(lists) < 2:
        assert asyncio.get_running_loop().time() < deadline + 5, "no relist after the 410"
        await asyncio.sleep(0.05)
    await converged(sim, rec.store, kinds=("namespaces",))
    assert [s.phase for s in rec.states] == ["syncing", "live"]
    watcher.stop()
    await asyncio.wait_for(task, 5)
    await conn.close()


@pytest.mark.slow
async def test_server_restart_with_state(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    async with SimServer(scenario="empty", nodes=2, speed=50.0, state=state) as sim:
        path = sim.write_kubeconfig(tmp_path / "config")
        conn = await Connection.open(str(path))
        rec = Recorder()
        watch_hub = WatchHub(conn, None, rec.on_deltas, rec.on_state, backoff_initial=0.05)
        watch_hub.start()
        assert await watch_hub.wait_synced(10)
        await conn.request("POST", "/apis/apps/v1/namespaces/default/deployments", body=deployment("keep", 2))
        await converged(sim, rec.store)
        await sim.restart()
        await conn.request(
            "POST", "/apis/apps/v1/namespaces/default/deployments", body=deployment("after", 1)
        )
        await converged(sim, rec.store, timeout=20)
        assert rec.store.find("deployments", "default", "keep") is not None
        assert rec.store.find("deployments", "default", "after") is not None
        await all_live(watch_hub)
        await watch_hub.stop()
        await conn.close()


async def test_store_matches_real_kubectl(sim: SimServer, hub, kubeconfig: Path, kubectl) -> None:
    conn, _, rec = hub
    await conn.request("POST", "/apis/apps/v1/namespaces/default/deployments", body=deployment("seen", 2))
    await converged(sim, rec.store)
    await asyncio.sleep(0.5)  # let the controllers settle so kubectl and the store look at the same moment
    await converged(sim, rec.store)
    for kind in ("pods", "deployments", "replicasets", "nodes"):
        info = KIND_INFO[kind]
        resource = info.plural if info.prefix == "/api/v1" else f"{info.plural}.{info.prefix.split('/')[2]}"
        # kubectl runs in a thread: the server lives in this test's event loop and must keep serving
        out = await asyncio.to_thread(kubectl, "get", resource, "-A", "-o", "json", kubeconfig=kubeconfig)
        assert out.returncode == 0, out.stderr
        theirs = {
            i["metadata"]["uid"]: i["metadata"]["resourceVersion"] for i in json.loads(out.stdout)["items"]
        }
        assert theirs == held(rec.store, kind)


async def test_forbidden_kind_behind_an_rbac_proxy(sim: SimServer, tmp_path: Path) -> None:
    """The built-in cluster has no RBAC: a proxy refuses events with 403 and passes everything else through."""
    import aiohttp
    from aiohttp import web

    from tests.cluster.stubs import kubeconfig as write_kubeconfig
    from tests.cluster.stubs import serve, status

    async with aiohttp.ClientSession() as upstream:

        async def proxy(request: web.Request) -> web.StreamResponse:
            if request.path.rstrip("/").endswith("/events"):
                return status(
                    403, "Forbidden", 'events is forbidden: User "dev" cannot list resource "events"'
                )
            async with upstream.request(
                request.method,
                sim.url + request.path_qs,
                data=await request.read(),
                headers={k: v for k, v in request.headers.items() if k.lower() in ("content-type", "accept")},
            ) as resp:
                out = web.StreamResponse(status=resp.status, headers={"Content-Type": resp.content_type})
                await out.prepare(request)
                async for chunk in resp.content.iter_any():
                    await out.write(chunk)
                return out

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", proxy)
        async with serve(app) as port:
            conn = await Connection.open(
                str(write_kubeconfig(tmp_path / "config", f"http://127.0.0.1:{port}"))
            )
            rec = Recorder()
            watch_hub = WatchHub(conn, None, rec.on_deltas, rec.on_state, backoff_initial=0.05)
            watch_hub.start()
            assert await watch_hub.wait_synced(10)
            assert watch_hub.states["events"].phase == "forbidden"
            assert {k for k, s in watch_hub.states.items() if s.phase == "live"} == set(KINDS) - {"events"}
            await conn.request(
                "POST", "/apis/apps/v1/namespaces/default/deployments", body=deployment("web", 2)
            )
            await converged(sim, rec.store, kinds=tuple(k for k in KINDS if k != "events"))
            assert rec.store.count("pods") == 2 and rec.store.count("events") == 0
            await watch_hub.stop()
            await conn.close()
