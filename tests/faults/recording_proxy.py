"""``RecordingProxy``: an HTTP proxy on loopback in front of an API server that records every request.

Streams (watches, logs) are passed through chunk by chunk, so kubetui behind it works as it would directly.
"""

from __future__ import annotations

from pathlib import Path

import aiohttp
from aiohttp import web

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class RecordingProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.requests: list[tuple[str, str]] = []
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self.port = 0

    def writes(self) -> list[tuple[str, str]]:
        """Every request that could change the cluster (server-side dry runs change nothing)."""
        return [(m, p) for m, p in self.requests if m in WRITES and "dryRun=All" not in p]

    def kubeconfig(self, path: Path) -> Path:
        path.write_text(
            "apiVersion: v1\nkind: Config\n"
            f"clusters:\n- name: proxied\n  cluster:\n    server: http://127.0.0.1:{self.port}\n"
            "users:\n- name: proxied\n  user: {}\n"
            "contexts:\n- name: proxied\n  context:\n    cluster: proxied\n    user: proxied\n"
            "current-context: proxied\n"
        )
        return path

    async def __aenter__(self) -> RecordingProxy:
        self._client = aiohttp.ClientSession(auto_decompress=False)
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
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
