"""A TLS relay in front of the real API server whose certificate names 127.0.0.1 (and any names given), so that reaching it as
``https://localhost:PORT`` fails the host name check the way a kubeconfig with the wrong host does, while
``https://127.0.0.1:PORT`` works and reaches the real server (bearer tokens pass through; client
certificates do not, the relay terminates TLS)."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from pathlib import Path

from tests.realk8s import pki


class TLSRelay:
    """``async with TLSRelay(pki_dir, upstream_port) as relay``: listens on ``relay.port`` of 127.0.0.1."""

    def __init__(self, pki_dir: Path, upstream_port: int, dns: tuple[str, ...] = ()) -> None:
        pair = pki.Authority.load(pki_dir).issue("relay", "relay", server=True, dns=dns, ips=("127.0.0.1",))
        self._serve = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._serve.load_cert_chain(pair.cert, pair.key)
        self._upstream = ssl.create_default_context(cafile=str(pki_dir / "ca.crt"))
        self._upstream_port = upstream_port
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    async def __aenter__(self) -> TLSRelay:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0, ssl=self._serve)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(
                "127.0.0.1", self._upstream_port, ssl=self._upstream, server_hostname="127.0.0.1"
            )
        except OSError:
            writer.close()
            return
        pumps = [
            asyncio.create_task(_pump(reader, up_writer)),
            asyncio.create_task(_pump(up_reader, writer)),
        ]
        self._tasks.update(pumps)
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in pumps:
                task.cancel()
                self._tasks.discard(task)
            for w in (writer, up_writer):
                w.close()


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, ssl.SSLError, asyncio.IncompleteReadError):
        while chunk := await reader.read(65536):
            writer.write(chunk)
            await writer.drain()
