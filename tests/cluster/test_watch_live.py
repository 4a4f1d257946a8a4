"""Watchers over real HTTP converge on the server's truth. On both backends: list and watch through live
changes, bookmarks that carry a watch past other kinds' changes, and not one object lost against what kubectl
lists. On the built-in cluster also: dropped connections, a 410 from its compacted history, a restart and a
forbidden kind (the real control plane's 410 and restarts are in tests/realk8s/test_watch_real.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster.connection import STRATEGIC_MERGE_PATCH, Connection
from kubetui.cluster.store import Store
from kubetui.cluster.watch import KIND_INFO, KINDS, Watcher
from kubetui.cluster.watch_hub import WatchHub
from kubetui.sim.server import SimServer
from tests.backends import wait_for
from tests.cluster.simhelp import kubectl
from tests.cluster.watchhelp import Recorder, deployment, held, running, settled, started_hub
from tests.cluster.watchhelp import converged as converged_api

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


def truth(sim: SimServer, kind: str) -> dict[str, str]:
    return {o["metadata"]["uid"]: o["metadata"]["resourceVersion"] for o in sim.store.list(SIM_KEYS[kind])}


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


# -- on both backends ---------------------------------------------------------------------------------------


async def test_list_then_live_changes_converge_for_every_kind(backend: Any) -> None:
    conn = backend.conn
    ns = await backend.namespace("watch")
    rec = Recorder()
    hub = await started_hub(conn, rec)
    try:
        assert {s.phase for s in hub.states.values()} == {"live"}
        await converged_api(conn, rec.store)
        assert rec.store.count("nodes") == 2
        await conn.request("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", body=deployment("web", 3))
        await wait_for(lambda: running(conn, ns, 3), what="3 Running pods")
        await converged_api(conn, rec.store)
        await conn.request(
            "PATCH",
            f"/apis/apps/v1/namespaces/{ns}/deployments/web",
            body={"spec": {"replicas": 1}},
            content_type=STRATEGIC_MERGE_PATCH,
        )
        await wait_for(lambda: running(conn, ns, 1, exact=True), what="1 pod left")
        await converged_api(conn, rec.store)
        await conn.request("DELETE", f"/apis/apps/v1/namespaces/{ns}/deployments/web")
        await converged_api(conn, rec.store)
    finally:
        await hub.stop()


async def test_bookmarks_carry_a_filtered_watch_past_changes_it_does_not_see(
    backend: Any, monkeypatch
) -> None:
    """Services change in another namespace: a watch on one namespace sees none of them, but bookmarks bring
    its resourceVersion along, so after the old versions are compacted away its next watch still starts
    where it is, with no relist. The real API server's watch cache sends bookmarks at its own pace (at most
    one a watch, 2 s before its timeout, and only when its own version moved), so there the test asks for a
    bookmark beyond the list and for no relist across the compaction; the built-in one must bookmark every
    change it hid."""
    conn = backend.conn
    watched, other = await backend.namespace("mark"), await backend.namespace("other")
    # The real API server sends a bookmark 2 s before a watch's timeout; the built-in one as it ends.
    monkeypatch.setattr(Watcher, "watch_timeout_range", (4, 4))
    lists: list[str] = []
    marks: list[int] = []
    original_list, original_handle = Watcher._list_and_diff, Watcher._handle

    async def counting(self: Watcher) -> None:
        lists.append(self.kind)
        await original_list(self)

    def handle(self: Watcher, event: dict[str, Any]) -> None:
        if event.get("type") == "BOOKMARK":
            marks.append(int(event["object"]["metadata"]["resourceVersion"]))
        original_handle(self, event)

    async def service_elsewhere(name: str) -> int:
        made = await conn.request(
            "POST",
            f"/api/v1/namespaces/{other}/services",
            body={"metadata": {"name": name}, "spec": {"ports": [{"port": 80}], "selector": {"app": name}}},
        )
        return int(made["metadata"]["resourceVersion"])

    async def bookmarked_past(version: int) -> None:
        await wait_for(
            lambda: _true(bool(marks) and max(marks) >= version),
            timeout=30,
            what=f"a bookmark at or past {version} (bookmarks so far: {marks})",
        )

    monkeypatch.setattr(Watcher, "_list_and_diff", counting)
    monkeypatch.setattr(Watcher, "_handle", handle)
    rec = Recorder()
    watcher = Watcher(conn, "services", watched, rec.on_deltas, rec.on_state)
    task = asyncio.create_task(watcher.run())
    try:
        await wait_for(lambda: _true(watcher.state.phase == "live"), what="the services watch live")
        listed_at = int(watcher.resource_version)
        newest = max([await service_elsewhere(f"s{i}") for i in range(3)])
        assert newest > listed_at
        await bookmarked_past(listed_at + 1 if backend.real else newest)
        assert int(watcher.resource_version) >= max(marks)
        assert rec.store.count("services") == 0
        if backend.real:
            await asyncio.to_thread(backend.stack.compact_etcd)
        else:
            backend.sim.store.compact()
        for name in ("after-1", "after-2"):  # more watches, resumed from bookmarks
            version = await service_elsewhere(name)
            if not backend.real:
                await bookmarked_past(version)
        seen = len(marks)
        await wait_for(lambda: _true(len(marks) > seen), timeout=60, what="a bookmark after the compaction")
        assert lists == ["services"], "a relist: the bookmark's version was not used"
        assert [s.phase for s in rec.states] == ["syncing", "live"]
        await conn.request(
            "POST", f"/api/v1/namespaces/{watched}/configmaps", body={"metadata": {"name": "x"}}
        )
        mine = await conn.request(
            "POST",
            f"/api/v1/namespaces/{watched}/services",
            body={"metadata": {"name": "seen"}, "spec": {"ports": [{"port": 80}]}},
        )
        await wait_for(
            lambda: _true(rec.store.count("services") == 1), what="the watched namespace's Service"
        )
        assert rec.store.find("services", watched, "seen")["metadata"]["uid"] == mine["metadata"]["uid"]
    finally:
        watcher.stop()
        await asyncio.wait_for(task, 15)


async def test_no_object_lost_against_kubectl(backend: Any) -> None:
    conn = backend.conn
    ns = await backend.namespace("lost")
    rec = Recorder()
    hub = await started_hub(conn, rec)
    try:
        # churn while the watches run: scale up and down, so pods come and go between list and watch
        await conn.request("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", body=deployment("churn", 20))
        for replicas in (5, 15, 8):
            await asyncio.sleep(0.3)
            await conn.request(
                "PATCH",
                f"/apis/apps/v1/namespaces/{ns}/deployments/churn",
                body={"spec": {"replicas": replicas}},
                content_type=STRATEGIC_MERGE_PATCH,
            )
        await wait_for(lambda: settled(conn, ns, "churn", 8), timeout=60, what="8 pods, settled")
        for _attempt in range(5):
            await converged_api(conn, rec.store)
            lost = {}
            for kind in ("pods", "deployments", "replicasets", "nodes", "services", "namespaces"):
                info = KIND_INFO[kind]
                resource = (
                    info.plural if info.prefix == "/api/v1" else f"{info.plural}.{info.prefix.split('/')[2]}"
                )
                out = await kubectl(backend.kubeconfig, "get", resource, "-A", "-o", "json")
                assert out.returncode == 0, out.stderr
                theirs = {i["metadata"]["uid"]: i["metadata"]["resourceVersion"] for i in out.json()["items"]}
                if theirs != held(rec.store, kind):
                    lost[kind] = (theirs, held(rec.store, kind))
            if not lost:
                break
            await asyncio.sleep(1)  # kubectl and the store looked at different moments: look again
        assert not lost, lost
        assert len([p for p in rec.store.list("pods") if p["metadata"]["namespace"] == ns]) == 8
    finally:
        await hub.stop()


async def _true(value: bool) -> bool:
    return value
