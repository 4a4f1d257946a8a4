"""Save versus Scale: the focused pane is unmistakable, the save prompt says what it does and proposes a whole
path, an existing file is never overwritten unasked; the log status line wraps instead of losing its end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult

from kubetui.cluster.logs import LogLine
from kubetui.screens.dialogs import ConfirmDialog
from kubetui.widgets.log_lines import LogLines
from kubetui.widgets.log_view import LogView
from tests.ui.helpers import screen_text, wait_for
from tests.ui.support import make_app

pytestmark = pytest.mark.usefixtures("no_user_settings")


class LogApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LogView()

    def on_mount(self) -> None:
        view = self.query_one(LogView)
        view.title = "pod hello-node-5f76cf6ccf-abcde"
        view.add_items(
            [
                LogLine("hello-node-5f76cf6ccf-abcde", "app", f"2026-01-01T00:00:0{i}Z", f"line {i}")
                for i in range(3)
            ]
        )
        self.query_one(LogLines).focus()


async def test_save_proposes_a_whole_path_and_says_what_it_does(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    app = LogApp()
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("s")
        prompt = app.query_one("#log-prompt")
        proposed = Path(prompt.value)  # type: ignore[attr-defined]
        assert proposed.parent == tmp_path
        assert proposed.name.startswith("hello-node-5f76cf6ccf-abcde-") and proposed.suffix == ".log"
        text = screen_text(app)
        assert "Save the shown log lines to this file" in text
        assert str(proposed) in text  # shown whole
        await pilot.press("4", "enter")  # meant as "scale to 4": the proposed name is kept, not replaced
        await pilot.pause()
        assert not (tmp_path / "4").exists()
        saved = list(tmp_path.iterdir())
        assert [p.name for p in saved] == [proposed.name + "4"]


async def test_an_existing_file_is_overwritten_only_when_confirmed(tmp_path: Path) -> None:
    target = tmp_path / "keep.log"
    target.write_text("precious\n")
    app = LogApp()
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(LogView)
        await pilot.press("s")
        app.query_one("#log-prompt").value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog) and app.screen)
        assert str(target) in dialog.message and "Overwrite" in dialog.message
        await pilot.press("enter")  # focus starts on Cancel
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmDialog))
        assert target.read_text() == "precious\n"
        assert view._prompt_kind == "save" and app.query_one("#log-prompt").value == str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        dialog = await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog) and app.screen)
        dialog.query_one("#ok").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: target.read_text().count("line") == 3)


async def test_the_log_status_line_wraps_so_a_changed_setting_is_seen() -> None:
    app = LogApp()
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.press("S")  # since: all → 1m
        await pilot.pause()
        assert "since 1m" in app.query_one(LogView).status_text()
        assert "since 1m" in screen_text(app).replace("\n", "")


@pytest.mark.slow
async def test_the_focused_pane_is_drawn_heavier_than_the_others(sim: Any, kubeconfig: Path) -> None:
    app, _notes = make_app(kubeconfig)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_for(pilot, lambda: app.session.conn is not None)
        app.screen.focus_pane("logs")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        logs = next(line for line in lines if " Logs " in line)
        pods = next(line for line in lines if " Pods " in line)
        assert "━" in logs and "┏" in logs  # heavy: the pane the keys act on
        assert "━" not in pods and "╭" in pods
        app.screen.focus_pane("pods")
        await pilot.pause()
        lines = screen_text(app).splitlines()
        assert "┏" in next(line for line in lines if " Pods " in line)
