"""poll_forever: reads only the view's namespace, and spaces out scrapes that are slow to make."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kubetui.cluster import metrics

_real_sleep = asyncio.sleep


class _SlowApi:
    """Answers metrics.k8s.io, each pod list taking ``delay`` seconds; records the paths asked for."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.paths: list[str] = []

    async def request(self, method: str, path: str, **kwargs: Any) -> Any:
        self.paths.append(path)
        if path.endswith("/pods"):
            await _real_sleep(self.delay)
        return {"items": []}


async def _two_scrapes(api: _SlowApi, namespace: str | None, monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits poll_forever chose between its scrapes (sleeping none of them)."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        await _real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", sleep)
    snapshots: list[metrics.Snapshot] = []
    poll = metrics.poll_forever(lambda: api, snapshots.append, lambda why: None, lambda: namespace)  # type: ignore[arg-type,return-value]
    task = asyncio.ensure_future(poll)
    while len(snapshots) < 2:
        await _real_sleep(0.01)
    task.cancel()
    monkeypatch.undo()
    return waits


async def test_scrapes_read_the_view_namespace_only(monkeypatch: pytest.MonkeyPatch) -> None:
    api = _SlowApi(delay=0)
    waits = await _two_scrapes(api, "team-a", monkeypatch)
    pods = [p for p in api.paths if p.endswith("/pods")]
    assert len(pods) >= 2 and set(pods) == {f"{metrics.GROUP_PATH}/namespaces/team-a/pods"}
    assert waits[0] == metrics.DEFAULT_RESOLUTION  # a quick scrape: the API's own resolution

    api = _SlowApi(delay=0)
    await _two_scrapes(api, None, monkeypatch)
    assert {p for p in api.paths if p.endswith("/pods")} == {f"{metrics.GROUP_PATH}/pods"}


async def test_a_slow_scrape_waits_longer_before_the_next(monkeypatch: pytest.MonkeyPatch) -> None:
    seconds = 1.6  # COST_FACTOR times this is beyond the 15 s resolution
    waits = await _two_scrapes(_SlowApi(delay=seconds), None, monkeypatch)
    assert waits[0] >= metrics.COST_FACTOR * seconds > metrics.DEFAULT_RESOLUTION


async def test_a_new_connection_is_first_scraped_once_its_lists_are_in(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api = _SlowApi(delay=0)
    live = False
    snapshots: list[metrics.Snapshot] = []
    monkeypatch.setattr(metrics, "READY_WAIT", 30.0)
    poll = metrics.poll_forever(lambda: api, snapshots.append, lambda why: None, ready=lambda: live)  # type: ignore[arg-type]
    task = asyncio.ensure_future(poll)
    try:
        await _real_sleep(0.6)
        assert api.paths == [] and snapshots == []  # the first screen's lists go first
        live = True
        while not snapshots:
            await _real_sleep(0.01)
        assert any(p.endswith("/pods") for p in api.paths)
    finally:
        task.cancel()


async def test_lists_that_never_finish_hold_the_first_scrape_back_for_a_while_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    api = _SlowApi(delay=0)
    snapshots: list[metrics.Snapshot] = []
    monkeypatch.setattr(metrics, "READY_WAIT", 0.5)
    task = asyncio.ensure_future(
        metrics.poll_forever(lambda: api, snapshots.append, lambda why: None, ready=lambda: False)
    )  # type: ignore[arg-type]
    try:
        await asyncio.wait_for(_until(lambda: bool(snapshots)), 5)
    finally:
        task.cancel()


async def _until(condition: Any) -> None:
    while not condition():
        await _real_sleep(0.01)
