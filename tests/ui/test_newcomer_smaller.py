"""Smaller things a newcomer trips over: read-only change keys that say why nothing happens, namespaces that
do not exist, the API server's endpoints in a traffic path, and the wait after a pull Secret."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets._footer import FooterKey

from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from tests.ui.helpers import wait_for
from tests.ui.support import apply_manifest, make_app, select

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_user_settings")]


async def test_read_only_change_keys_say_they_are_off(sim: Any, kubeconfig: Path, api: Connection) -> None:
    await ops.create_deployment(api, "default", "web", "nginx:1.27")
    app, notes = make_app(kubeconfig, readonly=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deployments", "web")
        main = app.screen
        for key, said in (
            ("s", "read-only: scaling is off"),
            ("ctrl+d", "read-only: deleting is off"),
            ("i", "read-only: setting images is off"),
            ("n", "read-only: creating Deployments is off"),
        ):
            await pilot.press(key)
            await wait_for(pilot, lambda said=said: said in notes.text())
            assert app.screen is main
        shown = {key.key for key in main.query(FooterKey)}
        assert not shown & {"s", "ctrl+d", "i", "n", "u", "r"}  # the footer offers no change


async def test_a_namespace_that_does_not_exist_is_said_and_can_be_created(
    sim: Any, kubeconfig: Path, api: Connection
) -> None:
    from kubetui.screens.dialogs import ConfirmDialog
    from tests.ui.support import screen_of

    app, notes = make_app(kubeconfig)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.session.store.find("namespaces", None, "default"))
        await pilot.press("colon", *"ns doesnotexist", "enter")
        dialog = await screen_of(pilot, app, ConfirmDialog)
        assert "does not exist" in dialog.title_text
        await pilot.press("escape")
        await wait_for(pilot, lambda: 'namespace "doesnotexist" does not exist' in notes.text())
        assert app.session.namespace == "default"

        await pilot.press("colon", *"ns team-a", "enter")
        await screen_of(pilot, app, ConfirmDialog)
        await pilot.press("enter")  # "Create and switch" has focus
        await wait_for(pilot, lambda: app.session.namespace == "team-a")
        assert "namespace/team-a created" in notes.text()
    created = await api.request("GET", "/api/v1/namespaces/team-a")
    assert created["metadata"]["name"] == "team-a"


async def test_the_api_servers_endpoints_are_not_shown_as_pods(sim: Any, kubeconfig: Path) -> None:
    from kubetui.widgets.traffic import TrafficPathView
    from tests.ui.helpers import plain

    app, _notes = make_app(kubeconfig)
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "services", "kubernetes")
        view = app.screen.query_one(TrafficPathView)
        await wait_for(pilot, lambda: "→ API server" in plain(view.content))
        text = plain(view.content)
        assert "→ pod" not in text and "on ?" not in text


def test_the_next_pull_retry_follows_the_kubelets_back_off() -> None:
    from kubetui.screens.dialogs.pull_backoff import backoff_note, next_pull_retry

    pod = {"metadata": {"name": "myapp-1", "uid": "u1"}}

    def failed(count: int, at: str) -> dict[str, Any]:
        return {
            "involvedObject": {"uid": "u1"},
            "reason": "Failed",
            "message": 'Failed to pull image "registry.example.com/team/myapp:001": denied',
            "count": count,
            "lastTimestamp": at,
        }

    # the third failed pull at 12:00:00: the kubelet waits 10 s, 20 s, then 40 s
    due = next_pull_retry([failed(3, "2026-01-01T12:00:00Z")], pod)
    assert due is not None
    from kubetui.cluster.render_time import parse_time

    assert due - parse_time("2026-01-01T12:00:00Z") == 40  # type: ignore[operator]
    assert next_pull_retry([failed(30, "2026-01-01T12:00:00Z")], pod) == parse_time("2026-01-01T12:05:00Z")
    note = backoff_note([pod], lambda _p: "ImagePullBackOff", lambda _p: due, now=due - 25)
    assert "1 pod in ImagePullBackOff" in note and "next retry: myapp-1 in about 25 s" in note


async def test_the_rollout_view_explains_the_wait_for_the_next_pull(
    sim: Any, kubeconfig: Path, api: Connection
) -> None:
    from kubetui.screens.dialogs.flow import follow_rollout
    from tests.ui.helpers import shown

    await apply_manifest(api, "myapp.yaml")
    app, _notes = make_app(kubeconfig)
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deployments", "myapp")
        rollout = follow_rollout(app, app.session, "default", "myapp", "Applied")
        await wait_for(pilot, lambda: app.screen is rollout and rollout.query("#backoff"))
        backoff = rollout.query_one("#backoff")
        await wait_for(pilot, lambda: "next retry:" in shown(backoff), timeout=60)
        assert "in ImagePullBackOff: the kubelet pulls again after a back-off" in shown(backoff)
