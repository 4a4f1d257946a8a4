"""What each pane shows: its columns, the cells of one object (status coloured), filters and pod scopes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text

from kubetui import kinds
from kubetui.cluster import render
from kubetui.kinds import labels
from kubetui.widgets.resource_table import EMPHASIS
from kubetui.widgets.resource_table import _plain as plain

Obj = Mapping[str, Any]

# Columns each pane shows and the one carrying the status colour come from the registry of kinds.
PANE_COLUMNS: dict[str, tuple[str, ...]] = {k.plural: k.columns for k in kinds.KINDS if k.columns}
STATUS_COLUMN = {k.plural: k.status_column for k in kinds.KINDS if k.status_column}
NAMESPACED = kinds.NAMESPACED
TABLE_KINDS = ("nodes", "deployments", "pods", "services")  # the main screen's resource panes


def columns(kind: str, with_namespace: bool) -> tuple[str, ...]:
    cols = PANE_COLUMNS[kind]
    return ("NAMESPACE", *cols) if with_namespace and kind in NAMESPACED else cols


def _indices(kind: str) -> list[int]:
    wide = render.WIDE_COLUMNS[kind]
    return [wide.index(c) for c in PANE_COLUMNS[kind]]


_INDEX_CACHE: dict[str, list[int]] = {}


def cells(
    kind: str,
    obj: Obj,
    now: float,
    with_namespace: bool,
    colours: Mapping[str, str],
    emphasis: bool = False,
) -> tuple[Any, ...]:
    """The row of ``obj`` in its pane; the status cell coloured by the theme, the name bold when emphasised."""
    idx = _INDEX_CACHE.get(kind)
    if idx is None:
        idx = _INDEX_CACHE[kind] = _indices(kind)
    wide = render.row(kind, obj, now, wide=True)
    values: list[Any] = [wide[i] for i in idx]
    status_col = STATUS_COLUMN.get(kind)
    if status_col is not None:
        pos = PANE_COLUMNS[kind].index(status_col)
        colour = colours.get(render.status_class(kind, obj), "")
        values[pos] = Text(str(values[pos]), style=colour)
    if emphasis:
        values[0] = Text(f"{EMPHASIS}{values[0]}", style="bold")
    if with_namespace and kind in NAMESPACED:
        values.insert(0, (obj.get("metadata") or {}).get("namespace", ""))
    return tuple(values)


# -- filters ------------------------------------------------------------------------------------------------


def parse_selector(text: str) -> list[labels.Requirement]:
    """kubectl's label selector syntax: ``a=b,c!=d,e,!f,g in (x,y)``; raises ValueError when malformed."""
    if not text.strip():
        raise ValueError("empty label selector")
    return labels.parse(text)


@dataclass
class RowFilter:
    """``/`` filter: text or regex against the row's cells, or ``-l SELECTOR`` against the object's labels."""

    text: str = ""
    pattern: re.Pattern[str] | None = None
    selector: list[labels.Requirement] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> RowFilter:
        text = text.strip()
        if not text:
            return cls()
        if text.startswith("-l"):
            return cls(text=text, selector=parse_selector(text[2:].strip()))
        try:
            pattern = re.compile(text, re.IGNORECASE)
        except re.error:
            pattern = re.compile(re.escape(text), re.IGNORECASE)
        return cls(text=text, pattern=pattern)

    @property
    def active(self) -> bool:
        return bool(self.text)

    def matches(self, obj: Obj, row: tuple[Any, ...]) -> bool:
        if self.selector:
            return labels.requirements_match(self.selector, (obj.get("metadata") or {}).get("labels"))
        if self.pattern is None:
            return True
        # Each cell on its own, so that ^ and $ anchor to a name, a status or an IP.
        search = self.pattern.search
        return any(search(plain(c)) for c in row)
