"""CPU and memory from ``metrics.k8s.io`` (metrics-server), with the figures ``kubectl top`` prints.

``MetricsClient.poll`` reads pod and node usage; it first asks whether the API is served at all, and says
once, in one sentence, when it is not. Figures are computed as kubectl does: a pod's containers summed, CPU in
millicores rounded up, memory in MiB rounded down, node percentages of allocatable, pod percentages of the
summed container requests and limits.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from kubetui.cluster.errors import ClusterError, Forbidden, NotFound
from kubetui.cluster.quantity import parse_quantity

if TYPE_CHECKING:
    from kubetui.cluster.connection import Connection

Obj = dict[str, Any]
GROUP_PATH = "/apis/metrics.k8s.io/v1beta1"
DEFAULT_RESOLUTION = 15.0  # metrics-server's default when the API does not say
COST_FACTOR = 10  # a scrape that took t seconds is followed by one no sooner than 10 t later


@dataclass(frozen=True)
class Usage:
    """One pod's or node's usage: CPU in cores (exact), memory in bytes."""

    cpu: Fraction
    memory: int

    @property
    def millicores(self) -> int:
        return math.ceil(self.cpu * 1000)

    @property
    def mebibytes(self) -> int:
        return self.memory // (1024 * 1024)

    def cpu_text(self) -> str:
        return f"{self.millicores}m"

    def memory_text(self) -> str:
        return f"{self.mebibytes}Mi"


def _q(text: Any) -> Fraction:
    try:
        return parse_quantity(str(text)).value
    except ValueError:
        return Fraction(0)


def pod_usage(item: Obj) -> Usage:
    cpu, mem = Fraction(0), Fraction(0)
    for c in item.get("containers") or []:
        usage = c.get("usage") or {}
        cpu += _q(usage.get("cpu", "0"))
        mem += _q(usage.get("memory", "0"))
    return Usage(cpu, math.ceil(mem))


def node_usage(item: Obj) -> Usage:
    usage = item.get("usage") or {}
    return Usage(_q(usage.get("cpu", "0")), math.ceil(_q(usage.get("memory", "0"))))


def _window_seconds(item: Obj) -> float | None:
    text = str(item.get("window") or "")
    if text.endswith("s"):
        try:
            return float(text[:-1])
        except ValueError:
            return None
    return None


def percent(used: Fraction | int, total: Fraction | int) -> int | None:
    """``used`` as a whole percentage of ``total`` (rounded down, as kubectl), None when there is no total."""
    if not total:
        return None
    return int(Fraction(used) * 100 / Fraction(total))


def pod_totals(pod: Obj) -> tuple[dict[str, Fraction], dict[str, Fraction]]:
    """Summed requests and limits of a pod's app containers (cpu in cores, memory in bytes)."""
    req: dict[str, Fraction] = {}
    lim: dict[str, Fraction] = {}
    for c in (pod.get("spec") or {}).get("containers") or []:
        res = c.get("resources") or {}
        for name in ("cpu", "memory"):
            if name in (res.get("requests") or {}):
                req[name] = req.get(name, Fraction(0)) + _q(res["requests"][name])
            if name in (res.get("limits") or {}):
                lim[name] = lim.get(name, Fraction(0)) + _q(res["limits"][name])
    return req, lim


def node_percentages(usage: Usage, node: Obj) -> tuple[int | None, int | None]:
    """(CPU%, MEMORY%) of the node's allocatable, as ``kubectl top nodes`` prints them."""
    alloc = (node.get("status") or {}).get("allocatable") or {}
    cpu_m = math.ceil(_q(alloc.get("cpu", "0")) * 1000)
    mem = math.ceil(_q(alloc.get("memory", "0")))
    return percent(usage.millicores, cpu_m), percent(usage.memory, mem)


@dataclass
class Snapshot:
    """One poll: usage by (namespace, pod) and by node, and the API's resolution in seconds."""

    pods: dict[tuple[str, str], Usage]
    nodes: dict[str, Usage]
    resolution: float


class MetricsUnavailable(ClusterError):
    """The cluster does not serve metrics.k8s.io, or this user may not read it."""

    reason = "MetricsUnavailable"


class MetricsClient:
    """Polls metrics for one connection. ``available`` is None until asked, then True or False."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.available: bool | None = None
        self.why_not = ""

    async def probe(self) -> bool:
        try:
            await self.conn.request("GET", GROUP_PATH, timeout=10)
        except NotFound:
            self.available = False
            self.why_not = (
                "no CPU/memory columns: this cluster does not serve metrics.k8s.io (no metrics-server)"
            )
            return False
        except Forbidden:
            self.available = False
            self.why_not = "no CPU/memory columns: not allowed to read metrics.k8s.io"
            return False
        self.available = True
        self.why_not = ""
        return True

    async def poll(self, namespace: str | None = None) -> Snapshot:
        """Reads current usage; raises MetricsUnavailable (once the API is known to be absent)."""
        if self.available is None:
            await self.probe()
        if not self.available:
            raise MetricsUnavailable(self.why_not)
        pods_path = f"{GROUP_PATH}/namespaces/{namespace}/pods" if namespace else f"{GROUP_PATH}/pods"
        pods = await self.conn.request("GET", pods_path, timeout=20)
        try:
            nodes = await self.conn.request("GET", f"{GROUP_PATH}/nodes", timeout=20)
        except Forbidden:
            nodes = {"items": []}  # a namespaced user still sees their pods' figures
        resolution = DEFAULT_RESOLUTION
        by_pod: dict[tuple[str, str], Usage] = {}
        for item in pods.get("items") or []:
            meta = item.get("metadata") or {}
            by_pod[(str(meta.get("namespace") or ""), str(meta.get("name")))] = pod_usage(item)
            resolution = _window_seconds(item) or resolution
        by_node = {
            str((i.get("metadata") or {}).get("name")): node_usage(i) for i in nodes.get("items") or []
        }
        return Snapshot(by_pod, by_node, max(resolution, 5.0))


READY_WAIT = 5.0  # seconds a new connection's first scrape waits for its lists at most


async def poll_forever(
    connection: Callable[[], Connection | None],
    on_snapshot: Callable[[Snapshot], None],
    on_unavailable: Callable[[str], None],
    namespace: Callable[[], str | None] = lambda: None,
    ready: Callable[[], bool] = lambda: True,
) -> None:
    """Polls at the API's own resolution for as long as it runs; a new connection (context switch) is probed
    again. ``on_unavailable`` is called once per connection that does not serve the API.

    A new connection is first scraped once ``ready()`` (its lists are in), or after ``READY_WAIT`` seconds:
    the figures are columns beside the rows, and their first scrape and redraw must not hold the rows back.

    Only ``namespace()``'s pods are read when it names one (the view's namespace, as ``kubectl top -n``).
    A scrape that is slow (100,000 pods take the API many seconds to list, and the client to read) waits
    ``COST_FACTOR`` times as long before the next, so metrics never take most of the server or the UI."""
    import asyncio
    import time

    client: MetricsClient | None = None
    while True:
        conn = connection()
        if conn is None:
            await asyncio.sleep(1.0)
            continue
        if client is None or client.conn is not conn:
            client = MetricsClient(conn)
            waited = 0.0
            while not ready() and waited < READY_WAIT:
                await asyncio.sleep(0.25)
                waited += 0.25
        if client.available is False:
            await asyncio.sleep(5.0)
            continue
        started = time.monotonic()
        try:
            snapshot = await client.poll(namespace())
        except MetricsUnavailable as err:
            on_unavailable(err.message)
            continue
        except (
            ClusterError
        ):  # a passing failure (or a list too big to finish in time): the next scrape will tell
            await asyncio.sleep(max(DEFAULT_RESOLUTION, COST_FACTOR * (time.monotonic() - started)))
            continue
        on_snapshot(snapshot)
        await asyncio.sleep(max(snapshot.resolution, COST_FACTOR * (time.monotonic() - started)))
