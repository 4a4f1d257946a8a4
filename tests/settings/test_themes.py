"""Theme files: the bundled set loads, every theme defines every status colour, bad files are skipped."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.color import Color as RichColor
from rich.color import ColorType
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Input, Static

from kubetui.themes import (
    BUNDLED_DIR,
    DEFAULT_THEME,
    MONO_THEME,
    STATUS_KEYS,
    choose_theme,
    load_themes,
    status_variable,
)

BUNDLED = {"kubetui-dark", "kubetui-light", "kubetui-high-contrast", "kubetui-16", "kubetui-mono"}


def test_bundled_themes_all_load(tmp_path: Path) -> None:
    found = load_themes(user=tmp_path / "none")
    assert found.problems == []
    assert set(found.themes) == BUNDLED
    for theme in found.themes.values():
        for status in STATUS_KEYS:
            assert status_variable(status) in theme.variables, (theme.name, status)


def test_sixteen_colour_theme_uses_only_ansi_colours() -> None:
    theme = load_themes().themes["kubetui-16"]
    assert theme.ansi
    for status in STATUS_KEYS:
        # Status colours are drawn with Rich styles: they must be Rich's names of the 16 terminal colours.
        colour = RichColor.parse(theme.variables[status_variable(status)])
        assert colour.type in (ColorType.STANDARD, ColorType.DEFAULT), (status, colour)


def test_status_colours_differ_in_colour_themes() -> None:
    for name in BUNDLED - {"kubetui-mono"}:
        theme = load_themes().themes[name]
        colours = {
            theme.variables[status_variable(s)] for s in ("running", "pending", "failed", "terminating")
        }
        assert len(colours) == 4, name


def test_user_theme_overrides_and_bad_files_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(
        "name: kubetui-dark\ncolors: {primary: '#123456'}\nstatus:\n"
        + "".join(f"  {s}: '#00ff00'\n" for s in STATUS_KEYS)
    )
    (tmp_path / "broken.yaml").write_text("name: x\ncolors: [unclosed\n")
    (tmp_path / "nostatus.yaml").write_text("name: y\ncolors: {primary: red}\nstatus: {running: green}\n")
    (tmp_path / "badcolour.yaml").write_text(
        "name: z\ncolors: {primary: notacolour}\nstatus:\n" + "".join(f"  {s}: red\n" for s in STATUS_KEYS)
    )
    found = load_themes(user=tmp_path)
    assert found.themes["kubetui-dark"].primary == "#123456"
    assert {"x", "y", "z"}.isdisjoint(found.themes)
    text = "\n".join(found.problems)
    assert "broken.yaml" in text and "line 3" in text
    assert "nostatus.yaml" in text and "status.pending is required" in text
    assert "badcolour.yaml" in text and "notacolour" in text


def test_missing_bundled_dir_still_gives_a_default(tmp_path: Path) -> None:
    found = load_themes(bundled=tmp_path / "nothing", user=tmp_path / "nothing")
    assert DEFAULT_THEME in found.themes


def test_choose_theme(monkeypatch: pytest.MonkeyPatch) -> None:
    themes = load_themes()
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert choose_theme(None, None, themes) == (DEFAULT_THEME, None)
    assert choose_theme(None, "kubetui-light", themes) == ("kubetui-light", None)
    assert choose_theme("kubetui-16", "kubetui-light", themes) == ("kubetui-16", None)
    name, message = choose_theme("nope", "kubetui-light", themes)
    assert name == "kubetui-light" and message and "nope" in message and "kubetui-mono" in message
    monkeypatch.setenv("NO_COLOR", "1")
    assert choose_theme(None, "kubetui-light", themes) == (MONO_THEME, None)
    assert choose_theme("kubetui-light", None, themes) == ("kubetui-light", None)


def test_choose_theme_with_a_configured_theme(monkeypatch: pytest.MonkeyPatch) -> None:
    themes = load_themes()
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert choose_theme(None, None, themes, configured="kubetui-light") == ("kubetui-light", None)
    # a choice made in the app (passed only when newer than config.yaml) beats the file
    assert choose_theme(None, "kubetui-16", themes, configured="kubetui-light") == ("kubetui-16", None)
    assert choose_theme("kubetui-mono", "kubetui-16", themes, configured="kubetui-light") == (
        "kubetui-mono",
        None,
    )
    name, message = choose_theme(None, None, themes, configured="nope")
    assert name == DEFAULT_THEME and message and "config.yaml" in message and "nope" in message


class _Probe(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("probe")
        yield DataTable()
        yield Input()


@pytest.mark.parametrize("name", sorted(BUNDLED))
async def test_each_theme_renders_textual_widgets(name: str) -> None:
    theme = load_themes().themes[name]
    app = _Probe()
    async with app.run_test(size=(40, 8)) as pilot:
        app.register_theme(theme)
        app.theme = name
        await pilot.pause()
        assert app.theme_variables[status_variable("failed")] == theme.variables[status_variable("failed")]


def test_bundled_dir_is_package_data() -> None:
    assert BUNDLED_DIR.parent.name == "styles" and (BUNDLED_DIR / "README.md").exists()
