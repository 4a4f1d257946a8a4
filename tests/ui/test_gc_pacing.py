"""The cycle collector runs at kubetui's pace: the young generations after every few hundred watch deltas (a stream
of MODIFIED events keeps Python's own trigger from firing, so they grew to tens of thousands of objects), and
full collections early at a quiet moment, so that Python's own comes less often in the middle of keys."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kubetui import app as app_module
from kubetui.app import KubeApp
from kubetui.messages import DeltasArrived
from kubetui.session import SessionConfig
from tests.ui.test_app_offline import _unreachable_kubeconfig


@contextmanager
def collections() -> Iterator[list[int]]:
    """The generation of every collection that starts inside the block."""
    seen: list[int] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    gc.callbacks.append(note)
    try:
        yield seen
    finally:
        gc.callbacks.remove(note)


async def test_a_stream_of_deltas_collects_the_young_generations_as_it_goes(tmp_path: Path) -> None:
    app = KubeApp(SessionConfig(kubeconfig=_unreachable_kubeconfig(tmp_path)))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        gc.enable()  # the session keeps the collector off while it waits for its first lists
        few = DeltasArrived("pods", [object()] * (app_module.YOUNG_COLLECTION_DELTAS - 1), set())
        with collections() as seen:
            app.on_deltas_arrived(few)
        assert seen == [], "a collection before enough deltas came"
        with collections() as seen:
            app.on_deltas_arrived(DeltasArrived("pods", [object()], set()))
        assert seen in ([0], [1]), seen


async def test_a_full_collection_runs_at_a_moment_without_keys(tmp_path: Path) -> None:
    app = KubeApp(SessionConfig(kubeconfig=_unreachable_kubeconfig(tmp_path)))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        gc.enable()
        await pilot.press("j")
        gc.collect(1)  # something was promoted since the last full collection
        with collections() as seen:
            app._collect_old()
        assert 2 not in seen, "a full collection right after a key"
        app._last_key = time.monotonic() - 2 * app_module.OLD_COLLECTION_QUIET
        with collections() as seen:
            app._collect_old()
        assert seen == [2], seen
        with collections() as seen:
            gc.collect(1)
            app._collect_old()  # the last one was just now
        assert 2 not in seen
