"""Driving the app in UI tests: the app on a kubeconfig recording its notices, rows and dialogs, the API, the
manifests the journey applies. Fixtures live in conftest.py."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import kubetui.screens.dialogs.handlers  # noqa: F401  (registers the action handlers)
from kubetui.app import KubeApp
from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from kubetui.screens.main import MainScreen
from kubetui.screens.pull_failures import pull_failure
from kubetui.session import SessionConfig
from tests.ui.helpers import wait_for

MANIFESTS = Path(__file__).resolve().parents[2] / "manifests"


@asynccontextmanager
async def on_main_screen(
    app: KubeApp, size: tuple[int, int] = (160, 48), pods: int | None = None
) -> AsyncIterator[tuple[Any, MainScreen]]:
    """(pilot, main screen) of ``app`` running at ``size``; with ``pods``, once the Pods pane shows that many."""
    async with app.run_test(size=size) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        if pods is not None:
            await wait_for(pilot, lambda: screen.table("pods").row_count == pods)
        yield pilot, screen


class Notes(list[tuple[str, str]]):
    """(severity, message) of every notification the app showed."""

    def text(self) -> str:
        return "\n".join(message for _severity, message in self)


def make_app(kubeconfig: Path, readonly: bool = False) -> tuple[KubeApp, Notes]:
    """The app on ``kubeconfig``, recording its notifications."""
    app = KubeApp(SessionConfig(kubeconfig=str(kubeconfig), namespace="default", readonly=readonly))
    notes = Notes()
    notify = app.notify

    def recording(message: str, **kw: Any) -> None:
        notes.append((str(kw.get("severity", "information")), str(message)))
        notify(message, **kw)

    app.notify = recording  # type: ignore[method-assign]
    return app, notes


async def select(pilot: Any, app: KubeApp, kind: str, name: str) -> dict[str, Any]:
    """Focus ``kind``'s pane and put the cursor on ``name`` once the watch has brought it."""
    obj = await wait_for(pilot, lambda: app.session.store.find(kind, "default", name), timeout=30)
    table = app.screen.table(kind)  # type: ignore[attr-defined]
    table.focus()
    await wait_for(pilot, lambda: table.select_uid(obj["metadata"]["uid"]))
    await pilot.pause()
    return obj


async def screen_of(pilot: Any, app: KubeApp, cls: type, timeout: float = 30) -> Any:
    """Wait until the top screen is a ``cls`` and return it."""
    return await wait_for(pilot, lambda: isinstance(app.screen, cls) and app.screen, timeout=timeout)


async def get(api: Connection, kind: str, name: str) -> dict[str, Any]:
    prefix = "/api/v1" if kind in ("services", "secrets", "pods") else "/apis/apps/v1"
    return await api.request("GET", f"{prefix}/namespaces/default/{kind}/{name}")


async def exists(api: Connection, kind: str, name: str) -> bool:
    prefix = "/api/v1" if kind in ("services", "secrets", "pods") else "/apis/apps/v1"
    listed = await api.request("GET", f"{prefix}/namespaces/default/{kind}")
    return any(item["metadata"]["name"] == name for item in listed.get("items") or [])


async def apply_manifest(api: Connection, name: str) -> None:
    """``kubectl apply -f manifests/NAME`` into the default namespace."""
    await ops.apply_manifests(api, (MANIFESTS / name).read_text(), "default")


def pull_failing(app: KubeApp, name: str) -> bool:
    """Whether the app sees the pods of Deployment ``name`` (namespace default) failing to pull their image."""
    deployment = app.session.store.find("deployments", "default", name)
    return deployment is not None and pull_failure(app.session.store, deployment) is not None


def revision(obj: dict[str, Any]) -> int:
    return int(obj["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision", 0))


def image(obj: dict[str, Any]) -> str:
    return str(obj["spec"]["template"]["spec"]["containers"][0]["image"])


async def press_ok(pilot: Any, screen: Any) -> None:
    """Tab to the dialog's OK button and press enter (keyboard, so independent of where layout puts it)."""
    ok = screen.query_one("#ok")
    while ok.has_class("-active"):  # a Button ignores presses during its 0.2 s pressed look
        await pilot.pause(0.05)
    ok.focus()
    await pilot.press("enter")
