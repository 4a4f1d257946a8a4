"""ClusterSession: operations post OperationDone/OperationFailed; watch bursts arrive coalesced."""

from __future__ import annotations

from typing import Any

from kubetui.app import KubeApp
from kubetui.cluster.errors import NotFound
from kubetui.config import Settings
from kubetui.messages import DeltasArrived, OperationDone, OperationFailed
from kubetui.screens.main import MainScreen
from kubetui.session import SessionConfig
from tests.ui.conftest import Journey, deployment
from tests.ui.helpers import wait_for


async def test_operations_report_done_and_failed_as_messages(journey: Journey) -> None:
    seen: list[Any] = []
    app = KubeApp(SessionConfig(kubeconfig=str(journey.kubeconfig)), settings=Settings())
    async with app.run_test(size=(160, 48), message_hook=seen.append) as pilot:
        await wait_for(pilot, lambda: app.session.conn is not None)

        async def get_hello(conn: Any) -> Any:
            return await conn.request("GET", "/apis/apps/v1/namespaces/default/deployments/hello-node")

        async def get_missing(conn: Any) -> Any:
            return await conn.request("GET", "/apis/apps/v1/namespaces/default/deployments/nope")

        app.session.run_op("probe", get_hello)
        app.session.run_op("probe-missing", get_missing)
        await wait_for(pilot, lambda: any(isinstance(m, OperationFailed) for m in seen))
        await wait_for(pilot, lambda: any(isinstance(m, OperationDone) for m in seen))
        done = next(m for m in seen if isinstance(m, OperationDone))
        failed = next(m for m in seen if isinstance(m, OperationFailed))
        assert done.action_id == "probe" and done.result["metadata"]["name"] == "hello-node"
        assert failed.action_id == "probe-missing" and isinstance(failed.error, NotFound)
        # the failure reaches the person
        assert any("probe-missing failed" in str(n.title) for n in app._notifications)


async def test_a_burst_of_watch_events_arrives_in_few_messages(journey: Journey) -> None:
    seen: list[Any] = []
    app = KubeApp(SessionConfig(kubeconfig=str(journey.kubeconfig)), settings=Settings())
    async with app.run_test(size=(160, 48), message_hook=seen.append) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await wait_for(pilot, lambda: app.session.settled and screen.table("deployments").row_count == 2)
        seen.clear()
        for i in range(20):
            await journey.create(
                "/apis/apps/v1/namespaces/default/deployments", deployment(f"burst-{i:02d}", "nginx", 0)
            )
        await wait_for(pilot, lambda: screen.table("deployments").row_count == 22)
        batches = [m for m in seen if isinstance(m, DeltasArrived) and m.kind == "deployments"]
        assert sum(len(m.uids) for m in batches) >= 20
        assert len(batches) < 20  # coalesced: fewer messages than events


async def test_the_connection_is_not_live_while_a_kind_has_yet_to_list(journey: Journey) -> None:
    """The Pods list goes out alone and the other kinds after its first page: until they have listed, the
    session must not call itself live (a one-namespace user's refused kinds were not yet known as refused)."""
    import asyncio

    from kubetui.cluster.watch import KINDS
    from kubetui.session import ClusterSession

    session = ClusterSession(SessionConfig(kubeconfig=str(journey.kubeconfig)), lambda message: None)
    session.start()
    try:
        while session.hub is None:
            await asyncio.sleep(0)
        assert set(session.states) == set(KINDS)  # every kind counts from the start, listed or not
        assert session.connection_state()[0] == "syncing"
        while not all(s.phase == "live" for s in session.states.values()):
            assert session.connection_state()[0] != "live"
            await asyncio.sleep(0.005)
        assert session.connection_state()[0] == "live"
    finally:
        await session.close()
