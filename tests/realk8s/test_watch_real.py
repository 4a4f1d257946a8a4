"""Watchers against the real control plane: a real 410 Gone from a compacted etcd, an API server restart and
an etcd restart. (List, watch, bookmarks and "not one object lost against kubectl" run on both backends in
tests/cluster/test_watch_live.py.)"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from kubetui.cluster.connection import Connection
from kubetui.cluster.errors import NotFound
from kubetui.cluster.watch import Watcher
from tests.backends import wait_for
from tests.cluster.watchhelp import Recorder, all_live, converged, deployment, started_hub

pytestmark = [pytest.mark.realk8s, pytest.mark.kubectl]


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

    async def none_terminating() -> bool:
        # Namespaces that earlier tests deleted change as they empty: an event of theirs would carry the watcher
        # past the compaction, and no 410 would come.
        items = (await conn.request("GET", "/api/v1/namespaces"))["items"]
        return not any((n.get("status") or {}).get("phase") == "Terminating" for n in items)

    await wait_for(none_terminating, timeout=120, what="namespaces of earlier tests gone")
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
        with contextlib.suppress(NotFound):  # not made when the test failed before it
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
    hub = await started_hub(conn, rec)
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
