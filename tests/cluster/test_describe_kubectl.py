"""``describe`` text equals real ``kubectl describe`` on the built-in cluster, controllers running."""

from __future__ import annotations

import asyncio
import difflib
from pathlib import Path

import pytest

from kubetui.cluster import ops
from kubetui.cluster.describe import describe
from kubetui.sim.server import SimServer
from tests.cluster.simhelp import kubectl, open_connection

pytestmark = pytest.mark.kubectl

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    kubernetes.io/change-cause: first release
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: nginx
          image: nginx
          ports:
            - containerPort: 80
          env:
            - name: MODE
              value: demo
          resources:
            requests:
              cpu: 100m
              memory: 64Mi
            limits:
              memory: 128Mi
      tolerations:
        - key: dedicated
          operator: Equal
          value: web
          effect: NoSchedule
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: 80
"""


async def _same_as_kubectl(conn: object, kubeconfig: Path, kind: str, name: str) -> None:
    """Compare a few times: the cluster keeps moving (event ages tick), so one quiet moment must agree."""
    diff: list[str] = []
    for _ in range(5):
        theirs = await kubectl(kubeconfig, "describe", kind, name, "-n", "default")
        assert theirs.returncode == 0, theirs.stderr
        mine = await describe(conn, kind, "default", name)  # type: ignore[arg-type]
        if mine == theirs.stdout:
            return
        diff = list(
            difflib.unified_diff(
                theirs.stdout.splitlines(), mine.splitlines(), "kubectl", "kubetui", lineterm=""
            )
        )
        await asyncio.sleep(0.3)
    pytest.fail(f"describe {kind}/{name} differs from kubectl:\n" + "\n".join(diff))


async def test_describe_equals_kubectl_describe(sim: SimServer, tmp_path: Path) -> None:
    kubeconfig = sim.write_kubeconfig(tmp_path / "kubeconfig")
    conn = await open_connection(kubeconfig)
    try:
        await ops.create_registry_secret(conn, "default", "my-secret", "registry.example.com", "dev", "pw")
        results = await ops.apply_manifests(conn, MANIFEST, "default")
        assert all(r.ok for r in results), results
        await ops.create_deployment(conn, "default", "myapp", "registry.example.com/team/myapp:001")
        for _ in range(100):
            pods = (
                await conn.request(
                    "GET", "/api/v1/namespaces/default/pods", query={"labelSelector": "app=web"}
                )
            )["items"]
            if len(pods) == 2 and all(p["status"].get("phase") == "Running" for p in pods):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
        myapp = (
            await conn.request("GET", "/api/v1/namespaces/default/pods", query={"labelSelector": "app=myapp"})
        )["items"]
        rs = (await conn.request("GET", "/apis/apps/v1/namespaces/default/replicasets"))["items"]
        node = pods[0]["spec"]["nodeName"]
        for kind, name in [
            ("secret", "my-secret"),
            ("deployment", "web"),
            ("replicaset", rs[0]["metadata"]["name"]),
            ("service", "web"),
            ("pod", pods[0]["metadata"]["name"]),
            ("pod", myapp[0]["metadata"]["name"]),
            ("node", node),
        ]:
            await _same_as_kubectl(conn, kubeconfig, kind, name)
    finally:
        await conn.close()
