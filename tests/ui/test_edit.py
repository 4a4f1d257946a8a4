"""``e`` edits the selected object in $EDITOR as ``kubectl edit`` does, driven here by a stand-in editor."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from kubetui.app import KubeApp
from kubetui.cluster import edit
from kubetui.screens.main import MainScreen
from kubetui.session import SessionConfig
from tests.ui.conftest import Journey
from tests.ui.helpers import wait_for

DEPLOYMENT = "/apis/apps/v1/namespaces/default/deployments/hello-node"

# Each run appends the file it was given to the log, then applies the next (old, new) replacement.
EDITOR = """
import json, os, pathlib, sys
path = pathlib.Path(sys.argv[1])
log = pathlib.Path(os.environ["EDIT_LOG"])
seen = json.loads(log.read_text()) if log.exists() else []
text = path.read_text()
seen.append(text)
log.write_text(json.dumps(seen))
steps = json.loads(os.environ["EDIT_STEPS"])
if len(seen) <= len(steps):
    old, new = steps[len(seen) - 1]
    path.write_text(text.replace(old, new, 1))
"""


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR)
    log = tmp_path / "edits.json"
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.setenv("EDIT_LOG", str(log))

    def steps(*pairs: tuple[str, str]) -> Path:
        monkeypatch.setenv("EDIT_STEPS", json.dumps(pairs))
        return log

    return steps


def _runs(log: Path) -> list[str]:
    return json.loads(log.read_text()) if log.exists() else []


async def _edit_hello_node(pilot: Any, app: KubeApp) -> None:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    hello = await wait_for(pilot, lambda: screen.session.store.find("deployments", "default", "hello-node"))
    screen.focus_pane("deployments")
    await wait_for(pilot, lambda: screen.table("deployments").select_uid(hello["metadata"]["uid"]))
    await pilot.press("e")


def _noted(app: KubeApp, text: str) -> bool:
    return any(text in str(n.message) for n in app._notifications)


async def test_a_valid_change_is_sent(journey: Journey, editor: Any) -> None:
    log = editor(("replicas: 2", "replicas: 3"))
    app = KubeApp(SessionConfig(kubeconfig=str(journey.kubeconfig), namespace="default"))
    async with app.run_test(size=(160, 48)) as pilot:
        await _edit_hello_node(pilot, app)
        await wait_for(pilot, lambda: _noted(app, "hello-node edited"))
    assert (await journey.conn.request("GET", DEPLOYMENT))["spec"]["replicas"] == 3
    (first,) = _runs(log)
    assert first.startswith(edit.HEADER) and "managedFields" not in first


async def test_an_invalid_change_reopens_with_the_error_then_a_fix_is_sent(
    journey: Journey, editor: Any
) -> None:
    log = editor(("replicas: 2", "replicas: -1"), ("replicas: -1", "replicas: 4"))
    app = KubeApp(SessionConfig(kubeconfig=str(journey.kubeconfig), namespace="default"))
    async with app.run_test(size=(160, 48)) as pilot:
        await _edit_hello_node(pilot, app)
        await wait_for(pilot, lambda: _noted(app, "hello-node edited"))
    _first, second = _runs(log)
    assert "replicas: -1" in second  # the person's edit is kept, not the original
    assert second.startswith(edit.HEADER)
    lines = second[len(edit.HEADER) :].splitlines()
    error = "\n".join(lines[: next(i for i, line in enumerate(lines) if not line.startswith("#"))])
    assert "spec.replicas" in error and "Invalid value" in error  # the server's answer, as comments
    assert (await journey.conn.request("GET", DEPLOYMENT))["spec"]["replicas"] == 4


async def test_closing_unchanged_sends_nothing(journey: Journey, editor: Any) -> None:
    log = editor()
    before = await journey.conn.request("GET", DEPLOYMENT)
    app = KubeApp(SessionConfig(kubeconfig=str(journey.kubeconfig), namespace="default"))
    async with app.run_test(size=(160, 48)) as pilot:
        await _edit_hello_node(pilot, app)
        await wait_for(pilot, lambda: _noted(app, "no changes made"))
    assert len(_runs(log)) == 1
    after = await journey.conn.request("GET", DEPLOYMENT)
    assert after["metadata"]["generation"] == before["metadata"]["generation"]
    assert after["spec"] == before["spec"]


async def test_read_only_refuses_before_the_editor_opens(journey: Journey, editor: Any) -> None:
    log = editor(("replicas: 2", "replicas: 3"))
    app = KubeApp(SessionConfig(kubeconfig=str(journey.kubeconfig), namespace="default", readonly=True))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await wait_for(pilot, lambda: screen.session.store.find("deployments", "default", "hello-node"))
        screen.focus_pane("deployments")
        screen.run_action_id("edit")
        await wait_for(pilot, lambda: _noted(app, "read-only"))
        await pilot.pause(0.3)
    assert _runs(log) == []
    assert (await journey.conn.request("GET", DEPLOYMENT))["spec"]["replicas"] == 2


def test_the_patch_is_a_merge_patch_with_the_resource_version_as_precondition() -> None:
    original = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "c", "resourceVersion": "7", "managedFields": [{"manager": "x"}]},
        "data": {"a": "1", "b": "2"},
    }
    text = edit.render(edit.editable(original)).replace("a: '1'", "a: '9'").replace("  b: '2'\n", "")
    result = edit.read_back(original, text)
    assert result.patch == {"data": {"a": "9", "b": None}, "metadata": {"resourceVersion": "7"}}
    assert edit.read_back(original, edit.render(edit.editable(original))).unchanged
    assert edit.read_back(original, "# only comments\n").cancelled
    with pytest.raises(edit.EditError, match="name was changed"):
        edit.read_back(original, edit.render(edit.editable(original)).replace("name: c", "name: d"))
