"""A CRD created with kubectl on the real control plane: kubetui resolves its plural and short name from
discovery and lists it with kube-apiserver's Table of its printer columns, as the built-in cluster does."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster.connection import Connection
from kubetui.cluster.discovery import find
from kubetui.cluster.table_watch import TableWatcher
from kubetui.sim.server import SimServer
from tests.cluster.simhelp import kubectl
from tests.ui.test_crd_browse import CRD, CRONTAB

pytestmark = [pytest.mark.realk8s, pytest.mark.kubectl]


async def _listed(conn: Connection, name: str) -> tuple[list[Any], list[Any]]:
    resource = None
    for _ in range(100):  # a new CRD takes a moment to reach discovery
        try:
            resource = await find(conn, name)
            break
        except Exception:
            await asyncio.sleep(0.1)
    assert resource is not None, f"{name} never reached discovery"
    got: dict[str, Any] = {}
    watcher = TableWatcher(conn, resource, "default", lambda c, r: got.update(c=c, r=r), lambda t, r: None)
    task = asyncio.create_task(watcher.run())
    try:
        for _ in range(200):
            if got.get("r"):
                break
            await asyncio.sleep(0.05)
    finally:
        watcher.stop()
        await asyncio.gather(task, return_exceptions=True)
    return got["c"], got["r"]


async def test_a_crd_is_browsed_the_same_on_both_clusters(realk8s: Any, tmp_path: Path) -> None:
    real = await Connection.open(kubeconfig_path=str(realk8s.kubeconfig))
    try:
        assert (await kubectl(realk8s.kubeconfig, "apply", "-f", "-", input=CRD)).returncode == 0
        await kubectl(
            realk8s.kubeconfig, "wait", "--for=condition=Established", "crd/crontabs.stable.example.com"
        )
        created = await kubectl(realk8s.kubeconfig, "apply", "-f", "-", input=CRONTAB)
        assert created.returncode == 0, created.stderr
        want_cols, want_rows = await _listed(real, "ct")
        async with SimServer(scenario="empty", nodes=1) as sim:
            kubeconfig = sim.write_kubeconfig(tmp_path / "kc")
            assert (await kubectl(kubeconfig, "apply", "-f", "-", input=CRD)).returncode == 0
            assert (await kubectl(kubeconfig, "apply", "-f", "-", input=CRONTAB)).returncode == 0
            built_in = await Connection.open(kubeconfig_path=str(kubeconfig))
            try:
                got_cols, got_rows = await _listed(built_in, "ct")
            finally:
                await built_in.close()
        assert [(c.name, c.type, c.priority) for c in got_cols] == [
            (c.name, c.type, c.priority) for c in want_cols
        ]
        age = [c.name for c in want_cols].index("Age")
        assert [c for i, c in enumerate(got_rows[0].cells) if i != age] == [
            c for i, c in enumerate(want_rows[0].cells) if i != age
        ]
    finally:
        await kubectl(realk8s.kubeconfig, "delete", "crd", "crontabs.stable.example.com", "--wait=false")
        await real.close()
