"""Apply as a newcomer meets it: a malformed file says where the parser stopped and why, with the file's line;
a directory applies every manifest in it, in name order, as ``kubectl apply -f DIR`` does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from kubetui.cluster.connection import Connection
from kubetui.screens.dialogs import ApplyPreviewDialog, ManifestPickerDialog, RolloutScreen
from tests.ui.helpers import wait_for
from tests.ui.support import MANIFESTS, exists, make_app, screen_of

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("no_user_settings")]

BAD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n data: oops\n"


async def _pick(pilot: Any, app: Any, path: Path) -> ManifestPickerDialog:
    await pilot.press("a")
    picker = await screen_of(pilot, app, ManifestPickerDialog)
    picker.query_one("#path", Input).value = str(path)
    picker.query_one("#path", Input).focus()
    await pilot.press("enter")
    return picker  # type: ignore[no-any-return]


async def test_a_malformed_file_names_the_parsers_line_and_problem(
    sim: Any, kubeconfig: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "settings.yaml"
    bad.write_text(BAD)
    app, _notes = make_app(kubeconfig)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.session.conn is not None)
        picker = await _pick(pilot, app, bad)
        await wait_for(pilot, lambda: picker.error)
        assert "settings.yaml, line 5, column 2: expected <block end>" in picker.error
        assert "5 |  data: oops" in picker.error
        assert "line 1, column 1:" not in picker.error
        assert app.screen is picker


async def test_a_directory_applies_every_manifest_in_name_order(
    sim: Any, kubeconfig: Path, api: Connection, tmp_path: Path
) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    deployment, service = (MANIFESTS / "hello-node.yaml").read_text().split("\n---\n")
    (folder / "b-service.yaml").write_text(service)
    (folder / "a-deployment.yml").write_text(deployment)
    (folder / "notes.txt").write_text("not a manifest")
    app, _notes = make_app(kubeconfig)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.session.conn is not None)
        await _pick(pilot, app, folder)
        preview = await screen_of(pilot, app, ApplyPreviewDialog)
        assert [(d.kind, d.name) for d in preview.documents] == [
            ("Deployment", "hello-node"),
            ("Service", "hello-node"),
        ]
        await pilot.press("enter")
        await screen_of(pilot, app, RolloutScreen)
    assert await exists(api, "deployments", "hello-node")
    assert await exists(api, "services", "hello-node")
