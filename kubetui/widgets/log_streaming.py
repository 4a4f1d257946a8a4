"""LogStreaming: the part of LogView that starts, changes and stops the log streams behind it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from typing import Any

from textual.worker import Worker

from kubetui.cluster.logs import (
    LogOptions,
    LogReader,
    LogSource,
    LogStatus,
    MultiPodLogs,
    sibling_factory,
)


class LogStreaming:
    """Mixed into LogView. Streams run on a thread of their own when the source is a Connection it can copy,
    else in a worker on the UI's loop; each batch comes back as a LogView.ItemsArrived message."""

    title: str
    previous: bool
    tail_lines: int | None
    since: int | None
    poll_interval: float
    reader_thread: bool
    states: dict[tuple[str, str], LogStatus]
    known_containers: set[str]

    def _init_streaming(self) -> None:
        self._source: LogSource | None = None
        self._namespace = ""
        self._pods: list[str] = []
        self._container: str | None = None
        self._multi: MultiPodLogs | None = None
        self._worker: Worker[None] | None = None
        self._reader: LogReader | None = None
        self._generation = 0
        self.resting = False

    def show_pods(
        self,
        source: LogSource,
        namespace: str,
        pods: Sequence[str],
        *,
        title: str = "",
        container: str | None = None,
    ) -> None:
        """Streams the logs of ``pods`` (one container or, with ``container=None``, all of them)."""
        self._source, self._namespace, self._container = source, namespace, container
        self._pods = list(pods)
        self.title = title or (pods[0] if len(pods) == 1 else f"{len(pods)} pods")
        self.previous = False
        self.known_containers = set()
        self._restart()

    def set_pods(self, pods: Sequence[str]) -> None:
        """The selection's pods changed (a pod appeared or went): new ones join, gone ones leave."""
        self._pods = list(pods)
        if self._reader is not None:
            self._reader.set_pods(self._pods)
        if self._multi is not None:
            self._multi.set_pods(self._pods)

    def stop(self) -> None:
        """Stops every stream (the lines shown stay)."""
        if self._reader is not None:
            self._reader.stop()
            self._reader = None
        if self._worker is not None:
            self._worker.cancel()
            self._worker = None
        self._multi = None

    def rest(self) -> None:
        """Stops the streams and lets the lines go until ``wake``: while a full-screen log view covers this one,
        following the same pods here too would read and keep every line twice. What is asked of the view
        meanwhile (other pods, a pod joining) is remembered and followed on waking."""
        self.resting = True
        self._restart()

    def wake(self) -> None:
        """Follows again what the view was following (from its tail) after ``rest``."""
        if self.resting:
            self.resting = False
            self._restart()

    def on_unmount(self) -> None:
        self.stop()

    def _restart(self) -> None:
        self.stop()
        self._generation += 1
        view: Any = self  # the LogView this is mixed into
        view.clear()
        self.states.clear()
        if self._source is None or self.resting:
            view._update_status()
            return
        options = LogOptions(
            container=self._container,
            tail_lines=self.tail_lines,
            since_seconds=self.since,
            previous=self.previous,
            follow=not self.previous,
        )
        factory = sibling_factory(self._source) if self.reader_thread else None
        if factory is not None:
            # Its own thread and loop: thousands of lines a second are read and parsed off the UI's loop.
            self._reader = LogReader(
                factory,
                self._namespace,
                self._deliverer(),
                options,
                poll_interval=self.poll_interval,
                raw_lines=True,
            )
            self._reader.start(self._pods)
        else:
            self._worker = view.run_worker(
                self._stream(self._source, options), group="log-stream", exclusive=True, exit_on_error=False
            )
        view._update_status()

    def _deliverer(self) -> Callable[[list[Any]], None]:
        generation = self._generation
        view: Any = self

        def deliver(items: list[Any]) -> None:
            # Called on the reader's thread or loop; post_message is thread-safe. Once the app has closed
            # its loop there is nobody left to tell.
            with contextlib.suppress(RuntimeError):
                view.post_message(view.ItemsArrived(items, generation))

        return deliver

    async def _stream(self, source: LogSource, options: LogOptions) -> None:
        multi = MultiPodLogs(
            source,
            self._namespace,
            self._deliverer(),
            options,
            poll_interval=self.poll_interval,
            raw_lines=True,
        )
        self._multi = multi
        try:
            multi.set_pods(self._pods)
            # Stay alive after every stream ended: pods may still join through set_pods.
            await asyncio.Event().wait()
        finally:
            await multi.aclose()
            if self._multi is multi:
                self._multi = None
