"""Connection life in the UI: switching context without restart, and a cluster that goes away and comes back."""

from __future__ import annotations

from pathlib import Path

from kubetui.app import KubeApp
from kubetui.config import ContextSettings, Settings
from kubetui.screens.main import MainScreen
from kubetui.screens.pickers import PickerScreen
from kubetui.session import SessionConfig
from kubetui.sim.server import SimServer
from tests.ui.conftest import Journey
from tests.ui.helpers import shown, wait_for


def _two_contexts(path: Path, one: str, two: str) -> Path:
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: one\n"
        f"clusters:\n- name: one\n  cluster: {{server: '{one}'}}\n- name: two\n  cluster: {{server: '{two}'}}\n"
        "users:\n- name: u\n  user: {}\n"
        "contexts:\n- name: one\n  context: {cluster: one, user: u}\n"
        "- name: two\n  context: {cluster: two, user: u, namespace: kube-system}\n"
    )
    return path


async def test_switching_context_replaces_the_data_without_restart(journey: Journey, tmp_path: Path) -> None:
    async with SimServer(scenario="empty", nodes=3, speed=50.0) as other:
        kubeconfig = _two_contexts(tmp_path / "kubeconfig", journey.sim.url, other.url)
        settings = Settings(contexts={"two": ContextSettings(namespace="kube-public", readonly=True)})
        app = KubeApp(SessionConfig(kubeconfig=str(kubeconfig)), settings=settings)
        async with app.run_test(size=(160, 48)) as pilot:
            screen = app.screen
            assert isinstance(screen, MainScreen)
            header = screen.query_one("#header")
            await wait_for(pilot, lambda: screen.table("deployments").row_count == 2)
            assert screen.table("nodes").row_count == 2
            assert not app.session.readonly
            assert "one" in shown(header)
            await pilot.press("colon", *"ctx two", "enter")
            await wait_for(pilot, lambda: screen.table("nodes").row_count == 3)
            await wait_for(pilot, lambda: "● live" in shown(header))
            # the settings file makes "two" read-only and opens it in kube-public
            assert "two" in shown(header) and "ns:kube-public" in shown(header)
            assert "[read-only]" in shown(header) and app.session.readonly
            assert screen.table("deployments").row_count == 0
            # an unknown context is refused with the known ones named; the session stays
            await pilot.press("colon", *"ctx nowhere", "enter")
            await pilot.pause()
            assert any("no context 'nowhere'" in str(n.message) for n in app._notifications)
            # and back with the picker
            await pilot.press("ctrl+t")
            await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
            await pilot.press(*"one", "enter")
            await wait_for(pilot, lambda: screen.table("deployments").row_count == 2)
            assert screen.table("nodes").row_count == 2
            assert not app.session.readonly


async def test_cluster_going_away_keeps_data_marks_it_stale_and_recovers(journey: Journey) -> None:
    app = KubeApp(SessionConfig(kubeconfig=str(journey.kubeconfig)), settings=Settings())
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        header = screen.query_one("#header")
        await wait_for(pilot, lambda: screen.table("pods").row_count == 3)
        await wait_for(pilot, lambda: "● live" in shown(header))
        await journey.sim._stop_http()
        try:
            await wait_for(pilot, lambda: "reconnecting since" in shown(header), timeout=15)
            text = shown(header)
            assert "data stale" in text
            assert screen.table("pods").row_count == 3  # last-known data stays on screen
            assert app.is_running
        finally:
            await journey.sim._start_http()
        await wait_for(pilot, lambda: "● live" in shown(header), timeout=30)
        assert screen.table("pods").row_count == 3
