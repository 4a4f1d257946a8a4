"""Helpers for running the built-in cluster in tests: a threaded server and a controller-less cluster."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kubetui.sim.server import SimServer
from kubetui.sim.store import ObjectStore

NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


def node_object(name: str, index: int) -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"},
        },
        "spec": {"podCIDR": f"10.244.{index}.0/24"},
        "status": {
            "capacity": {"cpu": "2", "memory": "2035140Ki", "pods": "110"},
            "allocatable": {"cpu": "2", "memory": "2035140Ki", "pods": "110"},
            "conditions": [
                {
                    "type": "Ready",
                    "status": "True",
                    "reason": "KubeletReady",
                    "message": "kubelet is posting ready status",
                }
            ],
            "addresses": [
                {"type": "InternalIP", "address": f"172.18.0.{index + 2}"},
                {"type": "Hostname", "address": name},
            ],
            "nodeInfo": {
                "kubeletVersion": "v1.31.0",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "kernelVersion": "6.1.0",
                "containerRuntimeVersion": "containerd://1.7.18",
                "architecture": "amd64",
                "operatingSystem": "linux",
            },
        },
    }


class BareCluster:
    """A cluster without controllers: a store holding the system namespaces and ``nodes`` Ready nodes.

    It has SimCluster's interface, so the API server can be tested on its own; nothing moves unless a test
    moves it (pods stay Pending, no IPs are allocated).
    """

    def __init__(
        self,
        scenario: str = "empty",
        nodes: int | None = None,
        seed: int = 1,
        speed: float = 1.0,
        state: Path | None = None,
    ) -> None:
        self.store = ObjectStore(seed=seed)
        self.nodes = 1 if nodes is None else nodes
        self.state = state
        self.logs: dict[tuple[str, str, str], list[tuple[str, str]]] = {}

    async def start(self) -> None:
        if self.state is not None and self.state.exists():
            self.store.load(self.state)
            return
        for ns in NAMESPACES:
            self.store.create(
                "namespaces",
                {
                    "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}},
                    "spec": {"finalizers": ["kubernetes"]},
                    "status": {"phase": "Active"},
                },
            )
        for i in range(self.nodes):
            self.store.create("nodes", node_object("sim-control-plane" if i == 0 else f"sim-worker-{i}", i))

    async def stop(self) -> None:
        if self.state is not None:
            self.store.save(self.state)

    def pod_log(
        self, namespace: str, pod: str, container: str, previous: bool = False
    ) -> list[tuple[str, str]]:
        return list(self.logs.get((namespace, pod, container), []))

    async def follow_log(self, namespace: str, pod: str, container: str) -> AsyncIterator[tuple[str, str]]:
        # Nothing is ever written here after the fact; the stream ends at once.
        return
        yield ("", "")


@contextmanager
def running_sim_thread(**kwargs: Any) -> Iterator[SimServer]:
    """Runs a SimServer on its own event loop in a background thread (for tests that block on kubectl)."""
    loop = asyncio.new_event_loop()
    server = SimServer(**kwargs)
    started = threading.Event()
    failure: list[BaseException] = []

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(server.start())
        except BaseException as exc:
            failure.append(exc)
            started.set()
            return
        started.set()
        loop.run_forever()
        loop.run_until_complete(server.stop())
        loop.run_until_complete(loop.shutdown_asyncgens())

    thread = threading.Thread(target=run, name="kubetui-sim", daemon=True)
    thread.start()
    started.wait(120)
    if failure:
        loop.close()
        raise failure[0]
    server.loop = loop  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(60)
        loop.close()


def call_in_loop(server: SimServer, coro: Any, timeout: float = 60) -> Any:
    """Runs a coroutine on a threaded server's loop and returns its result (e.g. ``server.restart()``)."""
    return asyncio.run_coroutine_threadsafe(coro, server.loop).result(timeout)  # type: ignore[attr-defined]
