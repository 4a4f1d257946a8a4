"""Small builders of Kubernetes objects as the API returns them, for store and relation tests."""

from __future__ import annotations

import itertools
from typing import Any

_rv = itertools.count(100)


def meta(name: str, namespace: str = "default", uid: str | None = None, **extra: Any) -> dict[str, Any]:
    m = {"name": name, "uid": uid or f"uid-{namespace}-{name}", "resourceVersion": str(next(_rv))}
    if namespace:
        m["namespace"] = namespace
    m.update(extra)
    return m


def owner(kind: str, obj: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"kind": kind, "name": obj["metadata"]["name"], "uid": obj["metadata"]["uid"], "controller": True}
    ]


def deployment(name: str, ns: str = "default") -> dict[str, Any]:
    return {
        "kind": "Deployment",
        "metadata": meta(name, ns),
        "spec": {"selector": {"matchLabels": {"app": name}}},
    }


def replicaset(name: str, dep: dict[str, Any], revision: int, replicas: int = 1) -> dict[str, Any]:
    ns = dep["metadata"]["namespace"]
    return {
        "kind": "ReplicaSet",
        "metadata": meta(
            name,
            ns,
            annotations={"deployment.kubernetes.io/revision": str(revision)},
            ownerReferences=owner("Deployment", dep),
            labels={"app": dep["metadata"]["name"]},
        ),
        "spec": {"replicas": replicas},
    }


def pod(
    name: str,
    ns: str = "default",
    *,
    labels: dict[str, str] | None = None,
    node: str = "",
    ip: str = "",
    rs: dict[str, Any] | None = None,
    ready: bool = True,
    ports: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    m = meta(name, ns, labels=labels or {})
    if rs is not None:
        m["ownerReferences"] = owner("ReplicaSet", rs)
    spec: dict[str, Any] = {"containers": [{"name": "main", "image": "nginx", "ports": ports or []}]}
    if node:
        spec["nodeName"] = node
    status: dict[str, Any] = {"phase": "Running", "conditions": [{"type": "Ready", "status": str(ready)}]}
    if ip:
        status["podIP"] = ip
    return {"kind": "Pod", "metadata": m, "spec": spec, "status": status}


def node(name: str, internal: str, external: str = "") -> dict[str, Any]:
    addresses = [{"type": "InternalIP", "address": internal}, {"type": "Hostname", "address": name}]
    if external:
        addresses.append({"type": "ExternalIP", "address": external})
    return {"kind": "Node", "metadata": meta(name, ""), "status": {"addresses": addresses}}


def service(
    name: str, ns: str = "default", *, selector: dict[str, str] | None = None, **spec: Any
) -> dict[str, Any]:
    body = {"selector": selector or {}, **spec}
    return {"kind": "Service", "metadata": meta(name, ns), "spec": body, "status": {}}


def event(name: str, about: dict[str, Any], when: str, reason: str = "Scheduled") -> dict[str, Any]:
    m = about["metadata"]
    return {
        "kind": "Event",
        "metadata": meta(name, m.get("namespace", "default")),
        "involvedObject": {"kind": about["kind"], "name": m["name"], "uid": m["uid"]},
        "reason": reason,
        "lastTimestamp": when,
    }
