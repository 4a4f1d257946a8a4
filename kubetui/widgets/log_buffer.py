"""The log view's storage: lines and notes bounded by a line budget, include/exclude filters and search."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator

from kubetui.cluster.logs_model import LogItem, LogLine, LogStatus

DEFAULT_BUDGET = 100_000


def compile_pattern(text: str) -> re.Pattern[str] | None:
    """A case-insensitive regex from what the user typed; plain text when it is not a valid regex."""
    if not text:
        return None
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error:
        return re.compile(re.escape(text), re.IGNORECASE)


class LogBuffer:
    """Keeps at most ``budget`` items (oldest dropped first, each kept whole) and the subset the filters
    let through. Items are numbered by a sequence number that never changes, so drops are cheap."""

    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = max(1, budget)
        self._items: deque[LogItem] = deque()
        self._first_seq = 0  # sequence number of _items[0]
        self._shown: deque[int] | None = None  # seqs passing the filters; None when no filter is set
        self.dropped = 0
        self.include: re.Pattern[str] | None = None
        self.exclude: re.Pattern[str] | None = None
        self.containers: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._items)

    @property
    def shown_count(self) -> int:
        return len(self._items) if self._shown is None else len(self._shown)

    @property
    def filtering(self) -> bool:
        return self._shown is not None

    def passes(self, item: LogItem) -> bool:
        if isinstance(item, LogStatus):
            return True  # notes explain the stream; filters never hide them
        if self.include is not None and self.include.search(item.text) is None:
            return False
        return self.exclude is None or self.exclude.search(item.text) is None

    def append(self, items: Iterable[LogItem]) -> tuple[int, int]:
        """Adds items; returns (how many of them are shown, how many shown items were dropped from the front)."""
        shown_before = self.shown_count
        containers = self.containers
        added = 0
        for item in items:
            self._items.append(item)
            added += 1
            if isinstance(item, LogLine) and item.container not in containers.get(item.pod, ()):
                containers.setdefault(item.pod, set()).add(item.container)
        if self._shown is not None:
            shown = self._shown
            passes = self.passes
            for i in range(len(self._items) - added, len(self._items)):
                if passes(self._items[i]):
                    shown.append(self._first_seq + i)
        new_shown = self.shown_count - shown_before
        over = len(self._items) - self.budget
        lost_shown = 0
        if over > 0:
            lost_shown = self._drop(over)
        return new_shown, lost_shown

    def _drop(self, count: int) -> int:
        before = self.shown_count
        for _ in range(count):
            self._items.popleft()
        self._first_seq += count
        self.dropped += count
        if self._shown is not None:
            shown, first = self._shown, self._first_seq
            while shown and shown[0] < first:
                shown.popleft()
            return before - len(shown)
        return count

    def shown(self, index: int) -> LogItem:
        """The ``index``-th item that passes the filters (0 = oldest kept)."""
        if self._shown is None:
            return self._items[index]
        return self._items[self._shown[index] - self._first_seq]

    def iter_shown(self, start: int = 0) -> Iterator[LogItem]:
        if self._shown is None:
            for i in range(start, len(self._items)):
                yield self._items[i]
        else:
            first = self._first_seq
            for i in range(start, len(self._shown)):
                yield self._items[self._shown[i] - first]

    def set_filters(self, include: re.Pattern[str] | None, exclude: re.Pattern[str] | None) -> None:
        self.include, self.exclude = include, exclude
        if include is None and exclude is None:
            self._shown = None
            return
        first = self._first_seq
        passes = self.passes
        self._shown = deque(first + i for i, item in enumerate(self._items) if passes(item))

    def clear(self) -> None:
        self._first_seq += len(self._items)
        self._items.clear()
        if self._shown is not None:
            self._shown.clear()
        self.containers.clear()

    def find(self, pattern: re.Pattern[str], start: int, backward: bool = False) -> int | None:
        """The shown index of the next line matching ``pattern`` after (or before) ``start``, wrapping round."""
        count = self.shown_count
        if count == 0:
            return None
        step = -1 if backward else 1
        for k in range(1, count + 1):
            i = (start + step * k) % count
            item = self.shown(i)
            if isinstance(item, LogLine) and pattern.search(item.text):
                return i
        return None

    def count_matches(self, pattern: re.Pattern[str]) -> int:
        return sum(1 for item in self.iter_shown() if isinstance(item, LogLine) and pattern.search(item.text))
