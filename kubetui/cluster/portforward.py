"""Port-forward: a local listener whose connections each travel to a pod's port over the API server.

Each accepted connection opens one ``pods/{pod}/portforward`` WebSocket carrying SPDY
(``SPDY/3.1+portforward.k8s.io``, what kubectl speaks, translated by the API server for any kubelet) with one
error and one data stream (see ``spdy``). A forward
counts bytes both ways and connections, and keeps a ``state`` a person can read. ``pick_pod`` chooses the
pod for a Service or a Deployment as kubectl does: one ready pod behind it, the oldest first.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp

from kubetui.cluster.errors import ClusterError
from kubetui.cluster.spdy import ClientSession

if TYPE_CHECKING:
    from kubetui.cluster.connection import Connection

Obj = dict[str, Any]
PROTOCOLS = ("SPDY/3.1+portforward.k8s.io",)


@dataclass
class PortForward:
    """One forward ``address:local_port`` → ``pod:remote_port``; ``target`` is what the person chose."""

    conn: Connection
    namespace: str
    pod: str
    remote_port: int
    local_port: int = 0  # 0 picks a free one
    address: str = "127.0.0.1"
    target: str = ""  # "svc/hello-node", "deploy/web" or "pod/x"
    state: str = "starting"  # listening | failed: ... | pod gone | stopped
    bytes_in: int = 0  # from the pod
    bytes_out: int = 0  # to the pod
    connections: int = 0
    active: int = 0
    last_error: str = ""
    selector: dict[str, str] = field(default_factory=dict)  # a Service's or Deployment's: where to re-target
    service_port: int = 0  # the Service port chosen, when ``target`` is a Service
    _server: asyncio.Server | None = field(default=None, repr=False)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set, repr=False)

    @property
    def key(self) -> str:
        return f"{self.address}:{self.local_port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def describe(self) -> str:
        shown = self.target or f"pod/{self.pod}"
        return f"{self.address}:{self.local_port} → {shown}:{self.remote_port} ({self.namespace})"

    async def start(self) -> None:
        """Opens the local listener; raises ClusterError (read-only, port taken) instead of listening."""
        from kubetui.cluster.gate import check_write

        check_write(self.conn.readonly, "port-forward to", f"pods/{self.pod}")
        try:
            self._server = await asyncio.start_server(self._serve, self.address, self.local_port)
        except OSError as exc:
            self.state = f"failed: {exc.strerror or exc}"
            raise ClusterError(
                f"unable to listen on {self.address}:{self.local_port}: {exc.strerror or exc}"
            ) from None
        sock = self._server.sockets[0]
        self.local_port = int(sock.getsockname()[1])
        self.state = "listening"

    async def stop(self, state: str = "stopped") -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            with contextlib.suppress(Exception):
                await server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        self.state = state

    async def retarget(self, pod: str) -> None:
        """Sends new connections to ``pod`` (a Service's forward after its pod went away)."""
        self.pod = pod
        self.last_error = ""
        if self._server is None:
            await self.start()
        else:
            self.state = "listening"

    def pod_gone(self) -> None:
        """The pod behind the forward was deleted: say so; connections fail until re-targeted."""
        self.state = "pod gone"

    def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.get_running_loop().create_task(self._connection(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.active += 1
        ws: aiohttp.ClientWebSocketResponse | None = None
        try:
            ws = await self.conn.websocket(
                f"/api/v1/namespaces/{self.namespace}/pods/{self.pod}/portforward",
                query={},
                protocols=PROTOCOLS,
                write=("port-forward to", f"pods/{self.pod}"),
            )
            await self._pump(reader, writer, ws)
        except ClusterError as err:
            self.last_error = err.server_message
            if "not found" in err.server_message and "pods" in err.server_message:
                self.state = "pod gone"
        except (ConnectionError, aiohttp.ClientError) as exc:
            self.last_error = str(exc) or type(exc).__name__
        finally:
            self.active -= 1
            if ws is not None:
                await ws.close()
            with contextlib.suppress(Exception):
                writer.close()
                await writer.wait_closed()

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, ws: aiohttp.ClientWebSocketResponse
    ) -> None:
        session = ClientSession(self.remote_port)
        await ws.send_bytes(session.open())
        ready = asyncio.Event()

        async def upstream() -> None:
            await ready.wait()
            while True:
                data = await reader.read(65536)
                if not data:
                    await ws.send_bytes(session.close())
                    return
                self.bytes_out += len(data)
                await ws.send_bytes(session.send(data))

        sender = asyncio.get_running_loop().create_task(upstream())
        try:
            async for msg in ws:
                if msg.type != aiohttp.WSMsgType.BINARY:
                    continue
                received, reply = session.feed(bytes(msg.data))
                if reply:
                    await ws.send_bytes(reply)
                if ClientSession.DATA_STREAM in session.replied:
                    ready.set()
                if received:
                    self.bytes_in += len(received)
                    writer.write(received)
                    await writer.drain()
                if session.error:
                    self.last_error = session.error.decode("utf-8", "replace").strip()
                if session.done:
                    break
        finally:
            sender.cancel()
            with contextlib.suppress(BaseException):
                await sender


def _ready(pod: Obj) -> bool:
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    if (pod.get("status") or {}).get("phase") != "Running":
        return False
    conds = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conds)


def _selects(selector: dict[str, str], pod: Obj) -> bool:
    labels = (pod.get("metadata") or {}).get("labels") or {}
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def pick_pod(pods: list[Obj], selector: dict[str, str], exclude: str = "") -> Obj | None:
    """The pod kubectl would forward to for this selector: a ready one, the oldest first (then by name)."""
    ready = [p for p in pods if _selects(selector, p) and _ready(p) and p["metadata"]["name"] != exclude]
    ready.sort(key=lambda p: (p["metadata"].get("creationTimestamp") or "", p["metadata"]["name"]))
    return ready[0] if ready else None


def service_target_port(service: Obj, port: int, pod: Obj) -> int:
    """The pod port a Service's ``port`` sends to (a named targetPort is looked up in the pod's containers)."""
    for p in (service.get("spec") or {}).get("ports") or []:
        if int(p.get("port") or 0) != port:
            continue
        target = p.get("targetPort", port)
        if isinstance(target, int) or str(target).isdigit():
            return int(target)
        for c in (pod.get("spec") or {}).get("containers") or []:
            for cp in c.get("ports") or []:
                if cp.get("name") == target:
                    return int(cp.get("containerPort"))
    return port


class Forwards:
    """Every forward of a session, by key; ``stop_all`` ends them (on quit)."""

    def __init__(self) -> None:
        self.items: dict[str, PortForward] = {}

    def add(self, forward: PortForward) -> None:
        self.items[forward.key] = forward

    async def stop(self, key: str) -> None:
        forward = self.items.get(key)
        if forward is not None:
            await forward.stop()

    def remove(self, key: str) -> None:
        self.items.pop(key, None)

    async def stop_all(self) -> None:
        for forward in list(self.items.values()):
            await forward.stop()
