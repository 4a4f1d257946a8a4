"""``pods/{name}/exec`` and ``pods/{name}/portforward`` over WebSocket, as the kubelet serves them.

Exec speaks the channel protocols ``v5.channel.k8s.io`` and ``v4.channel.k8s.io``: every binary message starts
with a channel byte (0 stdin, 1 stdout, 2 stderr, 3 the closing Status, 4 terminal resize, and in v5 255 to
close a channel). Port-forward speaks ``v4.channel.k8s.io`` with two channels per requested port (data, error),
each opened by a frame holding the port number; the bytes sent are served by the pod's app (see ``apps``), and
by SPDY tunnelled over the WebSocket (``SPDY/3.1+portforward.k8s.io``), which kubectl uses (see ``spdy``).
"""

from __future__ import annotations

import asyncio
import logging
import struct
import zlib
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import WSMsgType, web

from kubetui.sim import apps, container_fs, errors
from kubetui.sim.api_logs import _container
from kubetui.sim.exec_shell import Shell
from kubetui.sim.tty import LineDiscipline

if TYPE_CHECKING:
    from kubetui.sim.api import Api

log = logging.getLogger(__name__)

Obj = dict[str, Any]

EXEC_PROTOCOLS = ("v5.channel.k8s.io", "v4.channel.k8s.io")
PORTFORWARD_PROTOCOLS = ("v4.channel.k8s.io", "SPDY/3.1+portforward.k8s.io")
STDIN, STDOUT, STDERR, ERROR, RESIZE, CLOSE = 0, 1, 2, 3, 4, 255


def route(parts: list[str]) -> tuple[str, str, str] | None:
    """(namespace, pod, "exec"|"portforward") if the path is one of these subresources."""
    subresource = len(parts) == 7 and parts[:3] == ["api", "v1", "namespaces"] and parts[4] == "pods"
    if subresource and parts[6] in ("exec", "portforward"):
        return parts[3], parts[5], parts[6]
    return None


async def handle(api: Api, request: web.Request, namespace: str, name: str, sub: str) -> web.StreamResponse:
    if request.method not in ("GET", "POST"):
        raise errors.method_not_allowed()
    pod = api.store.must_get("pods", namespace, name)
    if not (pod.get("spec") or {}).get("nodeName"):
        raise errors.bad_request(f"pod {name} does not have a host assigned")
    if sub == "exec":
        return await _exec(api, request, pod)
    return await _portforward(api, request, pod)


def _truthy(q: Any, key: str) -> bool:
    return str(q.get(key, "")).lower() in ("1", "true")


def _running(pod: Obj, container: str) -> bool:
    status = pod.get("status") or {}
    for cs in (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or []):
        if cs.get("name") == container:
            return "running" in (cs.get("state") or {})
    return False


def _upgrade(request: web.Request, protocols: tuple[str, ...]) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(protocols=protocols, autoping=True, max_msg_size=16 * 1024 * 1024)
    if not ws.can_prepare(request).ok:
        raise errors.bad_request("Upgrade request required")
    return ws


def exit_status(code: int, argv: list[str]) -> bytes:
    if code == 0:
        return orjson.dumps({"metadata": {}, "status": "Success"})
    return orjson.dumps(
        {
            "metadata": {},
            "status": "Failure",
            "message": (
                f"command terminated with non-zero exit code: error executing command "
                f"[{' '.join(argv)}], exit code {code}"
            ),
            "reason": "NonZeroExitCode",
            "details": {"causes": [{"reason": "ExitCode", "message": str(code)}]},
        }
    )


def start_failure(argv: list[str], pod: Obj) -> bytes:
    """The Status containerd's failed start gives: the program is not in the image."""
    prog = argv[0]
    why = f"stat {prog}: no such file or directory" if "/" in prog else "executable file not found in $PATH"
    uid = pod["metadata"].get("uid")
    exec_id = f"{zlib.crc32(f'{uid}/{prog}'.encode()):08x}" * 2
    message = (
        f"Internal error occurred: error executing command in container: failed to exec in container: failed to "
        f'start exec "{exec_id}": OCI runtime exec failed: exec failed: unable to start container process: '
        f'exec: "{prog}": {why}: unknown'
    )
    return orjson.dumps(
        {"metadata": {}, "status": "Failure", "message": message, "reason": "InternalError", "code": 500}
    )


async def _exec(api: Api, request: web.Request, pod: Obj) -> web.StreamResponse:
    q = request.query
    argv = q.getall("command", [])
    container = _container(pod, q.get("container"))
    if not argv:
        raise errors.bad_request("you must specify at least 1 command")
    if not _running(pod, container):
        raise errors.bad_request(f'container not found ("{container}")')
    tty, want_stdin = _truthy(q, "tty"), _truthy(q, "stdin")
    ws = _upgrade(request, EXEC_PROTOCOLS)
    await ws.prepare(request)
    api.server.track(request)
    try:
        await ExecSession(api, ws, pod, container, argv, tty=tty, stdin=want_stdin).run()
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        api.server.untrack(request)
        await ws.close()
    return ws


class ExecSession:
    """One exec: runs ``argv`` in the simulated container, wired to the WebSocket's channels."""

    def __init__(
        self,
        api: Api,
        ws: web.WebSocketResponse,
        pod: Obj,
        container: str,
        argv: list[str],
        *,
        tty: bool,
        stdin: bool,
    ) -> None:
        self.ws, self.argv, self.tty, self.stdin = ws, argv, tty, stdin
        self.c = container_fs.build(api.store, pod, container)
        self.shell = Shell(api.store, self.c, argv[0], tty=tty)
        self.pod = pod

    async def write(self, channel: int, text: str) -> None:
        if not text:
            return
        if self.tty:
            channel = STDOUT
            text = text.replace("\r\n", "\n").replace("\n", "\r\n")
        await self.ws.send_bytes(bytes([channel]) + text.encode())

    async def finish(self, status: bytes) -> None:
        await self.ws.send_bytes(bytes([ERROR]) + status)

    async def run(self) -> None:
        argv, box = self.argv, self.c.box
        prog = argv[0].rsplit("/", 1)[-1]
        is_shell = argv[0] in box.shells or (prog in ("sh", "bash") and self.shell._has_shell(prog))
        if is_shell and len(argv) >= 3 and argv[1] == "-c":
            out, err = self.shell.run_line(argv[2])
            await self.write(STDOUT, out)
            await self.write(STDERR, err)
            code = self.shell.exited if self.shell.exited is not None else self.shell.status
            await self.finish(exit_status(code, argv))
            return
        if not is_shell:
            if ("/" in argv[0] and not self.shell._exists(argv[0])) or (
                "/" not in argv[0]
                and argv[0] not in box.tools
                and not (argv[0] == "curl" and box.curl)
                and not hasattr(self.shell, f"_builtin_{argv[0]}")
            ):
                await self.finish(start_failure(argv, self.pod))
                return
            out, err, code = self.shell.run(argv)
            await self.write(STDOUT, out)
            await self.write(STDERR, err)
            await self.finish(exit_status(code, argv))
            return
        await self.interactive()

    async def interactive(self) -> None:
        shell = self.shell
        disc = LineDiscipline(echo=self.tty)
        if self.tty:
            await self.write(STDOUT, shell.prompt())
        if not self.stdin:
            await self.finish(exit_status(0, self.argv))
            return
        async for msg in self.ws:
            if msg.type != WSMsgType.BINARY or not msg.data:
                if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.ERROR):
                    break
                continue
            channel, data = msg.data[0], msg.data[1:]
            if channel == CLOSE and data[:1] == bytes([STDIN]):
                disc.feed_eof()
            elif channel == STDIN:
                disc.feed(data.decode("utf-8", "replace"))
            else:
                continue  # resize: the shell draws nothing that depends on the width
            for kind, text in disc.take():
                if kind == "echo":
                    await self.write(STDOUT, text)
                elif kind == "interrupt":
                    await self.write(STDOUT, shell.prompt())
                elif kind == "eof":
                    shell.exited = shell.status if shell.exited is None else shell.exited
                    if shell.bash and self.tty:
                        await self.write(STDOUT, "exit\n")
                else:
                    out, err = shell.run_line(text)
                    await self.write(STDOUT, out)
                    await self.write(STDERR, err)
                    if shell.exited is None and self.tty:
                        await self.write(STDOUT, shell.prompt())
                if shell.exited is not None:
                    break
            if shell.exited is not None:
                break
        code = shell.exited if shell.exited is not None else shell.status
        await self.finish(exit_status(code, self.argv))


# -- port-forward -------------------------------------------------------------------------------------------


def _ports(q: Any) -> list[int]:
    ports: list[int] = []
    for value in q.getall("ports", []):
        for text in str(value).split(","):
            if not text.strip().isdigit() or not 0 < int(text) < 65536:
                raise errors.bad_request(f'unable to parse "{text}" as a port: invalid port')
            ports.append(int(text))
    return ports


def forward_error(pod: Obj, port: int) -> str:
    uid = pod["metadata"].get("uid", "")
    return (
        f"error forwarding port {port} to pod {uid}, uid : failed to execute portforward in network namespace "
        f'"/var/run/netns/cni-{uid}": failed to connect to localhost:{port} inside namespace "{uid}", '
        f"IPv4: dial tcp4 127.0.0.1:{port}: connect: connection refused IPv6 dial tcp6 [::1]:{port}: "
        "connect: connection refused "
    )


async def _portforward(api: Api, request: web.Request, pod: Obj) -> web.StreamResponse:
    from kubetui.sim import spdy

    ws = _upgrade(request, PORTFORWARD_PROTOCOLS)
    await ws.prepare(request)
    api.server.track(request)
    try:
        if ws.ws_protocol == "SPDY/3.1+portforward.k8s.io":
            await spdy.serve_portforward(ws, pod)
        else:
            await _channel_portforward(ws, pod, _ports(request.query))
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        api.server.untrack(request)
        await ws.close()
    return ws


async def _channel_portforward(ws: web.WebSocketResponse, pod: Obj, ports: list[int]) -> None:
    conns: dict[int, apps.HttpConnection | None] = {}
    for i, port in enumerate(ports):
        for channel in (2 * i, 2 * i + 1):
            await ws.send_bytes(bytes([channel]) + struct.pack("<H", port))
        found = apps.listener(pod, port)
        conns[i] = apps.HttpConnection(found, f"127.0.0.1:{41000 + i}") if found else None
    async for msg in ws:
        if msg.type != WSMsgType.BINARY or not msg.data:
            if msg.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.ERROR):
                break
            continue
        channel, data = msg.data[0], msg.data[1:]
        index = channel // 2
        if channel % 2 or index not in conns:
            continue
        conn = conns[index]
        if conn is None:
            await ws.send_bytes(bytes([channel + 1]) + forward_error(pod, ports[index]).encode())
            break
        out = conn.feed(bytes(data))
        if out:
            await ws.send_bytes(bytes([channel]) + out)
        if conn.closed:
            break
