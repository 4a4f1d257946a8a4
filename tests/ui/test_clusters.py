"""The :clusters view driven with Pilot over stand-in k3d/kind/minikube: create, TLS fix, cancel, delete."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Button, DataTable, Input, Select, Static

from kubetui.providers import kubeconfigs
from kubetui.providers.base import ClusterSpec
from kubetui.providers.builtin import BuiltinProvider
from kubetui.providers.k3d import K3dProvider
from kubetui.providers.kind import KindProvider
from kubetui.providers.minikube import MinikubeProvider
from kubetui.screens.clusters import ClustersScreen
from kubetui.screens.clusters_dialogs import CreateClusterDialog, DeleteClusterDialog, RunDialog
from tests.processes import alive
from tests.providers.api_stub import api_server
from tests.providers.conftest import Standins, make_standins

JOURNEY_COMMAND = (
    "$ k3d cluster create mykubecluster --servers 1 --agents 2 --port 80:80@loadbalancer "
    "--port 443:443@loadbalancer --k3s-arg '--disable=traefik@server:*'"
)


class LocalK3d(K3dProvider):
    """k3d whose Docker check is skipped: these tests are about the view, Docker has its own tests."""

    needs_docker = False


class ClustersApp(App[None]):
    def __init__(self, screen: ClustersScreen) -> None:
        super().__init__()
        self.clusters_screen = screen
        self.selected: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(self.clusters_screen)

    def on_clusters_screen_context_selected(self, message: ClustersScreen.ContextSelected) -> None:
        self.selected.append(message.context)


@pytest.fixture
def standins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Standins:
    return make_standins(tmp_path, monkeypatch)


async def until(pilot: Any, check: Callable[[], Any], what: str, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if check():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _screen(providers: list[Any], standins: Standins) -> ClustersScreen:
    return ClustersScreen(providers, standins.kubeconfig, docker_url=f"unix://{standins.dir}/none.sock")


def _text(app: App[Any], selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def _open_create(pilot: Any, app: ClustersApp, name: str) -> CreateClusterDialog:
    await pilot.press("c")
    await until(pilot, lambda: isinstance(app.screen, CreateClusterDialog), "the create dialog")
    dialog = app.screen
    assert isinstance(dialog, CreateClusterDialog)
    await until(pilot, lambda: dialog.provider_name in dialog.findings, "the checks")
    dialog.query_one("#name", Input).value = name
    await pilot.pause()
    return dialog


async def _finish(pilot: Any, app: ClustersApp, done: Callable[[RunDialog], bool] | None = None) -> RunDialog:
    await until(pilot, lambda: isinstance(app.screen, RunDialog), "the run dialog")
    dialog = app.screen
    assert isinstance(dialog, RunDialog)
    await until(pilot, lambda: done(dialog) if done else dialog.finished, "the run to finish")
    return dialog


async def test_create_journey_cluster_fix_tls_and_switch(
    standins: Standins, tmp_path: Path, monkeypatch
) -> None:
    async with api_server(tmp_path) as (port, ca):
        monkeypatch.setenv("STANDIN_SERVER", f"https://localhost:{port}")
        monkeypatch.setenv("STANDIN_CA", str(ca))
        app = ClustersApp(_screen([LocalK3d(), KindProvider(), MinikubeProvider()], standins))
        async with app.run_test(size=(120, 40)) as pilot:
            table = app.clusters_screen.query_one(DataTable)
            await until(pilot, lambda: app.clusters_screen.discovery is not None, "discovery")
            assert table.row_count == 0
            assert "press c to create one" in _text(app, "#notes")

            dialog = await _open_create(pilot, app, "-rf")
            assert "lowercase DNS-1123 label" in str(dialog.query_one("#error", Static).render())
            assert dialog.query_one("#ok", Button).disabled
            dialog.query_one("#name", Input).value = "mykubecluster"
            await pilot.pause()
            assert str(dialog.query_one("#command", Static).render()) == JOURNEY_COMMAND
            assert not dialog.query_one("#ok", Button).disabled
            # Only listings ran so far: nothing is created before the user confirms.
            assert {tuple(c[:2]) for c in standins.calls()} <= {
                ("cluster", "list"),
                ("get", "clusters"),
                ("profile", "list"),
            }
            dialog.query_one("#name", Input).focus()
            await pilot.press("enter")

            run = await _finish(pilot, app, lambda d: d.verification is not None)
            assert standins.calls("k3d")[1][:3] == ["cluster", "create", "mykubecluster"]
            log_lines = list(run.query_one("#output").lines)  # type: ignore[attr-defined]
            assert "INFO[0022] Cluster 'mykubecluster' created successfully!" in log_lines
            # The journey's first failure: the certificate does not cover the name in the kubeconfig.
            assert "not valid for localhost" in _text(app, "#diagnosis")
            assert f"https://127.0.0.1:{port}" in _text(app, "#diagnosis")
            fix = run.query_one("#fix", Button)
            assert fix.display
            await pilot.click("#fix")
            await until(pilot, lambda: run.verification is not None and run.verification.ok, "the fix")
            assert f"· connected to https://127.0.0.1:{port}" in _text(app, "#status")
            assert (
                kubeconfigs.server_of(standins.kubeconfig, "k3d-mykubecluster") == f"https://127.0.0.1:{port}"
            )
            await pilot.click("#cancel")  # now labelled Close

            await until(pilot, lambda: table.row_count == 1, "the new cluster in the table")
            assert app.selected == ["k3d-mykubecluster"]
            assert kubeconfigs.current_context(standins.kubeconfig) == "k3d-mykubecluster"
            assert table.get_row_at(0) == [
                "●",
                "k3d",
                "mykubecluster",
                "3/3 running",
                "running",
                "k3d-mykubecluster",
            ]
            assert "k3d-mykubecluster-agent-1" in _text(app, "#detail")


async def test_unreachable_docker_offers_the_builtin_cluster(standins: Standins) -> None:
    builtin = BuiltinProvider(kubeconfig=standins.kubeconfig)
    app = ClustersApp(_screen([K3dProvider(), builtin], standins))
    try:
        async with app.run_test(size=(120, 40)) as pilot:
            dialog = await _open_create(pilot, app, "lab")
            checks = str(dialog.query_one("#checks", Static).render())
            assert "✓ k3d found at" in checks
            assert "✗ The Docker engine is not reachable" in checks
            assert "use the built-in cluster, which needs no Docker" in checks
            assert dialog.query_one("#ok", Button).disabled
            offer = dialog.query_one("#builtin", Button)
            assert offer.display
            await pilot.click("#builtin")
            await until(pilot, lambda: dialog.provider_name in dialog.findings, "the built-in checks")
            assert dialog.query_one("#provider", Select).value == "builtin"
            assert str(dialog.query_one("#checks", Static).render()) == "✓ built-in needs nothing installed"
            assert "-m kubetui sim serve --state" in str(dialog.query_one("#command", Static).render())
            await pilot.click("#ok")
            run = await _finish(pilot, app, lambda d: d.verification is not None)
            assert run.verification is not None and run.verification.ok, run.verification
            await pilot.click("#cancel")
            table = app.clusters_screen.query_one(DataTable)
            await until(pilot, lambda: table.row_count == 1, "the built-in cluster row")
            assert table.get_row_at(0)[:3] == ["●", "builtin", "lab"]
            assert app.selected == ["kubetui-lab"]
    finally:
        await builtin.delete("lab").wait()
    assert builtin.pid("lab") is None


async def test_the_create_dialog_scrolls_to_its_buttons_at_80x24(standins: Standins) -> None:
    """The checks' advice makes the dialog taller than a small terminal: the keyboard still reaches every button."""
    app = ClustersApp(_screen([K3dProvider()], standins))
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await _open_create(pilot, app, "lab")
        screen_region = app.screen.region
        cancel = dialog.query_one("#cancel", Button)
        for _ in range(10):
            if app.focused is cancel:
                break
            await pilot.press("tab")
        assert app.focused is cancel
        await pilot.pause()
        assert screen_region.contains_region(cancel.region), (cancel.region, screen_region)
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, CreateClusterDialog), "the dialog to close")


async def test_cancel_stops_a_hanging_create(standins: Standins, monkeypatch) -> None:
    monkeypatch.setenv("STANDIN_HANG", "1")
    app = ClustersApp(_screen([LocalK3d()], standins))
    async with app.run_test(size=(120, 40)) as pilot:
        await _open_create(pilot, app, "slow")
        await pilot.click("#ok")
        run = await _finish(pilot, app, lambda d: (standins.dir / "hang.json").exists() and not d.finished)
        await until(pilot, lambda: "running ..." in _text(app, "#status"), "elapsed time")
        pids = standins.hang_pids()
        await pilot.click("#cancel")
        await until(pilot, lambda: run.finished, "the cancel", timeout=10)
        assert _text(app, "#status").startswith("cancelled after")
        for pid in (pids["pid"], pids["child"]):
            await until(pilot, lambda pid=pid: not alive(pid), f"process {pid} to end")
        await pilot.click("#cancel")
        assert app.selected == []


async def test_delete_asks_for_the_name_and_starts_on_cancel(standins: Standins) -> None:
    k3d = LocalK3d()
    assert await k3d.create(ClusterSpec("old", k3d.preset("single"))).wait() == 0
    app = ClustersApp(_screen([k3d], standins))
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.clusters_screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 1, "the cluster row")

        async def open_delete() -> DeleteClusterDialog:
            await pilot.press("ctrl+d")
            await until(pilot, lambda: isinstance(app.screen, DeleteClusterDialog), "the delete dialog")
            assert isinstance(app.screen, DeleteClusterDialog)
            return app.screen

        dialog = await open_delete()
        assert app.focused is dialog.query_one("#cancel")
        await pilot.press("enter")  # a stray enter cancels
        await until(pilot, lambda: app.screen is app.clusters_screen, "the dialog to close")
        assert ["cluster", "delete", "old"] not in standins.calls("k3d")

        dialog = await open_delete()
        dialog.query_one("#confirm", Input).value = "ol"
        await pilot.pause()
        assert dialog.query_one("#ok", Button).disabled
        dialog.query_one("#confirm", Input).value = "old"
        await pilot.pause()
        await pilot.click("#ok")
        run = await _finish(pilot, app)
        assert run.run.ok
        await pilot.click("#cancel")
        await until(pilot, lambda: table.row_count == 0, "the row to go")
        assert standins.calls("k3d")[-2] == ["cluster", "delete", "old"]


@pytest.mark.slow
async def test_stop_start_add_node_and_unsupported(standins: Standins) -> None:
    kind, k3d = KindProvider(), LocalK3d()
    assert await kind.create(ClusterSpec("k", kind.preset("single"))).wait() == 0
    assert await k3d.create(ClusterSpec("lab", k3d.preset("lab"))).wait() == 0
    app = ClustersApp(_screen([k3d, kind], standins))
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.clusters_screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count == 2, "both clusters")
        assert [table.get_row_at(i)[1:3] for i in range(2)] == [["k3d", "lab"], ["kind", "k"]]

        async def run_key(key: str) -> None:
            await pilot.press(key)
            await _finish(pilot, app)
            await pilot.click("#cancel")
            await until(pilot, lambda: app.screen is app.clusters_screen, "back to the view")
            await pilot.pause(0.3)

        await run_key("x")
        await until(pilot, lambda: table.get_row_at(0)[4] == "stopped", "stopped state")
        await run_key("s")
        await run_key("a")
        await until(pilot, lambda: table.get_row_at(0)[3] == "4/4 running", "the new node")
        assert ["node", "create", "lab-agent-2", "--cluster", "lab"] in standins.calls("k3d")
        table.move_cursor(row=1)
        await pilot.press("x")  # kind has no stop: a notice, nothing run
        await pilot.pause()
        assert app.screen is app.clusters_screen
        assert not any(c[0] == "stop" for c in standins.calls("kind"))
        await pilot.press("enter")
        await until(pilot, lambda: app.selected == ["kind-k"], "the context switch")
