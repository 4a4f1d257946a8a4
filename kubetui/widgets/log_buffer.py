"""The log view's storage: lines and notes bounded by a line budget, include/exclude filters and search."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

from kubetui.cluster.logs_model import LogItem, LogLine, LogStatus, RawLine

DEFAULT_BUDGET = 100_000

T = TypeVar("T")


class _Queue(Generic[T]):
    """A list that drops from the front in amortised O(1) and indexes in O(1) (a deque indexes in O(n))."""

    __slots__ = ("_head", "_list")

    def __init__(self, items: Iterable[T] = ()) -> None:
        self._list: list[T] = list(items)
        self._head = 0

    def __len__(self) -> int:
        return len(self._list) - self._head

    def __getitem__(self, index: int) -> T:
        if index < 0:
            index += len(self)
        return self._list[self._head + index]

    def __bool__(self) -> bool:
        return len(self._list) > self._head

    def append(self, item: T) -> None:
        self._list.append(item)

    def extend(self, items: list[T]) -> None:
        self._list.extend(items)

    def popleft(self, count: int = 1) -> None:
        self._head += count
        # Dropped items stay referenced until compaction: compact often enough that at most a few thousand
        # linger (the memmove of the pointers left is cheap), or the budget would hold twice its lines.
        if self._head >= 4096:
            del self._list[: self._head]
            self._head = 0

    def clear(self) -> None:
        self._list.clear()
        self._head = 0

    def slice_from(self, start: int) -> list[T]:
        return self._list[self._head + max(start, 0) :]

    def iter_from(self, start: int) -> Iterator[T]:
        lst = self._list
        for i in range(self._head + max(start, 0), len(lst)):
            yield lst[i]


def compile_pattern(text: str) -> re.Pattern[str] | None:
    """A case-insensitive regex from what the user typed; plain text when it is not a valid regex."""
    if not text:
        return None
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error:
        return re.compile(re.escape(text), re.IGNORECASE)


# A line is stored as a plain tuple of strings: CPython stops tracking such tuples in its cycle collector, so
# a full budget of lines costs the collector nothing (as LogLine objects, full collections took ~0.5 s).
_Stored = tuple[str, str, str, str] | LogStatus


def _load(stored: _Stored) -> LogItem:
    return LogLine(*stored) if stored.__class__ is tuple else stored  # type: ignore[misc,return-value]


class LogBuffer:
    """Keeps at most ``budget`` items (oldest dropped first, each kept whole) and the subset the filters
    let through. Items are numbered by a sequence number that never changes, so drops are cheap."""

    def __init__(self, budget: int = DEFAULT_BUDGET) -> None:
        self.budget = max(1, budget)
        self._items: _Queue[_Stored] = _Queue()
        self._first_seq = 0  # sequence number of _items[0]
        self._shown: _Queue[int] | None = None  # seqs passing the filters; None when no filter is set
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

    def _passes(self, stored: _Stored) -> bool:
        if stored.__class__ is not tuple:
            return True  # notes explain the stream; filters never hide them
        text = stored[3]  # type: ignore[index]
        if self.include is not None and self.include.search(text) is None:
            return False
        return self.exclude is None or self.exclude.search(text) is None

    def append(self, items: Iterable[LogItem | RawLine]) -> tuple[int, int]:
        """Adds items (a line as a LogLine or a raw tuple); returns (how many of them are shown, how many shown items were dropped from the front)."""
        shown_before = self.shown_count
        # Whole-batch passes rather than a Python loop over the lines: a batch is hundreds of lines of a few
        # pods, and the streams already deliver lines as tuples.
        stored: list[_Stored] = list(items)  # type: ignore[arg-type]
        classes = {item.__class__ for item in stored}
        if LogLine in classes:
            stored = [
                (i.pod, i.container, i.ts, i.text) if i.__class__ is LogLine else i  # type: ignore[union-attr]
                for i in stored
            ]
        containers = self.containers
        for pod, container in {(i[0], i[1]) for i in stored if i.__class__ is tuple}:  # type: ignore[index]
            known = containers.get(pod)
            if known is None:
                containers[pod] = {container}
            elif container not in known:
                known.add(container)
        start = len(self._items)
        self._items.extend(stored)
        if self._shown is not None:
            shown, passes, first = self._shown, self._passes, self._first_seq + start
            for i, one in enumerate(stored):
                if passes(one):
                    shown.append(first + i)
        new_shown = self.shown_count - shown_before
        over = len(self._items) - self.budget
        lost_shown = 0
        if over > 0:
            lost_shown = self._drop(over)
        return new_shown, lost_shown

    def _drop(self, count: int) -> int:
        before = self.shown_count
        self._items.popleft(count)
        self._first_seq += count
        self.dropped += count
        if self._shown is not None:
            shown, first = self._shown, self._first_seq
            k = 0
            while k < len(shown) and shown[k] < first:
                k += 1
            shown.popleft(k)
            return before - len(shown)
        return count

    def shown(self, index: int) -> LogItem:
        """The ``index``-th item that passes the filters (0 = oldest kept)."""
        if self._shown is None:
            return _load(self._items[index])
        return _load(self._items[self._shown[index] - self._first_seq])

    def stored_since(self, start: int) -> list[tuple[str, str, str, str] | LogStatus]:
        """The shown items from ``start`` on as they are kept: a line as a ``(pod, container, ts, text)``
        tuple, a note as its LogStatus (cheaper to measure than LogLine objects made for the purpose)."""
        if self._shown is None:
            return self._items.slice_from(start)
        items, first = self._items, self._first_seq
        return [items[seq - first] for seq in self._shown.iter_from(start)]

    def iter_shown(self, start: int = 0) -> Iterator[LogItem]:
        if self._shown is None:
            for stored in self._items.iter_from(start):
                yield _load(stored)
        else:
            items, first = self._items, self._first_seq
            for seq in self._shown.iter_from(start):
                yield _load(items[seq - first])

    def set_filters(self, include: re.Pattern[str] | None, exclude: re.Pattern[str] | None) -> None:
        self.include, self.exclude = include, exclude
        if include is None and exclude is None:
            self._shown = None
            return
        first = self._first_seq
        passes = self._passes
        self._shown = _Queue(first + i for i, one in enumerate(self._items.iter_from(0)) if passes(one))

    def clear(self) -> None:
        self._first_seq += len(self._items)
        self._items.clear()
        if self._shown is not None:
            self._shown.clear()
        self.containers.clear()

    def _shown_text(self, index: int) -> str | None:
        seq = index if self._shown is None else self._shown[index] - self._first_seq
        stored = self._items[seq]
        return stored[3] if stored.__class__ is tuple else None  # type: ignore[index]

    def find(self, pattern: re.Pattern[str], start: int, backward: bool = False) -> int | None:
        """The shown index of the next line matching ``pattern`` after (or before) ``start``, wrapping round."""
        count = self.shown_count
        if count == 0:
            return None
        step = -1 if backward else 1
        for k in range(1, count + 1):
            i = (start + step * k) % count
            text = self._shown_text(i)
            if text is not None and pattern.search(text):
                return i
        return None

    def count_matches(self, pattern: re.Pattern[str]) -> int:
        return sum(1 for item in self.iter_shown() if isinstance(item, LogLine) and pattern.search(item.text))
