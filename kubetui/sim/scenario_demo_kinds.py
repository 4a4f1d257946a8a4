"""The ``demo`` scenario's kinds beyond Deployments and Services, one of each, small: a ConfigMap and a Secret a
StatefulSet uses, the claim it mounts bound to a volume, a DaemonSet on every node, a Job, a CronJob, an
Ingress in front of a Service, and a CustomResourceDefinition with one custom resource."""

from __future__ import annotations

import base64
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


def add_kinds(cluster: SimCluster) -> None:
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
    add("statefulsets.apps", _cache("cache", 2))
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
    job_pod = {"containers": [_sleeper("migrate", "echo schema up to date")], "restartPolicy": "Never"}
    add(
        "jobs.batch",
        {
            "metadata": _meta("schema-migrate", "shop"),
            "spec": {"completions": 1, "parallelism": 1, "backoffLimit": 2, "template": {"spec": job_pod}},
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


def kinds_settled(cluster: SimCluster) -> bool:
    """The StatefulSet's and DaemonSet's pods are ready, the Job is done and the claim is bound."""

    def status(rtype: str, namespace: str, name: str) -> Obj:
        obj = cluster.store.get(rtype, namespace, name)
        return (obj or {}).get("status") or {}

    agent = status("daemonsets.apps", "kube-system", "node-agent")
    return (
        status("statefulsets.apps", "default", "cache").get("readyReplicas") == 2
        and agent.get("desiredNumberScheduled", 0) > 0
        and agent.get("numberReady") == agent.get("desiredNumberScheduled")
        and status("jobs.batch", "shop", "schema-migrate").get("succeeded") == 1
        and status("persistentvolumeclaims", "default", "cache-data").get("phase") == "Bound"
    )
