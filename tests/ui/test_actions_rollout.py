"""Set image, rollout undo and restart against the built-in cluster, watched in the rollout view."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from kubetui.app import KubeApp
from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from kubetui.screens.dialogs import ConfirmDialog, RolloutScreen, RolloutUndoDialog, SetImageDialog
from tests.ui.helpers import shown, wait_for
from tests.ui.support import Notes, get, image, make_app, revision, screen_of, select

# Each test starts the app on a live built-in cluster and waits for real rollouts: several seconds each.
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_user_settings")]

V1 = "gcr.io/google-samples/kubernetes-bootcamp:v1"
V2 = "docker.io/jocatalin/kubernetes-bootcamp:v2"
BROKEN = "docker.io/jocatalin/kubernetes-bootcamp:no-such-tag"


@asynccontextmanager
async def bootcamp(
    kubeconfig: Path, api: Connection, replicas: int = 2, size: tuple[int, int] = (160, 48)
) -> AsyncIterator[tuple[KubeApp, Notes, Any]]:
    """(app, notes, pilot): kubernetes-bootcamp at v1 with ``replicas`` pods, selected in the app at ``size``."""
    await ops.create_deployment(api, "default", "kubernetes-bootcamp", V1, replicas=replicas)
    app, notes = make_app(kubeconfig)
    async with app.run_test(size=size) as pilot:
        await select(pilot, app, "deployments", "kubernetes-bootcamp")
        yield app, notes, pilot


def pull_waiting(app: KubeApp, reasons: tuple[str, ...]) -> bool:
    """Whether a pod's first container waits for one of ``reasons`` (ErrImagePull, ImagePullBackOff)."""
    return any(
        (p.get("status", {}).get("containerStatuses") or [{}])[0]
        .get("state", {})
        .get("waiting", {})
        .get("reason")
        in reasons
        for p in app.session.store.list("pods", "default")
    )


async def test_set_image_refuses_no_change_then_rolls_out_a_new_revision(
    sim: Any, kubeconfig: Path, api: Connection
) -> None:
    async with bootcamp(kubeconfig, api) as (app, _notes, pilot):
        await wait_for(
            pilot,
            lambda: (
                app.session.store.find("deployments", "default", "kubernetes-bootcamp")
                .get("status", {})
                .get("readyReplicas")
                == 2
            ),
            timeout=20,
        )
        await pilot.press("i")
        dialog = await screen_of(pilot, app, SetImageDialog)
        field = dialog.query_one("#image-0", Input)
        assert field.value == V1
        await pilot.press("enter")
        await pilot.pause()
        assert "no image changed" in dialog.error and app.screen is dialog
        field.value = V2
        await pilot.pause()
        assert f"kubernetes-bootcamp: {V1} -> {V2}" in shown(dialog.query_one("#change", Static))
        await pilot.press("enter")
        rollout = await screen_of(pilot, app, RolloutScreen)
        seen_two_replicasets = await wait_for(
            pilot, lambda: len(rollout.progress.replicasets) == 2, timeout=20
        )
        await wait_for(pilot, lambda: rollout.outcome == "complete", timeout=30)
        assert seen_two_replicasets
        new, old = rollout.progress.replicasets
        assert (new.revision, new.desired, new.newest) == (2, 2, True)
        assert (old.revision, old.desired, old.newest) == (1, 0, False)
    deployment = await get(api, "deployments", "kubernetes-bootcamp")
    assert image(deployment) == V2 and revision(deployment) == 2


async def test_a_rollout_stuck_pulling_says_so_once_with_the_registry_offer(
    sim: Any, kubeconfig: Path, api: Connection
) -> None:
    """The rollout view, its stuck callback and the explorer all notice the pull failure: one notice, not three."""
    async with bootcamp(kubeconfig, api, replicas=1, size=(80, 24)) as (app, notes, pilot):
        await pilot.press("i")
        dialog = await screen_of(pilot, app, SetImageDialog)
        dialog.query_one("#image-0", Input).value = BROKEN
        await pilot.pause()
        await pilot.press("enter")
        rollout = await screen_of(pilot, app, RolloutScreen)
        await wait_for(pilot, lambda: rollout.progress.stuck, timeout=30)

        await wait_for(
            pilot, lambda: pull_waiting(app, ("ImagePullBackOff",)), timeout=30
        )  # the pods changed again: the explorer saw them too
        await pilot.pause(0.5)
        offers = [m for _sev, m in notes if "registry needs credentials" in m]
        assert len(offers) == 1, notes
        # whichever pull failure the pods were in when it was noticed (updates may arrive coalesced)
        assert ("ErrImagePull" in offers[0] or "ImagePullBackOff" in offers[0]) and "ctrl+r" in offers[0]
        assert not any(m.startswith("New pods of") for _sev, m in notes), notes


async def test_undo_rolls_back_a_stuck_rollout_to_the_preselected_revision(
    sim: Any, kubeconfig: Path, api: Connection
) -> None:
    async with bootcamp(kubeconfig, api) as (app, _notes, pilot):
        await ops.set_image(api, "default", "kubernetes-bootcamp", {"kubernetes-bootcamp": BROKEN})
        # The new pods cannot pull: the rollout is still in progress when the person presses u.
        await wait_for(pilot, lambda: pull_waiting(app, ("ErrImagePull", "ImagePullBackOff")), timeout=20)
        await pilot.press("u")
        dialog = await screen_of(pilot, app, RolloutUndoDialog)
        assert dialog.chosen == 1
        assert [r.revision for r in dialog.revisions] == [2, 1]
        diff = shown(dialog.query_one("#diff", Static))
        assert f"-  - image: {BROKEN}" in diff and f"+  - image: {V1}" in diff
        await pilot.press("enter")
        rollout = await screen_of(pilot, app, RolloutScreen)
        await wait_for(pilot, lambda: rollout.outcome == "complete", timeout=30)
    deployment = await get(api, "deployments", "kubernetes-bootcamp")
    assert image(deployment) == V1
    assert revision(deployment) == 3  # the old template comes back as the newest revision
    history = await ops.rollout_history(api, "default", "kubernetes-bootcamp")
    assert [(r.revision, r.current) for r in history][-1] == (3, True)


async def test_undo_to_a_revision_that_vanished_is_refused(
    sim: Any, kubeconfig: Path, api: Connection
) -> None:
    async with bootcamp(kubeconfig, api, replicas=1) as (app, notes, pilot):
        await ops.set_image(api, "default", "kubernetes-bootcamp", {"kubernetes-bootcamp": V2})
        await wait_for(pilot, lambda: len(app.session.store.list("replicasets", "default")) == 2, timeout=20)
        await pilot.press("u")
        dialog = await screen_of(pilot, app, RolloutUndoDialog)
        assert dialog.chosen == 1
        # Revision 1's ReplicaSet is removed while the dialog is open: the choice no longer exists.
        old = next(r for r in dialog.revisions if r.revision == 1)
        await ops.delete(api, "replicasets", "default", old.rs_name)
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(sev == "error" for sev, _ in notes), timeout=10)
        assert "revision 1" in notes.text()
    deployment = await get(api, "deployments", "kubernetes-bootcamp")
    assert image(deployment) == V2 and revision(deployment) == 2


async def test_restart_replaces_every_pod_after_confirming(
    sim: Any, kubeconfig: Path, api: Connection
) -> None:
    async with bootcamp(kubeconfig, api) as (app, _notes, pilot):
        await wait_for(pilot, lambda: len(app.session.store.list("pods", "default")) == 2, timeout=20)
        before = {p["metadata"]["name"] for p in app.session.store.list("pods", "default")}
        await pilot.press("r")
        await screen_of(pilot, app, ConfirmDialog)
        await pilot.press("escape")  # cancelled: nothing restarts
        await pilot.pause()
        assert revision(await get(api, "deployments", "kubernetes-bootcamp")) == 1
        await pilot.press("r")
        await screen_of(pilot, app, ConfirmDialog)
        await pilot.press("enter")
        rollout = await screen_of(pilot, app, RolloutScreen)
        await wait_for(pilot, lambda: rollout.outcome == "complete", timeout=30)
        after = {p.name for p in rollout.progress.pods if p.state == "Running"}
        assert len(after) == 2 and not after & before
    deployment = await get(api, "deployments", "kubernetes-bootcamp")
    assert revision(deployment) == 2
    assert "kubectl.kubernetes.io/restartedAt" in deployment["spec"]["template"]["metadata"]["annotations"]
