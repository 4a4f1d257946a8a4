"""The scrolling body of the log view: renders only the visible lines of a LogBuffer, with a line cache."""

from __future__ import annotations

import asyncio
import colorsys
import re
import zlib
from bisect import bisect_right

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from kubetui.cluster.logs_model import LogItem, LogLine, LogState, LogStatus
from kubetui.widgets.log_buffer import LogBuffer

_TS_WIDTH = 31  # "2026-01-01T00:00:00.000000000Z "
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
_CONTROL = re.compile("[\u0000-\u0008\u000a-\u001f\u007f]")

ANSI_PALETTE = (
    "ansi_cyan",
    "ansi_magenta",
    "ansi_green",
    "ansi_yellow",
    "ansi_blue",
    "ansi_bright_cyan",
    "ansi_bright_magenta",
    "ansi_bright_green",
    "ansi_bright_yellow",
    "ansi_bright_blue",
)

STATE_STATUS = {
    LogState.STREAMING: "running",
    LogState.RESUMED: "running",
    LogState.JOINED: "running",
    LogState.WAITING: "pending",
    LogState.IMAGE_PULL: "failed",
    LogState.CRASH_LOOP: "failed",
    LogState.FORBIDDEN: "failed",
    LogState.ERROR: "failed",
    LogState.DELETED: "terminating",
    LogState.TERMINATING: "terminating",
    LogState.LEFT: "completed",
    LogState.ENDED: "completed",
    LogState.LOST: "warning",
    LogState.RESTARTED: "warning",
}


def clean(text: str) -> str:
    """Colour codes removed, tabs expanded and other control characters made visible, so one log line is
    one screen line and a program's colours cannot restyle the view."""
    if "\x1b" in text:
        text = _ANSI.sub("", text)
    if "\t" in text:
        text = text.expandtabs()
    return _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text) if not text.isprintable() else text


def pod_palette(primary: str, dark: bool, ansi: bool, count: int = 10) -> list[Style]:
    """Distinct colours of the theme's saturation and lightness, hues spread round the wheel."""
    if ansi:
        return [Style(color=c.replace("ansi_", "")) for c in ANSI_PALETTE]
    try:
        r, g, b = Color.parse(primary).rgb
    except Exception:
        r, g, b = 95, 175, 255
    h, lum, sat = colorsys.rgb_to_hls(r / 255, g / 255, b / 255)
    lum = min(max(lum, 0.55), 0.72) if dark else min(max(lum, 0.28), 0.42)
    styles = []
    for k in range(count):
        rr, gg, bb = colorsys.hls_to_rgb((h + k / count) % 1.0, lum, sat)
        styles.append(Style(color=f"#{int(rr * 255):02x}{int(gg * 255):02x}{int(bb * 255):02x}", bold=True))
    return styles


def stable_index(name: str, count: int) -> int:
    # crc32, not hash(): the same pod keeps its colour across runs.
    return zlib.crc32(name.encode()) % count


class LogLines(ScrollView, can_focus=True):
    """Shows the shown items of a LogBuffer: ``[timestamp] pod[/container] text`` and notes."""

    DEFAULT_CSS = """
    LogLines {
        background: $surface;
        color: $foreground;
        overflow: auto auto;
        scrollbar-size: 1 1;
    }
    """

    def __init__(self, buffer: LogBuffer, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.buffer = buffer
        self.timestamps = False
        self.wrap = False
        self.search: re.Pattern[str] | None = None
        self.current: int | None = None  # shown index of the current search match
        self._cache: LRUCache[tuple[LogItem, int] | tuple[LogItem, int, int, int], Strip] = LRUCache(512)
        self._palette: list[Style] = pod_palette("#5fafff", True, False)
        self._note_styles: dict[str, Style] = {}
        self._match_style = Style(reverse=True)
        self._current_style = Style(bgcolor="#444444")
        self._dim = Style(dim=True)
        self._prefix_width = 0
        self._max_text = 0  # widest line text kept (never shrinks until cleared; only sets the scroll width)
        self._ends: list[int] = []  # wrap mode: cumulative row ends of shown items
        self._ends_base = 0
        self.paints = 0
        self._base_style = Style()
        self._pending_new = 0
        self._pending_lost = 0
        self._paint_event = asyncio.Event()

    def on_mount(self) -> None:
        self._load_theme()
        self.watch(self.app, "theme", lambda _theme: self._theme_changed(), init=False)

    def _theme_changed(self) -> None:
        self._load_theme()
        self.invalidate()

    def _load_theme(self) -> None:
        theme = self.app.current_theme
        variables = self.app.theme_variables
        self._palette = pod_palette(theme.primary, theme.dark, theme.ansi)
        self._note_styles = {
            s: Style(color=variables.get(f"status-{s}", theme.warning or "yellow"), italic=True)
            for s in set(STATE_STATUS.values())
        }
        accent = theme.accent or theme.warning or "yellow"
        self._match_style = Style(color="black", bgcolor=accent if not theme.ansi else "yellow", bold=True)
        # An ANSI theme's panel is "ansi_default", which Rich cannot draw: use the terminal's own grey.
        panel = "bright_black" if theme.ansi else theme.panel or theme.surface or "#444444"
        self._current_style = Style(bgcolor=panel)

    # --- geometry -----------------------------------------------------------------------------------------

    def _prefix(self, pod: str, container: str) -> str:
        if container and len(self.buffer.containers.get(pod, ())) > 1:
            return f"{pod}/{container}"
        return pod

    def _text_width(self, item: LogItem) -> int:
        if isinstance(item, LogLine):
            text = item.text
            return len(text) if text.isascii() and text.isprintable() else cell_len(clean(text))
        return len(item.message) + len(item.pod) + len(item.container) + 50

    def _widest_text(self, stored: list[tuple[str, str, str, str] | LogStatus]) -> int:
        """The widest text among stored items, as ``_text_width`` measures it, in a few passes at C speed
        when every line is printable ASCII (the usual case)."""
        texts = [s[3] for s in stored if s.__class__ is tuple]  # type: ignore[index]
        widest = max((self._text_width(s) for s in stored if s.__class__ is LogStatus), default=0)  # type: ignore[arg-type]
        joined = "".join(texts)
        if joined.isascii() and joined.isprintable():
            return max(widest, max(map(len, texts), default=0))
        return max(
            widest,
            max(
                (len(t) if t.isascii() and t.isprintable() else cell_len(clean(t)) for t in texts), default=0
            ),
        )

    def _item_width(self, item: LogItem) -> int:
        if isinstance(item, LogLine):
            ts = len(item.ts) + 1 if self.timestamps and item.ts else 0
            return ts + self._prefix_width + 1 + self._text_width(item)
        return self._text_width(item)

    def add_pending(self, new_shown: int, lost_shown: int) -> None:
        """Records that the buffer grew (or lost lines at the front) since sizes were last brought up to date."""
        self._pending_new += new_shown
        self._pending_lost += lost_shown

    def show_pending(self) -> int:
        """Brings sizes up to date with everything added since (``invalidate`` also does, and resets this);
        returns how many screen rows dropped off the top."""
        new_shown, lost_shown = self._pending_new, self._pending_lost
        self._pending_new = self._pending_lost = 0
        base = self._ends_base
        self.note_appended(new_shown, lost_shown)
        if self.wrap:
            return max(0, self._ends_base - base)
        return lost_shown

    def note_appended(self, new_shown: int, lost_shown: int) -> None:
        """Updates sizes after the buffer grew by ``new_shown`` shown items and lost ``lost_shown``."""
        buffer = self.buffer
        count = buffer.shown_count
        start = count - new_shown
        widest_prefix = self._prefix_width
        for pod, containers in buffer.containers.items():
            widest = len(pod) + (max(len(c) for c in containers) + 1 if len(containers) > 1 else 0)
            widest_prefix = max(widest_prefix, widest)
        if widest_prefix != self._prefix_width:
            self._prefix_width = widest_prefix
            self._cache.clear()
            if self.wrap:
                self.invalidate()
                return
        if self.wrap:
            if lost_shown >= len(self._ends) and self._ends:
                self.invalidate()
                return
            if lost_shown:
                drop = min(lost_shown, len(self._ends))
                if drop:
                    self._ends_base = self._ends[drop - 1]
                    del self._ends[:drop]
            self._extend_ends(start)
        elif new_shown:
            self._max_text = max(self._max_text, self._widest_text(buffer.stored_since(start)))
        self._resize()

    def _extend_ends(self, start: int) -> None:
        width = max(1, self.scrollable_content_region.width)
        total = self._ends[-1] if self._ends else self._ends_base
        item_width = self._item_width
        for item in self.buffer.iter_shown(max(start, len(self._ends))):
            total += max(1, -(-item_width(item) // width))
            self._ends.append(total)

    def _resize(self) -> None:
        if self.wrap:
            rows = (self._ends[-1] - self._ends_base) if self._ends else 0
            size = Size(self.scrollable_content_region.width, rows)
        else:
            # Widest text seen plus the widest prefix and timestamp: no pass over every line on a toggle.
            width = self._max_text + self._prefix_width + 1 + (_TS_WIDTH if self.timestamps else 0)
            size = Size(width, self.buffer.shown_count)
        if size == self.virtual_size:
            return
        if self.region.area:
            # A scroll view's content size moves nothing else on the screen, yet setting ``virtual_size`` asks for
            # a layout pass of the whole screen and a full repaint, ten times a second while lines pour in. Set
            # it quietly and update what depends on it: the scrollbars (whose appearing or going still asks for
            # a layout) and the clamped scroll offsets.
            self.set_reactive(LogLines.virtual_size, size)
            self._scroll_update(size)
            self.refresh()
        else:
            # Not on screen (a pane hidden behind a tab): a layout pass now would repaint every scrollbar on
            # the screen for nothing, many times a second; the pass that shows this widget picks the size up.
            self.set_reactive(LogLines.virtual_size, size)

    def invalidate(self) -> None:
        """Forgets every rendered line and size; call after toggles, filters or a resize."""
        self._pending_new = self._pending_lost = 0
        self._cache.clear()
        self._ends = []
        self._ends_base = 0
        if self.wrap:
            self._extend_ends(0)
        elif not self.buffer.shown_count:
            self._max_text = 0
        self._resize()
        self.refresh()

    def on_resize(self) -> None:
        if self.wrap:
            self.invalidate()

    def row_of(self, index: int) -> int:
        """The first screen row (in virtual space) of a shown item."""
        if not self.wrap:
            return index
        return (self._ends[index - 1] if index > 0 else self._ends_base) - self._ends_base

    # --- rendering ----------------------------------------------------------------------------------------

    def _render_item(self, item: LogItem, index: int) -> Strip:
        current = index == self.current
        key = (item, 1 if current else 0)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        # The widget's own style is baked in once here, not applied again on every paint.
        strip = Strip(self._segments(item, current)).apply_style(self._base_style)
        self._cache[key] = strip
        return strip

    def _render_row(self, item: LogItem, index: int, scroll_x: int, width: int) -> Strip:
        """One screen row (no wrapping): the item's cells from ``scroll_x``, cut or padded to ``width``."""
        current = index == self.current
        key = (item, 1 if current else 0, scroll_x, width)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        segments = self._segments(item, current)
        base = self._base_style
        if scroll_x == 0 and all(segment.text.isascii() for segment in segments):
            # Cleaned ASCII takes one cell a character: cut and pad by length and build one Strip, where
            # styling, padding and cropping a whole line would build four (each with its own caches), for
            # every row of every frame while lines pour in.
            row: list[Segment] = []
            room = width
            for text, style, _ in segments:
                if room <= 0:
                    break
                if len(text) > room:
                    text = text[:room]
                if text:
                    row.append(Segment(text, base + style if style else base))
                    room -= len(text)
            if room > 0:
                row.append(Segment(" " * room, base))
            strip = Strip(row, width)
        else:
            strip = self._render_item(item, index).crop_extend(scroll_x, scroll_x + width, base)
        self._cache[key] = strip
        return strip

    def _segments(self, item: LogItem, current: bool) -> list[Segment]:
        segments: list[Segment] = []
        if isinstance(item, LogLine):
            if self.timestamps and item.ts:
                segments.append(Segment(item.ts + " ", self._dim))
            prefix = self._prefix(item.pod, item.container)
            style = self._palette[stable_index(prefix, len(self._palette))]
            segments.append(Segment(prefix.ljust(self._prefix_width) + " ", style))
            text = clean(item.text)
            pos = 0
            if self.search is not None:
                for m in self.search.finditer(text):
                    if m.end() == m.start():
                        continue
                    segments.append(Segment(text[pos : m.start()]))
                    segments.append(Segment(m.group(), self._match_style))
                    pos = m.end()
            segments.append(Segment(text[pos:]))
        else:
            style = self._note_styles.get(STATE_STATUS.get(item.state, "warning"), Style(italic=True))
            who = f"{item.pod}/{item.container}" if item.container else item.pod
            # The offer goes first so that it is seen however narrow the pane.
            offer = " [press p for the previous container's log]" if item.previous else ""
            segments.append(Segment(f"── {who}:{offer} {clean(item.message)}", style))
        if current:
            segments = [
                Segment(s.text, self._current_style + s.style if s.style else self._current_style)
                for s in segments
            ]
        return segments

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        row = scroll_y + y
        base_style = self._base_style
        buffer = self.buffer
        if self.wrap:
            if not self._ends or row >= self._ends[-1] - self._ends_base:
                return Strip.blank(width, base_style)
            index = bisect_right(self._ends, row + self._ends_base)
            start = self.row_of(index)
            strip = self._render_item(buffer.shown(index), index)
            part = row - start
            pieces = (
                strip.divide([*range(width, strip.cell_length, width), strip.cell_length])
                if strip.cell_length > width
                else [strip]
            )
            line = pieces[part] if part < len(pieces) else Strip.blank(0)
            return line.extend_cell_length(width, base_style)
        if row >= buffer.shown_count:
            return Strip.blank(width, base_style)
        return self._render_row(buffer.shown(row), row, scroll_x, width)

    def render_lines(self, crop):  # type: ignore[no-untyped-def]
        base = self.rich_style  # costly to compute: once per paint, not once per line
        if base != self._base_style:
            self._base_style = base
            self._cache.clear()
        lines = super().render_lines(crop)
        self.paints += 1
        self._paint_event.set()
        return lines

    async def next_paint(self) -> None:
        """Waits until the next time lines are painted (benchmarks time key presses with it)."""
        self._paint_event.clear()
        await self._paint_event.wait()
