"""Memory follows what is viewed, on both clusters: with a namespace shown, the store holds that namespace's
objects only; switching namespace shows the new one's rows and drops the old one's objects; all namespaces
bring everything back."""

from __future__ import annotations

from kubetui.app import KubeApp
from kubetui.cluster.watch import KIND_INFO
from kubetui.config import Settings
from kubetui.screens.main import MainScreen
from kubetui.session import SessionConfig
from tests.backends import Backend
from tests.realk8s.conftest import deployment
from tests.ui.helpers import wait_for


def _rows(screen: MainScreen, kind: str) -> set[str]:
    """The names of the objects the pane's rows show."""
    store = screen.session.store
    return {store.get(kind, uid)["metadata"]["name"] for uid in screen.table(kind).ordered_uids()}


def _held_namespaces(app: KubeApp) -> set[str]:
    """The namespaces of every namespaced object the store holds."""
    store = app.session.store
    namespaced = [kind for kind, info in KIND_INFO.items() if info.namespaced]
    return {o["metadata"]["namespace"] for kind in namespaced for o in store.list(kind)}


async def test_switching_namespace_moves_the_watches(backend: Backend) -> None:
    first, second = await backend.namespace("one"), await backend.namespace("two")
    for ns, name in ((first, "first-app"), (second, "second-app")):
        await backend.conn.request(
            "POST", f"/apis/apps/v1/namespaces/{ns}/deployments", body=deployment(name, 1)
        )
    app = KubeApp(SessionConfig(kubeconfig=str(backend.kubeconfig), namespace=first), settings=Settings())
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await wait_for(pilot, lambda: _rows(screen, "deployments") == {"first-app"}, timeout=60)
        await wait_for(pilot, lambda: len(_rows(screen, "pods")) == 1, timeout=60)
        assert _held_namespaces(app) == {first}
        # Nodes are watched cluster-wide; their list goes out once the Pods list's first page is in, so it may
        # land after the namespace's pods.
        await wait_for(pilot, lambda: app.session.store.count("nodes") >= 2, timeout=60)

        await pilot.press("colon", *f"ns {second}", "enter")
        await wait_for(pilot, lambda: _rows(screen, "deployments") == {"second-app"}, timeout=60)
        await wait_for(
            pilot, lambda: {r.split("-")[0] for r in _rows(screen, "pods")} == {"second"}, timeout=60
        )
        assert _held_namespaces(app) == {second}  # nothing of the first namespace is kept

        await pilot.press("0")  # all namespaces
        await wait_for(pilot, lambda: {"first-app", "second-app"} <= _rows(screen, "deployments"), timeout=60)
        assert {first, second} <= _held_namespaces(app)
