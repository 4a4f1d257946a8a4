"""SVG snapshots of the main screen on the deterministic demo scenario, at 80×24 and 160×48.

The built-in cluster runs on its own thread (the snapshot plugin runs the app in its own loop), settled and then
nearly frozen (speed 0.001) so nothing moves between runs; ages are frozen by the app, log streaming is held back.
Regenerate with ``pytest tests/ui/test_snapshots.py --snapshot-update`` after an intended change.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kubetui.app import KubeApp
from kubetui.config import Settings
from kubetui.session import SessionConfig
from kubetui.sim.server import SimServer
from kubetui.sim.testing import running_sim_thread
from kubetui.widgets.logs_pane import LogsPane

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo() -> Iterator[SimServer]:
    with running_sim_thread(scenario="demo", seed=1, speed=0.001) as sim:
        yield sim


@pytest.fixture
def app(demo: SimServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KubeApp:
    # Log lines depend on when the stream opens; the snapshot is about the panes.
    monkeypatch.setattr(LogsPane, "debounce", 3600.0)
    kubeconfig = demo.write_kubeconfig(tmp_path / "kubeconfig")
    config = SessionConfig(kubeconfig=str(kubeconfig), builtin=True)
    return KubeApp(config, theme_name="kubetui-dark", settings=Settings(), frozen_ages=True)


def _settled(demo: SimServer) -> Any:
    expected = {
        "pods": len(demo.store.list("pods", "default")),
        "deployments": len(demo.store.list("deployments.apps", "default")),
        "services": len(demo.store.list("services", "default")),
        "nodes": len(demo.store.list("nodes")),
    }

    async def run_before(pilot: Any) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            screen = pilot.app.screen
            tables_full = getattr(screen, "ready", False) and all(
                screen.table(kind).row_count == count for kind, count in expected.items()
            )
            # the CPU/MEM columns come with the first metrics scrape
            if tables_full and pilot.app.session.settled and getattr(screen, "metrics", None) is not None:
                break
            await pilot.pause(0.05)
        # the last DeltasArrived may still be queued: let the app handle it and repaint
        await pilot.pause(0.2)
        await pilot.pause()

    return run_before


def test_main_screen_160x48(snap_compare: Any, app: KubeApp, demo: SimServer) -> None:
    assert snap_compare(app, terminal_size=(160, 48), run_before=_settled(demo))


def test_main_screen_80x24(snap_compare: Any, app: KubeApp, demo: SimServer) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settled(demo))
