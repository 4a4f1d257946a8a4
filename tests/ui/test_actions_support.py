"""Shared pieces of the action tests (no tests here): an app on the built-in cluster, rows, the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

import kubetui.screens.dialogs.handlers  # noqa: F401  (registers the action handlers)
from kubetui.app import KubeApp
from kubetui.cluster.connection import Connection
from kubetui.session import SessionConfig
from tests.ui.helpers import wait_for


@pytest.fixture
async def api(kubeconfig: Path) -> AsyncIterator[Connection]:
    """A connection of the test's own, to set things up and to check the cluster afterwards."""
    conn = await Connection.open(kubeconfig_path=str(kubeconfig))
    yield conn
    await conn.close()


@pytest.fixture(autouse=True)
def no_user_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the person's own kubetui settings (keymap, theme, read-only contexts) out of the tests."""
    for var in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))


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
