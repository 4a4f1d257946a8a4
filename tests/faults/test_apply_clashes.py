"""Nothing half-applied: documents that clash with each other fail their dry run, and an apply that fails
part-way says exactly what it created and can undo it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from kubetui.cluster.errors import Invalid
from kubetui.screens.dialogs.apply import documents_of
from kubetui.screens.dialogs.apply_flow import outcomes, partly_applied_text
from kubetui.sim.server import SimServer

TWO_NODEPORTS = """
apiVersion: v1
kind: Service
metadata: {name: a}
spec: {type: NodePort, selector: {app: a}, ports: [{port: 80, nodePort: 30080}]}
---
apiVersion: v1
kind: Service
metadata: {name: b}
spec: {type: NodePort, selector: {app: b}, ports: [{port: 80, nodePort: 30080}]}
"""


def deployment(app: str) -> str:
    return f"""
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  selector: {{matchLabels: {{app: {app}}}}}
  template:
    metadata: {{labels: {{app: {app}}}}}
    spec: {{containers: [{{name: c, image: registry.k8s.io/pause:3.9}}]}}
"""


@pytest.fixture
async def conn(tmp_path: Path) -> AsyncIterator[Connection]:
    async with SimServer(scenario="empty", nodes=1, speed=50.0) as sim:
        kubeconfig = sim.write_kubeconfig(tmp_path / "kubeconfig")
        async with await Connection.open(str(kubeconfig)) as connection:
            yield connection


async def names(conn: Connection, path: str) -> list[str]:
    return [o["metadata"]["name"] for o in (await conn.request("GET", path))["items"]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            TWO_NODEPORTS,
            "nodePort: Invalid value: 30080: provided port is already allocated (document 1 takes it)",
        ),
        (
            deployment("one") + "---" + deployment("two"),
            'Deployment.apps "web" is invalid: spec.selector: Invalid value:',
        ),
    ],
    ids=["same-nodeport", "same-deployment-other-selector"],
)
async def test_documents_that_clash_with_each_other_apply_nothing(
    conn: Connection, text: str, message: str
) -> None:
    results = await ops.apply_manifests(conn, text, "default")
    assert [r.action for r in results] == ["skipped", "failed"]
    assert message in (results[1].error or "")
    assert await names(conn, "/api/v1/namespaces/default/services") == ["kubernetes"]
    assert await names(conn, "/apis/apps/v1/namespaces/default/deployments") == []


async def test_the_same_object_twice_with_the_same_selector_is_fine(conn: Connection) -> None:
    results = await ops.apply_manifests(conn, deployment("one") + "---" + deployment("one"), "default")
    assert [r.ok for r in results] == [True, True]


async def test_a_part_way_failure_says_what_was_created_and_undoes_it(
    conn: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Document 2 passes its dry run, then fails for real (another writer got there in between)."""
    text = deployment("one") + "---\n" + TWO_NODEPORTS.split("---")[0]
    real_request = conn.request

    async def racing(method: str, path: str, **kwargs: Any) -> Any:
        query = kwargs.get("query") or {}
        if method == "PATCH" and path.endswith("/services/a") and "dryRun" not in query:
            raise Invalid(
                'Service "a" is invalid: spec.ports[0].nodePort: provided port is already allocated'
            )
        return await real_request(method, path, **kwargs)

    monkeypatch.setattr(conn, "request", racing)
    results = await ops.apply_manifests(conn, text, "default")
    assert [r.action for r in results] == ["created", "failed"]
    summary = partly_applied_text(outcomes(results, documents_of(text), "default"))
    assert summary.splitlines() == [
        "Applied:",
        "  deployment/web created",
        "Failed:",
        '  service/a: Service "a" is invalid: spec.ports[0].nodePort: provided port is already allocated',
    ]
    monkeypatch.setattr(conn, "request", real_request)
    assert await ops.undo_created(conn, results) == ["deployments/web deleted"]
    assert await names(conn, "/apis/apps/v1/namespaces/default/deployments") == []
