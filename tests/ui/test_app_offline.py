"""The app without a reachable cluster: it starts, says why, keeps running; keys, help and commands work."""

from __future__ import annotations

from pathlib import Path

from kubetui.actions import ACTIONS
from kubetui.app import KubeApp
from kubetui.screens.help import HelpScreen
from kubetui.screens.main import MainScreen
from kubetui.screens.resource_list import ResourceListScreen
from kubetui.session import SessionConfig
from tests.ui.helpers import shown, wait_for


def _unreachable_kubeconfig(tmp_path: Path) -> str:
    path = tmp_path / "kubeconfig"
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: gone\n"
        "clusters: [{name: gone, cluster: {server: 'http://127.0.0.1:9'}}]\n"
        "users: [{name: u, user: {}}]\n"
        "contexts: [{name: gone, context: {cluster: gone, user: u}}]\n"
    )
    return str(path)


async def test_unreachable_cluster_keeps_the_app_running_and_shows_the_cause(tmp_path: Path) -> None:
    app = KubeApp(SessionConfig(kubeconfig=_unreachable_kubeconfig(tmp_path)))
    async with app.run_test(size=(160, 48)) as pilot:
        header = app.screen.query_one("#header")
        await wait_for(pilot, lambda: "refused" in shown(header))
        assert isinstance(app.screen, MainScreen)
        text = shown(header)
        assert "reconnecting since" in text
        assert "data stale" in text
        await pilot.pause(1.0)
        assert app.is_running


async def test_help_lists_every_action_with_its_key(tmp_path: Path) -> None:
    app = KubeApp(SessionConfig(kubeconfig=_unreachable_kubeconfig(tmp_path)))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = shown(app.screen.query_one("#help-table"))
        for action in ACTIONS:
            assert action.id in text
        assert "ctrl+d" in text and "?" in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_keymap_override_moves_a_key(tmp_path: Path) -> None:
    from kubetui.config import Settings

    settings = Settings(keymap={"help": "f1"})
    app = KubeApp(SessionConfig(kubeconfig=_unreachable_kubeconfig(tmp_path)), settings=settings)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert app.key_for("help") == "f1"


async def test_command_mode_opens_lists_and_reports_unknown_commands(tmp_path: Path) -> None:
    app = KubeApp(SessionConfig(kubeconfig=_unreachable_kubeconfig(tmp_path)))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("colon", "r", "s", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ResourceListScreen)
        assert app.screen.kind == "replicasets"
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("colon", "b", "o", "g", "u", "s", "enter")
        await pilot.pause()
        assert any("unknown command :bogus" in str(n.message) for n in app._notifications)
        await pilot.press("colon", "s", "v", "c", "enter")
        await pilot.pause()
        assert app.screen.focused_kind() == "services"
        await pilot.press("colon", "q", "enter")
        await pilot.pause()
    assert app.return_code == 0


async def test_small_terminal_shows_one_pane_at_a_time(tmp_path: Path) -> None:
    app = KubeApp(SessionConfig(kubeconfig=_unreachable_kubeconfig(tmp_path)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        shown = [p.kind for p in screen.query("Pane") if p.display]
        assert shown == ["pods"]
        await pilot.press("tab")
        await pilot.pause()
        shown = [p.kind for p in screen.query("Pane") if p.display]
        assert shown == ["services"]
        assert screen.query_one("#tabs").display
