"""Text that must not be cut at 80x24: describe's event messages, dialog explanations, the restart
confirmation, and a footer that keeps ``?`` and the focused pane's keys first."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.geometry import Region
from textual.widgets._footer import FooterKey

from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from kubetui.screens.dialogs import ConfirmDialog, RegistrySecretDialog
from kubetui.screens.object_view import ObjectScreen
from tests.ui.helpers import wait_for
from tests.ui.support import apply_manifest, make_app, pull_failing, screen_of, select

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_user_settings")]


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def rendered(widget: Any) -> str:
    """What the widget draws on its own region, row by row."""
    strips = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return "\n".join(strip.text for strip in strips)


def inside(widget: Any, container: Any) -> bool:
    outer = container.content_region
    return widget.region.x >= outer.x and widget.region.right <= outer.right


@asynccontextmanager
async def failing_myapp(kubeconfig: Path, api: Connection) -> AsyncIterator[tuple[Any, Any]]:
    """(app, pilot) at 80x24 with myapp applied, selected, and its pods seen failing to pull."""
    await apply_manifest(api, "myapp.yaml")
    app, _notes = make_app(kubeconfig)
    async with app.run_test(size=(80, 24)) as pilot:
        await select(pilot, app, "deployments", "myapp")
        await wait_for(pilot, lambda: pull_failing(app, "myapp"), timeout=60)
        yield app, pilot


async def test_describe_wraps_long_event_messages_inside_the_screen(
    sim: Any, kubeconfig: Path, api: Connection
) -> None:
    async with failing_myapp(kubeconfig, api) as (app, pilot):
        pods = app.session.store.list("pods", "default")
        await select(pilot, app, "pods", pods[0]["metadata"]["name"])
        await pilot.press("d")
        screen = await screen_of(pilot, app, ObjectScreen)
        body = screen.query_one("#object-body")
        await wait_for(pilot, lambda: "Events:" in rendered(body))
        assert body.size.width <= 80
        text = rendered(body)
        assert all(len(line.rstrip()) <= body.size.width for line in text.splitlines())
        # the kubelet's whole message is there, wrapped under the Message column
        assert "no basic auth credentials for registry.example.com" in words(text)


async def test_dialog_explanations_and_the_restart_question_wrap_inside_their_dialog(
    sim: Any, kubeconfig: Path, api: Connection
) -> None:
    async with failing_myapp(kubeconfig, api) as (app, pilot):
        await pilot.press("ctrl+r")
        dialog = await screen_of(pilot, app, RegistrySecretDialog)
        await pilot.pause()
        explain = dialog.query_one("#explain")
        assert inside(explain, dialog.query_one("#dialog"))
        assert "to pull registry.example.com/team/myapp:001." in words(rendered(explain))
        await pilot.press("escape")

        await pilot.press("r")
        confirm = await screen_of(pilot, app, ConfirmDialog)
        await pilot.pause()
        message = confirm.query_one("#message")
        assert inside(message, confirm.query_one("#dialog"))
        assert words(confirm.message) == words(rendered(message))


async def test_the_footer_keeps_help_and_the_focused_panes_keys_first(
    sim: Any, kubeconfig: Path, api: Connection
) -> None:
    async with failing_myapp(kubeconfig, api) as (app, pilot):

        def keys() -> list[str]:
            return [key.key for key in app.screen.query(FooterKey) if key.region.right <= 80]

        await wait_for(pilot, lambda: keys() and keys()[0] == "question_mark")
        assert "ctrl+r" in keys()  # the pull-Secret key, while myapp's pods cannot pull
        assert "s" in keys()  # Scale, an action on the focused Deployments pane
        app.screen.focus_pane("logs")
        # the footer is rebuilt for the new focus: empty for a moment, which is not yet the answer
        await wait_for(pilot, lambda: keys()[:1] == ["question_mark"] and "f" in keys()[:3])
        assert "s" in keys()  # Save, the Logs pane's own key, is on screen


async def test_yaml_keys_come_in_kubectls_order(sim: Any, kubeconfig: Path, api: Connection) -> None:
    await ops.create_deployment(api, "default", "web", "nginx:1.27")
    app, _notes = make_app(kubeconfig)
    async with app.run_test(size=(120, 40)) as pilot:
        await select(pilot, app, "deployments", "web")
        await pilot.press("y")
        screen = await screen_of(pilot, app, ObjectScreen)
        text = rendered(screen.query_one("#object-body"))
        top = [line.split(":")[0] for line in text.splitlines() if re.match(r"^[a-zA-Z]+:", line)]
        assert top == ["apiVersion", "kind", "metadata", "spec", "status"]
