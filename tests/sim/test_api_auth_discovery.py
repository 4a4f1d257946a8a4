"""What kubectl asks of a cluster besides objects: a bearer token (401 when wrong), ``auth whoami`` and
``auth can-i``, aggregated discovery, and the OpenAPI schemas ``kubectl explain`` prints."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from kubetui.sim import discovery_v2
from kubetui.sim.resources import RESOURCE_TYPES
from kubetui.sim.server import SimServer
from kubetui.sim.testing import BareCluster
from tests.sim.api_client import call

Kubectl = Callable[..., subprocess.CompletedProcess[str]]


async def test_a_token_is_required_when_the_cluster_has_one(tmp_path: Path) -> None:
    async with SimServer(cluster=BareCluster(nodes=1), token="s3cret-token") as sim:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic czNjcmV0"}):
            status, body = await _get(sim.url, "/api/v1/namespaces", headers)
            assert status == 401
            assert body == {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": "Unauthorized",
                "reason": "Unauthorized",
                "code": 401,
            }
        status, _ = await _get(sim.url, "/api/v1/namespaces", {"Authorization": "Bearer s3cret-token"})
        assert status == 200
        status, _ = await _get(sim.url, "/readyz", {})
        assert status == 200
        text = sim.write_kubeconfig(tmp_path / "kc").read_text()
        assert "s3cret-token" in text


async def _get(url: str, path: str, headers: dict[str, str]) -> tuple[int, object]:
    import aiohttp

    async with aiohttp.ClientSession() as session, session.get(url + path, headers=headers) as resp:
        try:
            return resp.status, await resp.json(content_type=None)
        except ValueError:
            return resp.status, await resp.text()


async def test_aggregated_discovery_lists_every_served_resource(bare_sim: SimServer) -> None:
    status, core = await call(
        bare_sim.url, "GET", "/api", accept=discovery_v2.CONTENT_TYPE + ",application/json"
    )
    assert status == 200 and core["kind"] == "APIGroupDiscoveryList"
    status, groups = await call(bare_sim.url, "GET", "/apis", accept=discovery_v2.CONTENT_TYPE)
    listed = {
        (item["metadata"].get("name", ""), r["resource"])
        for doc in (core, groups)
        for item in doc["items"]
        for r in item["versions"][0]["resources"]
    }
    served = {(rt.group, rt.plural) for rt in RESOURCE_TYPES}
    assert listed == served | {("metrics.k8s.io", "nodes"), ("metrics.k8s.io", "pods")}
    status, plain = await call(bare_sim.url, "GET", "/api")
    assert plain["kind"] == "APIVersions"


@pytest.mark.kubectl
def test_kubectl_auth_and_explain(sim_thread: SimServer, kubectl: Kubectl) -> None:
    whoami = kubectl("auth", "whoami", kubeconfig=sim_thread)
    assert whoami.returncode == 0 and "system:masters" in whoami.stdout, whoami.stderr
    can = kubectl("auth", "can-i", "delete", "deployments", "-n", "default", kubeconfig=sim_thread)
    assert can.returncode == 0 and can.stdout.strip() == "yes", can.stderr
    explain = kubectl("explain", "deployment.spec.strategy.rollingUpdate", kubeconfig=sim_thread)
    assert explain.returncode == 0, explain.stderr
    assert "maxSurge" in explain.stdout and "maxUnavailable" in explain.stdout
    pods = kubectl("explain", "pods.spec.containers.readinessProbe.httpGet", kubeconfig=sim_thread)
    assert pods.returncode == 0 and "HTTPGetAction" in pods.stdout, pods.stderr
    # A group's document takes the core schemas it refers to from the core group's data.
    template = kubectl("explain", "deployment.spec.template.spec.containers.ports", kubeconfig=sim_thread)
    assert template.returncode == 0 and "containerPort" in template.stdout, template.stderr
