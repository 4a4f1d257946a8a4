"""Watchers against the real control plane: a real 410 Gone from a compacted etcd, an API server restart, an
etcd restart, and not one object lost against what kubectl lists."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from kubetui.cluster.connection import STRATEGIC_MERGE_PATCH, Connection
from kubetui.cluster.store import Store
from kubetui.cluster.watch import KIND_INFO, KINDS, Delta, Watcher, WatchState, kind_path
from kubetui.cluster.watch_hub import WatchHub
from tests.backends import wait_for
from tests.cluster.simhelp import kubectl

pytestmark = [pytest.mark.realk8s, pytest.mark.kubectl]


class Recorder:
    def __init__(self) -> None:
        self.store = Store()
        self.states: list[WatchState] = []

    def on_deltas(self, kind: str, deltas: list[Delta]) -> None:
        self.store.apply(kind, deltas)

    def on_state(self, state: WatchState) -> None:
        self.states.append(state)


async def truth(conn: Connection, kind: str) -> dict[str, str]:
    listing = await conn.request("GET", kind_path(kind))
    return {o["metadata"]["uid"]: o["metadata"]["resourceVersion"] for o in listing["items"]}


def held(store: Store, kind: str) -> dict[str, str]:
    return {o["metadata"]["uid"]: o["metadata"]["resourceVersion"] for o in store.list(kind)}


async def converged(
    conn: Connection, store: Store, kinds: tuple[str, ...] = KINDS, timeout: float = 30
) -> None:
    """The store equals the server at one moment (controllers and kwok keep changing things)."""

    async def same() -> list[str]:
        diff = [k for k in kinds if held(store, k) != await truth(conn, k)]
        return [] if diff else ["equal"]

    await wait_for(same, timeout=timeout, interval=0.2, what=f"the store to equal the server for {kinds}")


def deployment(name: str, replicas: int) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
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
async def real(realk8s: Any) -> AsyncIterator[tuple[Any, Connection, str]]:
    from tests.backends import Backend

    conn = await Connection.open(kubeconfig_path=str(realk8s.kubeconfig))
    backend = Backend("real", realk8s.kubeconfig, realk8s.server, conn, stack=realk8s)
    namespace = await backend.namespace("watch")
    try:
        yield realk8s, conn, namespace
    finally:
        await backend.cleanup()


async def _hub(conn: Connection, rec: Recorder) -> WatchHub:
    hub = WatchHub(conn, None, rec.on_deltas, rec.on_state, backoff_initial=0.05)
    hub.start()
    assert await hub.wait_synced(30)
    return hub


async def all_live(hub: WatchHub, timeout: float = 60) -> None:
    async def live() -> bool:
        return {s.phase for s in hub.states.values()} == {"live"}

    await wait_for(live, timeout=timeout, what="every watch live again")


async def test_live_changes_converge_for_every_kind(real: tuple[Any, Connection, str]) -> None:
    _, conn, ns = real
    rec = Recorder()
    hub = await _hub(conn, rec)
    try:
        await converged(conn, rec.store)
        await conn.request("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", body=deployment("web", 3))
        await wait_for(lambda: _running(conn, ns, 3), what="3 Running pods")
        await converged(conn, rec.store)
        await conn.request(
            "PATCH",
            f"/apis/apps/v1/namespaces/{ns}/deployments/web",
            body={"spec": {"replicas": 1}},
            content_type=STRATEGIC_MERGE_PATCH,
        )
        await wait_for(lambda: _running(conn, ns, 1, exact=True), what="1 pod left")
        await converged(conn, rec.store)
        await conn.request("DELETE", f"/apis/apps/v1/namespaces/{ns}/deployments/web")
        await converged(conn, rec.store)
    finally:
        await hub.stop()


async def _running(conn: Connection, ns: str, count: int, exact: bool = False) -> bool:
    pods = (await conn.request("GET", f"/api/v1/namespaces/{ns}/pods"))["items"]
    running = [
        p
        for p in pods
        if p["status"].get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")
    ]
    return len(pods) == count if exact else len(running) >= count


async def test_a_real_410_gone_relists_without_an_outage(
    real: tuple[Any, Connection, str], monkeypatch
) -> None:
    stack, conn, ns = real
    # The server ends each watch after a second and, without bookmarks, the watcher re-watches from the
    # version of its list, which compaction then makes etcd forget: the next watch gets a real 410.
    monkeypatch.setattr(Watcher, "watch_timeout_range", (1, 1))
    monkeypatch.setattr(Watcher, "bookmarks", False)
    lists: list[str] = []
    original = Watcher._list_and_diff

    async def counting(self: Watcher) -> None:
        lists.append(self.kind)
        await original(self)

    monkeypatch.setattr(Watcher, "_list_and_diff", counting)
    expired: list[str] = []
    original_handle = Watcher._handle

    def handle(self: Watcher, event: dict[str, Any]) -> None:
        if event.get("type") == "ERROR":
            expired.append(str(event["object"].get("message")))
        original_handle(self, event)

    monkeypatch.setattr(Watcher, "_handle", handle)
    rec = Recorder()
    watcher = Watcher(conn, "namespaces", None, rec.on_deltas, rec.on_state)
    task = asyncio.create_task(watcher.run())
    try:
        await wait_for(lambda: _true(watcher.state.phase == "live"), what="the namespaces watch live")
        for i in range(3):  # move etcd's revision past the watcher's
            await conn.request(
                "POST", f"/api/v1/namespaces/{ns}/configmaps", body={"metadata": {"name": f"c{i}"}}
            )
        await asyncio.to_thread(stack.compact_etcd)
        # The watch in flight began before the compaction and runs on; the next one, a second later, is the
        # one etcd refuses. A namespace created before then would move the watcher past the compaction.
        await wait_for(lambda: _true(len(lists) >= 2), timeout=20, what="a relist after the 410")
        assert any("too old" in m for m in expired), expired
        await conn.request("POST", "/api/v1/namespaces", body={"metadata": {"name": f"{ns}-late"}})
        await converged(conn, rec.store, kinds=("namespaces",))
        assert rec.store.find("namespaces", None, f"{ns}-late") is not None
        assert [s.phase for s in rec.states] == ["syncing", "live"]
    finally:
        watcher.stop()
        await asyncio.wait_for(task, 10)
        await conn.request("DELETE", f"/api/v1/namespaces/{ns}-late")


async def _true(value: bool) -> bool:
    return value


@pytest.mark.slow
@pytest.mark.parametrize("component", ["kube-apiserver", "etcd"])
async def test_restart_of_a_control_plane_component(
    real: tuple[Any, Connection, str], component: str
) -> None:
    stack, conn, ns = real
    rec = Recorder()
    hub = await _hub(conn, rec)
    try:
        await conn.request("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", body=deployment("keep", 2))
        await converged(conn, rec.store)
        restart = stack.restart_apiserver if component == "kube-apiserver" else stack.restart_etcd
        await asyncio.to_thread(restart)
        await conn.request("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", body=deployment("after", 1))
        await all_live(hub)
        await converged(conn, rec.store, timeout=60)
        assert rec.store.find("deployments", ns, "keep") is not None
        assert rec.store.find("deployments", ns, "after") is not None
    finally:
        await hub.stop()


async def test_no_object_lost_against_kubectl(real: tuple[Any, Connection, str]) -> None:
    stack, conn, ns = real
    rec = Recorder()
    hub = await _hub(conn, rec)
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
        await wait_for(lambda: _running(conn, ns, 8, exact=True), timeout=60, what="8 pods")
        await converged(conn, rec.store)
        for kind in ("pods", "deployments", "replicasets", "nodes", "services", "namespaces"):
            info = KIND_INFO[kind]
            resource = (
                info.plural if info.prefix == "/api/v1" else f"{info.plural}.{info.prefix.split('/')[2]}"
            )
            out = await kubectl(stack.kubeconfig, "get", resource, "-A", "-o", "json")
            assert out.returncode == 0, out.stderr
            theirs = {
                i["metadata"]["uid"]: i["metadata"]["resourceVersion"]
                for i in json.loads(out.stdout)["items"]
            }
            assert theirs == held(rec.store, kind), kind
    finally:
        await hub.stop()
