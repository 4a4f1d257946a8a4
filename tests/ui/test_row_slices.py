"""A big batch of changed objects reaches the Pods pane in slices with the event loop free in between: a key
pressed while thousands of rows are still being drawn moves the cursor before they are all in, and in the end
the pane holds every pod (each drawn as the store has it then); a small batch is drawn at once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual import events

from kubetui.app import KubeApp
from kubetui.cluster.watch import Delta
from kubetui.messages import DeltasArrived
from kubetui.screens import row_feed
from kubetui.session import SessionConfig
from tests.faults.fast_watch import make_pod
from tests.ui.helpers import wait_for
from tests.ui.test_app_offline import _unreachable_kubeconfig

PODS = 3000


def _arrive(app: Any, pods: list[dict[str, Any]]) -> None:
    """What the session does with a batch of watch events: into the store, then one message."""
    deltas = [Delta("ADDED", "pods", pod) for pod in pods]
    uids = app.session.store.apply("pods", deltas)
    app.on_deltas_arrived(DeltasArrived("pods", deltas, uids))


async def test_a_key_is_answered_while_a_big_batch_is_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(row_feed, "SLICE_SECONDS", 0.0)  # one check's worth of rows per slice, on any machine
    app = KubeApp(SessionConfig(kubeconfig=_unreachable_kubeconfig(tmp_path), all_namespaces=True))
    async with app.run_test(size=(160, 48)) as pilot:
        screen: Any = app.screen
        table = screen.table("pods")
        _arrive(app, [make_pod(i, 1) for i in range(10)])
        assert table.row_count == 10  # a small batch: drawn in the message's handler
        _arrive(app, [make_pod(i, 1) for i in range(10, PODS)])
        assert table.row_count < PODS  # a big one: not in one go
        assert screen.rows_waiting("pods") > 0
        before = table.selected_uid
        # The key as the terminal delivers it (Pilot's press would wait until the app is idle: all rows in).
        app.post_message(events.Key("j", "j"))
        for _ in range(1000):
            if table.selected_uid != before:
                break
            await asyncio.sleep(0.001)
        # the next row down (rows drawn meanwhile may have come in between: the cursor follows its pod)
        assert _position(table)(table.selected_uid) > _position(table)(before)
        assert screen.rows_waiting("pods") > 0, "the key waited for the whole batch"
        # Objects that change again while their rows wait are drawn once, as they are by then.
        changed = make_pod(PODS - 1, 2)
        changed["status"]["containerStatuses"][0]["restartCount"] = 7
        _arrive(app, [changed])
        await wait_for(pilot, lambda: table.row_count == PODS and not screen.rows_waiting("pods"))
        assert "7" in {str(cell) for cell in table.get_row(changed["metadata"]["uid"])}
        assert table.ordered_uids() == sorted(table.ordered_uids(), key=_position(table))


async def test_a_refill_takes_over_the_rows_that_wait(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(row_feed, "SLICE_SECONDS", 0.0)
    app = KubeApp(SessionConfig(kubeconfig=_unreachable_kubeconfig(tmp_path), all_namespaces=True))
    async with app.run_test(size=(160, 48)) as pilot:
        screen: Any = app.screen
        _arrive(app, [make_pod(i, 1) for i in range(PODS)])
        assert screen.rows_waiting("pods") > 0
        screen.refill("pods")
        assert screen.rows_waiting("pods") == 0
        assert screen.table("pods").row_count == PODS
        await pilot.pause()


def _position(table: Any) -> Any:
    """Sort key of the Pods pane with all namespaces: namespace, then name."""

    def key(uid: str) -> tuple[str, str]:
        cells = table.get_row(uid)
        return (str(cells[0]), str(cells[1]))

    return key


async def test_the_heap_freeze_waits_for_the_rows_being_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The one freeze after start-up parks what the first lists built, their rows included: drawn slice by slice,
    rows made after it stayed in every full collection (0.12 s each at 100,000 pods)."""
    import gc

    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))  # the test process keeps its heap as it is
    monkeypatch.setattr(row_feed, "SLICE_SECONDS", 0.0)
    app = KubeApp(SessionConfig(kubeconfig=_unreachable_kubeconfig(tmp_path), all_namespaces=True))
    async with app.run_test(size=(160, 48)) as pilot:
        screen: Any = app.screen
        _arrive(app, [make_pod(i, 1) for i in range(PODS)])
        app._freeze_heap()
        assert frozen == [] and not app._heap_frozen
        await wait_for(pilot, lambda: not screen.drawing_rows)
        await wait_for(pilot, lambda: app._heap_frozen, timeout=5.0)  # the freeze comes once they are in
        assert frozen == [True]
