"""Apply a manifest and the private-registry help, against the built-in cluster."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from kubetui.screens.dialogs import (
    ApplyPreviewDialog,
    ManifestPickerDialog,
    RegistrySecretDialog,
    RolloutScreen,
)
from kubetui.screens.pull_failures import offer_pull_secret, pull_failure
from tests.ui.helpers import wait_for
from tests.ui.support import MANIFESTS, apply_manifest, exists, get, make_app, screen_of, select

# Each test starts the app on a live built-in cluster and waits for real rollouts: several seconds each.
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_user_settings")]


async def test_apply_refuses_a_half_bad_file_then_applies_a_bundled_manifest_after_its_dry_run(
    sim: Any, kubeconfig: Path, api: Connection, tmp_path: Path
) -> None:
    manifest = tmp_path / "half-bad.yaml"
    deployment, service = (MANIFESTS / "hello-node.yaml").read_text().split("\n---\n")
    manifest.write_text(
        deployment + "\n---\n" + service.replace("name: hello-node\n", "name: Hello_Node\n", 1)
    )
    app, notes = make_app(kubeconfig)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.session.conn is not None)
        await pilot.press("a")
        picker = await screen_of(pilot, app, ManifestPickerDialog)
        await pilot.press("tab")
        picker.query_one("#path").value = str(manifest)  # a long path: set, not typed key by key
        await pilot.press("enter")
        preview = await screen_of(pilot, app, ApplyPreviewDialog)
        assert [d.ok for d in preview.documents] == [True, False]
        assert "Hello_Node" in preview.documents[1].outcome
        await pilot.press("tab", "enter")  # focus starts on Cancel; Apply is refused anyway
        await wait_for(pilot, lambda: "Hello_Node" in preview.error)
        assert app.screen is preview
        await pilot.press("escape")
        assert not await exists(api, "deployments", "hello-node")  # nothing half-applied

        await pilot.press("a")
        picker = await screen_of(pilot, app, ManifestPickerDialog)
        assert picker.files[0].name == "hello-node.yaml"
        await pilot.press("enter")
        preview = await screen_of(pilot, app, ApplyPreviewDialog)
        assert [(d.kind, d.name, d.outcome) for d in preview.documents] == [
            ("Deployment", "hello-node", "created (server dry run)"),
            ("Service", "hello-node", "created (server dry run)"),
        ]
        assert not await exists(api, "deployments", "hello-node")  # a dry run stores nothing
        await pilot.press("enter")
        rollout = await screen_of(pilot, app, RolloutScreen)
        await wait_for(
            pilot,
            lambda: (
                "deployment/hello-node created" in notes.text()
                and "service/hello-node created" in notes.text()
            ),
        )
        await wait_for(pilot, lambda: rollout.outcome == "complete", timeout=60)
    service = await get(api, "services", "hello-node")
    assert service["spec"]["type"] == "LoadBalancer" and service["spec"]["ports"][0]["port"] == 8080
    assert (await get(api, "deployments", "hello-node"))["status"]["readyReplicas"] == 1


async def test_private_registry_help_creates_the_secret_and_the_pods_start(
    sim: Any, kubeconfig: Path, api: Connection
) -> None:
    await apply_manifest(api, "myapp.yaml")
    app, notes = make_app(kubeconfig)
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deployments", "myapp")

        def pull_failures() -> int:
            return sum(
                1
                for p in app.session.store.list("pods", "default")
                if (p.get("status", {}).get("containerStatuses") or [{}])[0]
                .get("state", {})
                .get("waiting", {})
                .get("reason")
                in ("ErrImagePull", "ImagePullBackOff")
            )

        await wait_for(pilot, lambda: pull_failures() == 3, timeout=60)
        myapp = app.session.store.find("deployments", "default", "myapp")
        # The explorer offers help when such a Deployment is selected; it may have done so already.
        offer_pull_secret(app, app.session.store, myapp)
        offer = "press ctrl+r to create a pull Secret"
        assert notes.text().count(offer) == 1
        assert not offer_pull_secret(app, app.session.store, myapp)  # once per Deployment
        assert notes.text().count(offer) == 1
        await pilot.press("ctrl+r")
        dialog = await screen_of(pilot, app, RegistrySecretDialog)
        assert dialog.query_one("#secret-name").value == "my-secret"
        assert dialog.query_one("#server").value == "registry.example.com"
        await pilot.press(*"dev", "tab", *"s3cret", "enter")
        rollout = await screen_of(pilot, app, RolloutScreen)
        await wait_for(pilot, lambda: "secret/my-secret created" in notes.text())
        assert "s3cret" not in notes.text()
        await wait_for(pilot, lambda: rollout.outcome == "complete", timeout=90)
    secret = await get(api, "secrets", "my-secret")
    assert secret["type"] == "kubernetes.io/dockerconfigjson"
    auths = json.loads(base64.b64decode(secret["data"][".dockerconfigjson"]))["auths"]
    assert auths["registry.example.com"]["username"] == "dev"
    assert (await get(api, "deployments", "myapp"))["status"]["readyReplicas"] == 3


async def test_private_registry_help_adds_a_new_secret_to_image_pull_secrets(
    sim: Any, kubeconfig: Path, api: Connection
) -> None:
    await ops.create_deployment(api, "default", "myapp", "registry.example.com/team/myapp:001")
    app, _notes = make_app(kubeconfig)
    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deployments", "myapp")
        await pilot.press("ctrl+r")
        dialog = await screen_of(pilot, app, RegistrySecretDialog)
        assert dialog.query_one("#secret-name").value == "regcred"
        await pilot.press("enter")  # no username yet: refused in place
        await wait_for(pilot, lambda: "username" in dialog.error)
        assert app.screen is dialog
        await pilot.press(*"dev", "tab", *"s3cret", "enter")
        rollout = await screen_of(pilot, app, RolloutScreen)
        await wait_for(pilot, lambda: rollout.outcome == "complete", timeout=90)
    deployment = await get(api, "deployments", "myapp")
    assert deployment["spec"]["template"]["spec"]["imagePullSecrets"] == [{"name": "regcred"}]
    assert await exists(api, "secrets", "regcred")


async def test_private_registry_offer_comes_when_the_selected_deployments_pods_start_failing_later(
    sim: Any, kubeconfig: Path, api: Connection
) -> None:
    """Selected while healthy, then a new image cannot pull: the offer comes once for that failure, and again
    only for a later one after the pods recovered in between."""
    await ops.create_deployment(api, "default", "myapp", "nginx", replicas=2)
    app, notes = make_app(kubeconfig)
    offer = "press ctrl+r to create a pull Secret"

    def running() -> bool:
        deployment = app.session.store.find("deployments", "default", "myapp")
        status = (deployment or {}).get("status") or {}
        return status.get("updatedReplicas") == 2 and status.get("readyReplicas") == 2 == status.get(
            "replicas"
        )

    async with app.run_test(size=(160, 48)) as pilot:
        await select(pilot, app, "deployments", "myapp")
        await wait_for(pilot, running, timeout=60)
        assert offer not in notes.text()  # healthy: nothing to offer

        await ops.set_image(api, "default", "myapp", {"nginx": "registry.example.com/team/myapp:001"})
        await wait_for(pilot, lambda: offer in notes.text(), timeout=60)
        assert "Pods of myapp are in" in notes.text()
        await pilot.pause(
            2.0
        )  # image pull back-off keeps changing the pods: the same failure is not re-announced
        assert notes.text().count(offer) == 1

        await ops.set_image(api, "default", "myapp", {"nginx": "nginx:1.27"})
        await wait_for(pilot, running, timeout=90)
        await wait_for(
            pilot,
            lambda: (
                pull_failure(app.session.store, app.session.store.find("deployments", "default", "myapp"))
                is None
            ),
        )
        await ops.set_image(api, "default", "myapp", {"nginx": "registry.example.com/team/myapp:002"})
        await wait_for(pilot, lambda: notes.text().count(offer) == 2, timeout=60)
        assert app.screen.pod_scope[0] == "deployments"  # still selected all along
