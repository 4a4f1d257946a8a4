"""Pod log streams: one pod (one container or all) or a changing set of pods, with honest typed states."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

from kubetui.cluster.logs_model import (
    LogItem,
    LogLine,
    LogOptions,
    LogState,
    LogStatus,
    RawLine,
    parse_log_line,
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
    "sibling_factory",
    "ts_key",
]


def _line_ts(item: LogLine | RawLine) -> str:
    return ts_key(item.ts if item.__class__ is LogLine else item[2])  # type: ignore[union-attr,index]


def _sorted_runs(items: list[Any]) -> list[Any]:
    """Orders each run of lines between two status items by timestamp, so that several pods' bursts
    (their tails on connect) interleave by time; statuses keep their place."""
    out: list[Any] = []
    run: list[Any] = []
    for item in items:
        if item.__class__ is not LogStatus:
            run.append(item)
            continue
        if run:
            run.sort(key=_line_ts)
            out.extend(run)
            run = []
        out.append(item)
    if run:
        run.sort(key=_line_ts)
        out.extend(run)
    return out


class LogBatcher:
    """Collects items and hands them on in batches at most every ``interval`` seconds, so that a flood of
    lines costs the UI one update per batch rather than one per line."""

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
    ``raw_lines`` a line comes as a plain ``(pod, container, ts, text)`` tuple instead of a LogLine."""

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
        self._batcher = LogBatcher(on_batch, interval=batch_interval)
        self._poll_interval = poll_interval
        self._previous_lines = previous_lines
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._started = False
        self._closed = False

    @property
    def pods(self) -> list[str]:
        return sorted(self._tasks)

    def emit(self, item: LogItem) -> None:
        if self._closed:
            return
        if self._raw and item.__class__ is LogLine:
            # A plain tuple of strings: the cycle collector stops tracking it at once, whereas LogLine objects
            # waiting in batches would be promoted and make full collections (long pauses) frequent.
            self._batcher.put((item.pod, item.container, item.ts, item.text))  # type: ignore[union-attr]
        else:
            self._batcher.put(item)

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
        asyncio.run(self._run())

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
