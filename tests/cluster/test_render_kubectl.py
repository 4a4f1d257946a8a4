"""Rows equal what real ``kubectl get`` (and ``-o wide``) prints for the same objects on the built-in cluster."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster.render import COLUMNS, WIDE_COLUMNS, row
from kubetui.sim.server import SimServer
from tests.cluster.simhelp import kubectl

pytestmark = pytest.mark.kubectl
FIXTURES = Path(__file__).parent.parent / "fixtures" / "rows"
KINDS = (
    "pods",
    "deployments",
    "replicasets",
    "services",
    "nodes",
    "namespaces",
    "events",
    "endpoints",
    "endpointslices",
)
STORE_KEYS = {
    "deployments": "deployments.apps",
    "replicasets": "replicasets.apps",
    "endpointslices": "endpointslices.discovery.k8s.io",
}


def _fixture(kind: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads((FIXTURES / f"{kind}.json").read_text())["items"]
    return items


def parse_table(text: str, headers: Sequence[str]) -> list[tuple[str, ...]]:
    """Split kubectl's aligned output at the header's column starts (cells may contain single spaces)."""
    lines = [line for line in text.splitlines() if line.strip()]
    header = lines[0]
    starts = []
    pos = 0
    for name in headers:
        pos = header.index(name, pos)
        starts.append(pos)
        pos += len(name)
    rows = []
    for line in lines[1:]:
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)]
        rows.append(tuple(cells))
    return rows


def _matches(
    kubectl_row: tuple[str, ...], kind: str, obj: dict[str, Any], before: float, after: float, wide: bool
) -> bool:
    # kubectl printed at some instant between before and after; ages are whole seconds, so one of these agrees.
    return any(kubectl_row == row(kind, obj, t, wide) for t in (before, after, (before + after) / 2))


@pytest.fixture
async def loaded(bare_sim: SimServer, tmp_path: Path) -> Path:
    store = bare_sim.store
    for kind in KINDS:
        for obj in _fixture(kind):
            obj = json.loads(json.dumps(obj))
            obj["metadata"].pop("resourceVersion", None)
            if kind == "namespaces" and obj["metadata"]["name"] == "default":
                continue  # the cluster has its own
            if kind == "nodes":
                obj["metadata"]["name"] = "fx-" + obj["metadata"]["name"]
            store.create(STORE_KEYS.get(kind, kind), obj)
    return bare_sim.write_kubeconfig(tmp_path / "kubeconfig")


@pytest.mark.parametrize("wide", [False, True], ids=["narrow", "wide"])
@pytest.mark.parametrize("kind", KINDS)
async def test_rows_equal_kubectl_get(loaded: Path, bare_sim: SimServer, kind: str, wide: bool) -> None:
    args = ["get", kind] + ([] if kind in ("nodes", "namespaces") else ["-n", "default"])
    if wide:
        args += ["-o", "wide"]
    before = time.time()
    result = await kubectl(loaded, *args)
    after = time.time()
    assert result.returncode == 0, result.stderr
    headers = (WIDE_COLUMNS if wide else COLUMNS)[kind]
    assert "CREATED AT" not in result.stdout.splitlines()[0], "the built-in cluster served no Table columns"
    printed = parse_table(result.stdout, headers)
    key = STORE_KEYS.get(kind, kind)
    objects = [
        o
        for o in bare_sim.store.list(key)
        if kind in ("nodes", "namespaces") or o["metadata"].get("namespace") == "default"
    ]
    assert len(printed) == len(objects)
    unmatched = [p for p in printed if not any(_matches(p, kind, o, before, after, wide) for o in objects)]
    assert not unmatched, (
        "kubectl printed rows kubetui renders differently:\n"
        + "\n".join(f"kubectl: {p}" for p in unmatched)
        + "\n"
        + "\n".join(f"kubetui: {row(kind, o, after, wide)}" for o in objects)
    )


async def test_live_pods_equal_kubectl_get_wide(sim: SimServer, tmp_path: Path) -> None:
    """Pods made by the built-in cluster's own controllers (scheduled, started, given IPs) print the same."""
    from kubetui.cluster.connection import Connection

    kubeconfig = sim.write_kubeconfig(tmp_path / "kubeconfig")
    conn = await Connection.open(kubeconfig_path=str(kubeconfig))
    try:
        labels = {"app": "web"}
        await conn.request(
            "POST",
            "/apis/apps/v1/namespaces/default/replicasets",
            body={
                "metadata": {"name": "web-1", "labels": labels},
                "spec": {
                    "replicas": 3,
                    "selector": {"matchLabels": labels},
                    "template": {
                        "metadata": {"labels": labels},
                        "spec": {"containers": [{"name": "nginx", "image": "nginx"}]},
                    },
                },
            },
        )
        for _ in range(100):
            pods = (await conn.request("GET", "/api/v1/namespaces/default/pods"))["items"]
            if len(pods) == 3 and all(p["status"].get("phase") == "Running" for p in pods):
                break
            await asyncio.sleep(0.1)
        for _attempt in range(5):
            before_list = await conn.request("GET", "/api/v1/namespaces/default/pods")
            before = time.time()
            result = await kubectl(kubeconfig, "get", "pods", "-o", "wide")
            after = time.time()
            after_list = await conn.request("GET", "/api/v1/namespaces/default/pods")
            if before_list["metadata"]["resourceVersion"] == after_list["metadata"]["resourceVersion"]:
                break
        assert result.returncode == 0, result.stderr
        assert "CREATED AT" not in result.stdout.splitlines()[0], (
            "the built-in cluster served no Table columns"
        )
        printed = parse_table(result.stdout, WIDE_COLUMNS["pods"])
        objects = after_list["items"]
        assert len(printed) == len(objects) == 3
        for p in printed:
            assert any(_matches(p, "pods", o, before, after, True) for o in objects), p
        assert all(p[2] == "Running" and p[5] != "<none>" for p in printed)
    finally:
        await conn.close()


PANES = ("nodes", "deployments", "replicasets", "pods", "services")
PANE_PATHS = {
    "nodes": "/api/v1/nodes",
    "deployments": "/apis/apps/v1/namespaces/{}/deployments",
    "replicasets": "/apis/apps/v1/namespaces/{}/replicasets",
    "pods": "/api/v1/namespaces/{}/pods",
    "services": "/api/v1/namespaces/{}/services",
}


async def test_every_pane_equals_kubectl_get_on_live_objects(backend: Any) -> None:
    """Objects made by each cluster's own controllers (and kwok's nodes on the real one): every pane's rows,
    narrow and wide, are what kubectl prints for the same objects on the same cluster."""
    from kubetui.cluster import ops
    from tests.backends import settled

    conn = backend.conn
    ns = await backend.namespace("rows")
    await ops.create_deployment(conn, ns, "web", "nginx:1.27", replicas=3, port=80)
    await ops.create_deployment(conn, ns, "api", "registry.k8s.io/e2e-test-images/agnhost:2.39", port=8080)
    await settled(conn, ns, "web")
    await ops.set_image(conn, ns, "web", {"*": "nginx:1.28"})  # a second ReplicaSet, scaled to 0
    await settled(conn, ns, "web")
    await settled(conn, ns, "api")
    await ops.expose(conn, ns, "deployments", "web", "ClusterIP", 80)
    await ops.expose(conn, ns, "deployments", "api", "NodePort", 8080)
    await ops.expose(conn, ns, "deployments", "web", "LoadBalancer", 80, service_name="web-lb")
    for kind in PANES:
        path = PANE_PATHS[kind].format(ns)
        for wide in (False, True):
            for _attempt in range(5):
                before_list = await conn.request("GET", path)
                before = time.time()
                result = await kubectl(
                    backend.kubeconfig, "get", kind, *([] if kind == "nodes" else ["-n", ns]),
                    *(["-o", "wide"] if wide else []),
                )  # fmt: skip
                after = time.time()
                after_list = await conn.request("GET", path)
                if before_list["metadata"]["resourceVersion"] == after_list["metadata"]["resourceVersion"]:
                    break
                await asyncio.sleep(0.5)
            assert result.returncode == 0, result.stderr
            printed = parse_table(result.stdout, (WIDE_COLUMNS if wide else COLUMNS)[kind])
            objects = after_list["items"] + before_list["items"]
            assert len(printed) == len(after_list["items"]) > 0, (kind, result.stdout)
            unmatched = [
                p for p in printed if not any(_matches(p, kind, o, before, after, wide) for o in objects)
            ]
            assert not unmatched, (
                f"{backend.name}: kubectl get {kind}{' -o wide' if wide else ''} printed rows kubetui renders "
                "differently:\n"
                + "\n".join(f"kubectl: {p}" for p in unmatched)
                + "\n"
                + "\n".join(f"kubetui: {row(kind, o, after, wide)}" for o in after_list["items"])
            )
