"""--readonly covers the local clusters too: create, start, stop, delete and add-node are refused at one gate."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from textual.app import App
from textual.widgets import DataTable

from kubetui.cluster.errors import ReadOnlyError
from kubetui.providers import kubeconfigs
from kubetui.providers.base import MUTATIONS, ClusterSpec, Provider
from kubetui.providers.builtin import BuiltinProvider
from kubetui.providers.kind import KindProvider
from kubetui.screens.clusters import ClustersScreen
from kubetui.screens.clusters_dialogs import CreateClusterDialog, DeleteClusterDialog, RunDialog
from tests.providers.conftest import Standins, make_standins


@pytest.fixture
def standins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Standins:
    return make_standins(tmp_path, monkeypatch)


def test_every_provider_mutation_is_behind_the_gate() -> None:
    """A provider written later gets the gate too: its own definitions are wrapped when the class is made."""

    class Later(KindProvider):
        def delete(self, name: str) -> Any:
            raise AssertionError("the gate must refuse before the provider's own code runs")

    for cls in (*Provider.__subclasses__(), Later):
        for op in MUTATIONS:
            assert getattr(getattr(cls, op), "__kubetui_gated__", False), f"{cls.__name__}.{op}"
    later = Later()
    later.readonly = True
    with pytest.raises(ReadOnlyError, match="refusing to delete cluster k"):
        later.delete("k")


def test_readonly_builtin_provider_refuses_before_touching_disk(standins: Standins) -> None:
    provider = BuiltinProvider(kubeconfig=standins.kubeconfig)
    provider.readonly = True
    spec = ClusterSpec("lab", provider.preset("single"))
    calls = {
        "create": lambda: provider.create(spec),
        "start": lambda: provider.start("lab"),
        "stop": lambda: provider.stop("lab"),
        "delete": lambda: provider.delete("lab"),
        "add_node": lambda: provider.add_node("lab", "kubetui-worker"),
    }
    for op, call in calls.items():
        with pytest.raises(ReadOnlyError, match="kubetui is read-only"):
            call()
        assert not provider.root.exists(), op
    assert not standins.kubeconfig.exists()


@pytest.mark.slow
async def test_add_node_posts_through_the_connection_gate(standins: Standins) -> None:
    """Add-node's request goes through Connection: a run built before read-only was set still cannot write."""
    provider = BuiltinProvider(kubeconfig=standins.kubeconfig)
    assert await provider.create(ClusterSpec("lab", provider.preset("single"))).wait() == 0
    try:
        run = provider.add_node("lab", "kubetui-worker")
        provider.readonly = True  # the run's own HTTP must still meet the gate
        assert await run.wait() == 1
        assert any("refusing to create nodes" in line for line in run.output), run.output
        provider.readonly = False
        nodes = await _node_names(provider)
        assert nodes == ["kubetui-control-plane"] or "kubetui-worker" not in nodes
    finally:
        provider.readonly = False
        await provider.delete("lab").wait()


async def _node_names(provider: BuiltinProvider) -> list[str]:
    from kubetui.cluster.connection import Connection

    async with await Connection.open(str(provider.kubeconfig_path("lab")), "kubetui-sim") as conn:
        return [n["metadata"]["name"] for n in (await conn.request("GET", "/api/v1/nodes"))["items"]]


class ReadonlyApp(App[None]):
    """Just the clusters view, under an app whose session is read-only."""

    def __init__(self, screen: ClustersScreen) -> None:
        super().__init__()
        self.session = SimpleNamespace(readonly=True, config=SimpleNamespace(kubeconfig=None))
        self.clusters_screen = screen
        self.notes: list[str] = []

    def on_mount(self) -> None:
        self.push_screen(self.clusters_screen)

    def notify(self, message: str, **kwargs: Any) -> None:  # type: ignore[override]
        self.notes.append(message)
        super().notify(message, **kwargs)


@pytest.mark.slow
async def test_readonly_clusters_view_refuses_every_change(standins: Standins) -> None:
    kind = KindProvider()
    assert await kind.create(ClusterSpec("k", kind.preset("single"))).wait() == 0
    before = standins.calls("kind")
    context_before = kubeconfigs.current_context(standins.kubeconfig)
    screen = ClustersScreen([kind], standins.kubeconfig, docker_url=f"unix://{standins.dir}/none.sock")
    app = ReadonlyApp(screen)
    async with app.run_test(size=(120, 40)) as pilot:
        table = screen.query_one(DataTable)
        for _ in range(200):
            if table.row_count:
                break
            await pilot.pause(0.05)
        assert table.row_count == 1
        assert kind.readonly
        for key, what in (
            ("c", "create a cluster"),
            ("s", "start"),
            ("x", "stop"),
            ("a", "add a node"),
            ("ctrl+d", "delete"),
        ):
            await pilot.press(key)
            await pilot.pause(0.1)
            assert not isinstance(app.screen, CreateClusterDialog | DeleteClusterDialog | RunDialog), key
            assert app.notes and app.notes[-1] == f"kubetui is read-only: refusing to {what}", (
                key,
                app.notes,
            )
    # Listing ("kind get clusters", "kind get nodes") is all that ran.
    assert [c for c in standins.calls("kind")[len(before) :] if c[0] != "get"] == []
    assert kubeconfigs.current_context(standins.kubeconfig) == context_before
