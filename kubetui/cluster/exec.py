"""Exec into a container over the Kubernetes channel protocol (``v5.channel.k8s.io``, ``v4`` as fallback).

``open_exec`` starts the command and returns an ``ExecStream``: ``send`` writes stdin, ``resize`` the terminal
size, ``close_stdin`` ends input (v5 only; on v4 the server sees it when the stream closes), and iterating
yields (``"stdout"``|``"stderr"``, bytes) until the command ends, after which ``exit_code`` is set. ``run``
is the non-interactive form. Failures before the command runs raise ClusterError subclasses whose messages
say why in a person's words (container not running, pod being deleted, no such program, RBAC).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp
import orjson

from kubetui.cluster.errors import ClusterError, Forbidden

if TYPE_CHECKING:
    from kubetui.cluster.connection import Connection

PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255
SHELLS = ("/bin/bash", "/bin/sh")  # tried in this order, as k9s does

Obj = dict[str, Any]


class ExecError(ClusterError):
    """The command could not start in the container (the program is not in the image, the runtime refused)."""

    reason = "ExecFailed"

    def __init__(self, message: str, *, missing_program: bool = False) -> None:
        super().__init__(message, 500)
        self.missing_program = missing_program


@dataclass
class ExecResult:
    stdout: bytes
    stderr: bytes
    exit_code: int


def exec_path(namespace: str, pod: str) -> str:
    return f"/api/v1/namespaces/{namespace}/pods/{pod}/exec"


def refusal(pod: Obj | None, container: str) -> str | None:
    """Why exec into ``container`` of ``pod`` cannot work, from the cached object; None if it may."""
    if pod is None:
        return "the pod no longer exists"
    meta, status = pod.get("metadata") or {}, pod.get("status") or {}
    name = meta.get("name", "")
    if meta.get("deletionTimestamp"):
        return f"pod {name} is being deleted: its containers are stopping"
    phase = status.get("phase")
    if phase in ("Succeeded", "Failed"):
        return f"cannot exec into a container in a completed pod; current phase is {phase}"
    for cs in status.get("containerStatuses") or []:
        if cs.get("name") == container:
            state = cs.get("state") or {}
            if "running" in state:
                return None
            waiting = (state.get("waiting") or {}).get("reason")
            what = (
                f"waiting ({waiting})"
                if waiting
                else ("terminated" if "terminated" in state else "not started")
            )
            return f"container {container} is not running: it is {what}"
    return f"container {container} is not running yet"


class ExecStream:
    """One running exec. Iterate it for output; ``exit_code`` is set when the iteration ends."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, command: list[str]) -> None:
        self.ws = ws
        self.command = command
        self.protocol = ws.protocol or ""
        self.exit_code: int | None = None
        self.status: Obj = {}
        self.failure: ExecError | None = None
        self.pending: list[aiohttp.WSMessage] = []  # read ahead while checking that the command started

    async def send(self, data: bytes) -> None:
        if data and not self.ws.closed:
            await self.ws.send_bytes(bytes([STDIN]) + data)

    async def resize(self, columns: int, rows: int) -> None:
        if not self.ws.closed:
            await self.ws.send_bytes(bytes([RESIZE]) + orjson.dumps({"Width": columns, "Height": rows}))

    async def close_stdin(self) -> None:
        if self.protocol.startswith("v5.") and not self.ws.closed:
            await self.ws.send_bytes(bytes([CLOSE, STDIN]))

    async def close(self) -> None:
        await self.ws.close()

    def __aiter__(self) -> AsyncIterator[tuple[str, bytes]]:
        return self._read()

    async def _messages(self) -> AsyncIterator[aiohttp.WSMessage]:
        while self.pending:
            yield self.pending.pop(0)
        async for msg in self.ws:
            yield msg

    async def _read(self) -> AsyncIterator[tuple[str, bytes]]:
        async for msg in self._messages():
            if msg.type != aiohttp.WSMsgType.BINARY or not msg.data:
                continue
            channel, data = msg.data[0], bytes(msg.data[1:])
            if channel == STDOUT and data:
                yield "stdout", data
            elif channel == STDERR and data:
                yield "stderr", data
            elif channel == ERROR and data:
                self._finish(data)
                break
        if self.exit_code is None:
            self.exit_code = 0 if self.failure is None else 126
        await self.ws.close()

    def _finish(self, raw: bytes) -> None:
        try:
            status = orjson.loads(raw)
        except orjson.JSONDecodeError:
            status = {"status": "Failure", "message": raw.decode("utf-8", "replace")}
        self.status = status if isinstance(status, dict) else {}
        if self.status.get("status") == "Success":
            self.exit_code = 0
            return
        if self.status.get("reason") == "NonZeroExitCode":
            causes = (self.status.get("details") or {}).get("causes") or []
            code = next((c.get("message") for c in causes if c.get("reason") == "ExitCode"), "1")
            self.exit_code = int(code) if str(code).isdigit() else 1
            return
        message = str(self.status.get("message") or "the command could not start")
        self.failure = ExecError(message, missing_program=_missing_program(message))
        self.exit_code = 126


def _missing_program(message: str) -> bool:
    return bool(
        re.search(r"no such file or directory|executable file not found|not found in \$PATH", message)
    )


async def open_exec(
    conn: Connection,
    namespace: str,
    pod: str,
    command: list[str],
    *,
    container: str | None = None,
    stdin: bool = False,
    tty: bool = False,
) -> ExecStream:
    """Starts ``command`` in the container; refused on a read-only connection (exec is a write)."""
    query: dict[str, Any] = {"command": list(command), "stdout": True, "stderr": not tty}
    if container:
        query["container"] = container
    if stdin:
        query["stdin"] = True
    if tty:
        query["tty"] = True
    try:
        ws = await conn.websocket(
            exec_path(namespace, pod), query=query, protocols=PROTOCOLS, write=("exec into", f"pods/{pod}")
        )
    except Forbidden as err:
        raise Forbidden(
            f"not allowed to exec into pods in namespace {namespace} (RBAC: create on pods/exec is needed)",
            status=err.status,
        ) from None
    except ClusterError as err:
        text = err.server_message
        if "container not found" in text or "is waiting to start" in text:
            who = f"container {container}" if container else "the container"
            raise ClusterError(f"{who} is not running: {text}", err.code) from None
        raise
    return ExecStream(ws, list(command))


async def run(
    conn: Connection,
    namespace: str,
    pod: str,
    command: list[str],
    *,
    container: str | None = None,
    stdin: bytes | None = None,
) -> ExecResult:
    """Runs ``command`` to completion and collects its output (``kubectl exec POD -- CMD``)."""
    stream = await open_exec(conn, namespace, pod, command, container=container, stdin=stdin is not None)
    out, err = bytearray(), bytearray()
    if stdin is not None:
        await stream.send(stdin)
        await stream.close_stdin()
    async for channel, data in stream:
        (out if channel == "stdout" else err).extend(data)
    if stream.failure is not None:
        raise stream.failure
    return ExecResult(bytes(out), bytes(err), stream.exit_code or 0)


async def open_shell(
    conn: Connection,
    namespace: str,
    pod: str,
    *,
    container: str | None = None,
    shells: tuple[str, ...] = SHELLS,
    command: list[str] | None = None,
) -> ExecStream:
    """An interactive shell: ``command`` if given, else the first of ``shells`` the image has."""
    candidates = [command] if command else [[s] for s in shells]
    last: ExecError | None = None
    for argv in candidates:
        stream = await open_exec(conn, namespace, pod, argv, container=container, stdin=True, tty=True)
        first = await _peek_failure(stream)
        if first is None:
            return stream
        last = first
        if not first.missing_program:
            break
    assert last is not None
    if last.missing_program and not command:
        raise ExecError(
            f"no shell in this container's image (tried {', '.join(shells)}): it may be distroless",
            missing_program=True,
        )
    raise last


async def _peek_failure(stream: ExecStream) -> ExecError | None:
    """Waits briefly for a start failure (a missing shell fails at once); None when the shell is running.

    Output that arrives meanwhile (the prompt) is kept and replayed by the stream.
    """
    import asyncio

    try:
        msg = await asyncio.wait_for(stream.ws.receive(), timeout=0.5)
    except TimeoutError:
        return None
    if msg.type == aiohttp.WSMsgType.BINARY and msg.data and msg.data[0] == ERROR:
        stream._finish(bytes(msg.data[1:]))
        await stream.close()
        return stream.failure or ExecError("the shell exited at once")
    if msg.type == aiohttp.WSMsgType.BINARY:
        stream.pending.append(msg)
    return None
