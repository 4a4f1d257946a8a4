"""``RecordingProxy``: an HTTP proxy on loopback in front of an API server that records every request.

Streams (watches, logs) are passed through chunk by chunk, so kubetui behind it works as it would directly.
"""

from __future__ import annotations

import aiohttp
from aiohttp import web

from tests.faults.loopback import LoopbackServer

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class RecordingProxy(LoopbackServer):
    context = "proxied"

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        super().__init__()
        self.requests: list[tuple[str, str]] = []
        self._client: aiohttp.ClientSession | None = None

    def writes(self) -> list[tuple[str, str]]:
        """Every request that could change the cluster (server-side dry runs change nothing)."""
        return [(m, p) for m, p in self.requests if m in WRITES and "dryRun=All" not in p]

    async def __aenter__(self) -> RecordingProxy:
        self._client = aiohttp.ClientSession(auto_decompress=False)
        await self.serve(self._forward, client_max_size=64 * 2**20)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
        if self._client is not None:
            await self._client.close()

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._client is not None
        self.requests.append((request.method, request.path_qs))
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        body = await request.read()
        async with self._client.request(
            request.method, self.upstream + request.path_qs, headers=headers, data=body or None
        ) as upstream:
            response = web.StreamResponse(status=upstream.status)
            for key in ("Content-Type", "Warning"):
                if key in upstream.headers:
                    response.headers[key] = upstream.headers[key]
            await response.prepare(request)
            try:
                async for chunk in upstream.content.iter_any():
                    await response.write(chunk)
            except (ConnectionResetError, aiohttp.ClientError):
                pass
            return response
