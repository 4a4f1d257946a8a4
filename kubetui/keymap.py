"""Bindings built from the action table, user keymap overrides (binding id → key), and key display names."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.binding import Binding

from kubetui.actions import ACTIONS, Action

# Keys of every resource table (binding id, keys, what); remappable like actions.
TABLE_KEYS: tuple[tuple[str, str, str], ...] = (
    ("table.up", "up,k", "Cursor up"),
    ("table.down", "down,j", "Cursor down"),
    ("table.page_up", "pageup", "Page up"),
    ("table.page_down", "pagedown", "Page down"),
    ("table.first", "home,g", "First row"),
    ("table.last", "end,G", "Last row"),
    ("table.scroll_left", "left,less_than_sign", "Scroll columns left (a table wider than its pane)"),
    ("table.scroll_right", "right,greater_than_sign", "Scroll columns right (a table wider than its pane)"),
)
# Keys that are Textual's own but belong in help.
EXTRA_HELP: tuple[tuple[str, str], ...] = (("ctrl+p", "Command palette: every action by name"),)

PRIORITY_ACTIONS = frozenset({"command", "filter"})

_KEY_NAMES = {
    "plus": "+",
    "minus": "-",
    "colon": ":",
    "slash": "/",
    "question_mark": "?",
    "less_than_sign": "<",
    "greater_than_sign": ">",
    "escape": "esc",
}


def display_key(key: str) -> str:
    """How a key is written for people: ``question_mark`` → ``?``."""
    return ",".join(_KEY_NAMES.get(k, k) for k in key.split(","))


def action_binding(action: Action, key: str | None = None) -> Binding:
    """The Textual binding that runs ``action``; object actions go through ``action_object``."""
    target = f"object('{action.id}')" if action.group == "object" else action.id
    return Binding(
        key or action.key,
        target,
        action.label,
        show=action.show,
        id=action.id,
        tooltip=action.description,
        # ":" and "/" open the command line at once, before keys typed right after them are routed (a paste
        # or fast typing would otherwise reach the table). The screen lets them through while it is open.
        priority=action.id in PRIORITY_ACTIONS,
    )


def bindings(actions: Iterable[Action] = ACTIONS) -> list[Binding]:
    return [action_binding(a) for a in actions]


def effective_keys(overrides: Mapping[str, str]) -> dict[str, str]:
    """Each action id → the key that runs it after the user's overrides."""
    return {a.id: overrides.get(a.id, a.key) for a in ACTIONS}


def validate_overrides(overrides: Mapping[str, object]) -> tuple[dict[str, str], list[str]]:
    """Keeps overrides naming a known action with a string key; returns them and warnings for the rest."""
    known = {a.id for a in ACTIONS} | {binding_id for binding_id, _, _ in TABLE_KEYS}
    good: dict[str, str] = {}
    warnings: list[str] = []
    for binding_id, key in overrides.items():
        if binding_id not in known:
            warnings.append(f"keymap: unknown action {binding_id!r}")
        elif not isinstance(key, str) or not key.strip():
            warnings.append(f"keymap: key for {binding_id!r} must be a non-empty string")
        else:
            good[binding_id] = key.strip()
    return good, warnings
