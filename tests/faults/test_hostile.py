"""A hostile server on loopback: each misbehaviour gets a clear message, a bounded request rate, no traceback,
and a session that stays responsive and truthful about its state."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest

from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from kubetui.session import ClusterSession, SessionConfig
from tests.faults.hostile import HostileServer
from tests.faults.waiting import until

pytestmark = pytest.mark.slow


async def session_on(server: HostileServer, tmp_path: Path) -> ClusterSession:
    session = ClusterSession(
        SessionConfig(kubeconfig=str(server.kubeconfig(tmp_path / "kc"))), lambda m: None
    )
    session.start()
    await until(lambda: session.conn is not None, "connected", 10)
    return session


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    noisy = [r for r in caplog.records if r.exc_info and r.name.startswith("kubetui")]
    assert not noisy, [r.getMessage() for r in noisy]


async def closed_quickly(session: ClusterSession) -> None:
    started = time.monotonic()
    await session.close()
    assert time.monotonic() - started < 2.0


async def test_partial_json_watch_lines_back_off_instead_of_spinning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    async with HostileServer("partial_json") as server:
        session = await session_on(server, tmp_path)
        await asyncio.sleep(7.0)  # the waits grow: 0.8, 1.6, 3.2 s, then the cap
        since = time.monotonic()
        await asyncio.sleep(5.0)
        rate = server.rate(since, "/api")
        state, _, detail = session.connection_state()
        await closed_quickly(session)
    assert rate < 6.0, f"{rate:.1f} requests/s against a broken watch"
    assert state == "reconnecting" and detail is not None and "not JSON" in detail
    no_tracebacks(caplog)


async def test_a_line_that_never_ends_is_a_broken_stream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(Connection, "max_line", 2**20)
    async with HostileServer("endless_line") as server:
        session = await session_on(server, tmp_path)
        await until(lambda: session.connection_state()[0] == "reconnecting", "the broken stream noticed", 15)
        detail = session.connection_state()[2] or ""
        await closed_quickly(session)
    assert "over 1 MiB" in detail and "without ending it" in detail
    no_tracebacks(caplog)


async def test_500s_say_what_the_server_said_and_keep_a_slow_pace(tmp_path: Path) -> None:
    async with HostileServer("500") as server:
        session = await session_on(server, tmp_path)
        await until(lambda: session.connection_state()[0] == "reconnecting", "reconnecting", 10)
        await asyncio.sleep(6.0)
        since = time.monotonic()
        await asyncio.sleep(4.0)
        rate = server.rate(since, "/api")
        detail = session.connection_state()[2] or ""
        await closed_quickly(session)
    assert "etcdserver: leader changed" in detail
    assert rate < 4.0, f"{rate:.1f} requests/s against a server answering 500"


async def test_a_list_that_never_answers_is_never_shown_as_live(tmp_path: Path) -> None:
    async with HostileServer("never_list") as server:
        session = await session_on(server, tmp_path)
        await asyncio.sleep(5.0)
        state = session.connection_state()[0]
        await closed_quickly(session)
    assert state == "syncing"


async def test_a_slow_loris_watch_neither_blocks_nor_breaks_the_session(tmp_path: Path) -> None:
    async with HostileServer("slow_loris") as server:
        session = await session_on(server, tmp_path)
        await until(lambda: session.connection_state()[0] == "live", "live", 10)
        await asyncio.sleep(3.0)
        assert session.connection_state()[0] == "live"
        assert session.store.find("pods", "default", "p") is not None
        await closed_quickly(session)


async def test_a_ten_megabyte_object_is_listed(tmp_path: Path) -> None:
    async with HostileServer("huge_object") as server:
        session = await session_on(server, tmp_path)
        await until(lambda: session.connection_state()[0] == "live", "live", 20)
        pod = session.store.find("pods", "default", "p")
        await closed_quickly(session)
    assert pod is not None and len(pod["metadata"]["annotations"]["big"]) == 10_000_000


async def test_garbage_discovery_is_named_not_a_traceback(tmp_path: Path) -> None:
    widget = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
    async with HostileServer("garbage_discovery") as server:
        conn = await Connection.open(str(server.kubeconfig(tmp_path / "kc")))
        try:
            results = await ops.apply_manifests(conn, widget, "default", dry_run=True)
        finally:
            await conn.close()
    assert [r.action for r in results] == ["failed"]
    message = results[0].error or ""
    assert "GET /apis/example.com/v1" in message and "not JSON" in message
