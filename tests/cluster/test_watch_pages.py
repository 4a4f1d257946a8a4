"""The first list of a big cluster is shown page by page, without ever counting an object twice, and a list that
breaks off part-way is diffed properly by the relist, itself shown page by page; stored objects share their short
strings."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest
from aiohttp import web

from kubetui.cluster.compact import compact
from kubetui.cluster.watch import Delta, Watcher
from tests.cluster.fake_api import FakeApi
from tests.cluster.objects import pod
from tests.cluster.test_watch import Recorder, held, truth, until
from tests.cluster.test_watch import served as served  # the fixture


@pytest.fixture(autouse=True)
def small_pages(monkeypatch) -> None:
    monkeypatch.setattr(Watcher, "page_size", 2)


class PhaseRecorder(Recorder):
    """Also notes the watcher's phase when each batch arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.watcher: Watcher | None = None
        self.phases: list[str] = []

    def on_deltas(self, kind: str, deltas: list[Delta]) -> None:
        assert self.watcher is not None
        self.phases.append(self.watcher.state.phase)
        super().on_deltas(kind, deltas)


async def test_first_list_shows_each_page_as_it_arrives(served) -> None:
    server, conn = served
    fake: FakeApi = server.fake
    for i in range(5):
        await fake.put("pods", pod(f"p{i}", node="n1"))
    rec = PhaseRecorder()
    watcher = rec.watcher = Watcher(conn, "pods", None, rec.on_deltas, rec.on_state)
    task = asyncio.create_task(watcher.run())
    await until(lambda: watcher.state.phase == "live")
    # Pages of 2, 2 and 1: the first two batches came while the list was still going.
    assert [len(batch) for _, batch in rec.batches] == [2, 2, 1]
    assert rec.phases[:2] == ["syncing", "syncing"]
    names = [d.obj["metadata"]["name"] for _, batch in rec.batches for d in batch]
    assert names == ["p0", "p1", "p2", "p3", "p4"]  # each once
    assert held(rec.store, "pods") == truth(fake, "pods")
    watcher.stop()
    await asyncio.wait_for(task, 2)


async def _five_pods_and_a_broken_second_page(fake: FakeApi, monkeypatch: Any) -> dict[str, bool]:
    """Five pods listed two a page; the first request for page two fails once, and between the break and the
    relist a pod already shown (p0) goes away. ``broken["once"]`` turns False when the break happened."""
    for i in range(5):
        await fake.put("pods", pod(f"p{i}", node="n1"))
    plain_list = fake._list
    broken = {"once": True}

    def list_failing_page_two(request: web.Request, kind: str, ns: str | None) -> web.Response:
        if request.query.get("continue") and broken["once"]:
            broken["once"] = False
            fake.delete_silently("pods", "uid-default-p0")
            raise web.HTTPInternalServerError(text="etcd hiccup")
        return plain_list(request, kind, ns)

    monkeypatch.setattr(fake, "_list", list_failing_page_two)
    monkeypatch.setattr(Watcher, "page_size", 2)
    return broken


async def test_a_list_broken_after_its_first_page_is_put_right_by_the_relist(served, monkeypatch) -> None:
    server, conn = served
    fake: FakeApi = server.fake
    broken = await _five_pods_and_a_broken_second_page(fake, monkeypatch)
    rec = Recorder()
    watcher = Watcher(conn, "pods", None, rec.on_deltas, rec.on_state)
    watcher.backoff.initial = 0.05
    task = asyncio.create_task(watcher.run())
    await until(lambda: watcher.state.phase == "live", timeout=10)
    assert not broken["once"]
    assert held(rec.store, "pods") == truth(fake, "pods")
    assert rec.store.find("pods", "default", "p0") is None
    watcher.stop()
    await asyncio.wait_for(task, 2)


async def test_a_relist_shows_its_pages_as_they_arrive_and_deletions_once_complete(
    served, monkeypatch
) -> None:
    server, conn = served
    fake: FakeApi = server.fake
    await _five_pods_and_a_broken_second_page(fake, monkeypatch)
    rec = PhaseRecorder()
    watcher = rec.watcher = Watcher(conn, "pods", None, rec.on_deltas, rec.on_state)
    watcher.backoff.initial = 0.05
    task = asyncio.create_task(watcher.run())
    await until(lambda: watcher.state.phase == "live", timeout=10)
    batches = [[(d.type, d.obj["metadata"]["name"]) for d in batch] for _, batch in rec.batches]
    # The first list's page, then the relist's pages as they came: only what was new, each once; the pod
    # deleted meanwhile goes when the whole list is in.
    assert batches == [
        [("ADDED", "p0"), ("ADDED", "p1")],
        [("ADDED", "p2")],
        [("ADDED", "p3"), ("ADDED", "p4"), ("DELETED", "p0")],
    ]
    assert held(rec.store, "pods") == truth(fake, "pods")
    watcher.stop()
    await asyncio.wait_for(task, 2)


def test_decoded_objects_share_their_short_strings() -> None:
    original = pod("a", node="worker-1")
    a = compact(orjson.loads(orjson.dumps(original)))
    b = compact(orjson.loads(orjson.dumps(pod("b", node="worker-1"))))
    assert a["spec"]["nodeName"] is b["spec"]["nodeName"]
    assert a["metadata"]["namespace"] is b["metadata"]["namespace"]
    assert a == original  # nothing else changed
    long_value = "x" * 200
    c = compact({"metadata": {"annotations": {"note": long_value}}})
    assert c["metadata"]["annotations"]["note"] == long_value


async def test_only_the_first_list_starts_with_a_short_page(served, monkeypatch) -> None:
    """The first screen needs a screenful, not a full page: the first request of the first list asks for
    ``first_page_size``; the rest of that list, and every relist, for ``page_size``."""
    monkeypatch.setattr(Watcher, "page_size", 4)
    monkeypatch.setattr(Watcher, "first_page_size", 2)
    server, conn = served
    fake: FakeApi = server.fake
    for i in range(7):
        await fake.put("pods", pod(f"p{i}", node="n1"))
    limits: list[str] = []
    plain_list = fake._list

    def noting_limits(request: web.Request, kind: str, ns: str | None) -> web.Response:
        limits.append(request.query.get("limit", ""))
        return plain_list(request, kind, ns)

    monkeypatch.setattr(fake, "_list", noting_limits)
    rec = Recorder()
    watcher = Watcher(conn, "pods", None, rec.on_deltas, rec.on_state)
    task = asyncio.create_task(watcher.run())
    await until(lambda: watcher.state.phase == "live")
    assert limits == ["2", "4", "4"]  # 2 + 4 + 1
    assert [len(batch) for _, batch in rec.batches] == [2, 4, 1]
    watcher.stop()
    await asyncio.wait_for(task, 2)
    limits.clear()
    await watcher._list_and_diff()  # what a relist after a 410 or an error does
    assert limits == ["4", "4"]
    assert held(rec.store, "pods") == truth(fake, "pods")
