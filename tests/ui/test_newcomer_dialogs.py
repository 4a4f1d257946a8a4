"""Dialogs that keep what was typed: placeholders that cannot pass for values, a server's refusal shown beside
its field with the dialog still open, and notices that never cover a dialog's buttons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from kubetui.screens.dialogs import ExposeDialog, NewDeploymentDialog
from tests.ui.helpers import wait_for
from tests.ui.support import make_app, screen_of, select

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_user_settings")]


async def test_placeholders_read_as_examples(sim: Any, kubeconfig: Path) -> None:
    app, _notes = make_app(kubeconfig)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.session.conn is not None)
        await pilot.press("n")
        dialog = await screen_of(pilot, app, NewDeploymentDialog)
        for field in dialog.query(Input):
            assert not field.placeholder or field.placeholder.startswith("e.g. "), field.placeholder


async def test_a_refused_create_keeps_the_dialog_and_says_why_beside_the_name(
    sim: Any, kubeconfig: Path, api: Connection
) -> None:
    await ops.create_deployment(api, "default", "web", "nginx:1.27")
    app, notes = make_app(kubeconfig)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.session.conn is not None)
        await pilot.press("n")
        dialog = await screen_of(pilot, app, NewDeploymentDialog)
        dialog.query_one("#name", Input).value = "web"
        dialog.query_one("#image", Input).value = "nginx:1.29"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "already exists" in dialog.error, timeout=45)
        assert app.screen is dialog
        assert dialog.query_one("#image", Input).value == "nginx:1.29"  # nothing typed is lost
        beside = dialog.query_one("#name").parent.children  # the error sits right under the name field
        names = [w.id or " ".join(w.classes) for w in beside]
        assert names[names.index("name") + 1] == "field-error"
        assert not any(sev == "error" for sev, _ in notes)
        dialog.query_one("#name", Input).value = "web2"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is not dialog, timeout=45)
    assert (await api.request("GET", "/apis/apps/v1/namespaces/default/deployments/web2"))["metadata"]


async def test_a_missing_namespace_is_said_in_the_dialog(sim: Any, kubeconfig: Path) -> None:
    app, _notes = make_app(kubeconfig)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.session.conn is not None)
        app.session.namespace = "nowhere"
        await pilot.press("n")
        dialog = await screen_of(pilot, app, NewDeploymentDialog)
        dialog.query_one("#name", Input).value = "web"
        dialog.query_one("#image", Input).value = "nginx:1.29"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "nowhere" in dialog.error and "not found" in dialog.error, timeout=45)
        assert app.screen is dialog and dialog.query_one("#error").display


async def test_notices_never_cover_the_dialogs_buttons(sim: Any, kubeconfig: Path, api: Connection) -> None:
    await ops.create_deployment(api, "default", "web", "nginx:1.27")
    app, _notes = make_app(kubeconfig)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await select(pilot, app, "deployments", "web")
        await pilot.press("x")
        dialog = await screen_of(pilot, app, ExposeDialog)
        app.notify("x" * 600, title="a long error", severity="error", timeout=30)
        await wait_for(pilot, lambda: dialog.query_one("#notices").display)
        await pilot.pause()
        buttons = dialog.query_one("#buttons").region
        for widget in app.screen.query("Toast"):
            assert not widget.region.overlaps(buttons)
        notices = dialog.query_one("#notices")
        assert notices.region.height <= 4 and not notices.region.overlaps(buttons)


async def test_notices_on_the_main_screen_are_short(sim: Any, kubeconfig: Path) -> None:
    app, _notes = make_app(kubeconfig)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.session.conn is not None)
        app.notify("word " * 120, title="a long error", severity="error", timeout=30)
        await wait_for(pilot, lambda: list(app.screen.query("Toast")))
        await pilot.pause()
        for toast in app.screen.query("Toast"):
            assert toast.region.height <= 5
