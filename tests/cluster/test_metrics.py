"""CPU and memory from metrics.k8s.io: the figures kubectl top prints, and a quiet absence where it is not served."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kubetui.cluster.metrics import MetricsClient, MetricsUnavailable, node_percentages
from tests.backends import Backend, wait_for


def _kubectl_top(kubeconfig: Path, *args: str) -> list[list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
    env["HOME"] = str(kubeconfig.parent)
    argv = [str(Path(sys.executable).parent / "kubectl"), f"--kubeconfig={kubeconfig}", "top", *args]
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, check=True).stdout
    return [line.split() for line in out.splitlines()[1:]]


@pytest.mark.kubectl
async def test_figures_equal_kubectl_top(backend: Backend) -> None:
    client = MetricsClient(backend.conn)
    if backend.real:
        with pytest.raises(MetricsUnavailable, match=r"does not serve metrics\.k8s\.io"):
            await client.poll()
        assert client.available is False
        return
    ns = await backend.namespace("top")
    await backend.conn.request(
        "POST",
        f"/api/v1/namespaces/{ns}/pods",
        body={
            "metadata": {"name": "web"},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27",
                                     "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]},
        },
    )  # fmt: skip

    async def running() -> bool:
        pod = await backend.conn.request("GET", f"/api/v1/namespaces/{ns}/pods/web")
        return pod["status"].get("phase") == "Running"

    await wait_for(running, what="pod web running")
    snap = await client.poll(ns)
    assert snap.resolution == 15.0
    rows = await asyncio.to_thread(_kubectl_top, backend.kubeconfig, "pods", "-n", ns)
    assert rows == [["web", snap.pods[(ns, "web")].cpu_text(), snap.pods[(ns, "web")].memory_text()]]
    nodes = await backend.conn.request("GET", "/api/v1/nodes")
    by_name = {n["metadata"]["name"]: n for n in nodes["items"]}
    top = await asyncio.to_thread(_kubectl_top, backend.kubeconfig, "nodes")
    snap = await client.poll()
    for name, cpu, cpu_pct, mem, mem_pct in top:
        usage = snap.nodes[name]
        pct = node_percentages(usage, by_name[name])
        assert [cpu, cpu_pct, mem, mem_pct] == [
            usage.cpu_text(),
            f"{pct[0]}%",
            usage.memory_text(),
            f"{pct[1]}%",
        ]
