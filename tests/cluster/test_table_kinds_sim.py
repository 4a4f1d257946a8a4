"""Every kind the built-in cluster stores, listed by kubetui's Table watch and by ``kubectl get``: same rows."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster import discovery
from kubetui.cluster.table_watch import Column, TableRow, TableWatcher
from kubetui.sim.server import SimServer
from tests.cluster.simhelp import kubectl, open_connection

_POD_TEMPLATE = {
    "metadata": {"labels": {"app": "web"}},
    "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]},
}
MANIFESTS: dict[str, dict[str, Any]] = {
    "statefulsets": {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "db"},
        "spec": {
            "replicas": 3,
            "serviceName": "db",
            "selector": {"matchLabels": {"app": "web"}},
            "template": _POD_TEMPLATE,
        },
    },
    "daemonsets": {
        "apiVersion": "apps/v1",
        "kind": "DaemonSet",
        "metadata": {"name": "agent"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {**_POD_TEMPLATE, "spec": {**_POD_TEMPLATE["spec"], "nodeSelector": {"disk": "ssd"}}},
        },
    },
    "jobs": {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "once"},
        "spec": {
            "parallelism": 3,
            "template": {
                "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}
            },
        },
    },
    "cronjobs": {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {"name": "nightly"},
        "spec": {
            "schedule": "0 3 * * *",
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}
                    }
                }
            },
        },
    },
    "ingresses": {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "front"},
        "spec": {
            "ingressClassName": "nginx",
            "tls": [{"hosts": ["a.example.com"]}],
            "rules": [{"host": "a.example.com"}, {"host": "b.example.com"}],
        },
    },
    "persistentvolumeclaims": {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data"},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "storageClassName": "standard",
            "resources": {"requests": {"storage": "1Gi"}},
        },
    },
    "persistentvolumes": {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": "pv-1"},
        "spec": {
            "capacity": {"storage": "5Gi"},
            "accessModes": ["ReadWriteOnce", "ReadOnlyMany"],
            "persistentVolumeReclaimPolicy": "Retain",
            "storageClassName": "standard",
            "hostPath": {"path": "/data"},
        },
    },
    "networkpolicies": {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "web-only"},
        "spec": {
            "podSelector": {
                "matchLabels": {"app": "web"},
                "matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "edge"]}],
            },
            "policyTypes": ["Ingress"],
            "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "client"}}}]}],
        },
    },
    "configmaps": {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings"},
        "data": {"a": "1"},
    },
}


def _split(header: str, line: str) -> list[str]:
    """Cuts a kubectl line at the header's column starts (cells may hold single spaces, or be empty)."""
    starts = [i for i, ch in enumerate(header) if ch != " " and (i == 0 or header[i - 2 : i] == "  ")]
    bounds = [*starts, len(line) + 1000]
    return [line[bounds[i] : bounds[i + 1]].strip() for i in range(len(starts))]


async def _settled(conn: Any, path: str) -> None:
    """Waits until controllers leave the object alone (its version holds for a while)."""
    version = ""
    for _ in range(100):
        now = (await conn.request("GET", path))["metadata"]["resourceVersion"]
        if now == version:
            return
        version = now
        await asyncio.sleep(0.5)


async def _rows(conn: Any, name: str) -> tuple[list[Column], list[TableRow]]:
    resource = await discovery.find(conn, name)
    got: dict[str, Any] = {}
    watcher = TableWatcher(
        conn,
        resource,
        "default",
        on_reset=lambda c, r: got.update(columns=c, rows=r),
        on_change=lambda t, r: None,
    )
    task = asyncio.create_task(watcher.run())
    try:
        for _ in range(200):
            if "rows" in got:
                break
            await asyncio.sleep(0.05)
    finally:
        watcher.stop()
        await asyncio.gather(task, return_exceptions=True)
    return got["columns"], got["rows"]


@pytest.mark.parametrize("short", ["sts", "ds", "job", "cj", "ing", "pvc", "pv", "cm"])
async def test_rows_match_kubectl_get(sim: SimServer, tmp_path: Path, short: str) -> None:
    kubeconfig = sim.write_kubeconfig(tmp_path / "kubeconfig")
    conn = await open_connection(kubeconfig)
    try:
        resource = await discovery.find(conn, short)
        manifest = MANIFESTS[resource.plural]
        created = await conn.request("POST", resource.path("default"), body=manifest)
        await _settled(conn, resource.path("default", created["metadata"]["name"]))
        columns, rows = await _rows(conn, short)
        for wide in (False, True):
            out = await kubectl(kubeconfig, "get", short, "-n", "default", *(["-o", "wide"] if wide else []))
            assert out.returncode == 0, out.stderr
            header, *lines = out.stdout.rstrip("\n").splitlines()
            shown = [i for i, c in enumerate(columns) if wide or c.priority == 0]
            assert _split(header, header) == [columns[i].header for i in shown]
            name = manifest["metadata"]["name"]
            (line,) = [x for x in lines if x.split()[0] == name]
            (row,) = [r for r in rows if r.name == name]
            expected = [row.cells[i] for i in shown]
            got = _split(header, line)
            age = [columns[i].name for i in shown].index("Age")
            got[age] = expected[age] = ""  # seconds apart
            assert got == expected, (header, line)
    finally:
        await conn.close()
