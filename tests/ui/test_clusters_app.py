"""The whole app: :clusters creates a built-in cluster, and the session switches to it and fills its panes."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, Select

from kubetui.providers.base import ClusterSpec
from kubetui.providers.builtin import BuiltinProvider
from kubetui.screens.clusters import ClustersScreen
from kubetui.screens.clusters_dialogs import CreateClusterDialog, RunDialog
from tests.providers.conftest import Standins, make_standins

pytestmark = pytest.mark.slow


@pytest.fixture
def standins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Standins:
    return make_standins(tmp_path, monkeypatch)


async def _until(pilot, check, what: str, timeout: float = 15.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if check():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def test_create_from_the_app_switches_the_session(standins: Standins) -> None:
    from kubetui.app import KubeApp
    from kubetui.session import SessionConfig

    builtin = BuiltinProvider(kubeconfig=standins.kubeconfig)
    assert await builtin.create(ClusterSpec("first", builtin.preset("single"))).wait() == 0
    try:
        app = KubeApp(SessionConfig(kubeconfig=str(standins.kubeconfig)))
        async with app.run_test(size=(140, 45)) as pilot:
            await _until(pilot, lambda: app.session.context == "kubetui-first", "the first connection")
            await app.push_screen(ClustersScreen())
            screen = app.screen
            assert isinstance(screen, ClustersScreen)
            await _until(pilot, lambda: "builtin/first" in screen.clusters, "discovery")
            assert screen.clusters["builtin/first"].current

            await pilot.press("c")
            await _until(pilot, lambda: isinstance(app.screen, CreateClusterDialog), "the create dialog")
            dialog = app.screen
            assert isinstance(dialog, CreateClusterDialog)
            dialog.query_one("#provider", Select).value = "builtin"
            await _until(pilot, lambda: "builtin" in dialog.findings, "the checks")
            dialog.query_one("#preset", Select).value = "lab"
            dialog.query_one("#name", Input).value = "second"
            await pilot.pause()
            await pilot.click("#ok")
            await _until(pilot, lambda: isinstance(app.screen, RunDialog), "the run dialog")
            run = app.screen
            assert isinstance(run, RunDialog)
            await _until(pilot, lambda: run.verification is not None, "create and connect")
            assert run.verification is not None and run.verification.ok
            await pilot.click("#cancel")  # Close

            # The session follows: new context, and the panes fill from the new cluster's watch.
            await _until(pilot, lambda: app.session.context == "kubetui-second", "the context switch")
            await _until(pilot, lambda: len(app.session.store.list("nodes")) == 3, "the new cluster's nodes")
            await _until(
                pilot, lambda: screen.clusters.get("builtin/second") is not None, "the refreshed table"
            )
            assert screen.clusters["builtin/second"].current
            assert not screen.clusters["builtin/first"].current
    finally:
        for name in ("first", "second"):
            if builtin.dir(name).exists():
                await builtin.delete(name).wait()
    assert builtin.pid("first") is None and builtin.pid("second") is None


async def test_the_built_in_cluster_of_this_run_is_listed_and_the_clis_write_to_the_users_kubeconfig(
    standins: Standins, tmp_path: Path
) -> None:
    """With --sim the app reads a temporary kubeconfig: clusters made from :clusters must not land in it."""
    from kubetui.app import KubeApp
    from kubetui.screens.clusters import SESSION_NAME
    from kubetui.session import SessionConfig
    from kubetui.sim.server import SimServer

    async with SimServer(scenario="empty", nodes=2, speed=50.0) as sim:
        temporary = sim.write_kubeconfig(tmp_path / "run" / "kubeconfig")
        app = KubeApp(SessionConfig(kubeconfig=str(temporary), context="kubetui-sim", builtin=True))
        async with app.run_test(size=(120, 36)) as pilot:
            await _until(pilot, lambda: len(app.session.store.list("nodes")) == 2, "the session's nodes")
            await pilot.press(":", *"clusters", "enter")
            await _until(pilot, lambda: isinstance(app.screen, ClustersScreen), "the clusters view")
            screen = app.screen
            assert isinstance(screen, ClustersScreen)
            await _until(pilot, lambda: screen.discovery is not None, "discovery")

            row = screen.clusters[f"builtin/{SESSION_NAME}"]
            assert row.current and row.context == "kubetui-sim" and row.state == "running"
            assert row.nodes_summary() == "2/2 running"
            assert screen.selected() is row
            assert f"export KUBECONFIG={temporary}" in str(screen.query_one("#detail").render())
            # k3d, kind, minikube and the kept built-in clusters write where they would from a shell
            assert screen.kubeconfig == standins.kubeconfig
            for provider in screen.providers:
                assert provider.env["KUBECONFIG"] == str(standins.kubeconfig), provider.name
            assert (
                next(p for p in screen.providers if p.name == "builtin").user_kubeconfig
                == standins.kubeconfig
            )

            await pilot.press("x")  # stop: not this one, it lives as long as the app
            await pilot.pause()
            assert app.screen is screen
            assert any("lives as long as this run" in str(n.message) for n in app._notifications)
            assert app.session.config.kubeconfig == str(temporary)
