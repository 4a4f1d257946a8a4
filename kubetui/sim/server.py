"""``SimServer``: the built-in cluster's HTTP API server, as an async context manager on a loopback port."""

from __future__ import annotations

import asyncio
import gc
import ipaddress
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from aiohttp import web

from kubetui.sim.api import Api
from kubetui.sim.kubeconfig import CONTEXT, write_kubeconfig
from kubetui.sim.store import ObjectStore

log = logging.getLogger(__name__)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


SHUTDOWN_TIMEOUT = 0.5  # seconds an in-flight request gets to finish when the server stops


def make_cluster(scenario: str, nodes: int | None, seed: int, speed: float, state: Path | None) -> Any:
    """The full SimCluster with its controllers; a bare store-only cluster if that is not available."""
    try:
        from kubetui.sim.cluster import SimCluster
    except ImportError:
        from kubetui.sim.testing import BareCluster

        return BareCluster(scenario=scenario, nodes=nodes, seed=seed, speed=speed, state=state)
    return SimCluster(scenario=scenario, nodes=nodes, seed=seed, speed=speed, state=state)


class SimServer:
    """Serves a SimCluster over plain HTTP: ``async with SimServer(scenario="demo") as sim: sim.url``."""

    def __init__(
        self,
        scenario: str = "empty",
        seed: int = 1,
        speed: float = 1.0,
        nodes: int | None = None,
        state: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        cluster: Any = None,
        bookmark_interval: float = 60.0,
        token: str | None = None,
    ) -> None:
        if not is_loopback(host):
            raise ValueError(f"the built-in cluster listens on loopback only, not {host!r}")
        self.scenario, self.seed, self.speed, self.nodes = scenario, seed, speed, nodes
        self.state = Path(state) if state else None
        self.host, self.port = host, port
        self.cluster: Any = cluster
        self.bookmark_interval = bookmark_interval
        # With a token, requests must bring it as a bearer token (401 otherwise); without, any is accepted.
        self.token = token
        self.api = Api(self)
        self._runner: web.AppRunner | None = None
        self._streams: dict[int, web.Request] = {}
        self._restart_state: Path | None = None
        self._warmer: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def store(self) -> ObjectStore:
        store: ObjectStore = self.cluster.store
        return store

    async def __aenter__(self) -> SimServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        if self.cluster is None:
            self.cluster = make_cluster(self.scenario, self.nodes, self.seed, self.speed, self.state)
        await self.cluster.start()
        self._settle_memory()
        await self._start_http()
        self._warmer = asyncio.get_running_loop().create_task(self._warm_codec())

    async def _warm_codec(self) -> None:
        """Encodes every stored object in the background, a few hundred at a time, so even the first big
        list after start-up only splices cached bytes."""
        codec = self.api.codec
        for rtype in ("pods", *[k for k in self.store._objects if k != "pods"]):
            for i, obj in enumerate(self.store.iter(rtype)):
                codec.encode(rtype, obj)
                if i % 500 == 499:
                    await asyncio.sleep(0)

    @staticmethod
    def _settle_memory() -> None:
        # A big scenario leaves about a million long-lived dicts; Python's full collections would scan them all
        # again and again (hundreds of ms each, stalling requests). Frozen, they are skipped; refcounting still
        # frees them when the store replaces them.
        gc.collect()
        gc.freeze()

    async def _start_http(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self.api.handle)
        # Cancelling handlers of vanished clients ends their watches instead of leaving them to time out.
        # Requests still in flight at shutdown (a client that stalls half-way through sending one) would hold
        # SIGTERM for aiohttp's default minute; ours answer in milliseconds, so give them a moment, no more.
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:
            self.port = int(self._runner.addresses[0][1])

    async def _stop_http(self) -> None:
        self.drop_connections()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def stop(self) -> None:
        if self._warmer is not None:
            self._warmer.cancel()
        await self._stop_http()
        if self.cluster is not None:
            await self.cluster.stop()
        if self._restart_state is not None:
            self._restart_state.unlink(missing_ok=True)
            self._restart_state.with_name(self._restart_state.name + ".runtime").unlink(missing_ok=True)

    async def restart(self) -> None:
        """Stops the HTTP server and the controllers, then starts both again on the same port and state."""
        await self._stop_http()
        state = self.state
        if state is None:
            # Without a state file the objects still survive: they go through a private one, saved by the
            # cluster itself so the kubelet's precise container start times (its sidecar) survive too and
            # logs replay with the same timestamps.
            if self._restart_state is None:
                fd, name = tempfile.mkstemp(prefix="kubetui-sim-", suffix=".json")
                os.close(fd)
                self._restart_state = Path(name)
            state = self.cluster.state = self._restart_state
        await self.cluster.stop()
        # The same kind of cluster again (a test's controller-less one stays controller-less).
        self.cluster = type(self.cluster)(
            scenario=self.scenario, nodes=self.nodes, seed=self.seed, speed=self.speed, state=state
        )
        await self.cluster.start()
        await self._start_http()

    def write_kubeconfig(
        self, path: str | Path, context: str = CONTEXT, namespace: str | None = None
    ) -> Path:
        return write_kubeconfig(path, self.url, context, namespace, token=self.token)

    # -- open streams ------------------------------------------------------------------------------------

    def track(self, request: web.Request) -> None:
        self._streams[id(request)] = request

    def untrack(self, request: web.Request) -> None:
        self._streams.pop(id(request), None)

    def drop_connections(self) -> None:
        """Cuts every open watch and log stream, as a network failure or an API server restart would."""
        for request in list(self._streams.values()):
            transport = request.transport
            if transport is not None:
                transport.abort()
        self._streams.clear()
