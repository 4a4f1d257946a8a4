"""Memory comes back: toggling all namespaces or a filter over and over at 2,000 pods keeps kubetui's heap flat.

The heap is frozen once after start-up and never again: a later freeze would park whatever garbage waits at
that moment for good (it did, 2 MB per toggle at 2,000 pods). The cluster runs in its own process, so the
resident memory measured here is kubetui's alone.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path
from typing import Any

import pytest

from tests.faults.served import ServedSim

pytestmark = pytest.mark.slow

CYCLES = 6


def rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


async def until(pilot: Any, check: Any, what: str, timeout: float = 90.0) -> None:
    for _ in range(int(timeout / 0.1)):
        if check():
            return
        await pilot.pause(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def test_toggles_and_filters_do_not_grow_the_heap(tmp_path: Path) -> None:
    from kubetui.app import KubeApp
    from kubetui.session import SessionConfig

    server = ServedSim(tmp_path / "cluster", scenario="scale:2000")
    server.start()
    try:
        app = KubeApp(SessionConfig(kubeconfig=str(server.kubeconfig)))
        async with app.run_test(size=(160, 50)) as pilot:
            screen: Any = app.screen
            await until(pilot, lambda: app.session.settled, "the initial sync")
            await pilot.press("0")  # all namespaces: every pod in one pane
            await until(pilot, lambda: screen.table("pods").row_count >= 2000, "2,000 pods on screen")
            await pilot.pause(1.5)  # the one freeze after start-up
            frozen = gc.get_freeze_count()
            assert frozen > 0, "the start-up freeze did not happen"

            async def cycle() -> None:
                for keys in (["0"], ["0"], ["slash", *"web-1", "enter"], ["slash", "ctrl+u", "enter"]):
                    await pilot.press(*keys)
                    await pilot.pause(0.2)

            await cycle()  # warm up caches and the allocator
            gc.collect()
            before = rss_mb()
            for _ in range(CYCLES):
                await cycle()
            await pilot.pause(1.5)  # long enough for any delayed freeze to have happened
            gc.collect()
            grown = rss_mb() - before
            # Parked objects that die leave the count; a second freeze would add every object made since.
            assert gc.get_freeze_count() <= frozen, "the heap was frozen again after start-up"
            # Each toggle moves the watches (one namespace, then all), so the last one lists every pod again.
            await until(
                pilot, lambda: screen.table("pods").row_count >= 2000, "every pod back after the toggles"
            )
    finally:
        server.close()
    # Before the fix: about 2 MB per refill, 8 MB per cycle (each refill of 2,000 rows frozen with its garbage);
    # after it, about 1 MB per cycle here, on a loaded machine.
    assert grown < 2.5 * CYCLES, f"resident memory grew {grown:.1f} MB over {CYCLES} toggle and filter cycles"
