"""Themes as data: loads the YAML theme files (bundled and the user's) into Textual ``Theme`` objects."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from textual.color import Color, ColorParseError
from textual.theme import BUILTIN_THEMES, Theme

STATUS_KEYS = ("running", "pending", "failed", "terminating", "completed", "warning")
COLOR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "warning",
    "error",
    "success",
)
DEFAULT_THEME = "kubetui-dark"
MONO_THEME = "kubetui-mono"
BUNDLED_DIR = Path(__file__).resolve().parent / "styles" / "themes"

# Used when the theme files cannot be found (a broken install without kubetui/styles/themes/) and as the defaults of the
# app's theme variables, so that status colours always resolve.
FALLBACK_STATUS = {
    "running": "#5fd75f",
    "pending": "#ffd75f",
    "failed": "#ff5f5f",
    "terminating": "#af87ff",
    "completed": "#8a8a8a",
    "warning": "#ffaf00",
}


def status_variable(status: str) -> str:
    """The theme variable holding a status colour, e.g. ``status-running``."""
    return f"status-{status}"


def theme_variable_defaults() -> dict[str, str]:
    return {status_variable(k): v for k, v in FALLBACK_STATUS.items()}


@dataclass
class ThemeSet:
    """The themes found, by name, and a message for each file that could not be used."""

    themes: dict[str, Theme] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def user_theme_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "kubetui" / "themes"


def _color(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where} must be a colour string, not {type(value).__name__}")
    try:
        Color.parse(value)
    except ColorParseError as exc:
        raise ValueError(f"{where}: {value!r} is not a colour") from exc
    return value


def _rich_color(value: str) -> str:
    """Status colours are drawn with Rich styles, which name ANSI colours without Textual's ``ansi_`` prefix."""
    return value[len("ansi_") :] if value.startswith("ansi_") else value


def theme_from_data(data: Any) -> Theme:
    """Builds a Theme from one parsed theme file; raises ValueError naming what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("a theme file must be a mapping with name, colors and status")
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError("'name' is missing")
    colors = data.get("colors") or {}
    if not isinstance(colors, dict):
        raise ValueError("'colors' must be a mapping")
    unknown = sorted(set(colors) - set(COLOR_KEYS))
    if unknown:
        raise ValueError(f"unknown colour key(s): {', '.join(unknown)}")
    if "primary" not in colors:
        raise ValueError("colors.primary is required")
    status = data.get("status")
    if not isinstance(status, dict):
        raise ValueError("'status' must be a mapping of " + ", ".join(STATUS_KEYS))
    missing = [k for k in STATUS_KEYS if k not in status]
    if missing:
        raise ValueError(f"status.{missing[0]} is required")
    kwargs: dict[str, Any] = {k: _color(v, f"colors.{k}") for k, v in colors.items()}
    variables = {status_variable(k): _rich_color(_color(status[k], f"status.{k}")) for k in STATUS_KEYS}
    dark = bool(data.get("dark", True))
    ansi = bool(data.get("ansi", False))
    if ansi:
        # Textual's own widgets need the ANSI cursor and selection variables its ansi themes define.
        base = BUILTIN_THEMES["ansi-dark" if dark else "ansi-light"]
        variables = {**base.variables, **variables}
    return Theme(
        name=name.strip(),
        dark=dark,
        ansi=ansi,
        variables=variables,
        **kwargs,
    )


def _load_dir(directory: Path, found: ThemeSet) -> None:
    if not directory.is_dir():
        return
    for path in sorted(directory.glob("*.y*ml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            theme = theme_from_data(data)
        except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
                reason = f"line {exc.problem_mark.line + 1}: {exc.problem}"
            found.problems.append(f"theme file {path.name} skipped: {reason}")
            continue
        found.themes[theme.name] = theme


def load_themes(bundled: Path | None = None, user: Path | None = None) -> ThemeSet:
    """Bundled themes, then the user's (same name replaces); never raises for a bad file."""
    found = ThemeSet()
    _load_dir(bundled or BUNDLED_DIR, found)
    _load_dir(user or user_theme_dir(), found)
    if DEFAULT_THEME not in found.themes:
        found.themes[DEFAULT_THEME] = Theme(
            name=DEFAULT_THEME, primary="#5fafff", dark=True, variables=theme_variable_defaults()
        )
    return found


def choose_theme(
    requested: str | None, remembered: str | None, themes: ThemeSet, configured: str | None = None
) -> tuple[str, str | None]:
    """The theme to start with and, if an asked-for one is unknown, a message saying so.

    An explicit ``--theme`` (``requested``) wins; then ``NO_COLOR`` (any non-empty value, per no-color.org); then
    the theme last chosen in the app (``remembered``), then config.yaml's (``configured``), then the default.
    The caller passes ``remembered`` only when that choice is newer than the settings file.
    """
    known = ", ".join(sorted(themes.themes))
    if requested:
        if requested in themes.themes:
            return requested, None
        fallback = remembered if remembered in themes.themes else DEFAULT_THEME
        return fallback, f"unknown theme {requested!r}; known themes: {known}"
    if os.environ.get("NO_COLOR") and MONO_THEME in themes.themes:
        return MONO_THEME, None
    if remembered and remembered in themes.themes:
        return remembered, None
    if configured:
        if configured in themes.themes:
            return configured, None
        return DEFAULT_THEME, f"config.yaml: unknown theme {configured!r}; known themes: {known}"
    return DEFAULT_THEME, None
