"""An HTTPS endpoint answering ``/version`` like a k3s API server, with a certificate for 127.0.0.1 only."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web

VERSION = {"major": "1", "minor": "31", "gitVersion": "v1.31.0+k3s1"}


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    """A certificate valid for IP 127.0.0.1 only, as k3d's is not valid for host.docker.internal."""
    cert, key = tmp_path / "server.crt", tmp_path / "server.key"
    try:
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-keyout", str(key), "-out", str(cert), "-subj", "/CN=k3s",
                "-addext", "subjectAltName=IP:127.0.0.1",
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
    except FileNotFoundError:
        pytest.skip("openssl is not installed, so no TLS server can be made")
    return cert, key


@asynccontextmanager
async def api_server(tmp_path: Path) -> AsyncIterator[tuple[int, Path]]:
    """An HTTPS endpoint answering /version like a k3s API server; yields (port, CA cert)."""
    cert, key = _self_signed(tmp_path)

    async def version(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != "Bearer standin-token":
            return web.json_response({"kind": "Status", "code": 401, "reason": "Unauthorized"}, status=401)
        return web.json_response(VERSION)

    app = web.Application()
    app.router.add_get("/version", version)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(str(cert), str(key))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ctx)
    await site.start()
    try:
        yield runner.addresses[0][1], cert
    finally:
        await runner.cleanup()
