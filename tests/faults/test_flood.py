"""A flood of pod events: kubetui keeps up and loses nothing. Its pods table ends up with exactly the pods the
server has, and the app still answers keys.

The issue's flood is 1,000 events/s for 60 s (``python3 dev.py bench flood`` runs it in a real terminal and
measures key latency and memory). Here the flood aims at that rate for 8 s; with the cluster in the test's own
process it reaches a few hundred events a second, which is plenty to prove correctness. Nothing is timed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster.connection import Connection
from kubetui.sim.server import SimServer
from kubetui.sim.testing import running_sim_thread
from tests.faults.flood import flood
from tests.faults.waiting import pilot_until as until

pytestmark = pytest.mark.slow

PODS = "/api/v1/namespaces/default/pods"


async def server_pods(kubeconfig: Path) -> set[str]:
    async with await Connection.open(str(kubeconfig)) as conn:
        return {p["metadata"]["uid"] for p in (await conn.request("GET", PODS))["items"]}


async def test_a_flood_of_pod_events_loses_nothing(tmp_path: Path) -> None:
    with running_sim_thread(scenario="empty", nodes=1) as server:
        await flooded(server, server.write_kubeconfig(tmp_path / "kubeconfig"))


async def flooded(server: SimServer, kubeconfig: Path) -> None:
    from kubetui.app import KubeApp
    from kubetui.session import SessionConfig

    app = KubeApp(SessionConfig(kubeconfig=str(kubeconfig)))
    async with app.run_test(size=(160, 50)) as pilot:
        screen: Any = app.screen
        await until(pilot, lambda: app.session.settled, "the initial sync")
        result = await flood(server, seconds=8.0, rate=1000.0, keep=20)
        # How far it gets depends on the machine; what matters is that it created, changed and deleted.
        assert result.events > 400 and result.created > 40 and result.deleted > 10, result
        want = await server_pods(kubeconfig)
        assert len(want) == 50 + result.created - result.deleted
        table = screen.table("pods")
        await until(pilot, lambda: table.uids() == want, "every pod of the server in the table", 60)
        held = {p["metadata"]["uid"] for p in app.session.store.list("pods", "default")}
        assert held == want, f"{len(want - held)} lost, {len(held - want)} left over"
        before = table.cursor_row
        await pilot.press("j")  # still answering: the cursor moves
        await pilot.pause(0.2)
        assert table.cursor_row == before + 1
