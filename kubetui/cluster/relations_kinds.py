"""Relations of the kinds a learner meets after Deployments, computed from objects: a StatefulSet's ordered
pods, a DaemonSet's pod on each node, a CronJob's Jobs and their pods, an Ingress's Services, a PVC's volume
and the pods mounting it, and the pods that use a ConfigMap or a Secret."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from kubetui.cluster.store import Obj, Store


def _meta(obj: Obj) -> dict[str, Any]:
    return obj.get("metadata") or {}


def _controlled_by(obj: Obj, uid: str) -> bool:
    return any(r.get("uid") == uid and r.get("controller") for r in _meta(obj).get("ownerReferences") or ())


def _natural(name: str) -> tuple[Any, ...]:
    """``db-2`` before ``db-10``: names compared with their numbers as numbers."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name))


def owned_pods(store: Store, owner: Obj) -> list[Obj]:
    """The pods ``owner`` controls, in ordinal order (a StatefulSet's NAME-0, NAME-1, ...)."""
    uid = _meta(owner).get("uid", "")
    pods = [p for p in store.owned_by("pods", uid) if _controlled_by(p, uid)]
    return sorted(pods, key=lambda p: _natural(_meta(p).get("name", "")))


def pods_by_node(store: Store, daemonset: Obj) -> dict[str, Obj]:
    """A DaemonSet's pod on each node it runs on."""
    return {(p.get("spec") or {}).get("nodeName") or "": p for p in owned_pods(store, daemonset)}


def jobs_of(cronjob: Obj, jobs: Iterable[Obj]) -> list[Obj]:
    """The Jobs a CronJob made, oldest first (their names end in the scheduled minute)."""
    uid = _meta(cronjob).get("uid", "")
    return sorted(
        (j for j in jobs if _controlled_by(j, uid)), key=lambda j: _natural(_meta(j).get("name", ""))
    )


def ingress_services(ingress: Obj) -> list[tuple[str, str, str, str]]:
    """(host, path, service, port) for each backend of an Ingress; the default backend has host and path "*"."""
    spec = ingress.get("spec") or {}
    out: list[tuple[str, str, str, str]] = []

    def backend(host: str, path: str, b: dict[str, Any]) -> None:
        service = b.get("service") or {}
        if service.get("name"):
            port = service.get("port") or {}
            out.append((host, path, service["name"], str(port.get("number") or port.get("name") or "")))

    if spec.get("defaultBackend"):
        backend("*", "*", spec["defaultBackend"])
    for rule in spec.get("rules") or []:
        for p in ((rule.get("http") or {}).get("paths")) or []:
            backend(rule.get("host") or "*", p.get("path") or "/", p.get("backend") or {})
    return out


def _volumes(pod: Obj) -> list[dict[str, Any]]:
    return list((pod.get("spec") or {}).get("volumes") or [])


def _containers(pod: Obj) -> list[dict[str, Any]]:
    spec = pod.get("spec") or {}
    return [
        *(spec.get("initContainers") or []),
        *(spec.get("containers") or []),
        *(spec.get("ephemeralContainers") or []),
    ]


def mounts_claim(pod: Obj, claim: str) -> bool:
    return any((v.get("persistentVolumeClaim") or {}).get("claimName") == claim for v in _volumes(pod))


def uses_configmap(pod: Obj, name: str) -> bool:
    for v in _volumes(pod):
        if (v.get("configMap") or {}).get("name") == name:
            return True
        if any(
            (s.get("configMap") or {}).get("name") == name
            for s in (v.get("projected") or {}).get("sources") or []
        ):
            return True
    for c in _containers(pod):
        if any((e.get("configMapRef") or {}).get("name") == name for e in c.get("envFrom") or []):
            return True
        if any(
            ((e.get("valueFrom") or {}).get("configMapKeyRef") or {}).get("name") == name
            for e in c.get("env") or []
        ):
            return True
    return False


def uses_secret(pod: Obj, name: str) -> bool:
    spec = pod.get("spec") or {}
    if any(s.get("name") == name for s in spec.get("imagePullSecrets") or []):
        return True
    for v in _volumes(pod):
        if (v.get("secret") or {}).get("secretName") == name:
            return True
        if any(
            (s.get("secret") or {}).get("name") == name
            for s in (v.get("projected") or {}).get("sources") or []
        ):
            return True
    for c in _containers(pod):
        if any((e.get("secretRef") or {}).get("name") == name for e in c.get("envFrom") or []):
            return True
        if any(
            ((e.get("valueFrom") or {}).get("secretKeyRef") or {}).get("name") == name
            for e in c.get("env") or []
        ):
            return True
    return False


def pods_where(store: Store, namespace: str, test: Callable[[Obj], bool]) -> list[Obj]:
    return [p for p in store.list("pods", namespace) if test(p)]


def pods_using(store: Store, obj: Obj) -> list[Obj]:
    """The pods in the object's namespace that use this ConfigMap, Secret or PersistentVolumeClaim."""
    meta = _meta(obj)
    name, namespace = meta.get("name", ""), meta.get("namespace", "")
    test = {
        "ConfigMap": lambda p: uses_configmap(p, name),
        "Secret": lambda p: uses_secret(p, name),
        "PersistentVolumeClaim": lambda p: mounts_claim(p, name),
    }.get(str(obj.get("kind", "")))
    return pods_where(store, namespace, test) if test is not None else []
