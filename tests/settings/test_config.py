"""Settings file: values are read, and every bad value becomes a warning naming its line, with defaults used."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubetui import config
from kubetui.config import DEFAULT_LOG_LINE_BUDGET, EXAMPLE, load_settings


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    s = load_settings(tmp_path / "absent.yaml")
    assert s.theme is None and s.keymap == {} and s.log_line_budget == DEFAULT_LOG_LINE_BUDGET
    assert s.warnings == []


def test_example_is_valid(tmp_path: Path) -> None:
    s = load_settings(_write(tmp_path, EXAMPLE))
    assert s.warnings == []
    assert s.theme == "kubetui-dark"
    assert s.keymap == {"scale": "S"}
    assert s.log_line_budget == 100000
    assert s.for_context("prod").readonly is True
    assert s.for_context("prod").namespace == "payments"
    assert s.for_context("other").readonly is False


def test_bad_values_warn_with_line_numbers(tmp_path: Path) -> None:
    text = (
        "theme: kubetui-light\n"  # 1
        "log_line_budget: lots\n"  # 2
        "colour: red\n"  # 3
        "keymap:\n"  # 4
        "  quit: 'ctrl+q'\n"  # 5
        "  scale: 'a b'\n"  # 6
        "contexts:\n"  # 7
        "  dev:\n"  # 8
        "    namespace: Not_Valid\n"  # 9
        "    readonly: sometimes\n"  # 10
        "    colour: blue\n"  # 11
    )
    s = load_settings(_write(tmp_path, text))
    assert s.theme == "kubetui-light"
    assert s.log_line_budget == DEFAULT_LOG_LINE_BUDGET
    assert s.keymap == {"quit": "ctrl+q"}
    assert s.for_context("dev").namespace is None and s.for_context("dev").readonly is False
    by_line = {
        w.split(":")[1]: w for w in (w.replace(str(tmp_path / "config.yaml"), "F") for w in s.warnings)
    }
    assert set(by_line) == {"2", "3", "6", "9", "10", "11"}, s.warnings
    assert "log_line_budget" in by_line["2"]
    assert "unknown setting 'colour'" in by_line["3"]
    assert "keymap.scale" in by_line["6"]
    assert "Not_Valid" in by_line["9"]
    assert "readonly must be true or false" in by_line["10"]


def test_malformed_yaml_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    s = load_settings(_write(tmp_path, "theme: [unclosed\nkeymap: {}\n"))
    assert s.theme is None
    assert len(s.warnings) == 1 and "not valid YAML" in s.warnings[0]


def test_not_a_mapping(tmp_path: Path) -> None:
    s = load_settings(_write(tmp_path, "- a\n- b\n"))
    assert s.warnings and "expected a mapping" in s.warnings[0]


def test_remembered_state_round_trips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert config.load_state() == {}
    config.remember(theme="kubetui-16")
    assert config.load_state() == {"theme": "kubetui-16"}
    (tmp_path / "kubetui" / "state.yaml").write_text(": : :\n")
    assert config.load_state() == {}
