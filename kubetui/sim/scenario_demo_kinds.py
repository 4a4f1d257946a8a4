"""The ``demo`` scenario's kinds beyond Deployments and Services, one of each, small: a ConfigMap and a Secret a
StatefulSet uses, the claim it mounts bound to a volume, a DaemonSet on every node, a Job, a CronJob, an
Ingress in front of a Service, and a CustomResourceDefinition with one custom resource."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from kubetui.sim import crds

if TYPE_CHECKING:
    from kubetui.sim.cluster import SimCluster

Obj = dict[str, Any]
BUSYBOX = "busybox:1.36"


def _meta(name: str, namespace: str | None = None, **labels: str) -> Obj:
    meta: Obj = {"name": name, "labels": dict(labels) or {"app": name}}
    if namespace:
        meta["namespace"] = namespace
    return meta


def _sleeper(name: str, command: str) -> Obj:
    return {"name": name, "image": BUSYBOX, "command": ["sh", "-c", command]}


def _cache(name: str, replicas: int) -> Obj:
    """A StatefulSet that reads its settings from the ConfigMap, its password from the Secret, and keeps its
    files on the claim."""
    container = _sleeper("cache", "echo cache ready; while true; do sleep 30; done")
    container["ports"] = [{"name": "cache", "containerPort": 6379, "protocol": "TCP"}]
    container["envFrom"] = [{"configMapRef": {"name": "cache-settings"}}]
    container["env"] = [
        {"name": "CACHE_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "cache-auth", "key": "password"}}}
    ]
    container["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
    return {
        "metadata": _meta(name, "default"),
        "spec": {
            "replicas": replicas,
            "serviceName": name,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "containers": [container],
                    "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "cache-data"}}],
                },
            },
        },
    }


def _crd() -> Obj:
    return {
        "metadata": {"name": "backups.stable.example.com"},
        "spec": {
            "group": "stable.example.com",
            "scope": "Namespaced",
            "names": {"plural": "backups", "singular": "backup", "kind": "Backup", "shortNames": ["bk"]},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                    },
                    "additionalPrinterColumns": [
                        {"name": "Schedule", "type": "string", "jsonPath": ".spec.schedule"},
                        {"name": "Claim", "type": "string", "jsonPath": ".spec.claim"},
                        {"name": "Keep", "type": "integer", "jsonPath": ".spec.keep", "priority": 1},
                        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                    ],
                }
            ],
        },
    }


async def add_kinds(cluster: SimCluster, until: Callable[[Callable[[], bool]], Awaitable[None]]) -> None:
    """Adds the kinds after the Deployments have settled, and the ones that make pods one at a time, each
    waited for: which node and address a pod gets depends on the pods already placed, so a fixed order keeps
    the demo the same on every start (its screenshots are compared byte for byte)."""

    def add(rtype: str, obj: Obj) -> None:
        cluster.admit(rtype, obj, None)
        cluster.store.create(rtype, obj)

    add("configmaps", {"metadata": _meta("cache-settings", "default"), "data": {"CACHE_MAX_MEMORY": "64mb"}})
    password = base64.b64encode(b"demo-cache-password").decode()
    add(
        "secrets",
        {"metadata": _meta("cache-auth", "default"), "type": "Opaque", "data": {"password": password}},
    )
    add(
        "persistentvolumes",
        {
            "metadata": {"name": "pv-cache-data"},
            "spec": {
                "capacity": {"storage": "1Gi"},
                "accessModes": ["ReadWriteMany"],
                "persistentVolumeReclaimPolicy": "Retain",
                "storageClassName": "manual",
                "hostPath": {"path": "/mnt/cache-data"},
            },
        },
    )
    add(
        "persistentvolumeclaims",
        {
            "metadata": _meta("cache-data", "default"),
            "spec": {
                "accessModes": ["ReadWriteMany"],
                "storageClassName": "manual",
                "resources": {"requests": {"storage": "1Gi"}},
            },
        },
    )
    report_pod = {"containers": [_sleeper("report", "echo orders counted")], "restartPolicy": "OnFailure"}
    add(
        "cronjobs.batch",
        {
            "metadata": _meta("nightly-report", "shop"),
            "spec": {
                "schedule": "30 2 * * *",
                "successfulJobsHistoryLimit": 2,
                "jobTemplate": {"spec": {"template": {"spec": report_pod}}},
            },
        },
    )
    backend = {"service": {"name": "hello-node", "port": {"number": 8080}}}
    add(
        "ingresses.networking.k8s.io",
        {
            "metadata": _meta("hello-node", "default"),
            "spec": {
                "rules": [
                    {
                        "host": "hello.example.com",
                        "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]},
                    }
                ]
            },
        },
    )
    crd = _crd()
    crd["status"] = crds.initial_status(crd)
    add(crds.CRD_KEY, crd)
    add(
        "backups.stable.example.com",
        {
            "apiVersion": "stable.example.com/v1",
            "kind": "Backup",
            "metadata": _meta("cache-nightly", "default"),
            "spec": {"schedule": "0 3 * * *", "claim": "cache-data", "keep": 7},
        },
    )
    agent = _sleeper("agent", "while true; do echo node report; sleep 60; done")
    add(
        "daemonsets.apps",
        {
            "metadata": _meta("node-agent", "kube-system"),
            "spec": {
                "selector": {"matchLabels": {"app": "node-agent"}},
                "template": {"metadata": {"labels": {"app": "node-agent"}}, "spec": {"containers": [agent]}},
            },
        },
    )
    await until(lambda: _ready(status(cluster, "daemonsets.apps", "kube-system", "node-agent")))
    job_pod = {"containers": [_sleeper("migrate", "echo schema up to date")], "restartPolicy": "Never"}
    add(
        "jobs.batch",
        {
            "metadata": _meta("schema-migrate", "shop"),
            "spec": {"completions": 1, "parallelism": 1, "backoffLimit": 2, "template": {"spec": job_pod}},
        },
    )
    await until(lambda: status(cluster, "jobs.batch", "shop", "schema-migrate").get("succeeded") == 1)
    add("statefulsets.apps", _cache("cache", 2))
    await until(lambda: status(cluster, "statefulsets.apps", "default", "cache").get("readyReplicas") == 2)


def kinds_settled(cluster: SimCluster) -> bool:
    """The StatefulSet's and DaemonSet's pods are ready, the Job is done and the claim is bound."""

    return (
        status(cluster, "statefulsets.apps", "default", "cache").get("readyReplicas") == 2
        and _ready(status(cluster, "daemonsets.apps", "kube-system", "node-agent"))
        and status(cluster, "jobs.batch", "shop", "schema-migrate").get("succeeded") == 1
        and status(cluster, "persistentvolumeclaims", "default", "cache-data").get("phase") == "Bound"
    )


def status(cluster: SimCluster, rtype: str, namespace: str, name: str) -> Obj:
    obj = cluster.store.get(rtype, namespace, name)
    return (obj or {}).get("status") or {}


def _ready(daemons: Obj) -> bool:
    return daemons.get("desiredNumberScheduled", 0) > 0 and daemons.get("numberReady") == daemons.get(
        "desiredNumberScheduled"
    )
