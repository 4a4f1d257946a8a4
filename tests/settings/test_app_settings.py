"""Settings as the running app applies them, on the built-in cluster: --theme, the palette's remembered theme,
NO_COLOR, keymap overrides, warnings for a bad config.yaml, the log line budget and per-context settings."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubetui.app import KubeApp
from kubetui.cli import build_parser
from kubetui.config import DEFAULT_LOG_LINE_BUDGET, load_state
from kubetui.screens.main import MainScreen
from kubetui.session import SessionConfig
from kubetui.sim.server import SimServer
from kubetui.themes import load_themes
from tests.ui.helpers import screen_text, wait_for


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The person's config and state directories, empty; no NO_COLOR from the machine running the tests."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("KUBETUI_FROZEN_AGES", raising=False)
    return tmp_path


@pytest.fixture
async def cluster(home: Path) -> AsyncIterator[Path]:
    """The demo scenario on the built-in cluster; yields its kubeconfig (context kubetui-sim)."""
    async with SimServer(scenario="demo", seed=1, speed=50.0) as sim:
        yield sim.write_kubeconfig(home / "kubeconfig")


def write_config(home: Path, text: str) -> Path:
    path = home / "config" / "kubetui" / "config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def app_from_cli(*argv: str) -> KubeApp:
    """The app as ``kubetui ARGV`` builds it (settings read from XDG_CONFIG_HOME)."""
    args = build_parser().parse_args(list(argv))
    config = SessionConfig(
        kubeconfig=args.kubeconfig, context=args.context, namespace=args.namespace, readonly=args.readonly
    )
    return KubeApp(config, theme_name=args.theme)


def notes(app: KubeApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def ready(pilot: Any) -> MainScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, MainScreen) and app.screen.ready, 10)
    await wait_for(pilot, lambda: app.session.settled and app.screen.table("pods").row_count > 0, 20)
    screen: MainScreen = app.screen
    return screen


# -- themes ---------------------------------------------------------------------------------------------------


async def test_theme_flag_is_applied(cluster: Path) -> None:
    light = load_themes().themes["kubetui-light"]
    app = app_from_cli("--kubeconfig", str(cluster), "--theme", "kubetui-light")
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        assert app.theme == "kubetui-light"
        assert not app.current_theme.dark
        assert app.status_colours()["running"] == light.variables["status-running"]
        assert not [n for n in notes(app) if "theme" in n]
    assert load_state().get("theme") is None  # a flag is for this run; only a palette choice is remembered


async def test_unknown_theme_is_reported_and_the_default_used(cluster: Path) -> None:
    app = app_from_cli("--kubeconfig", str(cluster), "--theme", "solarized-nope")
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        assert app.theme == "kubetui-dark"
        warning = next(n for n in notes(app) if "solarized-nope" in n)
        assert "unknown theme" in warning and "kubetui-light" in warning  # it names the known ones


async def test_theme_chosen_in_the_command_palette_is_remembered(cluster: Path, home: Path) -> None:
    app = app_from_cli("--kubeconfig", str(cluster))
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        assert app.theme == "kubetui-dark"
        await pilot.press("ctrl+p")
        await pilot.press(*"theme")
        await pilot.pause(0.3)
        await pilot.press("enter")  # "Theme: change the current theme"
        await pilot.pause(0.3)
        await pilot.press(*"kubetui-high")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.theme == "kubetui-high-contrast")
    state = yaml.safe_load((home / "state" / "kubetui" / "state.yaml").read_text())
    assert state["theme"] == "kubetui-high-contrast"
    assert isinstance(state["theme_at"], float)

    again = app_from_cli("--kubeconfig", str(cluster))
    async with again.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        assert again.theme == "kubetui-high-contrast"


async def test_no_color_gives_the_monochrome_theme_unless_a_theme_is_asked_for(
    cluster: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kubetui.config import remember

    remember(theme="kubetui-light")  # NO_COLOR beats what was remembered...
    monkeypatch.setenv("NO_COLOR", "1")
    app = app_from_cli("--kubeconfig", str(cluster))
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        assert app.theme == "kubetui-mono"
    explicit = app_from_cli(
        "--kubeconfig", str(cluster), "--theme", "kubetui-16"
    )  # ...an explicit flag beats it
    async with explicit.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        assert explicit.theme == "kubetui-16"
        # the 16-colour theme draws: the panes fill and show their rows
        assert "hello-node" in screen_text(explicit)


# -- keys and warnings ----------------------------------------------------------------------------------------


async def test_keymap_override_from_config_runs_the_action(cluster: Path, home: Path) -> None:
    from kubetui.screens.object_view import ObjectScreen

    write_config(home, "keymap:\n  describe: e\n")
    app = app_from_cli("--kubeconfig", str(cluster))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        assert screen.focused_kind() == "pods"
        await pilot.press("d")  # the old key no longer describes
        await pilot.pause(0.3)
        assert app.screen is screen
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ObjectScreen))
        text = screen_text(app)
        pods = [p["metadata"]["name"] for p in app.session.store.list("pods", "default")]
        assert "Name:" in text and any(p in text for p in pods)  # the selected pod, described
        assert app.key_for("describe") == "e"


async def test_bad_config_is_reported_in_the_app_and_defaults_used(cluster: Path, home: Path) -> None:
    path = write_config(home, "theme: kubetui-light\nlog_line_budget: lots\ncolour: red\n")
    app = app_from_cli("--kubeconfig", str(cluster))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        shown = notes(app)
        assert any(f"{path}:2" in n and "log_line_budget" in n for n in shown), shown
        assert any(f"{path}:3" in n and "unknown setting 'colour'" in n for n in shown), shown
        # the good line still counts, the bad ones fall back to defaults
        assert app.theme == "kubetui-light"
        assert screen.query_one("#log-view").buffer.budget == DEFAULT_LOG_LINE_BUDGET


async def test_config_that_is_not_yaml_is_reported_and_the_app_runs(cluster: Path, home: Path) -> None:
    write_config(home, "theme: [unclosed\n")
    app = app_from_cli("--kubeconfig", str(cluster))
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        assert any("not valid YAML" in n for n in notes(app)), notes(app)
        assert app.theme == "kubetui-dark"


async def test_log_line_budget_reaches_the_log_views(cluster: Path, home: Path) -> None:
    from kubetui.screens.logs import LogsScreen

    write_config(home, "log_line_budget: 500\n")
    app = app_from_cli("--kubeconfig", str(cluster))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await ready(pilot)
        assert screen.query_one("#log-view").buffer.budget == 500
        await pilot.press("l")  # the selected pod's logs, full screen
        await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen))
        logs: Any = app.screen
        assert logs.view.buffer.budget == 500


# -- per context --------------------------------------------------------------------------------------------


async def test_context_settings_give_namespace_and_read_only(cluster: Path, home: Path) -> None:
    write_config(
        home,
        "contexts:\n  kubetui-sim:\n    namespace: shop\n    readonly: true\n  other:\n    namespace: staging\n",
    )
    app = app_from_cli("--kubeconfig", str(cluster))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await ready(pilot)
        assert app.session.readonly and app.session.namespace == "shop"
        await wait_for(pilot, lambda: "myapp" in screen_text(app))
        text = screen_text(app)
        assert "ns:shop" in text and "[read-only]" in text
        assert "hello-node" not in text  # default namespace not shown
        # mutating keys are gone: scale on a Deployment does nothing, and help says so
        screen.focus_pane("deployments")
        await pilot.press("s")
        await pilot.pause(0.3)
        assert app.screen is screen
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: "read-only: off" in screen_text(app))


async def test_context_settings_apply_only_to_their_context(cluster: Path, home: Path) -> None:
    write_config(home, "contexts:\n  other:\n    namespace: staging\n    readonly: true\n")
    app = app_from_cli("--kubeconfig", str(cluster))
    async with app.run_test(size=(160, 48)) as pilot:
        await ready(pilot)
        assert not app.session.readonly and app.session.namespace == "default"
        assert "[read-only]" not in screen_text(app)


def test_the_newer_of_palette_choice_and_config_file_wins(tmp_path: Path) -> None:
    from kubetui.app import _remembered_theme

    config = tmp_path / "config.yaml"
    assert _remembered_theme({"theme": "kubetui-16", "theme_at": 1000.0}, None) == "kubetui-16"
    assert _remembered_theme({}, None) is None
    config.write_text("theme: kubetui-light\n")
    os.utime(config, (2000.0, 2000.0))
    # chosen in the palette after the file was last edited: the choice stands
    assert _remembered_theme({"theme": "kubetui-16", "theme_at": 3000.0}, config) == "kubetui-16"
    # the file edited after the choice: the file's theme wins (the remembered one is not offered)
    assert _remembered_theme({"theme": "kubetui-16", "theme_at": 1500.0}, config) is None
    # an old state file with no time of choice defers to an existing config file
    assert _remembered_theme({"theme": "kubetui-16"}, config) is None
