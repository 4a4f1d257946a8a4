"""Found by the soak: kubetui crashed 20 s after start on any cluster serving metrics.k8s.io, at the second
metrics poll (the first fills the columns, the second updates their rows)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubetui.screens.main import MainScreen
from kubetui.screens.metrics_columns import MetricsArrived
from kubetui.sim.server import SimServer
from tests.ui.helpers import wait_for

pytestmark = pytest.mark.slow


async def test_the_second_metrics_poll_updates_rows_instead_of_crashing(tmp_path: Path) -> None:
    from kubetui.app import KubeApp
    from kubetui.session import SessionConfig

    async with SimServer(scenario="demo", speed=20.0) as sim:
        app = KubeApp(SessionConfig(kubeconfig=str(sim.write_kubeconfig(tmp_path / "kc"))))
        async with app.run_test(size=(200, 48)) as pilot:
            screen = app.screen
            assert isinstance(screen, MainScreen)
            await wait_for(pilot, lambda: screen.metrics is not None, timeout=60)
            for _ in range(2):  # what the next polls do
                screen.post_message(MetricsArrived(screen.metrics))
                await pilot.pause(0.3)
            assert app.is_running and isinstance(app.screen, MainScreen)
            assert "CPU" in screen.table("pods").column_names
