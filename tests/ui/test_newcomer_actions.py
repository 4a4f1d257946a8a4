"""Actions aimed at the right object: the pull-Secret offer keeps its Deployment (also from the rollout view),
image references the kubelet cannot parse are refused in the dialog, and the rollout view follows deletions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Label

from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from kubetui.screens.dialogs import (
    ApplyPreviewDialog,
    ManifestPickerDialog,
    RegistrySecretDialog,
    RolloutScreen,
    SetImageDialog,
)
from kubetui.screens.dialogs.flow import follow_rollout
from kubetui.sim.server import SimServer
from tests.ui.helpers import screen_text, wait_for
from tests.ui.support import MANIFESTS, apply_manifest, make_app, pull_failing, screen_of, select

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_user_settings")]


async def test_the_pull_secret_offer_names_its_deployment_and_keeps_it_when_the_cursor_moves(
    sim: Any, kubeconfig: Path, api: Connection
) -> None:
    await ops.create_deployment(api, "default", "hello-node", "registry.k8s.io/e2e-test-images/agnhost:2.39")
    await apply_manifest(api, "myapp.yaml")
    app, notes = make_app(kubeconfig)
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deployments", "myapp")
        await wait_for(pilot, lambda: "add it to Deployment myapp" in notes.text(), timeout=60)
        await select(pilot, app, "deployments", "hello-node")  # the person moves on, then presses the key
        await pilot.press("ctrl+r")
        dialog = await screen_of(pilot, app, RegistrySecretDialog)
        assert dialog.deployment == "myapp"
        assert "Deployment default/myapp" in dialog.title_text
        assert "Deployment myapp" in str(dialog.query_one("#explain", Label).content)


async def test_the_pull_secret_key_works_inside_the_rollout_view(
    sim: Any, kubeconfig: Path, api: Connection
) -> None:
    await ops.create_deployment(api, "default", "hello-node", "registry.k8s.io/e2e-test-images/agnhost:2.39")
    app, _notes = make_app(kubeconfig)
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deployments", "hello-node")
        app.screen.table("pods").focus()  # as the person did: apply from the Pods pane
        await pilot.press("a")
        picker = await screen_of(pilot, app, ManifestPickerDialog)
        await pilot.press("tab")
        picker.query_one("#path", Input).value = str(MANIFESTS / "myapp.yaml")
        await pilot.press("enter")
        await screen_of(pilot, app, ApplyPreviewDialog)
        await pilot.press("enter")
        rollout = await screen_of(pilot, app, RolloutScreen)
        await wait_for(pilot, lambda: pull_failing(app, "myapp"), timeout=60)
        await wait_for(pilot, lambda: "ctrl+r: add a pull Secret to Deployment myapp" in screen_text(app))
        await pilot.press("ctrl+r")
        dialog = await screen_of(pilot, app, RegistrySecretDialog)
        assert dialog.deployment == "myapp"
        assert rollout not in app.screen_stack  # the view gave way; the Secret's rollout gets its own


async def test_an_image_reference_that_cannot_parse_is_refused_in_the_dialog(
    sim: Any, kubeconfig: Path, api: Connection
) -> None:
    await ops.create_deployment(api, "default", "web", "nginx:1.27")
    app, _notes = make_app(kubeconfig)
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deployments", "web")
        await pilot.press("i")
        dialog = await screen_of(pilot, app, SetImageDialog)
        dialog.query_one("#image-0", Input).value = "nginx:::bad"
        await pilot.press("enter")
        await wait_for(pilot, lambda: "InvalidImageName" in dialog.error)
        assert "invalid reference format" in dialog.error
        assert app.screen is dialog


async def test_the_rollout_view_drops_pods_once_they_are_deleted(tmp_path: Path) -> None:
    """Scaled down, the rollout completes at once while the removed pods terminate (busybox ignores SIGTERM:
    the whole grace period); once they are gone the view must not go on listing them."""
    async with SimServer(scenario="empty", nodes=1, speed=3.0) as sim:
        kubeconfig = sim.write_kubeconfig(tmp_path / "kubeconfig")
        conn = await Connection.open(kubeconfig_path=str(kubeconfig))
        try:
            await ops.create_deployment(
                conn, "default", "web", "busybox", replicas=3, command=["sleep", "3600"]
            )
            app, _notes = make_app(kubeconfig)
            async with app.run_test(size=(160, 48)) as pilot:
                await select(pilot, app, "deployments", "web")

                def pods() -> set[str]:
                    return {p["metadata"]["name"] for p in app.session.store.list("pods", "default")}

                def running() -> int:
                    return sum(
                        1
                        for p in app.session.store.list("pods", "default")
                        if (p.get("status") or {}).get("phase") == "Running"
                    )

                # Running first: a pod deleted before its container started has nothing to wait for and goes
                # at once, never Terminating.
                await wait_for(pilot, lambda: len(pods()) == 3 and running() == 3, timeout=30)
                result = await ops.scale(conn, "deployments", "default", "web", 1)
                rollout = follow_rollout(app, app.session, "default", "web", "Scale", result)
                terminating: set[str] = set()  # the pods the view has shown as Terminating

                def complete_having_shown_terminating() -> bool:
                    # Watched from the scale on: on a loaded machine the grace period may end before the
                    # rollout is seen complete, and the Terminating rows would be missed by a later look.
                    terminating.update(p.name for p in rollout.progress.pods if p.state == "Terminating")
                    return rollout.outcome == "complete" and len(terminating) == 2

                try:
                    await wait_for(pilot, complete_having_shown_terminating, timeout=40)
                except AssertionError:
                    shown = [(p.name, p.state) for p in rollout.progress.pods]
                    raise AssertionError(
                        f"outcome {rollout.outcome!r}, shown Terminating {sorted(terminating)}, rows {shown}, "
                        f"pods {sorted(pods())}"
                    ) from None
                await wait_for(pilot, lambda: len(pods()) == 1, timeout=60)  # the grace period is over
                await wait_for(pilot, lambda: {p.name for p in rollout.progress.pods} == pods(), timeout=5)
                table = rollout.query_one("#pods")
                assert [row.key.value for row in table.ordered_rows] == sorted(pods())
        finally:
            await conn.close()
