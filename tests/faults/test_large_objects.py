"""Large objects never freeze the UI: `y` on a pod with a 10 MB annotation folds it and keeps repainting, and
a 4 MB manifest is parsed off the event loop."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from kubetui.screens.object_view import FOLD_CHARS, ObjectScreen, to_yaml
from tests.faults.hostile import HostileServer

pytestmark = pytest.mark.slow


def test_huge_values_are_folded_and_say_how_much() -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "annotations": {"big": "x" * 10_000_000}},
    }
    started = time.monotonic()
    text = to_yaml(pod)
    assert time.monotonic() - started < 1.0
    assert len(text) < 3 * FOLD_CHARS
    assert f"<folded: {10_000_000 - FOLD_CHARS:,} more characters>" in text
    assert "name: p" in text


async def test_yaml_of_a_ten_megabyte_object_keeps_the_screen_repainting(tmp_path: Path) -> None:
    from kubetui.app import KubeApp
    from kubetui.session import SessionConfig

    async with HostileServer("huge_object") as server:
        app = KubeApp(SessionConfig(kubeconfig=str(server.kubeconfig(tmp_path / "kc"))))
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(300):
                if app.session.store.find("pods", "default", "p") is not None and app.session.settled:
                    break
                await pilot.pause(0.1)
            screen: Any = app.screen
            screen.table("pods").focus()
            await pilot.pause(0.3)
            # The longest the event loop goes without running while the view opens: a ticker measures it.
            gaps: list[float] = []
            last = time.monotonic()

            def tick() -> None:
                nonlocal last
                now = time.monotonic()
                gaps.append(now - last)
                last = now

            timer = app.set_interval(0.02, tick)
            await pilot.press("y")
            for _ in range(200):
                if isinstance(app.screen, ObjectScreen):
                    break
                await pilot.pause(0.05)
            await pilot.pause(0.5)
            timer.stop()
            assert isinstance(app.screen, ObjectScreen)
            assert "more characters>" in app.screen.body.code  # the Syntax shown
            await pilot.press("escape")
            await asyncio.sleep(0)
    assert max(gaps) < 1.0, f"the screen stood still for {max(gaps):.2f}s"
