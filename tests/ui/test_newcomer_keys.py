"""Keys a newcomer relies on: a tab typed in a burst moves on before the next letters land, and every tab stop
of a dialog is a control the person can see, brought into view on a small terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.widgets import Button, DataTable, Input, Select

from kubetui.providers.k3d import K3dProvider
from kubetui.providers.kind import KindProvider
from kubetui.providers.minikube import MinikubeProvider
from kubetui.screens.clusters_dialogs import CreateClusterDialog
from kubetui.screens.dialogs import ApplyPreviewDialog, NewDeploymentDialog
from kubetui.screens.dialogs.apply import DocumentOutcome
from tests.providers.conftest import Standins, make_standins
from tests.ui.helpers import Host

CONTROLS = (Button, Input, Select, DataTable)


async def test_a_tab_in_a_burst_moves_to_the_next_field_before_the_letters_after_it() -> None:
    dialog = NewDeploymentDialog("default")
    app = Host(dialog)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        burst = [*((c, c) for c in "abc"), ("tab", "\t"), *((c, c) for c in "xyz")]
        for key, char in burst:  # posted in one go, as the driver does for one read of a paste
            app.post_message(events.Key(key, char))
        await pilot.pause()
        await pilot.pause()
        assert dialog.query_one("#name", Input).value == "abc"
        assert dialog.query_one("#image", Input).value == "xyz"


async def test_the_apply_preview_has_no_invisible_tab_stops() -> None:
    dialog = ApplyPreviewDialog(
        Path("app.yaml"),
        [
            DocumentOutcome("Deployment", "web", "default", "created (server dry run)", True),
            DocumentOutcome("Service", "web", "default", "created (server dry run)", True),
        ],
    )
    app = Host(dialog)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        stops = []
        for _ in range(4):
            stops.append(app.screen.focused)
            await pilot.press("tab")
        assert all(isinstance(stop, CONTROLS) for stop in stops), stops
        assert {stop.id for stop in stops} == {"ok", "cancel", "documents"}
        assert stops[3] is stops[0]  # three stops, each one a control with a visible focus


@pytest.fixture
def standins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Standins:
    return make_standins(tmp_path, monkeypatch)


async def test_the_create_cluster_dialog_brings_each_tab_stop_into_view_at_80x24(standins: Standins) -> None:
    dialog = CreateClusterDialog(
        [K3dProvider(), KindProvider(), MinikubeProvider()], docker_url=f"unix://{standins.dir}/none.sock"
    )
    app = Host(dialog)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(200):
            if dialog.provider_name in dialog.findings:
                break
            await pilot.pause(0.05)
        dialog.query_one("#name", Input).value = "demo"
        await pilot.pause()
        for _ in range(6):
            await pilot.press("tab")
            await pilot.pause()
            focused = app.screen.focused
            assert isinstance(focused, CONTROLS), focused
            region = focused.region
            assert region.height and region.y >= 0 and region.bottom <= 24, (focused, region)
