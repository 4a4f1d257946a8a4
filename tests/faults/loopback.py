"""``LoopbackServer``: what the fake API servers and the proxy of the fault tests share — an aiohttp server on a
free loopback port, and a kubeconfig that points kubetui at it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class LoopbackServer:
    context = "loopback"  # the kubeconfig's cluster, user and context name

    def __init__(self) -> None:
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kubeconfig(self, path: Path, context: str = "") -> Path:
        context = context or self.context
        path.write_text(
            "apiVersion: v1\nkind: Config\n"
            f"clusters:\n- name: {context}\n  cluster:\n    server: {self.url}\n"
            f"users:\n- name: {context}\n  user: {{}}\n"
            f"contexts:\n- name: {context}\n  context:\n    cluster: {context}\n    user: {context}\n"
            f"current-context: {context}\n"
        )
        return path

    async def serve(self, handler: Handler, client_max_size: int = 2**20) -> None:
        """Answers every method and path with ``handler``, on a port of its own."""
        app = web.Application(client_max_size=client_max_size)
        app.router.add_route("*", "/{tail:.*}", handler)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
