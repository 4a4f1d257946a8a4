"""Describe and YAML views of one object (full screen, scrollable), and the handlers that open them."""

from __future__ import annotations

import asyncio
import copy
import importlib
import re
import textwrap
from typing import Any

import yaml
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Static

from kubetui.actions import Target, register_handler
from kubetui.cluster.secrets import MASK as MASK  # the one mask, shown wherever a Secret is
from kubetui.cluster.secrets import masked as mask_secret
from kubetui.widgets.key_footer import KeyFooter


def fold_managed_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy with metadata.managedFields replaced by a one-line note (they drown the object otherwise)."""
    out = copy.deepcopy(obj)
    meta = out.get("metadata") or {}
    managed = meta.pop("managedFields", None)
    if managed:
        managers = sorted({str(m.get("manager", "?")) for m in managed})
        meta["managedFields"] = f"<folded: {len(managed)} entries by {', '.join(managers)}>"
    return out


# A value longer than this is shown cut, with how much is left out: one 10 MB annotation otherwise takes
# seconds to lay out and a gigabyte and a half to draw.
FOLD_CHARS = 2000


def fold_long_values(value: Any, limit: int = FOLD_CHARS) -> Any:
    """``value`` with every string over ``limit`` characters cut to its start and a note of the rest."""
    if isinstance(value, str):
        if len(value) <= limit:
            return value
        return f"{value[:limit]}… <folded: {len(value) - limit:,} more characters>"
    if isinstance(value, dict):
        return {k: fold_long_values(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [fold_long_values(v, limit) for v in value]
    return value


def to_yaml(obj: dict[str, Any]) -> str:
    """The object as ``kubectl get -o yaml`` prints it: keys sorted at every level (apiVersion, kind,
    metadata, spec, status at the top), Secrets masked, managedFields and very long values folded."""
    shown = fold_long_values(mask_secret(fold_managed_fields(obj)))
    return yaml.safe_dump(shown, sort_keys=True, default_flow_style=False, allow_unicode=True)


_CELL_START = re.compile(r"(?<=\S)  +(?=\S)")


def hanging_wrap(text: str, width: int) -> str:
    """Lines longer than ``width`` wrapped with their continuation under the cell they overflow in.

    An event's long message goes on below the Message column, a long value below where the value starts,
    so describe's columns stay readable however narrow the terminal.
    """
    if width < 40:
        return text
    out: list[str] = []
    for line in text.splitlines():
        if len(line) <= width:
            out.append(line)
            continue
        starts = [m.end() for m in _CELL_START.finditer(line) if m.end() <= width - 30]
        indent = starts[-1] if starts else len(line) - len(line.lstrip()) + 2
        body = textwrap.wrap(
            line[indent:], width - indent, break_long_words=True, break_on_hyphens=False
        ) or [""]
        out.append(line[:indent] + body[0])
        out.extend(" " * indent + part for part in body[1:])
    return "\n".join(out)


class DescribeBody(Static):
    """Describe's text, rewrapped to the width it is shown at (kubectl's layout otherwise unchanged)."""

    def __init__(self, text: str, *, id: str | None = None) -> None:
        super().__init__(Text(text), id=id)
        self.text = text

    def on_resize(self, event: Resize) -> None:
        self.update(Text(hanging_wrap(self.text, event.size.width)))


async def describe_text(session: Any, kind: str, obj: dict[str, Any]) -> str:
    """kubectl-describe-like text with the object's events, fetched by the cluster layer in this worker.

    Kinds the cluster layer cannot describe fall back to the YAML."""
    describe = importlib.import_module("kubetui.cluster.describe")
    meta = obj.get("metadata") or {}
    try:
        return str(
            await session.call(
                lambda conn: describe.describe(conn, kind, meta.get("namespace", ""), meta.get("name", ""))
            )
        )
    except KeyError:
        return to_yaml(obj)


async def full_object(session: Any, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    """The object as the server has it now: the store keeps it without managedFields and the last-applied
    annotation. The cached copy when the server cannot give it (gone, refused, unreachable)."""
    resources = importlib.import_module("kubetui.cluster.resources")
    meta = obj.get("metadata") or {}
    try:
        path = resources.resource_for(kind).path(meta.get("namespace"), meta.get("name"))
        fetched = await session.call(lambda conn: conn.request("GET", path))
    except Exception:  # the cached copy is still worth showing
        return obj
    return fetched if isinstance(fetched, dict) and fetched.get("metadata") else obj


class ObjectScreen(Screen[None]):
    """One object as text; esc or q goes back. Stays on what it was opened with (a snapshot, not live)."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("g", "top", "Top", show=False),
        Binding("G", "bottom", "Bottom", show=False),
        Binding("j", "down", "Down", show=False),
        Binding("k", "up", "Up", show=False),
    ]
    DEFAULT_CSS = """
    ObjectScreen > VerticalScroll { border: round $accent; }
    ObjectScreen Static { width: 100%; }
    """

    def __init__(self, title: str, body: Any, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = self.title_text
            # Plain text is shown as is: describe output may contain brackets that look like markup.
            if isinstance(self.body, str):
                yield DescribeBody(self.body, id="object-body")
            else:
                yield Static(self.body, id="object-body")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_top(self) -> None:
        self.query_one(VerticalScroll).scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.query_one(VerticalScroll).scroll_end(animate=False)

    def action_down(self) -> None:
        self.query_one(VerticalScroll).scroll_down(animate=False)

    def action_up(self) -> None:
        self.query_one(VerticalScroll).scroll_up(animate=False)


def _label(target: Target) -> str:
    meta = (target.obj or {}).get("metadata") or {}
    ns = f"{meta['namespace']}/" if meta.get("namespace") else ""
    return f"{target.kind[:-1] if target.kind.endswith('s') else target.kind} {ns}{meta.get('name', '')}"


async def show_describe(app: Any, target: Target) -> None:
    if target.obj is None:
        app.notify("nothing selected", severity="warning")
        return
    try:
        text = await describe_text(target.session, target.kind, target.obj)
    except Exception as exc:  # shown, not raised: a failed describe must not end the app
        app.notify(getattr(exc, "message", None) or str(exc), title="describe failed", severity="error")
        return
    app.push_screen(ObjectScreen(f"describe {_label(target)}", text, id="describe"))


async def show_yaml(app: Any, target: Target) -> None:
    if target.obj is None:
        app.notify("nothing selected", severity="warning")
        return
    theme = "ansi_dark" if app.current_theme.dark else "ansi_light"
    obj = await full_object(target.session, target.kind, target.obj)
    # Off the event loop: a big object (thousands of lines) must not stop the screen from repainting.
    text = await asyncio.to_thread(to_yaml, obj)
    body = Syntax(text, "yaml", theme=theme, word_wrap=True, background_color="default")
    app.push_screen(ObjectScreen(f"YAML {_label(target)}", body, id="yaml"))


register_handler("describe", show_describe)
register_handler("yaml", show_yaml)


async def show_logs(app: Any, target: Target) -> None:
    """Full-screen logs of the pod, or of every pod of the selected workload."""
    from kubetui.screens.logs import LogsScreen
    from kubetui.widgets.logs_pane import pods_for

    session = target.session
    if target.obj is None or session.conn is None:
        app.notify("nothing selected" if target.obj is None else "not connected", severity="warning")
        return
    pods = pods_for(session.store, target.kind, target.obj)
    namespace = (target.obj.get("metadata") or {}).get("namespace", "")
    budget = app.settings.log_line_budget
    app.push_screen(LogsScreen(session.conn, namespace, pods, title=_label(target), budget=budget))


register_handler("logs", show_logs)
