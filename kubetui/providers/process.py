"""Long-running provider work streamed line by line, with clean cancellation (process group TERM, then KILL)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

# How long a cancelled command gets to clean up after SIGTERM before its whole process group is killed.
TERM_GRACE = 3.0


class Run:
    """Something that produces output lines and ends with a return code; it can be cancelled."""

    def __init__(self, argv: list[str]) -> None:
        self.argv = list(argv)
        self.output: list[str] = []
        self.returncode: int | None = None
        self.cancelled = False
        self.started_at: float | None = None
        self.ended_at: float | None = None

    @property
    def elapsed(self) -> float:
        if self.started_at is None:
            return 0.0
        return (self.ended_at or time.monotonic()) - self.started_at

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.cancelled

    def lines(self) -> AsyncIterator[str]:
        raise NotImplementedError

    async def cancel(self, grace: float = TERM_GRACE) -> None:
        raise NotImplementedError

    async def wait(self) -> int:
        """Run to the end, keeping the output; returns the return code."""
        async for _ in self.lines():
            pass
        assert self.returncode is not None
        return self.returncode


class CommandRun(Run):
    """An argv run without a shell, in its own session so that cancel reaches every child it started."""

    def __init__(self, argv: list[str], env: dict[str, str] | None = None) -> None:
        super().__init__(argv)
        self.env = env
        self.pid: int | None = None
        self._proc: asyncio.subprocess.Process | None = None

    async def lines(self) -> AsyncIterator[str]:
        if self.cancelled:
            self.returncode = -signal.SIGTERM
            return
        self.started_at = time.monotonic()
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
                env=self.env,
            )
        except OSError as exc:
            self.ended_at = time.monotonic()
            self.returncode = 127
            line = f"cannot run {self.argv[0]}: {exc.strerror or exc}"
            self.output.append(line)
            yield line
            return
        self._proc = proc
        self.pid = proc.pid
        assert proc.stdout is not None
        pending = b""
        while True:
            chunk = await proc.stdout.read(4096)
            if not chunk:
                break
            pending += chunk
            # Progress spinners redraw with "\r"; each redraw is a line worth showing.
            *complete, pending = pending.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
            for raw in complete:
                line = raw.decode("utf-8", "replace")
                self.output.append(line)
                yield line
        if pending:
            line = pending.decode("utf-8", "replace")
            self.output.append(line)
            yield line
        self.returncode = await proc.wait()
        self.ended_at = time.monotonic()

    async def cancel(self, grace: float = TERM_GRACE) -> None:
        """SIGTERM the process group, give it ``grace`` seconds, then SIGKILL whatever is left."""
        self.cancelled = True
        proc = self._proc
        if proc is None or proc.returncode is not None:
            return
        _signal_group(proc.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), grace)
        except TimeoutError:
            _signal_group(proc.pid, signal.SIGKILL)
            await proc.wait()
        # Children that ignored TERM but outlived the leader still share its process group id.
        _signal_group(proc.pid, signal.SIGKILL)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


class TaskRun(Run):
    """Provider work done in Python (the built-in cluster) presented like a command: lines, code, cancel."""

    def __init__(self, argv: list[str], body: Callable[[Callable[[str], None]], object]) -> None:
        super().__init__(argv)
        self._body = body
        self._task: asyncio.Task[object] | None = None

    async def lines(self) -> AsyncIterator[str]:
        if self.cancelled:
            self.returncode = -signal.SIGTERM
            return
        self.started_at = time.monotonic()
        queue: asyncio.Queue[str | None] = asyncio.Queue()

        def emit(line: str) -> None:
            self.output.append(line)
            queue.put_nowait(line)

        async def runner() -> object:
            try:
                result = self._body(emit)
                if asyncio.iscoroutine(result):
                    result = await result
                return result
            finally:
                queue.put_nowait(None)

        self._task = asyncio.ensure_future(runner())
        while (line := await queue.get()) is not None:
            yield line
        try:
            result = await self._task
            self.returncode = result if isinstance(result, int) else 0
        except asyncio.CancelledError:
            self.returncode = -signal.SIGTERM
        except Exception as exc:  # the body's failure becomes the last line, as a CLI's would
            msg = f"error: {exc}"
            self.output.append(msg)
            self.returncode = 1
            yield msg
        self.ended_at = time.monotonic()

    async def cancel(self, grace: float = TERM_GRACE) -> None:
        self.cancelled = True
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(asyncio.shield(self._task), grace)


@dataclass(frozen=True, slots=True)
class Captured:
    returncode: int
    stdout: str
    stderr: str


async def capture(argv: list[str], timeout: float = 20.0, env: dict[str, str] | None = None) -> Captured:
    """Run a short listing command and collect its output; a missing tool or a timeout is a failed result."""
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            start_new_session=True,
            env=env,
        )
    except OSError as exc:
        return Captured(127, "", f"cannot run {argv[0]}: {exc.strerror or exc}")
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        _signal_group(proc.pid, signal.SIGKILL)
        await proc.wait()
        return Captured(124, "", f"{argv[0]} did not answer within {timeout:.0f}s")
    assert proc.returncode is not None
    return Captured(proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))
