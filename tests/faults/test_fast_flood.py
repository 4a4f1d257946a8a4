"""A flood at the full 1,000 pod events a second (from ``FastWatchServer``, which unlike the built-in cluster
reaches that rate on a loaded machine): kubetui's table ends with every pod as the server last sent it, and
the app still answers keys. Nothing is timed; ``python3 dev.py bench flood --source fast`` measures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.faults.fast_watch import FastWatchServer
from tests.faults.waiting import pilot_until as until

pytestmark = pytest.mark.slow


async def test_a_full_rate_flood_ends_with_the_servers_last_versions(tmp_path: Path) -> None:
    from kubetui.app import KubeApp
    from kubetui.session import SessionConfig

    async with FastWatchServer(pods=300) as server:
        app = KubeApp(SessionConfig(kubeconfig=str(server.kubeconfig(tmp_path / "kc")), all_namespaces=True))
        async with app.run_test(size=(160, 50)) as pilot:
            screen: Any = app.screen
            table = screen.table("pods")
            await until(pilot, lambda: app.session.settled and table.row_count == 300, "the initial sync")
            await until(pilot, lambda: server.watches, "the pods watch")
            result = await server.flood(seconds=3.0, rate=1000.0)
            assert result.events > 1000, result  # the server is not the limit (it makes its events itself)
            want = {p["metadata"]["uid"]: p["metadata"]["resourceVersion"] for p in server.pods}

            def held() -> dict[str, str]:
                pods = app.session.store.list("pods", None)
                return {p["metadata"]["uid"]: p["metadata"]["resourceVersion"] for p in pods}

            await until(pilot, lambda: held() == want, "the last version of every pod", 60)
            restarts = {p["metadata"]["uid"]: p["status"]["containerStatuses"][0]["restartCount"]
                        for p in server.pods}  # fmt: skip
            bumped = next(uid for uid, n in restarts.items() if n > 0)
            shown = table.get_row(bumped)
            assert str(restarts[bumped]) in {str(c) for c in shown}, shown  # the table shows the last one too
            before = table.cursor_row
            await pilot.press("j")
            await pilot.pause(0.2)
            assert table.cursor_row == before + 1


async def test_memory_levels_off_after_the_first_flood(tmp_path: Path) -> None:
    """The first flood fills bounded caches (shared object parts, drawn rows); later ones add nearly nothing."""
    import gc
    import sys

    from kubetui.app import KubeApp
    from kubetui.session import SessionConfig
    from tests.faults.heap_probe import clear_bounded_caches

    def live_blocks() -> int:
        clear_bounded_caches()
        gc.collect()
        return sys.getallocatedblocks()

    async with FastWatchServer(pods=300) as server:
        app = KubeApp(SessionConfig(kubeconfig=str(server.kubeconfig(tmp_path / "kc")), all_namespaces=True))
        async with app.run_test(size=(160, 50)) as pilot:
            table = app.screen.table("pods")  # type: ignore[attr-defined]
            await until(pilot, lambda: app.session.settled and table.row_count == 300, "the initial sync")
            await until(pilot, lambda: server.watches, "the pods watch")
            after: list[int] = []
            for _ in range(4):
                result = await server.flood(seconds=3.0, rate=1000.0)
                assert result.events > 1000, result
                await pilot.pause(2.0)
                after.append(live_blocks())
    # A leak of one small object per event would add 3,000 blocks a round; measured here: a few hundred.
    grown = after[-1] - after[1]
    assert grown < 1_500, f"live memory blocks after each flood: {after}"
