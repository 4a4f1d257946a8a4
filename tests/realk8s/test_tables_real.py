"""The built-in cluster's Tables for the kinds it stores, against kube-apiserver's: same columns, and the same
cells where no controller moves them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster.connection import Connection
from kubetui.cluster.discovery import find
from kubetui.cluster.table_watch import TABLE_ACCEPT, columns_of, rows_of
from kubetui.sim.server import SimServer
from tests.cluster.test_table_kinds_sim import MANIFESTS

pytestmark = [pytest.mark.realk8s]

# Kinds whose cells no controller changes in the first seconds (the others are compared by columns only).
STILL = {"ingresses", "persistentvolumes", "cronjobs", "configmaps", "networkpolicies"}


async def _table(conn: Connection, short: str, namespace: str, manifest: dict[str, Any]) -> tuple[Any, Any]:
    resource = await find(conn, short)
    body = {
        **manifest,
        "metadata": {**manifest["metadata"], "name": f"{manifest['metadata']['name']}-{namespace}"},
    }
    path = resource.path(namespace, body["metadata"]["name"])
    await conn.request("POST", resource.path(namespace), body=body)
    if short == "persistentvolumes":
        # The binder marks a new volume Available within moments on either cluster; compare it settled.
        for _ in range(100):
            if ((await conn.request("GET", path)).get("status") or {}).get("phase") != "Pending":
                break
            await asyncio.sleep(0.05)
    table = await conn.request(
        "GET",
        path,
        accept=TABLE_ACCEPT,
        query={"includeObject": "Object"},
    )
    return columns_of(table), rows_of(table)[0]


def _without(cells: tuple[str, ...], index: int) -> list[str]:
    return [c for i, c in enumerate(cells) if i != index]


async def test_tables_match_kube_apiserver(realk8s: Any, tmp_path: Path) -> None:
    real = await Connection.open(kubeconfig_path=str(realk8s.kubeconfig))
    namespace = "tables-real"
    try:
        await real.request("POST", "/api/v1/namespaces", body={"metadata": {"name": namespace}})
        async with SimServer(scenario="empty", nodes=1) as sim:
            built_in = await Connection.open(kubeconfig_path=str(sim.write_kubeconfig(tmp_path / "kc")))
            try:
                await built_in.request("POST", "/api/v1/namespaces", body={"metadata": {"name": namespace}})
                for plural, manifest in MANIFESTS.items():
                    want_cols, want_row = await _table(real, plural, namespace, manifest)
                    got_cols, got_row = await _table(built_in, plural, namespace, manifest)
                    assert [(c.name, c.type, c.priority) for c in got_cols] == [
                        (c.name, c.type, c.priority) for c in want_cols
                    ], plural
                    if plural in STILL:
                        age = [c.name for c in want_cols].index("Age")
                        assert _without(got_row.cells, age) == _without(want_row.cells, age), plural
            finally:
                await built_in.close()
    finally:
        await real.request("DELETE", f"/api/v1/namespaces/{namespace}")
        await real.close()
