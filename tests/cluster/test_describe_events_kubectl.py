"""Describe's events follow ``kubectl describe`` to the letter, the container's field path included."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster import ops
from kubetui.cluster.describe import describe
from tests.cluster.simhelp import kubectl, open_connection

pytestmark = pytest.mark.kubectl


def _events(text: str) -> list[tuple[str, str, str]]:
    """(type, reason, message) of each event row; ages and counts tick between the two runs, so left out."""
    lines = text.split("Events:", 1)[1].splitlines()
    header = next(line for line in lines if "Message" in line)
    column = header.index("Message")
    rows = lines[lines.index(header) + 2 :]
    return [(*row.split()[:2], row[column:]) for row in rows if row.strip()]  # type: ignore[misc]


async def test_pull_failure_events_read_as_kubectl_prints_them(sim: Any, kubeconfig: Path) -> None:
    conn = await open_connection(kubeconfig)
    try:
        await ops.create_deployment(conn, "default", "myapp", "registry.example.com/team/myapp:001")
        name = ""
        for _ in range(200):
            pods = (await conn.request("GET", "/api/v1/namespaces/default/pods"))["items"]
            events = (await conn.request("GET", "/api/v1/namespaces/default/events"))["items"]
            if pods and any(e["reason"] == "BackOff" for e in events):
                name = pods[0]["metadata"]["name"]
                break
            await asyncio.sleep(0.05)
        theirs = await kubectl(kubeconfig, "describe", "pod", name, "-n", "default")
        mine = await describe(conn, "pods", "default", name)
        assert (
            "spec.containers{myapp}: Failed to pull image" in theirs.stdout
        )  # kubectl prints the field path
        assert _events(mine) == _events(theirs.stdout)
    finally:
        await conn.close()
