"""--readonly end to end: a proxy records every request while every key, on every pane, and every palette
entry is tried, and the clusters view's keys too. Not one write reaches the server; each refused change says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from kubetui import actions
from kubetui.screens.main import MainScreen
from kubetui.sim.server import SimServer
from tests.faults.recording_proxy import RecordingProxy

pytestmark = pytest.mark.slow

SKIPPED = {"quit"}


async def until(pilot: Any, check: Any, what: str, timeout: float = 30.0) -> None:
    for _ in range(int(timeout / 0.1)):
        if check():
            return
        await pilot.pause(0.1)
    raise AssertionError(f"timed out waiting for {what}")


async def back_to_main(pilot: Any, app: Any) -> None:
    """Close whatever the key opened (a view, a dialog, the command or filter line)."""
    for _ in range(4):
        if isinstance(app.screen, MainScreen) and not isinstance(app.focused, Input):
            return
        await pilot.press("escape")
        await pilot.pause(0.2)
    assert isinstance(app.screen, MainScreen), f"stuck on {app.screen!r}"


async def test_no_key_or_palette_entry_writes_under_readonly(tmp_path: Path) -> None:
    from kubetui.app import KubeApp
    from kubetui.session import SessionConfig

    async with SimServer(scenario="demo", speed=20.0) as sim, RecordingProxy(sim.url) as proxy:
        app = KubeApp(SessionConfig(kubeconfig=str(proxy.kubeconfig(tmp_path / "kc")), readonly=True))
        notes: list[str] = []
        original = app.notify

        def notify(message: str, **kwargs: Any) -> None:
            notes.append(str(message))
            original(message, **kwargs)

        app.notify = notify  # type: ignore[method-assign]
        async with app.run_test(size=(160, 50)) as pilot:
            await until(pilot, lambda: app.session.settled, "the initial sync")
            screen = app.screen
            assert isinstance(screen, MainScreen)
            mutating = [a for a in actions.ACTIONS if a.mutates]
            for kind in ("deployments", "pods", "services", "nodes"):
                screen.table(kind).focus()
                await pilot.pause(0.1)
                for action in actions.ACTIONS:
                    if action.id in SKIPPED:
                        continue
                    await pilot.press(action.key.split(",")[0])
                    await pilot.pause(0.15)
                    await back_to_main(pilot, app)
                    if action.mutates:
                        assert notes and "read-only" in notes[-1], (kind, action.id, notes[-3:])
                # The command palette runs the same table entries through one function.
                for action in mutating:
                    screen.run_action_id(action.id)
                    await pilot.pause(0.1)
                    await back_to_main(pilot, app)
                    assert "read-only" in notes[-1], (kind, action.id)
            # The local clusters view: create, start, stop, add node and delete are refused too.
            await pilot.press("colon", "ctrl+u", *"clusters", "enter")
            await pilot.pause(0.5)
            for key in ("c", "s", "x", "a", "ctrl+d"):
                await pilot.press(key)
                await pilot.pause(0.2)
                assert "read-only" in notes[-1], key
            await pilot.press("escape")
            await pilot.pause(0.2)
    assert proxy.requests, "the proxy saw nothing: kubetui did not go through it"
    assert proxy.writes() == []
