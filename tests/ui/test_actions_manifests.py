"""The manifests kubetui ships: each passes the server's dry run with real kubectl and applies with kubetui."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from kubetui.cluster.resources import resource_for

MANIFESTS = sorted((Path(__file__).resolve().parents[2] / "manifests").glob("*.yaml"))
KIND_PLURALS = {"Deployment": "deployments", "Service": "services"}
SIM_TYPES = {"Deployment": "deployments.apps", "Service": "services"}


def documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def test_the_journey_manifests_are_all_there_and_say_what_they_teach() -> None:
    assert [p.name for p in MANIFESTS] == [
        "hello-node.yaml",
        "kubernetes-bootcamp-v1.yaml",
        "kubernetes-bootcamp-v2.yaml",
        "myapp.yaml",
    ]
    for path in MANIFESTS:
        head = path.read_text().split("apiVersion", 1)[0]
        assert "What it teaches" in head, f"{path.name} lacks its lesson"


def test_myapp_is_the_journey_yaml() -> None:
    deployment, service = documents(next(p for p in MANIFESTS if p.name == "myapp.yaml"))
    pod = deployment["spec"]["template"]["spec"]
    assert deployment["spec"]["replicas"] == 3
    assert pod["containers"][0]["image"] == "registry.example.com/team/myapp:001"
    assert pod["imagePullSecrets"] == [{"name": "my-secret"}]
    assert service["spec"]["type"] == "LoadBalancer"
    assert service["spec"]["ports"][0]["port"] == 80 and service["spec"]["ports"][0]["targetPort"] == 8089


@pytest.mark.kubectl
@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
def test_kubectl_server_dry_run_accepts_each_manifest(
    sim_thread: Any, kubectl: Any, tmp_path: Path, path: Path
) -> None:
    config = sim_thread.write_kubeconfig(tmp_path / "config")
    out = kubectl("apply", "--dry-run=server", "-f", str(path), kubeconfig=config)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == len(documents(path))
    assert all(line.endswith("(server dry run)") for line in lines), lines
    # A dry run stores nothing.
    assert kubectl("get", "deployments", "-o", "name", kubeconfig=config).stdout.strip() == ""


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda p: p.name)
async def test_kubetui_applies_each_manifest(sim: Any, kubeconfig: Path, path: Path) -> None:
    conn = await Connection.open(kubeconfig_path=str(kubeconfig))
    try:
        text = path.read_text()
        dry = await ops.apply_manifests(conn, text, "default", dry_run=True)
        assert len(dry) == len(documents(path))
        for doc in documents(path):
            assert sim.store.get(SIM_TYPES[doc["kind"]], "default", doc["metadata"]["name"]) is None
        results = await ops.apply_manifests(conn, text, "default")
        assert len(results) == len(documents(path))
        for doc in documents(path):
            plural = KIND_PLURALS[doc["kind"]]
            live = await conn.request("GET", resource_for(plural).path("default", doc["metadata"]["name"]))
            assert live["spec"]["selector"] == doc["spec"]["selector"]
    finally:
        await conn.close()


async def test_bootcamp_v2_is_a_rolling_update_of_v1_with_its_change_cause(
    sim: Any, kubeconfig: Path
) -> None:
    conn = await Connection.open(kubeconfig_path=str(kubeconfig))
    try:
        for name in ("kubernetes-bootcamp-v1.yaml", "kubernetes-bootcamp-v2.yaml"):
            await ops.apply_manifests(conn, (MANIFESTS[0].parent / name).read_text(), "default")
            await _wait_rolled_out(conn, "kubernetes-bootcamp")
        history = await ops.rollout_history(conn, "default", "kubernetes-bootcamp")
    finally:
        await conn.close()
    assert [(r.revision, r.current) for r in history] == [(1, False), (2, True)]
    assert history[0].images == ("gcr.io/google-samples/kubernetes-bootcamp:v1",)
    assert history[1].images == ("docker.io/jocatalin/kubernetes-bootcamp:v2",)
    assert history[1].change_cause == "rolling update to kubernetes-bootcamp v2"


async def _wait_rolled_out(conn: Connection, name: str, timeout: float = 20) -> None:
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        obj = await conn.request("GET", resource_for("deployments").path("default", name))
        status, spec = obj.get("status") or {}, obj["spec"]
        if (
            status.get("observedGeneration", 0) >= obj["metadata"]["generation"]
            and status.get("updatedReplicas") == spec["replicas"]
            and status.get("availableReplicas") == spec["replicas"]
            and status.get("replicas") == spec["replicas"]
        ):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{name} did not roll out within {timeout}s")
