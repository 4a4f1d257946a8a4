"""Helpers for the controller tests: a started SimCluster and waiting on the store for a condition."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from kubetui.sim.cluster import SimCluster


async def wait_for(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Polls ``predicate`` until it returns something truthy (tests only; controllers never poll)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def create(cluster: SimCluster, rtype: str, obj: dict[str, Any]) -> dict[str, Any]:
    """Admits and stores an object, as the API layer does for a POST."""
    cluster.admit(rtype, obj, None)
    return cluster.store.create(rtype, obj)


def deployment(
    name: str, image: str, replicas: int = 1, namespace: str = "default", **spec: Any
) -> dict[str, Any]:
    """What ``kubectl create deployment NAME --image=IMAGE`` sends."""
    container: dict[str, Any] = {"name": image.rsplit("/", 1)[-1].split(":")[0], "image": image}
    if "command" in spec:
        container["command"] = spec.pop("command")
    if "env" in spec:
        container["env"] = spec.pop("env")
    template_spec: dict[str, Any] = {"containers": [container]}
    if "pod_spec" in spec:
        template_spec.update(spec.pop("pod_spec"))
    return {
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": template_spec},
            **spec,
        },
    }


def pods_of(cluster: SimCluster, app: str, namespace: str = "default") -> list[dict[str, Any]]:
    return [
        p
        for p in cluster.store.list("pods", namespace)
        if (p["metadata"].get("labels") or {}).get("app") == app
    ]


def container_state(pod: dict[str, Any], index: int = 0) -> str:
    """``running``, ``terminated`` or the waiting reason (``ContainerCreating``, ``ErrImagePull``...)."""
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    if len(statuses) <= index:
        return ""
    state = statuses[index]["state"]
    if "waiting" in state:
        return str(state["waiting"].get("reason", "waiting"))
    return next(iter(state), "")
