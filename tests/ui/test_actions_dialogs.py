"""The action dialogs on their own: pushed in a tiny app, driven by keys, asserting what they return."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, RadioSet, Static

from kubetui.screens.dialogs import (
    ApplyPreviewDialog,
    ConfirmDialog,
    DeleteDialog,
    DocumentOutcome,
    ExposeDialog,
    ManifestPickerDialog,
    NewDeploymentDialog,
    RegistrySecretDialog,
    RolloutUndoDialog,
    ScaleDialog,
    SetImageDialog,
)
from kubetui.screens.dialogs.requests import ExposeRequest, ImageChange, NewDeployment, RegistrySecret
from tests.ui.helpers import PENDING, Host
from tests.ui.support import press_ok


async def fill(pilot: Any, dialog: Any, **values: str) -> None:
    for id_, value in values.items():
        dialog.query_one(f"#{id_.replace('_', '-')}", Input).value = value
    await pilot.pause()


def error_of(dialog: Any) -> str:
    return str(dialog.query_one("#error", Static).render())


async def test_new_deployment_returns_the_request_with_the_command_split() -> None:
    dialog = NewDeploymentDialog("default")
    app = Host(dialog)
    async with app.run_test() as pilot:
        await pilot.press(*"hello-node")
        await fill(
            pilot,
            dialog,
            image="registry.k8s.io/e2e-test-images/agnhost:2.39",
            replicas="2",
            port="8080",
            command="/agnhost netexec --http-port=8080",
        )
        await press_ok(pilot, app.screen)
        await pilot.pause()
    assert app.result == NewDeployment(
        name="hello-node",
        image="registry.k8s.io/e2e-test-images/agnhost:2.39",
        replicas=2,
        port=8080,
        command=["/agnhost", "netexec", "--http-port=8080"],
    )


@pytest.mark.parametrize(
    ("values", "field_id", "message"),
    [
        ({"name": "Hello_Node", "image": "nginx"}, "name", "RFC 1123"),
        ({"name": "web", "image": ""}, "image", "image is required"),
        ({"name": "web", "image": "nginx", "replicas": "-1"}, "replicas", "0 or more"),
        ({"name": "web", "image": "nginx", "replicas": "two"}, "replicas", "whole number"),
        ({"name": "web", "image": "nginx", "port": "70000"}, "port", "65535 or less"),
        ({"name": "web", "image": "nginx", "command": "sh -c 'oops"}, "command", "quotation"),
    ],
)
async def test_new_deployment_refuses_bad_fields_inline(
    values: dict[str, str], field_id: str, message: str
) -> None:
    dialog = NewDeploymentDialog("default")
    app = Host(dialog)
    async with app.run_test() as pilot:
        await fill(pilot, dialog, **values)
        await press_ok(pilot, app.screen)
        await pilot.pause()
        assert app.result is PENDING, "a refused form must stay open"
        assert message in error_of(dialog)
        assert dialog.query_one(f"#{field_id}").has_class("-refused")
        assert app.screen is dialog


async def test_escape_cancels_with_none() -> None:
    app = Host(NewDeploymentDialog("default"))
    async with app.run_test() as pilot:
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None


async def test_scale_is_prefilled_and_replaced_by_typing() -> None:
    dialog = ScaleDialog("Deployment", "kubernetes-bootcamp", 4)
    app = Host(dialog)
    async with app.run_test() as pilot:
        assert dialog.query_one("#replicas", Input).value == "4"
        await pilot.press("2", "enter")
        await pilot.pause()
    assert app.result == 2


async def test_keys_arriving_in_one_burst_edit_in_the_order_they_were_typed() -> None:
    """Over a slow SSH link several keys come in one read: ctrl+u must clear before the digits land, not after."""
    from textual import events

    dialog = ScaleDialog("Deployment", "kubernetes-bootcamp", 4)
    app = Host(dialog)
    async with app.run_test() as pilot:
        field = dialog.query_one("#replicas", Input)
        field.value, field.cursor_position = "4", 1
        # posted in one go, as the terminal driver does for one read: nothing runs in between
        for key, char in (
            ("ctrl+u", None),
            ("1", "1"),
            ("2", "2"),
            ("left", None),
            ("3", "3"),
            ("end", None),
        ):
            app.post_message(events.Key(key, char))
        await pilot.pause()
        await pilot.pause()
        assert field.value == "132"
        app.post_message(events.Key("enter", "\r"))
        await pilot.pause()
    assert app.result == 132


@pytest.mark.parametrize(
    ("typed", "message"), [("-3", "0 or more"), ("x", "whole number"), ("", "whole number")]
)
async def test_scale_refuses_negative_and_non_numbers(typed: str, message: str) -> None:
    dialog = ScaleDialog("Deployment", "web", 1)
    app = Host(dialog)
    async with app.run_test() as pilot:
        await fill(pilot, dialog, replicas=typed)
        await pilot.press("enter")
        await pilot.pause()
        assert app.result is PENDING
        assert message in error_of(dialog)


async def test_expose_defaults_from_container_ports_and_returns_the_type() -> None:
    dialog = ExposeDialog("Deployment", "hello-node", [8080, 9090], service_type="LoadBalancer")
    app = Host(dialog)
    async with app.run_test() as pilot:
        assert dialog.query_one("#port", Input).value == "8080"
        assert dialog.query_one("#target-port", Input).value == "8080"
        assert dialog.query_one("#external-name", Input).disabled
        await fill(pilot, dialog, node_port="30080")
        await press_ok(pilot, app.screen)
        await pilot.pause()
    assert app.result == ExposeRequest("hello-node", "LoadBalancer", 8080, target_port=8080, node_port=30080)


async def test_expose_refuses_bad_service_names_and_node_ports() -> None:
    dialog = ExposeDialog("Deployment", "9lives", [80], service_type="NodePort")
    app = Host(dialog)
    async with app.run_test() as pilot:
        await press_ok(pilot, app.screen)
        await pilot.pause()
        assert "DNS-1035" in error_of(dialog)
        await fill(pilot, dialog, service_name="lives", node_port="80")
        await press_ok(pilot, app.screen)
        await pilot.pause()
        assert "30000 or more" in error_of(dialog)
        assert app.result is PENDING


async def test_expose_external_name_needs_a_name() -> None:
    dialog = ExposeDialog("Deployment", "db", [5432], service_type="ExternalName")
    app = Host(dialog)
    async with app.run_test() as pilot:
        await press_ok(pilot, app.screen)
        await pilot.pause()
        assert "external name" in error_of(dialog)
        await fill(pilot, dialog, external_name="db.example.com")
        await press_ok(pilot, app.screen)
        await pilot.pause()
    assert app.result == ExposeRequest("db", "ExternalName", 5432, external_name="db.example.com")


async def test_set_image_previews_the_change_and_returns_only_changed_containers() -> None:
    dialog = SetImageDialog(
        "kubernetes-bootcamp",
        [("kubernetes-bootcamp", "gcr.io/google-samples/kubernetes-bootcamp:v1"), ("sidecar", "busybox")],
    )
    app = Host(dialog)
    async with app.run_test() as pilot:
        await press_ok(pilot, app.screen)
        await pilot.pause()
        assert "no image changed" in error_of(dialog)
        await fill(pilot, dialog, image_0="docker.io/jocatalin/kubernetes-bootcamp:v2")
        preview = str(dialog.query_one("#change", Static).render())
        assert "kubernetes-bootcamp: gcr.io/google-samples/kubernetes-bootcamp:v1 -> " in preview
        assert "sidecar" not in preview
        await press_ok(pilot, app.screen)
        await pilot.pause()
    assert app.result == ImageChange({"kubernetes-bootcamp": "docker.io/jocatalin/kubernetes-bootcamp:v2"})


@dataclass
class Rev:
    revision: int
    images: list[str]
    current: bool = False
    change_cause: str | None = None
    created: Any = "2026-01-01T00:00:00Z"
    template: dict[str, Any] = field(default_factory=dict)


def revisions() -> list[Rev]:
    def template(image: str, hash_: str) -> dict[str, Any]:
        return {
            "metadata": {"labels": {"app": "bootcamp", "pod-template-hash": hash_}},
            "spec": {"containers": [{"name": "kubernetes-bootcamp", "image": image}]},
        }

    return [
        Rev(1, ["bootcamp:v1"], template=template("bootcamp:v1", "a")),
        Rev(2, ["bootcamp:v2"], change_cause="v2", template=template("bootcamp:v2", "b")),
        Rev(3, ["bootcamp:v3"], current=True, template=template("bootcamp:v3", "c")),
    ]


async def test_undo_preselects_the_previous_revision_and_shows_the_template_difference() -> None:
    dialog = RolloutUndoDialog("kubernetes-bootcamp", revisions())
    app = Host(dialog)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert dialog.chosen == 2
        diff = str(dialog.query_one("#diff", Static).render())
        assert "-  - image: bootcamp:v3" in diff and "+  - image: bootcamp:v2" in diff
        assert "pod-template-hash" not in diff
        await pilot.press("down")  # revision 1: any revision can be chosen
        await pilot.pause()
        assert "+  - image: bootcamp:v1" in str(dialog.query_one("#diff", Static).render())
        await press_ok(pilot, app.screen)
        await pilot.pause()
    assert app.result == 1


async def test_undo_fits_a_small_terminal() -> None:
    dialog = RolloutUndoDialog("kubernetes-bootcamp", revisions())
    app = Host(dialog)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click("#ok")  # reachable: the form scrolls, the buttons stay on screen
        await pilot.pause()
    assert app.result == 2


async def test_undo_refuses_the_current_revision() -> None:
    dialog = RolloutUndoDialog("kubernetes-bootcamp", revisions())
    app = Host(dialog)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("up")
        await pilot.pause()
        assert dialog.chosen == 3
        await press_ok(pilot, app.screen)
        await pilot.pause()
        assert "already the current one" in error_of(dialog)
        assert app.result is PENDING


async def test_undo_with_a_single_revision_has_nothing_to_offer() -> None:
    dialog = RolloutUndoDialog("web", [Rev(1, ["nginx"], current=True)])
    app = Host(dialog)
    async with app.run_test(size=(120, 40)) as pilot:
        await press_ok(pilot, app.screen)
        await pilot.pause()
        assert app.result is PENDING
        assert "revision 1 is already the current one" in error_of(dialog)


async def test_delete_starts_on_cancel_so_enter_deletes_nothing() -> None:
    app = Host(DeleteDialog("Deployment", "web", "default"))
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.focused is not None and app.focused.id == "cancel"
        await pilot.press("enter")
        await pilot.pause()
    assert app.result is None


async def test_delete_returns_the_chosen_propagation() -> None:
    dialog = DeleteDialog("Deployment", "web", "default")
    app = Host(dialog)
    async with app.run_test(size=(100, 30)) as pilot:
        dialog.query_one("#Foreground").value = True
        await pilot.pause()
        assert dialog.query_one("#propagation", RadioSet).pressed_button.id == "Foreground"  # type: ignore[union-attr]
        await press_ok(pilot, app.screen)
        await pilot.pause()
    assert app.result == "Foreground"


async def test_confirm_returns_true_on_ok() -> None:
    app = Host(ConfirmDialog("Restart", "Replace every pod of web?", "Restart"))
    async with app.run_test() as pilot:
        await pilot.press("enter")
        await pilot.pause()
    assert app.result is True


async def test_manifest_picker_lists_directories_and_reads_the_chosen_file(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n")
    (tmp_path / "notes.txt").write_text("not a manifest")
    dialog = ManifestPickerDialog([tmp_path, tmp_path], base=tmp_path)
    app = Host(dialog)
    async with app.run_test() as pilot:
        assert [p.name for p in dialog.files] == ["a.yaml"]
        await pilot.press("enter")
        await pilot.pause()
    assert app.result.path == tmp_path / "a.yaml"
    assert "kind: Namespace" in app.result.text


async def test_manifest_picker_refuses_missing_files_and_non_manifests(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("just: a mapping\n")
    dialog = ManifestPickerDialog([tmp_path / "none"], base=tmp_path)
    app = Host(dialog)
    async with app.run_test() as pilot:
        await fill(pilot, dialog, path="missing.yaml")
        await pilot.press("enter")
        await pilot.pause()
        assert "no such file" in error_of(dialog)
        await fill(pilot, dialog, path="bad.yaml")
        await pilot.press("enter")
        await pilot.pause()
        assert "no apiVersion/kind" in error_of(dialog)
        assert app.result is PENDING


async def test_apply_preview_refuses_when_any_document_fails() -> None:
    docs = [
        DocumentOutcome("Deployment", "myapp", "default", "created (server dry run)", True),
        DocumentOutcome("Service", "myapp-service", "default", 'Service "x" is invalid', False),
    ]
    dialog = ApplyPreviewDialog(Path("myapp.yaml"), docs)
    app = Host(dialog)
    async with app.run_test(size=(120, 30)) as pilot:
        assert "nothing will be applied" in str(dialog.query_one("#verdict").render())
        await press_ok(pilot, app.screen)
        await pilot.pause()
        assert "myapp-service" in error_of(dialog)
        assert app.result is PENDING


async def test_registry_secret_masks_the_password_and_returns_credentials() -> None:
    dialog = RegistrySecretDialog(
        "myapp", "registry.example.com/team/myapp:001", "ImagePullBackOff", secret_name="my-secret"
    )
    app = Host(dialog)
    async with app.run_test(size=(100, 30)) as pilot:
        assert dialog.query_one("#server", Input).value == "registry.example.com"
        assert dialog.query_one("#password", Input).password
        await pilot.press(*"dev")
        await fill(pilot, dialog, password="s3cret")
        await press_ok(pilot, app.screen)
        await pilot.pause()
    assert app.result == RegistrySecret("my-secret", "registry.example.com", "dev", "s3cret")


async def test_rollout_view_waits_for_a_new_deployment_to_appear_and_announces_the_outcome() -> None:
    from kubetui.screens.dialogs import RolloutScreen

    deployment = {
        "kind": "Deployment",
        "metadata": {"name": "web", "uid": "d", "generation": 1},
        "spec": {"replicas": 1},
        "status": {"observedGeneration": 1, "replicas": 1, "updatedReplicas": 1, "availableReplicas": 1},
    }
    cache: dict[str, Any] = {"deployment": None}
    screen = RolloutScreen("Created", "web", lambda: (cache["deployment"], [], []), min_generation=1)
    app = Host(screen)
    async with app.run_test() as pilot:
        await pilot.pause(0.6)
        assert screen.outcome is None and "appear" in screen.progress.message  # not yet cached is not gone
        cache["deployment"] = deployment
        await pilot.pause(0.6)
        assert screen.outcome == "complete"
        assert any("successfully rolled out" in str(n.message) for n in app._notifications)
        cache["deployment"] = None  # closing early still reports the known outcome
        await pilot.press("escape")
        await pilot.pause()
    assert app.result == "complete"
