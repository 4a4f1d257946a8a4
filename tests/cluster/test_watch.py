"""Watchers against a fake list/watch server: pagination, coalesced deltas, 410 relist-and-diff, dropped
streams, server restarts, a Forbidden kind, and a namespace-only user."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from kubetui.cluster.connection import Connection
from kubetui.cluster.store import Store
from kubetui.cluster.watch import KINDS, Delta, Watcher, WatchHub, WatchState
from tests.cluster.fake_api import FakeApi
from tests.cluster.objects import node, pod
from tests.cluster.stubs import kubeconfig


class Recorder:
    def __init__(self) -> None:
        self.store = Store()
        self.batches: list[tuple[str, list[Delta]]] = []
        self.states: list[WatchState] = []

    def on_deltas(self, kind: str, deltas: list[Delta]) -> None:
        self.batches.append((kind, deltas))
        self.store.apply(kind, deltas)

    def on_state(self, state: WatchState) -> None:
        self.states.append(state)


def truth(fake: FakeApi, kind: str) -> dict[str, str]:
    return {uid: o["metadata"]["resourceVersion"] for uid, o in fake.objects[kind].items()}


def held(store: Store, kind: str) -> dict[str, str]:
    return {o["metadata"]["uid"]: o["metadata"]["resourceVersion"] for o in store.list(kind)}


async def until(predicate, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


@pytest.fixture(autouse=True)
def fast_watchers(monkeypatch) -> None:
    monkeypatch.setattr(Watcher, "page_size", 2)
    monkeypatch.setattr(Watcher, "forbidden_retry", (0.2, 0.3))


class Served:
    """The fake API on a fixed loopback port that can be stopped and started again."""

    def __init__(self, fake: FakeApi) -> None:
        self.fake = fake
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        self.runner = web.AppRunner(self.fake.app, shutdown_timeout=0.1)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", self.port)
        await site.start()
        self.port = self.runner.addresses[0][1]

    async def stop(self) -> None:
        assert self.runner is not None
        self.fake.drop_connections()
        await self.runner.cleanup()


@pytest.fixture
async def served(tmp_path: Path):
    fake = FakeApi()
    server = Served(fake)
    await server.start()
    conn = await Connection.open(str(kubeconfig(tmp_path / "config", f"http://127.0.0.1:{server.port}")))
    yield server, conn
    await conn.close()
    if server.runner is not None:
        await server.runner.cleanup()


async def _pods(fake: FakeApi, n: int, ns: str = "default") -> list[dict[str, Any]]:
    return [await fake.put("pods", pod(f"p{i}", ns, node="n1")) for i in range(n)]


async def test_paginated_list_then_live_events_coalesced(served) -> None:
    server, conn = served
    fake = server.fake
    await _pods(fake, 5)
    rec = Recorder()
    watcher = Watcher(conn, "pods", None, rec.on_deltas, rec.on_state)
    task = asyncio.create_task(watcher.run())
    await until(lambda: watcher.state.phase == "live")
    assert fake.list_calls["pods"] == 3  # 5 items at 2 per page
    assert held(rec.store, "pods") == truth(fake, "pods")
    assert [d.type for _, batch in rec.batches for d in batch] == ["ADDED"] * 5
    assert rec.store.list("pods")[0]["kind"] == "Pod"  # filled in for list items
    await until(lambda: fake.watch_calls["pods"] == 1)

    rec.batches.clear()
    first = fake.objects["pods"]["uid-default-p0"]
    for i in range(3):
        await fake.put("pods", {**first, "status": {"phase": f"Step{i}"}})
    extra = await fake.put("pods", pod("p9", node="n2"))
    await fake.delete("pods", "uid-default-p1")
    await until(lambda: held(rec.store, "pods") == truth(fake, "pods"))
    # five events within a few ms arrive as at most a couple of batches, folded by uid
    assert len(rec.batches) <= 2
    types = {d.uid: d.type for _, batch in rec.batches for d in batch}
    assert types[extra["metadata"]["uid"]] == "ADDED" and types["uid-default-p1"] == "DELETED"
    assert rec.store.find("pods", "default", "p0")["status"]["phase"] == "Step2"
    watcher.stop()
    await asyncio.wait_for(task, 2)


async def test_410_relists_and_diffs_against_what_it_had(served, monkeypatch) -> None:
    # The watch times out after 1 s; the re-watch asks for the last event's version, compacted by then.
    monkeypatch.setattr(Watcher, "watch_timeout_range", (1, 1))
    server, conn = served
    fake = server.fake
    await _pods(fake, 4)
    rec = Recorder()
    watcher = Watcher(conn, "pods", None, rec.on_deltas, rec.on_state)
    task = asyncio.create_task(watcher.run())
    await until(lambda: fake.watch_calls["pods"] == 1)
    lists = fake.list_calls["pods"]
    # changes the watch never reports, then the history is compacted and the stream cut
    fake.put_silently("pods", {**fake.objects["pods"]["uid-default-p0"], "status": {"phase": "Failed"}})
    fake.delete_silently("pods", "uid-default-p1")
    fake.put_silently("pods", pod("late"))
    fake.compact()
    rec.batches.clear()
    await until(lambda: held(rec.store, "pods") == truth(fake, "pods"))
    assert fake.expired_watches == 1
    assert fake.list_calls["pods"] == lists + 2 and fake.watch_calls["pods"] >= 2
    types = sorted((d.type, d.obj["metadata"]["name"]) for _, batch in rec.batches for d in batch)
    assert types == [("ADDED", "late"), ("DELETED", "p1"), ("MODIFIED", "p0")]
    assert watcher.state.phase == "live"
    assert [s.phase for s in rec.states] == ["syncing", "live"]  # a 410 is a resync, not an outage
    watcher.stop()
    await asyncio.wait_for(task, 2)


async def test_watch_closed_early_means_relist(served) -> None:
    """A server that ends a watch long before its timeout may have restarted with other state: relist."""
    server, conn = served
    fake = server.fake
    await _pods(fake, 2)
    rec = Recorder()
    watcher = Watcher(conn, "pods", None, rec.on_deltas, rec.on_state)
    task = asyncio.create_task(watcher.run())
    await until(lambda: fake.watch_calls["pods"] == 1)
    lists = fake.list_calls["pods"]
    # state rewound behind the watcher's back, with no events (as a restore from an older snapshot)
    fake.delete_silently("pods", "uid-default-p0")
    await fake.end_watches()
    await until(lambda: held(rec.store, "pods") == truth(fake, "pods"))
    assert fake.list_calls["pods"] == lists + 1
    watcher.stop()
    await asyncio.wait_for(task, 2)


async def test_dropped_stream_resumes_without_losing_events(served) -> None:
    server, conn = served
    fake = server.fake
    await _pods(fake, 2)
    rec = Recorder()
    watcher = Watcher(conn, "pods", None, rec.on_deltas, rec.on_state)
    task = asyncio.create_task(watcher.run())
    await until(lambda: fake.watch_calls["pods"] == 1)
    for _ in range(3):
        fake.drop_connections()
        await fake.put("pods", pod(f"after-drop-{fake.rv}"))
    await until(lambda: held(rec.store, "pods") == truth(fake, "pods"))
    assert len(held(rec.store, "pods")) == 5
    watcher.stop()
    await asyncio.wait_for(task, 2)


async def test_server_stop_and_restart_reconnects_and_converges(served) -> None:
    server, conn = served
    fake = server.fake
    await _pods(fake, 3)
    rec = Recorder()
    hub = WatchHub(conn, None, rec.on_deltas, rec.on_state, kinds=("pods", "nodes"), backoff_initial=0.05)
    hub.start()
    assert await hub.wait_synced(5)
    await server.stop()
    await until(lambda: hub.states["pods"].phase == "reconnecting")
    failing = hub.states["pods"]
    assert failing.error and "refused" in failing.error and failing.since is not None
    fake.delete_silently("pods", "uid-default-p2")
    fake.put_silently("nodes", node("n1", "172.18.0.2"))
    await asyncio.sleep(0.3)
    assert hub.states["pods"].since == failing.since  # "reconnecting since" keeps the first failure's time
    await server.start()
    await until(lambda: hub.states["pods"].phase == "live" and hub.states["nodes"].phase == "live", 10)
    await until(
        lambda: (
            held(rec.store, "pods") == truth(fake, "pods")
            and held(rec.store, "nodes") == truth(fake, "nodes")
        )
    )
    await hub.stop()


async def test_forbidden_kind_does_not_stop_the_others(served) -> None:
    server, conn = served
    fake = server.fake
    fake.forbidden.add("events")
    await _pods(fake, 2)
    rec = Recorder()
    hub = WatchHub(conn, None, rec.on_deltas, rec.on_state, backoff_initial=0.05)
    hub.start()
    assert await hub.wait_synced(5)
    assert hub.states["events"].phase == "forbidden"
    assert 'cannot list resource "events"' in (hub.states["events"].error or "")
    assert {k for k, s in hub.states.items() if s.phase == "live"} == set(KINDS) - {"events"}
    await fake.put("pods", pod("new"))
    await until(lambda: held(rec.store, "pods") == truth(fake, "pods"))
    # permission granted later: the forbidden kind recovers on its slow retry
    fake.forbidden.clear()
    await until(lambda: hub.states["events"].phase == "live", 5)
    await hub.stop()


async def test_namespace_only_user(served) -> None:
    server, conn = served
    fake = server.fake
    fake.cluster_forbidden = True
    await _pods(fake, 2, "team")
    await _pods(fake, 2, "other")
    rec = Recorder()
    hub = WatchHub(conn, "team", rec.on_deltas, rec.on_state, backoff_initial=0.05)
    hub.start()
    assert await hub.wait_synced(5)
    assert hub.states["nodes"].phase == "forbidden" and hub.states["namespaces"].phase == "forbidden"
    assert hub.states["pods"].phase == "live" and hub.states["deployments"].phase == "live"
    assert {p["metadata"]["namespace"] for p in rec.store.list("pods")} == {"team"}
    assert rec.store.count("pods") == 2
    await hub.stop()


async def test_namespace_only_user_asking_for_all_namespaces_gets_its_own(served) -> None:
    server, conn = served
    fake = server.fake
    fake.cluster_forbidden = True
    await _pods(fake, 2, "team")
    await _pods(fake, 2, "other")
    rec = Recorder()
    hub = WatchHub(conn, None, rec.on_deltas, rec.on_state, backoff_initial=0.05, fallback_namespace="team")
    hub.start()
    assert await hub.wait_synced(5)
    # The cluster-wide list is refused, so the namespaced kinds fall back to the context's namespace at once
    # (no "forbidden" state in between); the cluster-scoped ones have nowhere to fall back to.
    assert hub.states["pods"].phase == "live" and hub.scope("pods") == "team"
    assert hub.narrowed()["pods"] == "team"
    assert not [s for s in rec.states if s.kind == "pods" and s.phase == "forbidden"]
    assert hub.states["nodes"].phase == "forbidden"
    assert {p["metadata"]["namespace"] for p in rec.store.list("pods")} == {"team"}
    await hub.stop()


@pytest.mark.parametrize("first", [(), ("pods",), ("services", "pods")])
async def test_the_kinds_asked_for_first_list_alone_until_their_first_page_is_in(served, first) -> None:
    """The pane kubetui opens on is listed first and alone: its page is neither served behind the other lists
    nor decoded behind them. The other kinds follow once it is in."""
    server, conn = served
    await _pods(server.fake, 3)
    log: list[str] = []
    request = conn.request

    async def recording(method: str, path: str, **kw: Any) -> Any:
        kind = path.rsplit("/", 1)[-1]
        log.append(f"sent {kind}")
        answer = await request(method, path, **kw)
        log.append(f"answered {kind}")
        return answer

    conn.request = recording
    hub = WatchHub(conn, None, Recorder().on_deltas, Recorder().on_state, backoff_initial=0.05)
    hub.start(first=first)
    assert await hub.wait_synced(5)
    await hub.stop()
    sent = [entry.split()[1] for entry in log if entry.startswith("sent")]
    assert list(dict.fromkeys(sent)) == [*first, *(k for k in KINDS if k not in first)]
    if first:
        first_answer = min(log.index(f"answered {k}") for k in first)
        others = [log.index(f"sent {k}") for k in KINDS if k not in first]
        assert first_answer < min(others), log


async def test_a_first_kind_that_never_answers_holds_the_others_back_for_a_moment_only(
    served, monkeypatch
) -> None:
    _server, conn = served
    hub = WatchHub(conn, None, Recorder().on_deltas, Recorder().on_state, backoff_initial=0.05)
    monkeypatch.setattr(hub, "first_wait", 0.2)
    hang = asyncio.Event()
    request = conn.request

    async def pods_hang(method: str, path: str, **kw: Any) -> Any:
        if path.endswith("/pods"):
            await hang.wait()  # a list that never answers
        return await request(method, path, **kw)

    conn.request = pods_hang
    hub.start(first=("pods",))
    await until(lambda: all(hub.states[k].phase == "live" for k in KINDS if k != "pods"), 5)
    assert hub.states["pods"].phase == "syncing"
    await asyncio.wait_for(hub.stop(), 5)
