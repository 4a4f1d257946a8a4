"""``HostileServer``: a fake API server on loopback that misbehaves on purpose, one way per test.

It answers ``/version`` honestly (so kubetui's liveness probe sees a server) and lists with one pod, and then,
depending on ``mode``: discovery that is garbage, 500s, watches that send half a JSON line, a line that never
ends, a 10 MB object, a list that never answers, or a watch that trickles a byte a second (slow loris).
Every request is recorded with its time.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import orjson
from aiohttp import web

from tests.faults.loopback import LoopbackServer

POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "namespace": "default", "uid": "u-1", "resourceVersion": "5"},
    "spec": {"containers": [{"name": "c", "image": "x"}]},
    "status": {"phase": "Running"},
}


class HostileServer(LoopbackServer):
    context = "hostile"

    def __init__(self, mode: str) -> None:
        super().__init__()
        self.mode = mode
        self.requests: list[tuple[str, str, float]] = []

    async def __aenter__(self) -> HostileServer:
        await self.serve(self._handle)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def rate(self, since: float, what: str = "") -> float:
        """Requests per second since ``since`` (monotonic) whose path contains ``what``."""
        hits = [t for _, p, t in self.requests if t >= since and what in p]
        return len(hits) / max(0.001, time.monotonic() - since)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append((request.method, request.path_qs, time.monotonic()))
        path = request.path
        if path == "/version":
            return web.json_response({"major": "1", "minor": "31", "gitVersion": "v1.31.0"})
        discovery = path in ("/api", "/apis") or path.count("/") == (2 if path.startswith("/api/") else 3)
        if discovery:
            if self.mode == "garbage_discovery":
                return web.Response(body=b"\x00\xffnot json at all {", content_type="application/json")
            return web.json_response({"kind": "APIResourceList", "resources": []})
        if self.mode == "500":
            return web.json_response(
                {"kind": "Status", "status": "Failure", "message": "etcdserver: leader changed", "code": 500},
                status=500,
            )
        if request.query.get("watch") in ("true", "1"):
            return await self._watch(request)
        if self.mode == "never_list":
            await asyncio.sleep(3600)
        if path.endswith("/pods/p"):
            return web.json_response(self._pod())
        items = [self._pod()] if path.endswith("/pods") else []
        return web.json_response({"kind": "List", "items": items, "metadata": {"resourceVersion": "5"}})

    def _pod(self) -> dict[str, Any]:
        if self.mode != "huge_object":
            return POD
        return {**POD, "metadata": {**POD["metadata"], "annotations": {"big": "x" * 10_000_000}}}

    async def _watch(self, request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.content_type = "application/json"
        await response.prepare(request)
        try:
            if self.mode == "partial_json":
                await response.write(b'{"type":"ADDED","object":{"metadata":{"na')
                return response
            if self.mode == "endless_line":
                chunk = b"x" * 65536
                while True:
                    await response.write(chunk)
                    await asyncio.sleep(0.001)
            if self.mode == "slow_loris" and request.path.endswith("/pods"):
                event = orjson.dumps({"type": "MODIFIED", "object": POD}) + b"\n"
                for byte in event:
                    await response.write(bytes([byte]))
                    await asyncio.sleep(1.0)
            await asyncio.sleep(3600)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        return response
