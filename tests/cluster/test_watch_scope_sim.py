"""Namespace-scoped watches on the built-in cluster: a hub scoped to one namespace holds nothing of another,
moves when the namespace changes (and drops callbacks of the watchers it replaced), and widens back to all;
the store keeps objects without managedFields and the last-applied annotation."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from kubetui.cluster.connection import APPLY_PATCH, Connection
from kubetui.cluster.store import Store
from kubetui.cluster.watch import LAST_APPLIED, Delta, WatchState
from kubetui.cluster.watch_hub import WatchHub
from kubetui.sim.server import SimServer
from tests.backends import wait_for

NAMESPACED = ("deployments", "replicasets", "pods", "services", "endpointslices", "events")


def _pod(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "annotations": {LAST_APPLIED: json.dumps({"big": "x" * 2000})}},
        "spec": {"containers": [{"name": "main", "image": "nginx"}]},
    }


class Recorder:
    def __init__(self) -> None:
        self.store = Store()
        self.states: list[WatchState] = []

    def on_deltas(self, kind: str, deltas: list[Delta]) -> None:
        self.store.apply(kind, deltas)

    def on_state(self, state: WatchState) -> None:
        self.states.append(state)

    def namespaces(self) -> set[str]:
        return {o["metadata"].get("namespace", "") for kind in NAMESPACED for o in self.store.list(kind)}

    def pods(self) -> set[tuple[str, str]]:
        return {(p["metadata"]["namespace"], p["metadata"]["name"]) for p in self.store.list("pods")}


async def _setup(conn: Connection) -> None:
    for ns in ("alpha", "beta"):
        await conn.request("POST", "/api/v1/namespaces", body={"metadata": {"name": ns}})
        for index in range(2):
            await conn.request("POST", f"/api/v1/namespaces/{ns}/pods", body=_pod(f"{ns}-{index}"))


async def test_scoped_hub_follows_the_namespace_and_returns_to_all(
    bare_sim: SimServer, tmp_path: Path
) -> None:
    kubeconfig = bare_sim.write_kubeconfig(tmp_path / "kubeconfig")
    async with await Connection.open(str(kubeconfig)) as conn:
        await _setup(conn)
        rec = Recorder()
        hub = WatchHub(conn, "alpha", rec.on_deltas, rec.on_state, backoff_initial=0.05)
        hub.start()
        try:
            assert await hub.wait_synced(20)
            assert rec.pods() == {("alpha", "alpha-0"), ("alpha", "alpha-1")}
            assert rec.namespaces() == {"alpha"}
            assert len(rec.store.list("nodes")) == 2  # cluster-scoped kinds stay cluster-wide
            assert hub.scope("pods") == "alpha" and hub.scope("nodes") is None

            moved = hub.set_namespace("beta")
            assert sorted(moved) == sorted(NAMESPACED)
            for kind in moved:  # what the session does: the old namespace's objects go
                rec.store.clear(kind)
            await conn.request("POST", "/api/v1/namespaces/alpha/pods", body=_pod("alpha-late"))
            assert await hub.wait_synced(20)
            await wait_for(
                lambda: _async(rec.pods() == {("beta", "beta-0"), ("beta", "beta-1")}), what="beta's pods"
            )
            await asyncio.sleep(0.3)  # a late event of the replaced alpha watcher would land by now
            assert rec.namespaces() == {"beta"}

            assert hub.set_namespace("beta") == []  # the same namespace again moves nothing
            hub.set_namespace(None)
            assert await hub.wait_synced(20)
            await wait_for(lambda: _async(len(rec.pods()) == 5), what="every pod")
            assert {"alpha", "beta"} <= rec.namespaces()
            assert ("alpha", "alpha-late") in rec.pods()
        finally:
            await hub.stop()


async def _async(value: Any) -> Any:
    return value


async def test_store_keeps_objects_without_managed_fields_or_last_applied(
    bare_sim: SimServer, tmp_path: Path
) -> None:
    kubeconfig = bare_sim.write_kubeconfig(tmp_path / "kubeconfig")
    async with await Connection.open(str(kubeconfig)) as conn:
        await conn.request("POST", "/api/v1/namespaces", body={"metadata": {"name": "alpha"}})
        await conn.request("POST", "/api/v1/namespaces/alpha/pods", body=_pod("listed"))
        rec = Recorder()
        hub = WatchHub(conn, "alpha", rec.on_deltas, rec.on_state, backoff_initial=0.05)
        hub.start()
        try:
            assert await hub.wait_synced(20)
            body = _pod("applied")
            await conn.request(
                "PATCH",
                "/api/v1/namespaces/alpha/pods/applied",
                query={"fieldManager": "kubectl"},
                body=json.dumps(body),
                content_type=APPLY_PATCH,
            )
            await wait_for(lambda: _async(len(rec.pods()) == 2), what="the applied pod")
            server = await conn.request("GET", "/api/v1/namespaces/alpha/pods/applied")
            assert server["metadata"].get("managedFields")  # the server keeps them ...
            assert LAST_APPLIED in server["metadata"]["annotations"]
            for pod in rec.store.list("pods"):  # ... the store, from a list or a watch event, does not
                assert "managedFields" not in pod["metadata"], pod["metadata"]["name"]
                assert LAST_APPLIED not in (pod["metadata"].get("annotations") or {})
        finally:
            await hub.stop()
