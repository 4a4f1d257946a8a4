"""The controller skeleton: store events → keys on a de-duplicating work queue → ``reconcile(key)``."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Iterable
from typing import TYPE_CHECKING, Any

from kubetui.kinds.labels import map_matches as map_matches  # shared with the client
from kubetui.kinds.labels import selector_matches as selector_matches
from kubetui.sim.errors import ApiError
from kubetui.sim.store import Event

if TYPE_CHECKING:
    from kubetui.sim.cluster import SimCluster

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (namespace or "", name)
Obj = dict[str, Any]


def meta(obj: Obj) -> dict[str, Any]:
    return obj.get("metadata") or {}


def key_of(obj: Obj) -> Key:
    m = meta(obj)
    return (m.get("namespace") or "", m.get("name") or "")


def controller_ref(obj: Obj) -> dict[str, Any] | None:
    for ref in meta(obj).get("ownerReferences") or []:
        if ref.get("controller"):
            return dict(ref)
    return None


def owner_ref(owner: Obj, *, controller: bool = True) -> dict[str, Any]:
    m = meta(owner)
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": m["name"],
        "uid": m["uid"],
        "controller": controller,
        "blockOwnerDeletion": True,
    }


class Controller:
    """Base for controllers. Subclasses set ``rtypes`` and implement ``keys_for`` and ``reconcile``."""

    name = "controller"
    rtypes: tuple[str, ...] = ()

    def __init__(self, cluster: SimCluster):
        self.cluster = cluster
        self.store = cluster.store
        self.clock = cluster.clock
        self._queue: asyncio.Queue[Key] = asyncio.Queue()
        self._pending: set[Key] = set()
        self._timers: dict[Key, tuple[float, asyncio.TimerHandle]] = {}
        self._task: asyncio.Task[None] | None = None

    # -- wiring --------------------------------------------------------------------------------------------

    def keys_for(self, event: Event) -> Iterable[Key]:
        return ()

    def on_event(self, event: Event) -> None:
        for key in self.keys_for(event):
            self.enqueue(key)

    def enqueue(self, key: Key) -> None:
        if key not in self._pending:
            self._pending.add(key)
            self._queue.put_nowait(key)

    def enqueue_after(self, key: Key, sim_seconds: float) -> None:
        """Reconcile ``key`` again after a simulated delay (keeps only the earliest pending timer per key)."""
        loop = asyncio.get_running_loop()
        due = loop.time() + self.clock.wall(sim_seconds)
        current = self._timers.get(key)
        if current is not None:
            if current[0] <= due:
                return
            current[1].cancel()

        def fire() -> None:
            self._timers.pop(key, None)
            self.enqueue(key)

        self._timers[key] = (due, loop.call_at(due, fire))

    def resync(self) -> None:
        """Enqueues every object this controller owns (after start or after loading saved state)."""

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"sim-{self.name}")

    async def stop(self) -> None:
        for _, handle in self._timers.values():
            handle.cancel()
        self._timers.clear()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
            self._task = None

    # -- the loop ------------------------------------------------------------------------------------------

    def reconcile(self, key: Key) -> Awaitable[None] | None:
        raise NotImplementedError

    async def _run(self) -> None:
        done = 0
        while True:
            key = await self._queue.get()
            self._pending.discard(key)
            try:
                result = self.reconcile(key)
                if inspect.isawaitable(result):
                    await result
            except asyncio.CancelledError:
                raise
            except ApiError as exc:
                # A conflict or a vanished object means another writer got there first: look again soon.
                if exc.code not in (404, 409):
                    log.warning("%s: %s %s", self.name, key, exc.message)
                self.enqueue_after(key, 0.5)
            except Exception:
                log.exception("%s: reconciling %s failed", self.name, key)
                self.enqueue_after(key, 5.0)
            done += 1
            if done % 50 == 0:
                await asyncio.sleep(0)  # let the API server answer requests during a burst


def controlled_pods(cluster: Any, owner: Obj) -> list[Obj]:
    """The pods whose controller reference is ``owner`` (ReplicaSets, StatefulSets, DaemonSets, Jobs alike)."""
    uid = meta(owner)["uid"]
    pods = []
    for ns, name in cluster.index.owned(uid, "pods"):
        pod = cluster.store.get("pods", ns, name)
        if pod is not None and (controller_ref(pod) or {}).get("uid") == uid:
            pods.append(pod)
    return pods
