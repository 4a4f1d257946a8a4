"""After an outage the data is fresh again soon: retries wait at most 5 s while someone is looking, and
ctrl+l retries at once whatever the wait."""

from __future__ import annotations

import asyncio

import pytest

from kubetui.actions import BY_ID
from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from kubetui.cluster.liveness import Liveness
from kubetui.session import ClusterSession, SessionConfig
from tests.faults.served import ServedSim
from tests.faults.waiting import until

pytestmark = pytest.mark.slow


async def test_the_retry_wait_is_short_while_someone_is_looking(served: ServedSim) -> None:
    session = ClusterSession(SessionConfig(kubeconfig=str(served.kubeconfig)), lambda m: None)
    session.start()
    try:
        await until(lambda: session.hub is not None, "the watches", 20)
        caps = {w.backoff.cap for w in session.hub.watchers.values()}
        assert caps == {5.0}
        session.set_attentive(False)  # the terminal lost the focus
        assert {w.backoff.cap for w in session.hub.watchers.values()} == {30.0}
        session.set_attentive(True)
        assert {w.backoff.cap for w in session.hub.watchers.values()} == {5.0}
    finally:
        await session.close()


async def test_retry_now_lists_again_at_once_however_long_the_wait(
    served: ServedSim, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert BY_ID["retry"].key == "ctrl+l"
    monkeypatch.setattr(Liveness, "interval", 3600.0)  # only the key may end the wait in this test
    session = ClusterSession(SessionConfig(kubeconfig=str(served.kubeconfig)), lambda m: None)
    session.start()
    try:
        await until(lambda: session.connection_state()[0] == "live", "live", 20)
        served.stop()
        await until(lambda: session.connection_state()[0] == "reconnecting", "the outage noticed", 10)
        session.hub.set_backoff_cap(600.0)
        for watcher in session.hub.watchers.values():
            watcher.backoff.attempt = 30  # the next wait is the cap: ten minutes
        await asyncio.sleep(1.0)  # every watcher is now in its long wait
        served.start()
        async with await Connection.open(str(served.kubeconfig)) as conn:
            await ops.create_deployment(conn, "default", "after", "registry.k8s.io/pause:3.9")
        session.retry_now()
        took = await until(lambda: session.connection_state()[0] == "live", "live after ctrl+l", 5)
        await until(lambda: session.store.find("deployments", "default", "after"), "the new object", 5)
    finally:
        await session.close()
    assert took < 3.0
