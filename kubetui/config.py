"""Settings from ``$XDG_CONFIG_HOME/kubetui/config.yaml`` and the small state kubetui remembers between runs.

A bad value never stops kubetui: it becomes a warning that names the line, and the default is used.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_LOG_LINE_BUDGET = 100_000
MIN_LOG_LINE_BUDGET = 100
_KEY_RE = re.compile(r"^[A-Za-z0-9_+\-]+(,[A-Za-z0-9_+\-]+)*$")

EXAMPLE = """\
# kubetui settings. Every key is optional.
theme: kubetui-dark          # see kubetui/styles/themes/README.md; the command palette switches and remembers it
log_line_budget: 100000      # lines kept per log view before the oldest are dropped
keymap:                      # binding id -> key (see the ? help screen for the ids)
  scale: S
contexts:                    # per kubeconfig context
  prod:
    namespace: payments      # namespace to open in
    readonly: true           # refuse every change in this context
"""


@dataclass
class ContextSettings:
    """What the settings file says about one kubeconfig context."""

    namespace: str | None = None
    readonly: bool = False


@dataclass
class Settings:
    theme: str | None = None
    keymap: dict[str, str] = field(default_factory=dict)
    log_line_budget: int = DEFAULT_LOG_LINE_BUDGET
    contexts: dict[str, ContextSettings] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    path: Path | None = None

    def for_context(self, name: str | None) -> ContextSettings:
        return self.contexts.get(name or "", ContextSettings())


def config_dir() -> Path:
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "kubetui"


def state_dir() -> Path:
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "kubetui"


def data_dir() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "kubetui"


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _scalar(node: yaml.Node) -> Any:
    """The Python value of a scalar node, as safe_load would give it."""
    return yaml.safe_load(yaml.serialize(node))


def load_settings(path: Path | None = None) -> Settings:
    """Reads the settings file; a missing file gives the defaults, a broken one the defaults plus warnings."""
    path = path or config_dir() / "config.yaml"
    settings = Settings(path=path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return settings
    except (OSError, UnicodeDecodeError) as exc:
        settings.warnings.append(f"{path}: cannot read ({exc}); using defaults")
        return settings
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        settings.warnings.append(f"{where}: not valid YAML ({problem}); using defaults")
        return settings
    if root is None:
        return settings
    if not isinstance(root, yaml.MappingNode):
        settings.warnings.append(f"{path}:{_line(root)}: expected a mapping of settings; using defaults")
        return settings
    for key_node, value_node in root.value:
        _apply(settings, str(key_node.value), value_node, f"{path}:{_line(key_node)}")
    return settings


def _apply(settings: Settings, key: str, node: yaml.Node, where: str) -> None:
    warn = settings.warnings.append
    if key == "theme":
        value = _scalar(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, str) and value.strip():
            settings.theme = value.strip()
        else:
            warn(f"{where}: theme must be a theme name; using the default")
    elif key == "log_line_budget":
        value = _scalar(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, int) and not isinstance(value, bool) and value >= MIN_LOG_LINE_BUDGET:
            settings.log_line_budget = value
        else:
            warn(
                f"{where}: log_line_budget must be a whole number of at least {MIN_LOG_LINE_BUDGET}; "
                f"using {DEFAULT_LOG_LINE_BUDGET}"
            )
    elif key == "keymap":
        if not isinstance(node, yaml.MappingNode):
            warn(f"{where}: keymap must map binding ids to keys; ignored")
            return
        for k, v in node.value:
            value = _scalar(v) if isinstance(v, yaml.ScalarNode) else None
            if isinstance(value, str) and _KEY_RE.match(value.strip()):
                settings.keymap[str(k.value)] = value.strip()
            else:
                warn(
                    f"{where.rsplit(':', 1)[0]}:{_line(k)}: keymap.{k.value}: {value!r} is not a key; ignored"
                )
    elif key == "contexts":
        if not isinstance(node, yaml.MappingNode):
            warn(f"{where}: contexts must map context names to settings; ignored")
            return
        base = where.rsplit(":", 1)[0]
        for name_node, ctx_node in node.value:
            settings.contexts[str(name_node.value)] = _context(
                ctx_node, f"contexts.{name_node.value}", base, warn
            )
    else:
        warn(f"{where}: unknown setting {key!r}; ignored")


def _context(node: yaml.Node, label: str, base: str, warn: Any) -> ContextSettings:
    ctx = ContextSettings()
    if not isinstance(node, yaml.MappingNode):
        warn(f"{base}:{_line(node)}: {label} must be a mapping (namespace, readonly); ignored")
        return ctx
    for k, v in node.value:
        value = _scalar(v) if isinstance(v, yaml.ScalarNode) else None
        where = f"{base}:{_line(k)}"
        if k.value == "namespace":
            if (
                isinstance(value, str)
                and re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", value)
                and len(value) <= 63
            ):
                ctx.namespace = value
            else:
                warn(f"{where}: {label}.namespace: {value!r} is not a valid namespace name; ignored")
        elif k.value == "readonly":
            if isinstance(value, bool):
                ctx.readonly = value
            else:
                warn(f"{where}: {label}.readonly must be true or false; using false")
        else:
            warn(f"{where}: unknown setting {label}.{k.value}; ignored")
    return ctx


def _state_file() -> Path:
    return state_dir() / "state.yaml"


def load_state() -> dict[str, Any]:
    """What kubetui remembered last time (the chosen theme); empty when there is nothing or it is unreadable."""
    try:
        data = yaml.safe_load(_state_file().read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return data if isinstance(data, dict) else {}


def remember(**values: Any) -> None:
    """Stores remembered values; kept apart from config.yaml so the user's file and comments stay untouched."""
    state = load_state()
    state.update(values)
    path = _state_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(yaml.safe_dump(state, sort_keys=True), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # remembering is a convenience; a read-only home must not break the app
