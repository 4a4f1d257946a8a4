"""HelpScreen: every key kubetui answers to, from the action table, with the user's keymap applied."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from kubetui.actions import ACTIONS
from kubetui.keymap import EXTRA_HELP, TABLE_KEYS

GROUPS = (
    ("object", "On the selected object"),
    ("view", "Views"),
    ("navigation", "Moving around"),
    ("app", "App"),
)


def help_table(key_for: Any, readonly: bool) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=False)
    table.add_column("key", style="bold", no_wrap=True)
    table.add_column("what")
    table.add_column("id", style="dim", no_wrap=True)
    # Looking comes before changing: the keys a newcomer needs first fit the first page at 80x24.
    ordered = sorted(ACTIONS, key=lambda action: action.mutates)
    for group, title in GROUPS:
        table.add_row(Text(title, style="bold underline"), "", "")
        for action in ordered:
            if action.group != group:
                continue
            what = action.description or action.label
            if action.mutates and readonly:
                what += " (read-only: off)"
            kinds = f" [{', '.join(sorted(action.kinds))}]" if action.kinds and group == "object" else ""
            table.add_row(key_for(action.id), what + kinds, action.id)
        if group == "navigation":
            for binding_id, _keys, what in TABLE_KEYS:
                table.add_row(key_for(binding_id), what, binding_id)
            for key, what in EXTRA_HELP:
                table.add_row(key, what, "")
        table.add_row("", "", "")
    return table


class HelpScreen(ModalScreen[None]):
    """Closed by esc, q or ?."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", show=True),
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 100; max-width: 100%; height: 90%; border: round $accent;
        background: $surface; padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        app: Any = self.app
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys (remap by id in config.yaml: keymap:)"
            yield Static(help_table(app.key_for, app.session.readonly), id="help-table")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()
