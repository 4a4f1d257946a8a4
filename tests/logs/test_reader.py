"""LogReader: the streams on a thread and event loop of their own, fed back to the caller's thread."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from kubetui.cluster.logs import LogOptions, LogReader, LogState, LogStatus, sibling_factory
from kubetui.sim.server import SimServer
from tests.logs.helpers import NS, connect, container, create_pod, wait_for


async def test_reader_thread_streams_changes_pods_and_stops(sim: SimServer, kubeconfig: Path) -> None:
    conn = await connect(kubeconfig)
    for name in ("north", "south"):
        await create_pod(conn, name, [container("main", "kubetui.test/logger:1", rate=2)])
    factory = sibling_factory(conn)
    assert factory is not None
    batches: list[list[object]] = []
    threads: set[str] = set()

    def on_batch(items: list[object]) -> None:
        threads.add(threading.current_thread().name)
        batches.append(items)

    def lines_of(pod: str) -> list[tuple[str, str, str, str]]:
        return [i for b in list(batches) for i in b if isinstance(i, tuple) and i[0] == pod]  # type: ignore[misc]

    reader = LogReader(factory, NS, on_batch, LogOptions(), poll_interval=0.05, raw_lines=True)
    reader.start(["north"])
    await wait_for(lambda: len(lines_of("north")) >= 5, what="north's lines")
    reader.set_pods(["north", "south"])
    await wait_for(lambda: len(lines_of("south")) >= 5, what="south's lines")
    reader.stop()
    await asyncio.to_thread(reader.join, 5.0)
    assert not reader._thread.is_alive()
    assert threads == {"kubetui-logs"}  # never the caller's thread
    line = lines_of("north")[0]
    assert line[1] == "main" and line[2].endswith("Z") and line[3].startswith("north line ")
    joined = [i for b in batches for i in b if isinstance(i, LogStatus) and i.state is LogState.JOINED]
    assert [s.pod for s in joined] == ["south"]
    await conn.close()


async def test_reader_stopped_before_its_loop_runs_still_ends(sim: SimServer, kubeconfig: Path) -> None:
    conn = await connect(kubeconfig)
    factory = sibling_factory(conn)
    assert factory is not None
    reader = LogReader(factory, NS, lambda items: None, LogOptions())
    reader.start(["anything"])
    reader.stop()  # at once, as when the selection moves on before the thread is up
    await asyncio.to_thread(reader.join, 5.0)
    assert not reader._thread.is_alive()
    await conn.close()


def test_sibling_factory_refuses_what_it_cannot_copy() -> None:
    class Plain:
        async def request(self, method: str, path: str, *, query: object = None) -> object:
            return {}

        def stream(self, method: str, path: str, *, query: object = None) -> object:
            return iter(())

    assert sibling_factory(Plain()) is None  # type: ignore[arg-type]
