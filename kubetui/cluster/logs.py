"""Pod log streams: one pod (one container or all) or a changing set of pods, with honest typed states."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import selectors
import sys
import threading
import time
from collections.abc import Callable, Iterable
from operator import itemgetter
from typing import Any

from kubetui.cluster.logs_model import (
    LogItem,
    LogLine,
    LogOptions,
    LogState,
    LogStatus,
    RawLine,
    parse_log_line,
    parse_raw,
    ts_key,
)
from kubetui.cluster.logs_pod import LogSource, PodLogStream

__all__ = [
    "LogBatcher",
    "LogItem",
    "LogLine",
    "LogOptions",
    "LogReader",
    "LogSource",
    "LogState",
    "LogStatus",
    "MultiPodLogs",
    "PodLogStream",
    "RawLine",
    "parse_log_line",
    "parse_raw",
    "sibling_factory",
    "ts_key",
]


def _line_ts(item: RawLine) -> str:
    return ts_key(item[2])


_ts = itemgetter(2)


def _sort_run(run: list[RawLine]) -> None:
    # Timestamps of one width (the usual case: the kubelet writes nine fractional digits) order as plain
    # strings, which sorts without a Python call per line; Go trims trailing zeros, so widths can differ.
    if len({len(line[2]) for line in run}) == 1:
        run.sort(key=_ts)
    else:
        run.sort(key=_line_ts)


def _sorted_runs(items: list[Any]) -> list[Any]:
    """Orders each run of lines (raw tuples) between two status items by timestamp, so that several pods'
    bursts (their tails on connect) interleave by time; statuses keep their place."""
    if LogStatus not in {item.__class__ for item in items}:
        _sort_run(items)
        return items
    out: list[Any] = []
    run: list[Any] = []
    for item in items:
        if item.__class__ is not LogStatus:
            run.append(item)
            continue
        if run:
            _sort_run(run)
            out.extend(run)
            run = []
        out.append(item)
    if run:
        _sort_run(run)
        out.extend(run)
    return out


def _as_log_lines(on_batch: Callable[[list[Any]], None]) -> Callable[[list[Any]], None]:
    def deliver(items: list[Any]) -> None:
        on_batch([LogLine(*item) if item.__class__ is tuple else item for item in items])

    return deliver


class LogBatcher:
    """Collects items and hands them on in batches at most every ``interval`` seconds, so that a flood of
    lines costs the UI one update per batch rather than one per line. Lines come as raw tuples."""

    def __init__(
        self,
        on_batch: Callable[[list[Any]], None],
        *,
        interval: float = 0.05,
        max_items: int = 5000,
        sort: bool = True,
    ) -> None:
        self._on_batch = on_batch
        self._interval = interval
        self._max_items = max_items
        self._sort = sort
        self._items: list[Any] = []
        self._handle: asyncio.TimerHandle | None = None

    def put(self, item: Any) -> None:
        self._items.append(item)
        if len(self._items) >= self._max_items:
            self.flush()
        elif self._handle is None:
            self._handle = asyncio.get_running_loop().call_later(self._interval, self.flush)

    def flush(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if not self._items:
            return
        items, self._items = self._items, []
        self._on_batch(_sorted_runs(items) if self._sort else items)


class MultiPodLogs:
    """Follows the logs of a set of pods in one namespace; the set may change at any time (``set_pods``):
    new pods join, pods that go leave with a note. Every item reaches ``on_batch`` in batches; with
    ``raw_lines`` a line comes as a plain ``(pod, container, ts, text)`` tuple instead of a LogLine (lines
    travel as tuples all the way: the cycle collector stops tracking a tuple of strings at once, whereas
    LogLine objects waiting in batches would be promoted and make full collections frequent)."""

    def __init__(
        self,
        source: LogSource,
        namespace: str,
        on_batch: Callable[[list[Any]], None],
        options: LogOptions | None = None,
        *,
        poll_interval: float = 1.0,
        batch_interval: float = 0.05,
        previous_lines: int = 20,
        raw_lines: bool = False,
    ) -> None:
        self._raw = raw_lines
        self.source = source
        self.namespace = namespace
        self.options = options or LogOptions()
        self._batcher = LogBatcher(
            on_batch if raw_lines else _as_log_lines(on_batch), interval=batch_interval
        )
        self._put = self._batcher.put
        self._poll_interval = poll_interval
        self._previous_lines = previous_lines
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._started = False
        self._closed = False

    @property
    def pods(self) -> list[str]:
        return sorted(self._tasks)

    def emit(self, item: LogStatus | RawLine) -> None:
        if not self._closed:
            self._put(item)

    def set_pods(self, pods: Iterable[str]) -> None:
        """Makes the followed set exactly ``pods``. Call from the event loop."""
        if self._closed:
            return
        wanted = {sys.intern(p) for p in pods}
        for pod in sorted(set(self._tasks) - wanted):
            task = self._tasks.pop(pod)
            if not task.done():
                task.cancel()
                self.emit(LogStatus(pod, "", LogState.LEFT, f"pod {pod} left the selection"))
        for pod in sorted(wanted - set(self._tasks)):
            if self._started:
                self.emit(LogStatus(pod, "", LogState.JOINED, f"pod {pod} joined"))
            stream = PodLogStream(
                self.source,
                self.namespace,
                pod,
                self.options,
                self.emit,
                poll_interval=self._poll_interval,
                previous_lines=self._previous_lines,
            )
            self._tasks[pod] = asyncio.get_running_loop().create_task(stream.run(), name=f"logs {pod}")
        self._started = True

    async def wait(self) -> None:
        """Returns when every pod's stream has finished (they finish on deletion, end or refusal)."""
        while self._tasks and not self._closed:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
            if all(t.done() for t in self._tasks.values()):
                break
        self._batcher.flush()

    async def aclose(self) -> None:
        """Stops every stream; nothing is emitted afterwards."""
        self._batcher.flush()
        self._closed = True
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task


def sibling_factory(source: LogSource) -> Callable[[], LogSource] | None:
    """How to make another client with the same settings as ``source`` for another thread's event loop (an
    aiohttp session belongs to one loop), or None when the source cannot be copied."""
    sibling = getattr(source, "sibling", None)
    if callable(sibling):
        return sibling  # type: ignore[no-any-return]
    configuration = getattr(source, "_configuration", None)
    if configuration is None:
        return None

    kwargs = {
        "context": getattr(source, "context", ""),
        "server": getattr(source, "server", ""),
        "namespace": getattr(source, "namespace", "default"),
        "readonly": getattr(source, "readonly", True),
        "configuration": configuration,
        "loader": getattr(source, "_loader", None),
        "has_exec": getattr(source, "_has_exec", False),
    }
    try:
        inspect.signature(type(source)).bind(**kwargs)
    except (TypeError, ValueError):
        return None  # a Connection of another shape: read on the caller's loop instead

    def make() -> LogSource:
        # Same context, server and credentials as the UI's Connection; built inside the reader's loop.
        maker: Any = type(source)
        return maker(**kwargs)  # type: ignore[no-any-return]

    return make


class PacedSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    """A selector that, once a socket is ready after a wait, waits ``pace`` seconds more and then takes
    everything ready. Log lines arrive one small write at a time; read as they come, each costs a wake-up, a
    read and a trip through the HTTP parser. Paced, one read takes all a stream's lines of the last few
    milliseconds, for the same lines at a fraction of the cost. The delay is far below the view's repaint
    interval, and an idle loop sleeps as before (the pause comes only after something arrived)."""

    def __init__(self, pace: float = 0.02) -> None:
        super().__init__()
        self.pace = pace

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = super().select(timeout)
        if ready and timeout != 0 and self.pace > 0:
            # The loop waited (nothing else to run) and something arrived: let the rest of it arrive too.
            time.sleep(self.pace)
            ready = super().select(0)
        return ready  # type: ignore[no-any-return]


class LogReader:
    """Runs a MultiPodLogs on its own thread and event loop, so reading and parsing thousands of lines a second
    never delays key presses. ``on_batch`` is called on the reader's thread (post it to the UI from there)."""

    def __init__(
        self,
        make_source: Callable[[], LogSource],
        namespace: str,
        on_batch: Callable[[list[Any]], None],
        options: LogOptions | None = None,
        *,
        poll_interval: float = 1.0,
        batch_interval: float = 0.05,
        raw_lines: bool = False,
        pace: float = 0.02,
    ) -> None:
        self._raw = raw_lines
        self._make_source = make_source
        self._namespace = namespace
        self._on_batch = on_batch
        self._options = options or LogOptions()
        self._poll = poll_interval
        self._batch_interval = batch_interval
        self._loop: asyncio.AbstractEventLoop | None = None
        self._multi: MultiPodLogs | None = None
        self._pods: list[str] = []
        self._stop: asyncio.Event | None = None
        self._stop_requested = False
        self.pace = pace
        self._thread = threading.Thread(target=self._main, name="kubetui-logs", daemon=True)

    def start(self, pods: Iterable[str]) -> None:
        self._pods = list(pods)
        self._thread.start()

    def set_pods(self, pods: Iterable[str]) -> None:
        """Thread-safe: changes the followed pods."""
        pods = list(pods)
        self._pods = pods
        if self._loop is not None and self._multi is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already closed
                self._loop.call_soon_threadsafe(self._multi.set_pods, pods)

    def stop(self) -> None:
        """Thread-safe and non-blocking: ends every stream and the thread."""
        self._stop_requested = True  # seen by a thread that has not set up its loop yet
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _main(self) -> None:
        with asyncio.Runner(
            loop_factory=lambda: asyncio.SelectorEventLoop(PacedSelector(self.pace))
        ) as runner:
            runner.run(self._run())

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        if self._stop_requested:
            return
        try:
            source = self._make_source()
        except Exception as exc:
            self._on_batch([LogStatus("", "", LogState.ERROR, f"cannot open a connection for logs: {exc}")])
            return
        multi = MultiPodLogs(
            source,
            self._namespace,
            self._on_batch,
            self._options,
            poll_interval=self._poll,
            batch_interval=self._batch_interval,
            raw_lines=self._raw,
        )
        self._multi = multi
        # Read after _multi is set: a set_pods racing with the start is then never lost.
        multi.set_pods(self._pods)
        try:
            await self._stop.wait()
        finally:
            await multi.aclose()
            close = getattr(source, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    await close()
