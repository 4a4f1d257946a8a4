"""Helpers for watch tests on either backend: a recording Store, and "the store equals the server" checks."""

from __future__ import annotations

from typing import Any

from kubetui.cluster.connection import Connection
from kubetui.cluster.store import Store
from kubetui.cluster.watch import KINDS, Delta, WatchState, kind_path
from kubetui.cluster.watch_hub import WatchHub
from tests.backends import wait_for


class Recorder:
    def __init__(self) -> None:
        self.store = Store()
        self.states: list[WatchState] = []

    def on_deltas(self, kind: str, deltas: list[Delta]) -> None:
        self.store.apply(kind, deltas)

    def on_state(self, state: WatchState) -> None:
        self.states.append(state)


async def truth(conn: Connection, kind: str) -> dict[str, str]:
    """uid → resourceVersion of every object of ``kind`` the server lists."""
    listing = await conn.request("GET", kind_path(kind))
    return {o["metadata"]["uid"]: o["metadata"]["resourceVersion"] for o in listing["items"]}


def held(store: Store, kind: str) -> dict[str, str]:
    return {o["metadata"]["uid"]: o["metadata"]["resourceVersion"] for o in store.list(kind)}


async def converged(
    conn: Connection, store: Store, kinds: tuple[str, ...] = KINDS, timeout: float = 30
) -> None:
    """The store equals the server at one moment (controllers and kwok keep changing things)."""

    async def same() -> list[str]:
        diff = [k for k in kinds if held(store, k) != await truth(conn, k)]
        return [] if diff else ["equal"]

    await wait_for(same, timeout=timeout, interval=0.2, what=f"the store to equal the server for {kinds}")


async def started_hub(conn: Connection, rec: Recorder) -> WatchHub:
    hub = WatchHub(conn, None, rec.on_deltas, rec.on_state, backoff_initial=0.05)
    hub.start()
    assert await hub.wait_synced(30)
    return hub


async def all_live(hub: WatchHub, timeout: float = 60) -> None:
    async def live() -> bool:
        return {s.phase for s in hub.states.values()} == {"live"}

    await wait_for(live, timeout=timeout, what="every watch live again")


async def running(conn: Connection, ns: str, count: int, exact: bool = False) -> bool:
    """At least ``count`` Running pods in ``ns`` (with ``exact``: exactly ``count`` pods at all)."""
    pods = (await conn.request("GET", f"/api/v1/namespaces/{ns}/pods"))["items"]
    up = [
        p
        for p in pods
        if p["status"].get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")
    ]
    return len(pods) == len(up) == count if exact else len(up) >= count


async def settled(conn: Connection, ns: str, name: str, count: int) -> bool:
    """Deployment ``name`` has seen its last change and stands at ``count`` pods, all Running, none leaving.

    The pod count alone passes through ``count`` on the way between two earlier scales: a real ReplicaSet
    controller still working on an older size creates and deletes in batches."""
    dep = await conn.request("GET", f"/apis/apps/v1/namespaces/{ns}/deployments/{name}")
    status = dep.get("status", {})
    if status.get("observedGeneration", 0) < dep["metadata"]["generation"]:
        return False
    if any(status.get(k, 0) != count for k in ("replicas", "readyReplicas", "updatedReplicas")):
        return False
    return await running(conn, ns, count, exact=True)


def deployment(name: str, replicas: int) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": name, "image": "nginx"}]},
            },
        },
    }
