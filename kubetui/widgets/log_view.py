"""LogView: live logs of one pod or many, tagged by pod, bounded, searchable and filterable while streaming."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from kubetui.cluster.logs import (
    LogItem,
    LogLine,
    LogState,
    LogStatus,
    RawLine,
)
from kubetui.widgets.line_input import LineInput
from kubetui.widgets.log_buffer import DEFAULT_BUDGET, LogBuffer, compile_pattern
from kubetui.widgets.log_lines import LogLines
from kubetui.widgets.log_save import default_path, refusal, resolve
from kubetui.widgets.log_streaming import LogStreaming

TAIL_CHOICES: tuple[int | None, ...] = (100, 1000, 10000, None)
SINCE_CHOICES: tuple[tuple[str, int | None], ...] = (
    ("1m", 60),
    ("5m", 300),
    ("15m", 900),
    ("1h", 3600),
    ("all", None),
)
_PROMPTS = {
    "search": "search (regex; empty clears) — n / N to move between matches",
    "include": "show only lines matching (regex; empty clears)",
    "exclude": "hide lines matching (regex; empty clears)",
    "save": "a file name; enter saves, esc cancels",
}
# What the prompt is for, on its own line above it: a letter pressed in the wrong pane must be obvious.
_PROMPT_LABELS = {
    "search": "Search the lines (regex) — enter searches, esc cancels",
    "include": "Show only lines matching (regex) — enter applies, esc cancels",
    "exclude": "Hide lines matching (regex) — enter applies, esc cancels",
    "save": "Save the shown log lines to this file — enter saves, esc cancels",
}
_STATE_LABELS = {
    LogState.WAITING: "waiting",
    LogState.CRASH_LOOP: "CrashLoopBackOff",
    LogState.TERMINATING: "terminating",
    LogState.ENDED: "ended",
    LogState.FORBIDDEN: "forbidden",
    LogState.LOST: "connection lost",
    LogState.ERROR: "error",
}


def plain_text(item: LogItem, timestamps: bool, prefix: str) -> str:
    """A line as saved to a file: what the view shows, without colour."""
    if isinstance(item, LogLine):
        ts = f"{item.ts} " if timestamps and item.ts else ""
        return f"{ts}{prefix} {item.text}"
    who = f"{item.pod}/{item.container}" if item.container else item.pod
    return f"── {who}: {item.message}"


class _Prompt(LineInput):
    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    class Cancelled(Message):
        pass

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled())


class LogView(LogStreaming, Widget, can_focus=False):
    """Logs of the pods given with ``show_pods``; ``set_pods`` changes the set while streaming."""

    BINDINGS = [
        Binding("f", "toggle_follow", "Follow"),
        # Early in the footer: in this pane s saves (elsewhere it scales), and a narrow footer must show it.
        Binding("s", "prompt('save')", "Save", priority=True),
        Binding("t", "toggle_timestamps", "Timestamps"),
        Binding("w", "toggle_wrap", "Wrap"),
        Binding("p", "toggle_previous", "Previous"),
        # The keys that open the prompt take priority, so that what is typed right after them (in the same burst,
        # over a slow link) lands in the prompt rather than on the view's own one-letter keys.
        Binding("slash", "prompt('search')", "Search", priority=True),
        Binding("n", "next_match", "Next match", show=False),
        Binding("N", "previous_match", "Previous match", show=False),
        Binding("i", "prompt('include')", "Include", priority=True),
        Binding("x", "prompt('exclude')", "Exclude", priority=True),
        Binding("l", "cycle_tail", "Tail"),
        Binding("S", "cycle_since", "Since"),
        Binding("C", "cycle_container", "Container"),
        Binding("c", "clear", "Clear"),
        Binding("G,end", "follow_end", "End", show=False),
    ]

    DEFAULT_CSS = """
    LogView {
        height: 1fr;
        layout: vertical;
    }
    LogView > #log-status {
        height: auto;
        max-height: 4;
        background: $panel;
        color: $foreground;
    }
    LogView > #log-prompt-box {
        dock: bottom;
        height: auto;
        display: none;
    }
    LogView > #log-prompt-box.-active {
        display: block;
    }
    LogView #log-prompt-label {
        width: 100%;
        background: $accent;
        color: $text;
        text-style: bold;
    }
    """

    class ItemsArrived(Message):
        """A batch of lines and states from the streams (posted by the streaming worker)."""

        def __init__(self, items: list[LogItem | RawLine], generation: int = -1) -> None:
            super().__init__()
            self.items = items
            self.generation = generation  # which show_pods they belong to; -1 is always shown

    def __init__(
        self,
        *,
        budget: int = DEFAULT_BUDGET,
        tail_lines: int | None = 1000,
        poll_interval: float = 1.0,
        reader_thread: bool = True,
        repaint_interval: float = 0.1,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.buffer = LogBuffer(budget)
        self.follow = True
        self.unread = 0
        self.tail_lines = tail_lines
        self.since: int | None = None
        self.previous = False
        self.poll_interval = poll_interval
        self.reader_thread = reader_thread
        self.repaint_interval = repaint_interval
        self.title = ""
        self.search_text = ""
        self.include_text = ""
        self.exclude_text = ""
        self.states: dict[tuple[str, str], LogStatus] = {}
        self._prompt_kind = ""
        self._status_shown = ""
        self._status_height = 0
        self.known_containers: set[str] = set()
        self._init_streaming()
        self._repaint_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="log-status")
        yield LogLines(self.buffer, id="log-lines")
        with Vertical(id="log-prompt-box"):
            yield Label(id="log-prompt-label")
            yield _Prompt(id="log-prompt")

    def on_mount(self) -> None:
        self._update_status()

    @property
    def lines(self) -> LogLines:
        return self.query_one(LogLines)

    @on(ItemsArrived)
    def _on_items(self, message: ItemsArrived) -> None:
        message.stop()
        # Batches still in flight from the streams of an earlier selection are not this view's any more.
        if message.generation in (-1, self._generation):
            self.add_items(message.items)

    def add_items(self, items: list[LogItem | RawLine]) -> None:
        """Shows a batch: lines are stored (dropping the oldest over budget), states update the status bar."""
        # One pass at C speed finds the few notes among hundreds of lines.
        notes: list[LogStatus] = [i for i in items if i.__class__ is LogStatus]  # type: ignore[misc]
        for item in notes:
            if item.state in (LogState.LEFT, LogState.DELETED):
                # A pod that is gone has no state left to summarise; its note stays in the lines.
                for key in [k for k in self.states if k[0] == item.pod]:
                    del self.states[key]
                continue
            self.states[(item.pod, item.container)] = item
        new_shown, lost_shown = self.buffer.append(items)
        lines = self.lines
        if lines.current is not None:
            lines.current = lines.current - lost_shown if lines.current >= lost_shown else None
        if not self.follow:
            self.unread += new_shown
        lines.add_pending(new_shown, lost_shown)
        # Repaint for arriving lines at most every repaint_interval: a flood costs a few frames a second,
        # and a key press never waits behind a queue of them.
        if self._repaint_timer is None:
            self._repaint_timer = self.set_timer(self.repaint_interval, self._show_pending)
        if notes:
            self._update_status()

    def _show_pending(self) -> None:
        self._repaint_timer = None
        lines = self.lines
        lost_rows = lines.show_pending()
        if self.follow:
            lines.scroll_end(animate=False, x_axis=False)
        elif lost_rows:
            # Keep the lines under the reader's eyes in place while old ones drop off the top.
            lines.scroll_to(y=max(0, lines.scroll_y - lost_rows), animate=False, immediate=True)
        lines.refresh()
        self._update_status()

    # --- status bar ---------------------------------------------------------------------------------------

    def _state_summary(self) -> str:
        """How many streams are in each state that is not plain streaming, e.g. ``2 waiting, 1 CrashLoopBackOff``."""
        counts: dict[str, int] = {}
        for status in self.states.values():
            label = _STATE_LABELS.get(status.state)
            if status.state is LogState.IMAGE_PULL:
                label = status.message.split(":")[0]  # ErrImagePull or ImagePullBackOff, as kubectl says
            if label:
                counts[label] = counts.get(label, 0) + 1
        return ", ".join(f"{n} {label}" for label, n in sorted(counts.items()))

    def status_text(self) -> str:
        """The one-line summary above the lines; the most telling parts first, as a narrow pane cuts the end."""
        parts = [self.title or "logs"]
        if self._container:
            parts.append(f"container {self._container}")
        if self.previous:
            parts.append("previous container")
        parts.append("following" if self.follow else f"paused · {self.unread:,} new (f to follow)")
        summary = self._state_summary()
        if summary:
            parts.append(summary)
        parts.append(f"{self.buffer.shown_count:,} lines")
        if self.buffer.dropped:
            parts.append(f"dropped {self.buffer.dropped:,} oldest (budget {self.buffer.budget:,})")
        if self.include_text:
            parts.append(f"+/{self.include_text}/")
        if self.exclude_text:
            parts.append(f"-/{self.exclude_text}/")
        if self.search_text and self.lines.search is not None:
            parts.append(f"search /{self.search_text}/")
        parts.append(f"tail {self.tail_lines if self.tail_lines is not None else 'all'}")
        parts.append(f"since {next(n for n, s in SINCE_CHOICES if s == self.since)}")
        return " │ ".join(parts)

    def _update_status(self) -> None:
        if self.is_mounted:
            text = " " + self.status_text()
            if text != self._status_shown:
                self._status_shown = text
                # The bar wraps, so every setting stays readable in a narrow pane. It is redrawn often (every
                # batch of lines); a layout pass, which costs the whole screen, only when its row count changes.
                status = self.query_one("#log-status", Static)
                rows = self._status_rows(text, status.size.width)
                status.update(Text(text), layout=rows != self._status_height)
                self._status_height = rows

    def _status_rows(self, text: str, width: int) -> int:
        if width <= 0:
            return 0
        return len(Text(text).wrap(self.app.console, width))

    def on_resize(self) -> None:
        self._status_shown = ""  # rewrap at the new width
        self._update_status()

    # --- public operations --------------------------------------------------------------------------------

    def clear(self) -> None:
        self.buffer.clear()
        self.unread = 0
        if self.is_mounted:
            self.lines.current = None
            self.lines.invalidate()
            self._update_status()

    def save(self, path: Path) -> int:
        """Writes the shown lines (after filters) to ``path``; returns how many were written."""
        lines = self.lines
        count = 0
        with path.open("w", encoding="utf-8") as out:
            for item in self.buffer.iter_shown():
                prefix = lines._prefix(item.pod, item.container) if isinstance(item, LogLine) else ""
                out.write(plain_text(item, lines.timestamps, prefix) + "\n")
                count += 1
        return count

    def set_filters(self, include: str, exclude: str) -> None:
        self.include_text, self.exclude_text = include, exclude
        self.buffer.set_filters(compile_pattern(include), compile_pattern(exclude))
        self.lines.current = None
        self.lines.invalidate()
        if self.follow:
            self.lines.scroll_end(animate=False, x_axis=False)
        self._update_status()

    def set_search(self, text: str) -> None:
        self.search_text = text
        self.lines.search = compile_pattern(text)
        self.lines.current = None
        self.lines.invalidate()
        if self.lines.search is not None:
            self.action_next_match()
        self._update_status()

    # --- actions ------------------------------------------------------------------------------------------

    def action_toggle_follow(self) -> None:
        self.follow = not self.follow
        if self.follow:
            self.unread = 0
            self.lines.scroll_end(animate=False, x_axis=False)
        self._update_status()

    def action_follow_end(self) -> None:
        self.follow = False
        self.action_toggle_follow()

    def action_toggle_timestamps(self) -> None:
        self.lines.timestamps = not self.lines.timestamps
        self.lines.invalidate()

    def action_toggle_wrap(self) -> None:
        self.lines.wrap = not self.lines.wrap
        self.lines.invalidate()
        if self.follow:
            self.lines.scroll_end(animate=False, x_axis=False)

    def action_toggle_previous(self) -> None:
        self.previous = not self.previous
        self._restart()

    def action_cycle_tail(self) -> None:
        i = TAIL_CHOICES.index(self.tail_lines) if self.tail_lines in TAIL_CHOICES else -1
        self.tail_lines = TAIL_CHOICES[(i + 1) % len(TAIL_CHOICES)]
        self._restart()

    def action_cycle_since(self) -> None:
        values = [s for _, s in SINCE_CHOICES]
        i = values.index(self.since) if self.since in values else -1
        self.since = values[(i + 1) % len(values)]
        self._restart()

    def action_cycle_container(self) -> None:
        """All containers → each container seen so far (by name, across the pods) → all again."""
        # Remembered across restarts: with one container chosen, only its lines come in.
        self.known_containers |= {c for pod in self.buffer.containers.values() for c in pod}
        self.known_containers |= {container for _, container in self.states if container}
        choices: list[str | None] = [None, *sorted(self.known_containers)]
        i = choices.index(self._container) if self._container in choices else 0
        self._container = choices[(i + 1) % len(choices)]
        self._restart()

    def action_clear(self) -> None:
        self.clear()

    def _jump(self, backward: bool) -> None:
        lines = self.lines
        if lines.search is None:
            return
        start = lines.current
        if start is None:
            start = self.buffer.shown_count if backward else -1
            if not self.follow:
                start = int(lines.scroll_y) + (lines.size.height if backward else -1)
        found = self.buffer.find(lines.search, start, backward)
        if found is None:
            self.notify(f"no line matches /{self.search_text}/", severity="warning")
            return
        self.follow = False
        lines.current = found
        lines._cache.clear()
        row = lines.row_of(found)
        lines.scroll_to(y=max(0, row - lines.size.height // 2), animate=False, immediate=True)
        lines.refresh()
        self._update_status()

    def action_next_match(self) -> None:
        self._jump(False)

    def action_previous_match(self) -> None:
        self._jump(True)

    def action_prompt(self, asked: str) -> None:
        if isinstance(self.app.focused, Input):
            raise SkipAction()  # typing in a field (the prompt itself): the key is text
        prompt = self.query_one(_Prompt)
        self._prompt_kind = asked
        prompt.placeholder = _PROMPTS[asked]
        self.query_one("#log-prompt-label", Label).update(_PROMPT_LABELS[asked])
        if asked == "save":
            prompt.value = str(default_path(self.title))
        else:
            prompt.value = {"search": self.search_text, "include": self.include_text}.get(
                asked, self.exclude_text
            )
        # A proposed file name is kept whole: what is typed next edits its end instead of replacing it.
        prompt.select_on_focus = asked != "save"
        prompt.cursor_position = len(prompt.value)
        self.query_one("#log-prompt-box").add_class("-active")
        prompt.add_class("-active")
        self.screen.set_focus(
            prompt
        )  # now, not on the next loop turn: the keys after this one go to the prompt

    @on(_Prompt.Submitted)
    def _on_prompt(self, event: Input.Submitted) -> None:
        event.stop()
        asked, value = self._prompt_kind, event.value.strip()
        self._close_prompt()
        if asked == "search":
            self.set_search(value)
        elif asked == "include":
            self.set_filters(value, self.exclude_text)
        elif asked == "exclude":
            self.set_filters(self.include_text, value)
        elif asked == "save" and value:
            self._save_asking(resolve(value))

    @on(_Prompt.Cancelled)
    def _on_prompt_cancelled(self, event: _Prompt.Cancelled) -> None:
        event.stop()
        self._close_prompt()

    def _save_asking(self, path: Path) -> None:
        """Saves to ``path``; an existing file is overwritten only when the person says so."""
        problem = refusal(path)
        if problem:
            self.notify(f"could not save: {problem}", severity="error")
            self._reopen_save(path)
            return
        if not path.exists():
            self._write(path)
            return
        from kubetui.screens.dialogs.confirm import ConfirmDialog

        def answered(overwrite: bool | None) -> None:
            if overwrite:
                self._write(path)
            else:
                self._reopen_save(path)

        self.app.push_screen(
            ConfirmDialog(
                "Overwrite the file?",
                f"{path} already exists. Overwrite it with the {self.buffer.shown_count:,} shown lines?",
                ok_label="Overwrite",
                dangerous=True,
            ),
            answered,
        )

    def _reopen_save(self, path: Path) -> None:
        """Back to the save prompt holding ``path``, to pick another name."""
        self.action_prompt("save")
        self.query_one(_Prompt).value = str(path)
        self.query_one(_Prompt).cursor_position = len(str(path))

    def _write(self, path: Path) -> None:
        try:
            count = self.save(path)
        except OSError as exc:
            self.notify(f"could not save: {exc.strerror or exc}", severity="error")
        else:
            self.notify(f"saved {count:,} lines to {path}")

    def _close_prompt(self) -> None:
        self.query_one("#log-prompt-box").remove_class("-active")
        self.query_one(_Prompt).remove_class("-active")
        self._prompt_kind = ""
        self.lines.focus()
