"""One pod's log stream: every container (or one) followed with timestamps, resumed without duplicates
after a lost connection, and explained by typed states when no lines can come."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol
from urllib.parse import quote

from kubetui.cluster.logs_model import (
    ContainerState,
    LogLine,
    LogOptions,
    LogState,
    LogStatus,
    RawLine,
    container_state,
    parse_raw,
    ts_key,
)

IMAGE_PULL_REASONS = frozenset({"ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"})


class LogSource(Protocol):
    """What log streams need from a connection (``kubetui.cluster.connection.Connection`` has it)."""

    async def request(self, method: str, path: str, *, query: dict[str, Any] | None = None) -> Any: ...

    def stream(
        self, method: str, path: str, *, query: dict[str, Any] | None = None
    ) -> AsyncIterator[bytes]: ...


async def _aclose(lines: AsyncIterator[bytes]) -> None:
    # Closes the HTTP response at once, also when the reader stops early or is cancelled.
    aclose = getattr(lines, "aclose", None)
    if aclose is not None:
        await aclose()


def _code(exc: BaseException) -> int | None:
    # ClusterError subclasses carry the HTTP status as ``code``; transport errors carry none.
    code = getattr(exc, "code", None)
    return code if isinstance(code, int) else None


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "message", "") or exc or type(exc).__name__)


_NOT_STREAMING = frozenset(
    {LogState.WAITING, LogState.IMAGE_PULL, LogState.CRASH_LOOP, LogState.RESTARTED, LogState.ERROR}
)


def _same_container(a: ContainerState, b: ContainerState) -> bool:
    # The sim or a runtime may leave containerID empty; the restart count still tells restarts apart.
    return a.container_id == b.container_id and a.restarts == b.restarts


class ContainerLogStream:
    """Follows one container; remembers the last timestamp so a reconnect continues where it stopped."""

    def __init__(
        self,
        source: LogSource,
        namespace: str,
        pod: str,
        container: str,
        options: LogOptions,
        emit: Callable[[LogStatus | RawLine], None],
        *,
        poll_interval: float = 1.0,
        previous_lines: int = 20,
    ) -> None:
        self.source = source
        self.namespace = namespace
        self.pod = sys.intern(pod)
        self.container = sys.intern(container)
        self.options = options
        self._emit = emit
        self._poll = poll_interval
        self._previous_lines = previous_lines
        self._path = f"/api/v1/namespaces/{quote(namespace)}/pods/{quote(pod)}"
        self.last_ts = ""
        self._seen_at_last: list[str] = []  # texts shown with the last timestamp (usually one)
        self._said: tuple[LogState, str] | None = None
        self.lines_emitted = 0

    def _status(self, state: LogState, message: str, previous: tuple[LogLine, ...] = ()) -> None:
        # Say each state once: a pod waiting for minutes must not flood the view with notes.
        if self._said == (state, message) and not previous:
            return
        self._said = (state, message)
        self._emit(LogStatus(self.pod, self.container, state, message, previous))

    async def state(self) -> ContainerState:
        try:
            pod = await self.source.request("GET", self._path)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            code = _code(exc)
            if code == 404:
                return ContainerState("deleted")
            if code == 403:
                return ContainerState("forbidden", message=_reason(exc))
            return ContainerState("unreachable", message=_reason(exc))
        return container_state(pod, self.container)

    def _query(self, *, follow: bool, previous: bool, resume: bool, tail: int | None) -> dict[str, str]:
        query = {"container": self.container, "timestamps": "true"}
        if follow:
            query["follow"] = "true"
        if previous:
            query["previous"] = "true"
        if resume and self.last_ts:
            # Whole seconds are what every server accepts; lines at or before the last one are skipped.
            query["sinceTime"] = self.last_ts[:19] + "Z"
        else:
            if tail is not None:
                query["tailLines"] = str(tail)
            if self.options.since_seconds is not None:
                query["sinceSeconds"] = str(self.options.since_seconds)
        return query

    def _accept(self, line: RawLine, replay: list[str]) -> bool:
        """False for a line already shown before the connection was lost (same timestamp and text)."""
        ts = line[2]
        if not ts:
            return True
        last = self.last_ts
        if len(ts) == len(last):
            # Same width, same layout: plain string order is time order (the common, cheap case).
            newer, older = ts > last, ts < last
        else:
            key, last_key = ts_key(ts), ts_key(last)
            newer, older = key > last_key, key < last_key
        if newer:
            self.last_ts = ts
            self._seen_at_last = [line[3]]
            if replay:
                replay.clear()
            return True
        if older:
            return False
        if line[3] in replay:
            replay.remove(line[3])
            return False
        self._seen_at_last.append(line[3])
        return True

    async def _read(self, *, follow: bool, previous: bool, resume: bool, tail: int | None) -> int:
        """Streams one request to its end; returns the number of new lines. Raises what the source raises."""
        replay = list(self._seen_at_last) if resume else []
        count = 0
        query = self._query(follow=follow, previous=previous, resume=resume, tail=tail)
        emit, accept, resumed = self._emit, self._accept, self._resumed

        def handle(line: RawLine) -> None:
            nonlocal count
            if accept(line, replay) or not resume:
                if count == 0:
                    resumed()
                count += 1
                emit(line)

        # Resumed once a line arrives, or once the stream has stayed open a while (a quiet container).
        timer = asyncio.get_running_loop().call_later(1.0, resumed)
        try:
            await self._each_line(query, handle)
        finally:
            timer.cancel()
        self.lines_emitted += count
        return count

    def _resumed(self) -> None:
        if self._said is not None and self._said[0] == LogState.LOST:
            self._status(LogState.RESUMED, "connection restored; continuing after the last line shown")

    async def _each_line(self, query: dict[str, str], handle: Callable[[RawLine], object]) -> None:
        stream = self.source.stream("GET", self._path + "/log", query=query)
        try:
            pod, container = self.pod, self.container
            async for raw in stream:
                handle(parse_raw(pod, container, raw))
        finally:
            await _aclose(stream)

    async def _previous_tail(self) -> tuple[LogLine, ...]:
        lines: list[RawLine] = []
        query = {"container": self.container, "timestamps": "true", "previous": "true"}
        query["tailLines"] = str(self._previous_lines)
        try:
            await self._each_line(query, lines.append)
        except asyncio.CancelledError:
            raise
        except Exception:
            pass
        return tuple(LogLine(*line) for line in lines)

    async def run(self) -> None:
        """Follows until the pod is deleted, the container ends for good, or access is refused."""
        try:
            await self._run()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug or an unexpected answer must still be said, never swallowed
            self._status(LogState.ERROR, f"log stream failed: {_reason(exc)}")

    async def _run(self) -> None:
        opts = self.options
        if opts.previous:
            try:
                await self._read(follow=False, previous=True, resume=False, tail=opts.tail_lines)
            except Exception as exc:
                self._say_refusal(exc, previous=True)
                return
            self._status(LogState.ENDED, "end of the previous container's log")
            return
        connected = False  # whether a stream ever opened; later opens resume from the last timestamp
        seen: ContainerState | None = None
        backoff = self._poll
        crash_said = -1
        while True:
            st = await self.state()
            if st.state == "deleted":
                self._status(LogState.DELETED, f"pod {self.pod} was deleted")
                return
            if st.state == "forbidden":
                self._status(LogState.FORBIDDEN, f"permission denied: {st.message}")
                return
            if st.state == "unknown":
                self._status(LogState.ERROR, st.message)
                return
            if st.state == "unreachable":
                if self._said is None or self._said[0] is not LogState.LOST:
                    self._status(LogState.LOST, f"connection lost ({st.message}); retrying")
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            backoff = self._poll
            if connected and seen is not None and not _same_container(st, seen):
                # The container restarted: fetch what the old one wrote after our last line, then go on.
                self._status(LogState.RESTARTED, f"container restarted (restarts: {st.restarts})")
                await self._drain_previous()
                seen = st
            if st.state == "waiting":
                if st.reason in IMAGE_PULL_REASONS:
                    self._status(LogState.IMAGE_PULL, f"{st.reason}: {st.message or 'cannot pull the image'}")
                elif st.reason == "CrashLoopBackOff":
                    if crash_said != st.restarts:
                        crash_said = st.restarts
                        prev = await self._previous_tail()
                        why = st.message or "back-off restarting failed container"
                        self._status(
                            LogState.CRASH_LOOP, f"CrashLoopBackOff (restarts: {st.restarts}): {why}", prev
                        )
                elif st.terminating:
                    self._status(LogState.TERMINATING, f"pod {self.pod} is terminating")
                else:
                    why = f"{st.reason}: {st.message}" if st.message else st.reason
                    self._status(LogState.WAITING, f"waiting for the container to start ({why})")
                await asyncio.sleep(self._poll)
                continue
            if st.state == "terminated" and connected and seen is not None and _same_container(st, seen):
                if not st.will_restart and not st.terminating:
                    self._status(
                        LogState.ENDED, f"container ended ({st.reason or 'terminated'}: {st.message})"
                    )
                    return
                if st.terminating:
                    self._status(LogState.TERMINATING, f"pod {self.pod} is terminating")
                await asyncio.sleep(self._poll)
                continue
            if self._said is None or self._said[0] in _NOT_STREAMING:
                self._status(
                    LogState.STREAMING, "streaming" if not connected else "container started; streaming"
                )
            if st.terminating:
                self._status(LogState.TERMINATING, f"pod {self.pod} is terminating")
            seen = st
            error: BaseException | None = None
            count = 0
            try:
                count = await self._read(
                    follow=opts.follow,
                    previous=False,
                    resume=connected,
                    tail=None if connected else opts.tail_lines,
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                error = exc
            connected = True
            if not opts.follow and error is None:
                self._status(LogState.ENDED, "end of log")
                return
            if error is not None and _code(error) in (400, 403, 404):
                if self._say_refusal(error, previous=False):
                    return
                await asyncio.sleep(self._poll)
                continue
            after = await self.state()
            cut = after.state == "running" and _same_container(after, seen) and not after.terminating
            if cut or after.state == "unreachable":
                why = _reason(error) if error is not None else "the server closed the stream"
                self._status(LogState.LOST, f"connection lost ({why}); resuming")
                if count == 0:
                    # A stream that opens and closes at once must not turn into a busy loop.
                    await asyncio.sleep(self._poll)
            # Loop: the next state check explains an end, a restart or a deletion, or resumes the stream.

    def _say_refusal(self, exc: BaseException, *, previous: bool) -> bool:
        """Reports a refusal; True when it is final (no point retrying)."""
        code = _code(exc)
        if code == 403:
            self._status(LogState.FORBIDDEN, f"permission denied: {_reason(exc)}")
            return True
        if previous:
            self._status(LogState.ENDED, f"no previous container: {_reason(exc)}")
            return True
        return False

    async def _drain_previous(self) -> None:
        replay = list(self._seen_at_last)
        query = {"container": self.container, "timestamps": "true", "previous": "true"}
        if self.last_ts:
            query["sinceTime"] = self.last_ts[:19] + "Z"
        try:
            await self._each_line(query, lambda line: self._accept(line, replay) and self._emit(line))
        except asyncio.CancelledError:
            raise
        except Exception:
            return


class PodLogStream:
    """Follows one pod: the chosen container, or every container side by side."""

    def __init__(
        self,
        source: LogSource,
        namespace: str,
        pod: str,
        options: LogOptions,
        emit: Callable[[LogStatus | RawLine], None],
        *,
        poll_interval: float = 1.0,
        previous_lines: int = 20,
    ) -> None:
        self.source = source
        self.namespace = namespace
        self.pod = pod
        self.options = options
        self._emit = emit
        self._poll = poll_interval
        self._previous_lines = previous_lines
        self.containers: list[ContainerLogStream] = []

    async def _container_names(self) -> list[str] | None:
        path = f"/api/v1/namespaces/{quote(self.namespace)}/pods/{quote(self.pod)}"
        while True:
            try:
                pod = await self.source.request("GET", path)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                code = _code(exc)
                if code == 404:
                    self._emit(LogStatus(self.pod, "", LogState.DELETED, f"pod {self.pod} was deleted"))
                    return None
                if code == 403:
                    self._emit(
                        LogStatus(self.pod, "", LogState.FORBIDDEN, f"permission denied: {_reason(exc)}")
                    )
                    return None
                self._emit(
                    LogStatus(self.pod, "", LogState.LOST, f"connection lost ({_reason(exc)}); retrying")
                )
                await asyncio.sleep(self._poll)
                continue
            return [c.get("name", "") for c in (pod.get("spec") or {}).get("containers") or []]

    async def run(self) -> None:
        if self.options.container:
            names: list[str] | None = [self.options.container]
        else:
            names = await self._container_names()
        if not names:
            return
        self.containers = [
            ContainerLogStream(
                self.source,
                self.namespace,
                self.pod,
                name,
                self.options,
                self._emit,
                poll_interval=self._poll,
                previous_lines=self._previous_lines,
            )
            for name in names
        ]
        await asyncio.gather(*(c.run() for c in self.containers))
