"""Fixtures for tests against the real control plane only: an admin Backend that cleans up its namespaces."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from kubetui.cluster.connection import Connection
from tests.backends import Backend


@pytest.fixture
async def admin(realk8s: Any) -> AsyncIterator[Backend]:
    """The real control plane as its admin (client certificate), for setting up what other users then see."""
    conn = await Connection.open(kubeconfig_path=str(realk8s.kubeconfig))
    backend = Backend("real", realk8s.kubeconfig, realk8s.server, conn, stack=realk8s)
    try:
        yield backend
    finally:
        await backend.cleanup()


def deployment(name: str, replicas: int) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": name, "image": "nginx"}]},
            },
        },
    }
