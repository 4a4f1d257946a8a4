"""Pane: a bordered container for one resource list; PaneTabs: the one-line pane switcher of small terminals."""

from __future__ import annotations

from rich.text import Text
from textual.containers import Vertical
from textual.widgets import Static

PANE_ORDER = ("nodes", "deployments", "pods", "services", "logs")
PANE_TITLES = {
    "nodes": "Nodes",
    "deployments": "Deployments",
    "pods": "Pods",
    "services": "Services",
    "logs": "Logs",
}


class Pane(Vertical):
    """One pane of the main screen; ``kind`` names what it lists."""

    DEFAULT_CSS = """
    Pane { border: round $panel-lighten-2; height: 1fr; }
    /* The pane the keys act on: a heavy border and a title in reverse, readable without colour too (``s`` is
       Save in Logs and Scale elsewhere). */
    Pane:focus-within {
        border: heavy $accent;
        border-title-style: bold reverse;
        border-title-color: $accent;
    }
    """

    def __init__(self, kind: str, *, id: str | None = None) -> None:
        super().__init__(id=id or f"pane-{kind}")
        self.kind = kind
        self.border_title = PANE_TITLES.get(kind, kind)


class PaneTabs(Static):
    """Names every pane with the shown one marked: the tab bar used when panes are stacked (80×24) or zoomed."""

    DEFAULT_CSS = """
    PaneTabs { height: 1; padding: 0 1; background: $panel; }
    """

    _shown: tuple[str, tuple[tuple[str, int], ...]] | None = None

    def show(self, active: str, counts: dict[str, int]) -> None:
        # Every watch batch calls this; updating a Static runs a layout pass, which repaints every scrollbar on
        # the screen, so an unchanged bar is left alone.
        shown = (active, tuple(sorted(counts.items())))
        if shown == self._shown:
            return
        self._shown = shown
        text = Text(no_wrap=True, overflow="ellipsis")
        for kind in PANE_ORDER:
            label = PANE_TITLES[kind]
            if kind in counts:
                label += f" {counts[kind]}"
            style = "reverse bold" if kind == active else ""
            text.append(f" {label} ", style=style)
            text.append(" ")
        text.append(" tab: next pane", style="dim")
        self.update(text)
