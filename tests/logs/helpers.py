"""Shared pieces of the log tests: pods on the built-in cluster, a collector of stream items, waiting."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kubetui.cluster.connection import Connection
from kubetui.cluster.logs import LogItem, LogLine, LogState, LogStatus

NS = "default"


async def connect(kubeconfig: Path) -> Connection:
    return await Connection.open(kubeconfig_path=str(kubeconfig))


def container(
    name: str, image: str, *, rate: float | None = None, command: list[str] | None = None
) -> dict[str, Any]:
    c: dict[str, Any] = {"name": name, "image": image}
    if rate is not None:
        c["env"] = [{"name": "LINES_PER_SECOND", "value": str(rate)}]
    if command is not None:
        c["command"] = command
    return c


async def create_pod(
    conn: Connection, name: str, containers: list[dict[str, Any]], **spec: Any
) -> dict[str, Any]:
    body = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": containers, **spec},
    }
    result: dict[str, Any] = await conn.request("POST", f"/api/v1/namespaces/{NS}/pods", body=body)
    return result


async def delete_pod(conn: Connection, name: str) -> None:
    await conn.request("DELETE", f"/api/v1/namespaces/{NS}/pods/{name}", query={"gracePeriodSeconds": "0"})


async def create_myapp(conn: Connection, replicas: int = 3) -> None:
    """The journey's step 10: a private-registry Deployment with its pull secret."""
    auths = {
        "auths": {
            "registry.example.com": {"username": "dev", "password": "s3cret", "auth": "ZGV2OnMzY3JldA=="}
        }
    }
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "my-secret"},
        "type": "kubernetes.io/dockerconfigjson",
        "data": {".dockerconfigjson": base64.b64encode(json.dumps(auths).encode()).decode()},
    }
    await conn.request("POST", f"/api/v1/namespaces/{NS}/secrets", body=secret)
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "myapp"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "myapp"}},
            "template": {
                "metadata": {"labels": {"app": "myapp"}},
                "spec": {
                    "containers": [{"name": "myapp", "image": "registry.example.com/team/myapp:001"}],
                    "imagePullSecrets": [{"name": "my-secret"}],
                },
            },
        },
    }
    await conn.request("POST", f"/apis/apps/v1/namespaces/{NS}/deployments", body=deployment)


async def running_pods(conn: Connection, selector: str, count: int, timeout: float = 20.0) -> list[str]:
    async def ready() -> list[str] | None:
        listing = await conn.request(
            "GET", f"/api/v1/namespaces/{NS}/pods", query={"labelSelector": selector}
        )
        names = [
            p["metadata"]["name"]
            for p in listing["items"]
            if p.get("status", {}).get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")
        ]
        return sorted(names) if len(names) >= count else None

    return await wait_for(ready, timeout)


async def wait_for(check: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


class Collector:
    """Receives the batches a stream delivers and answers questions about them."""

    def __init__(self) -> None:
        self.items: list[LogItem] = []
        self.batches = 0

    def __call__(self, items: list[LogItem]) -> None:
        self.batches += 1
        self.items.extend(items)

    def lines(self, pod: str | None = None, container: str | None = None) -> list[LogLine]:
        return [
            i
            for i in self.items
            if isinstance(i, LogLine)
            and (pod is None or i.pod == pod)
            and (container is None or i.container == container)
        ]

    def statuses(self, state: LogState | None = None, pod: str | None = None) -> list[LogStatus]:
        return [
            i
            for i in self.items
            if isinstance(i, LogStatus)
            and (state is None or i.state is state)
            and (pod is None or i.pod == pod)
        ]

    def has(self, state: LogState, pod: str | None = None) -> bool:
        return bool(self.statuses(state, pod))
