"""Applying manifests on the built-in cluster: server-side apply, per-document results, all or nothing."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster import ops
from kubetui.cluster.apply import ManifestError
from kubetui.cluster.connection import Connection
from kubetui.cluster.errors import NotFound, ReadOnlyError
from kubetui.sim.server import SimServer
from tests.backends import Twins, normalised
from tests.cluster.simhelp import make_namespace, open_connection
from tests.journey_manifests import MYAPP


@pytest.fixture
async def cluster(bare_sim: SimServer, tmp_path: Path) -> AsyncIterator[tuple[Connection, Path]]:
    kubeconfig = bare_sim.write_kubeconfig(tmp_path / "kubeconfig")
    conn = await open_connection(kubeconfig)
    for ns in ("mine", "theirs"):
        await make_namespace(conn, ns)
    yield conn, kubeconfig
    await conn.close()


async def _get(conn: Connection, path: str) -> dict[str, Any]:
    result: dict[str, Any] = await conn.request("GET", path)
    return result


async def test_apply_creates_then_reports_unchanged_then_configured(cluster: tuple[Connection, Path]) -> None:
    conn, _ = cluster
    results = await ops.apply_manifests(conn, MYAPP, "mine")
    assert [(r.index, r.kind, r.name, r.namespace, r.action) for r in results] == [
        (1, "Deployment", "myapp", "mine", "created"),
        (2, "Service", "myapp-service", "mine", "created"),
    ]
    dep = await _get(conn, "/apis/apps/v1/namespaces/mine/deployments/myapp")
    assert dep["spec"]["template"]["spec"]["imagePullSecrets"] == [{"name": "my-secret"}]
    assert any(f.get("manager") == "kubetui" for f in dep["metadata"].get("managedFields") or [])
    again = await ops.apply_manifests(conn, MYAPP, "mine")
    assert [r.action for r in again] == ["unchanged", "unchanged"]
    changed = await ops.apply_manifests(conn, MYAPP.replace("replicas: 3", "replicas: 5"), "mine")
    assert [r.action for r in changed] == ["configured", "unchanged"]
    assert (await _get(conn, "/apis/apps/v1/namespaces/mine/deployments/myapp"))["spec"]["replicas"] == 5


APPLIED = ("/apis/apps/v1/namespaces/{}/deployments/myapp", "/api/v1/namespaces/{}/services/myapp-service")


async def test_apply_leaves_the_state_kubectl_apply_leaves(twins: Twins, tmp_path: Path) -> None:
    """On both backends: server-side apply by kubetui and by ``kubectl apply --server-side`` give equal objects."""
    manifest = tmp_path / "myapp.yaml"
    manifest.write_text(MYAPP)
    await twins.kubectl("apply", "--server-side", "-f", str(manifest))
    results = await ops.apply_manifests(twins.conn, MYAPP, twins.mine)
    assert [r.action for r in results] == ["created", "created"]
    for path in APPLIED:
        # A real Deployment controller annotates each Deployment with its revision on its own time: the twin
        # applied second may be read before that. Equal once both have been seen to.
        for _ in range(50):
            mine, theirs = await twins.both(path)
            if normalised(mine) == normalised(theirs):
                break
            await asyncio.sleep(0.2)
        assert normalised(mine) == normalised(theirs), path


async def test_server_dry_run_answers_what_kubectl_server_dry_run_answers(
    twins: Twins, tmp_path: Path
) -> None:
    """On both backends: kubetui's preview is the server's dry run, the object kubectl's
    ``apply --server-side --dry-run=server`` prints, and neither stores anything."""
    manifest = tmp_path / "myapp.yaml"
    manifest.write_text(MYAPP)
    out = await twins.kubectl("apply", "--server-side", "--dry-run=server", "-f", str(manifest), "-o", "json")
    printed = json.loads(out)
    theirs = printed["items"] if printed.get("kind") == "List" else [printed]
    preview = await ops.apply_manifests(twins.conn, MYAPP, twins.mine, dry_run=True)
    assert [(r.kind, r.name, r.action) for r in preview] == [
        ("Deployment", "myapp", "created"),
        ("Service", "myapp-service", "created"),
    ]
    mine = [r.object for r in preview]
    assert [normalised(o) for o in mine] == [normalised(o) for o in theirs]
    for path in APPLIED:
        for ns in (twins.mine, twins.theirs):
            with pytest.raises(NotFound):
                await twins.conn.request("GET", path.format(ns))


async def test_dry_run_applies_nothing(cluster: tuple[Connection, Path]) -> None:
    conn, _ = cluster
    results = await ops.apply_manifests(conn, MYAPP, "mine", dry_run=True)
    assert [r.action for r in results] == ["created", "created"]
    with pytest.raises(NotFound):
        await _get(conn, "/apis/apps/v1/namespaces/mine/deployments/myapp")


async def test_one_invalid_document_leaves_nothing_applied(cluster: tuple[Connection, Path]) -> None:
    conn, _ = cluster
    broken = (
        MYAPP
        + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: Bad_Name\nspec:\n  ports:\n    - port: 80\n"
    )
    results = await ops.apply_manifests(conn, broken, "mine")
    assert [r.action for r in results] == ["skipped", "skipped", "failed"]
    assert results[2].error and "Bad_Name" in results[2].error
    for path in (
        "/apis/apps/v1/namespaces/mine/deployments/myapp",
        "/api/v1/namespaces/mine/services/myapp-service",
    ):
        with pytest.raises(NotFound):
            await _get(conn, path)


async def test_malformed_yaml_names_the_document_and_line(cluster: tuple[Connection, Path]) -> None:
    conn, _ = cluster
    malformed = MYAPP + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n"
    with pytest.raises(ManifestError) as info:
        await ops.apply_manifests(conn, malformed, "mine")
    assert info.value.document == 3
    assert info.value.line == MYAPP.count("\n") + 6
    with pytest.raises(NotFound):
        await _get(conn, "/apis/apps/v1/namespaces/mine/deployments/myapp")


async def test_unknown_kind_fails_its_document(cluster: tuple[Connection, Path]) -> None:
    conn, _ = cluster
    text = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n---\n" + MYAPP
    results = await ops.apply_manifests(conn, text, "mine")
    assert results[0].action == "failed" and 'no matches for kind "Widget"' in (results[0].error or "")
    assert [r.action for r in results[1:]] == ["skipped", "skipped"]


async def test_read_only_refuses_apply_but_allows_its_dry_run(bare_sim: SimServer, tmp_path: Path) -> None:
    conn = await open_connection(bare_sim.write_kubeconfig(tmp_path / "kubeconfig"), readonly=True)
    try:
        preview = await ops.apply_manifests(conn, MYAPP, "default", dry_run=True)
        assert [r.action for r in preview] == ["created", "created"]
        with pytest.raises(ReadOnlyError):
            await ops.apply_manifests(conn, MYAPP.replace("myapp", "other"), "default")
    finally:
        await conn.close()


async def test_a_manifest_creating_its_own_namespace(cluster: tuple[Connection, Path]) -> None:
    conn, _ = cluster
    text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\n" + MYAPP.replace(
        "metadata:\n  name: myapp\n", "metadata:\n  name: myapp\n  namespace: shop\n"
    ).replace("metadata:\n  name: myapp-service\n", "metadata:\n  name: myapp-service\n  namespace: shop\n")
    preview = await ops.apply_manifests(conn, text, "default", dry_run=True)
    assert [(r.kind, r.namespace, r.action) for r in preview] == [
        ("Namespace", None, "created"),
        ("Deployment", "shop", "created"),
        ("Service", "shop", "created"),
    ]
    with pytest.raises(NotFound):
        await _get(conn, "/api/v1/namespaces/shop")
    results = await ops.apply_manifests(conn, text, "default")
    assert [r.action for r in results] == ["created", "created", "created"]
    assert (await _get(conn, "/apis/apps/v1/namespaces/shop/deployments/myapp"))["spec"]["replicas"] == 3
    with pytest.raises(NotFound):
        await _get(conn, "/apis/apps/v1/namespaces/default/deployments/myapp")


async def test_list_documents_are_applied_item_by_item(cluster: tuple[Connection, Path]) -> None:
    conn, _ = cluster
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: a\n    data:\n      k: v\n"
        "  - apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: b\n"
    )
    results = await ops.apply_manifests(conn, text, "mine")
    assert [(r.kind, r.name, r.action) for r in results] == [
        ("ConfigMap", "a", "created"),
        ("ConfigMap", "b", "created"),
    ]
    assert (await _get(conn, "/api/v1/namespaces/mine/configmaps/a"))["data"] == {"k": "v"}


async def test_bundled_manifests_apply_on_the_built_in_cluster(sim: SimServer, tmp_path: Path) -> None:
    manifests = sorted((Path(__file__).parents[2] / "manifests").glob("*.yaml"))
    assert manifests, "kubetui ships example manifests"
    conn = await open_connection(sim.write_kubeconfig(tmp_path / "kubeconfig"))
    try:
        for manifest in manifests:
            results = await ops.apply_manifests(conn, manifest.read_text(), "default")
            assert all(r.ok and r.action in ("created", "configured", "unchanged") for r in results), (
                manifest.name,
                results,
            )
    finally:
        await conn.close()
