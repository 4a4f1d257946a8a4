"""An image reference that does not parse: the kubelet never pulls it and reports InvalidImageName."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster import ops
from kubetui.cluster.connection import Connection
from kubetui.imageref import reference_error


@pytest.mark.parametrize(
    "image",
    ["nginx", "nginx:1.27", "registry.k8s.io/e2e-test-images/agnhost:2.39", "localhost:5000/a/b:c"],
)
def test_references_that_parse(image: str) -> None:
    assert reference_error(image) is None


@pytest.mark.parametrize(
    ("image", "why"),
    [
        ("nginx:::bad", ""),
        ("nginx:", ""),
        ("my image", ""),
        ("Nginx:1", ": repository name (library/Nginx) must be lowercase"),
    ],
)
def test_references_that_do_not(image: str, why: str) -> None:
    assert reference_error(image) == f"invalid reference format{why}"


async def test_pods_of_an_unparsable_image_are_in_invalid_image_name(sim: Any, kubeconfig: Path) -> None:
    conn = await Connection.open(kubeconfig_path=str(kubeconfig))
    try:
        await ops.create_deployment(conn, "default", "bad", "nginx:::bad")
        pods: list[dict[str, Any]] = []
        for _ in range(200):
            pods = (await conn.request("GET", "/api/v1/namespaces/default/pods"))["items"]
            waiting = [
                (s.get("state") or {}).get("waiting") or {}
                for p in pods
                for s in (p.get("status") or {}).get("containerStatuses") or []
            ]
            if waiting and waiting[0].get("reason"):
                break
            await asyncio.sleep(0.05)
        assert waiting and waiting[0]["reason"] == "InvalidImageName", waiting
        assert 'couldn\'t parse image name "nginx:::bad": invalid reference format' in waiting[0]["message"]
        events = (await conn.request("GET", "/api/v1/namespaces/default/events"))["items"]
        assert any(e["reason"] == "InspectFailed" for e in events)
        assert not any(e["reason"] in ("Pulling", "ErrImagePull") for e in events)
    finally:
        await conn.close()
