"""The heap measurement behind ``test_heap``, run in a fresh interpreter so that what earlier tests left in the
process (caches, fragmentation, frozen objects) cannot count against kubetui.

Prints one JSON line: live Python memory blocks and resident memory before and after the cycles, and the
heap-freeze counts. ``python -m tests.faults.heap_probe DIR CYCLES``.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
from pathlib import Path
from typing import Any

from tests.faults.served import ServedSim
from tests.faults.waiting import pilot_until as until


def clear_bounded_caches() -> None:
    """Empties the size-bounded ``lru_cache``s of Textual and Rich (one keeps up to 1,024 widgets' style caches
    alive) and the parts kubetui's compactor remembers (up to 8,192), so that a reading counts only what grows
    without bound."""
    from kubetui.cluster import compact

    compact._default.forget()
    for name, module in list(sys.modules.items()):
        if not name.startswith(("textual", "rich")) or module is None:
            continue
        for value in list(vars(module).values()):
            targets = [value, *vars(value).values()] if isinstance(value, type) else [value]
            for target in targets:
                clear = getattr(target, "cache_clear", None)
                if callable(clear):
                    clear()


def rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


async def measure(directory: Path, cycles: int) -> dict[str, Any]:
    from kubetui.app import KubeApp
    from kubetui.session import SessionConfig

    server = ServedSim(directory / "cluster", scenario="scale:2000")
    server.start()
    out: dict[str, Any] = {}
    try:
        app = KubeApp(SessionConfig(kubeconfig=str(server.kubeconfig)))
        async with app.run_test(size=(160, 50)) as pilot:
            screen: Any = app.screen
            await until(pilot, lambda: app.session.settled, "the initial sync")
            await pilot.press("0")  # all namespaces: every pod in one pane
            await until(pilot, lambda: screen.table("pods").row_count >= 2000, "2,000 pods on screen")
            await pilot.pause(1.5)  # the one freeze after start-up
            out["frozen_after_start"] = gc.get_freeze_count()

            async def cycle() -> None:
                for keys in (["0"], ["0"], ["slash", *"web-1", "enter"], ["slash", "ctrl+u", "enter"]):
                    await pilot.press(*keys)
                    await pilot.pause(0.2)
                await until(pilot, lambda: screen.table("pods").row_count >= 2000, "every pod back")

            for _ in range(2):  # warm up caches and the allocator
                await cycle()

            async def metrics_for_every_pod() -> None:
                # Usage figures are data, not garbage: each reading waits for a scrape of all namespaces, so
                # both hold one figure per pod (a toggle to one namespace scrapes only that one's).
                await until(
                    pilot,
                    lambda: screen.metrics is not None and len(screen.metrics.pods) >= 2000,
                    "metrics for every pod",
                    timeout=180.0,
                )

            await metrics_for_every_pod()
            clear_bounded_caches()
            gc.collect()
            out["blocks_before"], out["rss_before"] = sys.getallocatedblocks(), rss_mb()
            for _ in range(cycles):
                await cycle()
            await pilot.pause(1.5)  # long enough for any delayed freeze to have happened
            await metrics_for_every_pod()
            clear_bounded_caches()
            gc.collect()
            out["blocks_after"], out["rss_after"] = sys.getallocatedblocks(), rss_mb()
            out["frozen_at_end"] = gc.get_freeze_count()
            out["rows_at_end"] = screen.table("pods").row_count
    finally:
        server.close()
    return out


if __name__ == "__main__":
    result = asyncio.run(measure(Path(sys.argv[1]), int(sys.argv[2])))
    print(json.dumps(result))
