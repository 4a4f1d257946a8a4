"""A server that stops answering (SIGSTOP) is noticed within seconds, and a write it swallowed is not "failed"."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from kubetui.cluster import connection as connection_module
from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from kubetui.cluster.errors import OutcomeUnknown
from kubetui.screens.dialogs.flow import run_op
from kubetui.session import ClusterSession, SessionConfig
from kubetui.widgets.header import ClusterHeader
from tests.faults.served import ServedSim
from tests.faults.waiting import until

pytestmark = pytest.mark.slow

# The case is 30 s of SIGSTOP; the mechanism is the same for a shorter one, which keeps CI quick.
HANG = 8.0


async def deployment(conn: Connection, name: str, replicas: int = 1) -> None:
    await ops.create_deployment(conn, "default", name, "registry.k8s.io/pause:3.9", replicas=replicas)


async def test_a_stopped_server_turns_the_header_stale_within_seconds(served: ServedSim) -> None:
    session = ClusterSession(SessionConfig(kubeconfig=str(served.kubeconfig)), lambda message: None)
    session.start()
    try:
        await until(lambda: session.connection_state()[0] == "live", "live", 20)
        served.pause()
        paused_at = time.time()
        noticed = await until(lambda: session.connection_state()[0] == "reconnecting", "stale", 10)
        assert noticed < 9.0
        since = session.connection_state()[1]
        assert since is not None and paused_at - 5 <= since <= paused_at + 5
        header = ClusterHeader.compose_text(session, {}).plain
        assert f"reconnecting since {time.strftime('%H:%M:%S', time.localtime(since))}" in header
        assert "data stale" in header
        await asyncio.sleep(HANG - noticed)
        # However long the hang, "since" stays at when it began.
        assert session.connection_state()[1] == since
        served.resume()
        await until(lambda: session.connection_state()[0] == "live", "live again", 15)
        # Changes made after the hang reach the store: the watches were not left on a dead socket.
        async with await Connection.open(str(served.kubeconfig)) as conn:
            await deployment(conn, "after-hang")
        await until(lambda: session.store.find("deployments", "default", "after-hang"), "the new object", 10)
    finally:
        await session.close()


class Notes:
    def __init__(self) -> None:
        self.notes: list[tuple[str, str]] = []

    def notify(self, message: str, *, title: str = "", **_: Any) -> None:
        self.notes.append((title, message))


async def test_a_write_the_server_swallowed_says_unknown_and_reads_again(
    served: ServedSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connection_module, "WRITE_READ_TIMEOUT", 1.5)
    session = ClusterSession(SessionConfig(kubeconfig=str(served.kubeconfig)), lambda message: None)
    session.start()
    try:
        await until(lambda: session.conn is not None, "connected", 20)
        await deployment(session.conn, "web")
        served.pause()
        app = Notes()
        with pytest.raises(OutcomeUnknown) as caught:
            await run_op(
                app, session, "scale", lambda conn: ops.scale(conn, "deployments", "default", "web", 3)
            )
        assert caught.value.target == "deployments/web"
        titles = [title for title, _ in app.notes]
        assert "scale: outcome unknown" in titles and "scale failed" not in titles
        assert "whether the change was made is unknown" in app.notes[0][1]
        # The re-read got no answer either, and says so instead of guessing.
        assert app.notes[1][0] == "scale: read again" and "could not be read" in app.notes[1][1]
        served.resume()
        # The request had reached the server: the change is made after all, and a re-read now says so.
        await until(
            lambda: (
                (session.store.find("deployments", "default", "web") or {}).get("spec", {}).get("replicas")
                == 3
            ),
            "the swallowed scale to take effect",
            15,
        )
        from kubetui.screens.dialogs.flow import reread

        assert "spec.replicas 3" in await reread(session, caught.value)
    finally:
        await session.close()
