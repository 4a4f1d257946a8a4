"""Operations on a cluster, each sending what the equivalent kubectl command sends, each with a dry-run form.

Every function takes the ``Connection`` first and returns the resulting object (a dict) or raises a
``ClusterError``. ``dry_run=True`` adds ``dryRun=All``: the server validates and answers, nothing is stored.
Creating workloads lives in ``create.py``, rollouts in ``rollout.py``, manifests in ``apply.py``; all are
re-exported here, so callers need only ``from kubetui.cluster import ops``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from kubetui.cluster.apply import ApplyResult, apply_manifests, undo_created
from kubetui.cluster.connection import STRATEGIC_MERGE_PATCH, Connection
from kubetui.cluster.create import (
    container_name_for,
    create_deployment,
    create_namespace,
    deployment_manifest,
    expose,
)
from kubetui.cluster.errors import BadRequest, Invalid, NotFound
from kubetui.cluster.resources import resource_for
from kubetui.cluster.rollout import (
    Revision,
    RolloutMessage,
    rollout_history,
    rollout_restart,
    rollout_status,
    rollout_undo,
)
from kubetui.cluster.validation import FIELD_MANAGER, check_name, dry_run_query, validate_name

__all__ = [
    "ApplyResult",
    "Revision",
    "RolloutMessage",
    "add_image_pull_secret",
    "apply_manifests",
    "container_name_for",
    "create_deployment",
    "create_namespace",
    "create_registry_secret",
    "delete",
    "deployment_manifest",
    "dockerconfigjson",
    "events_for",
    "expose",
    "rollout_history",
    "rollout_restart",
    "rollout_status",
    "rollout_undo",
    "scale",
    "set_image",
    "undo_created",
    "validate_name",
]

# --- scale / set image / pull secrets ----------------------------------------------------------------


async def scale(
    conn: Connection, kind: str, namespace: str, name: str, replicas: int, *, dry_run: bool = False
) -> dict[str, Any]:
    """``kubectl scale KIND/NAME --replicas=N``: a merge patch of the ``/scale`` subresource."""
    if not isinstance(replicas, int) or replicas < 0:
        raise Invalid(
            "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0", 0
        )
    path = resource_for(kind).path(namespace, name, "scale")
    body = {"spec": {"replicas": replicas}}
    result: dict[str, Any] = await conn.request(
        "PATCH", path, query=dry_run_query(dry_run), body=body, content_type="application/merge-patch+json"
    )
    return result


async def set_image(
    conn: Connection,
    namespace: str,
    deployment: str,
    images: Mapping[str, str],
    *,
    kind: str = "deployments",
    dry_run: bool = False,
) -> dict[str, Any]:
    """``kubectl set image deployment/NAME c1=img1 c2=img2``: a strategic merge patch per changed container.

    The patch is the one kubectl computes: changed containers by name plus ``$setElementOrder`` listing the
    whole list. ``"*"`` sets every container. Unknown names fail before sending; when nothing would change,
    nothing is sent and the current object is returned.
    """
    res = resource_for(kind)
    obj: dict[str, Any] = await conn.request("GET", res.path(namespace, deployment))
    pod_spec = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
    wanted: dict[str, dict[str, str]] = {"initContainers": {}, "containers": {}}
    for container_name, image in images.items():
        found = False
        for field in ("initContainers", "containers"):
            for container in pod_spec.get(field) or []:
                if container_name in ("*", container.get("name")):
                    found = True
                    wanted[field][container["name"]] = image
        if not found:
            raise NotFound(f'error: unable to find container named "{container_name}"', 404)
    if not images:
        raise BadRequest("error: at least one image update is required", 0)
    patch_spec: dict[str, list[dict[str, str]]] = {}
    for field in ("initContainers", "containers"):
        containers = pod_spec.get(field) or []
        changed = [
            {"image": wanted[field][c["name"]], "name": c["name"]}
            for c in containers
            if c.get("name") in wanted[field] and c.get("image") != wanted[field][c["name"]]
        ]
        if changed:
            patch_spec[f"$setElementOrder/{field}"] = [{"name": c["name"]} for c in containers]
            patch_spec[field] = changed
    if not patch_spec:
        return obj
    body = {"spec": {"template": {"spec": patch_spec}}}
    result: dict[str, Any] = await conn.request(
        "PATCH",
        res.path(namespace, deployment),
        query=dry_run_query(dry_run, fieldManager=FIELD_MANAGER),
        body=body,
        content_type=STRATEGIC_MERGE_PATCH,
    )
    return result


async def add_image_pull_secret(
    conn: Connection, namespace: str, deployment: str, secret: str, *, dry_run: bool = False
) -> dict[str, Any]:
    """Add ``secret`` to the pod template's ``imagePullSecrets`` (a strategic merge keyed by name)."""
    body = {"spec": {"template": {"spec": {"imagePullSecrets": [{"name": secret}]}}}}
    path = resource_for("deployments").path(namespace, deployment)
    result: dict[str, Any] = await conn.request(
        "PATCH", path, query=dry_run_query(dry_run), body=body, content_type=STRATEGIC_MERGE_PATCH
    )
    return result


# --- delete ------------------------------------------------------------------------------------------


async def delete(
    conn: Connection,
    kind: str,
    namespace: str,
    name: str,
    propagation: str = "Background",
    *,
    dry_run: bool = False,
) -> dict[str, Any]:
    """``kubectl delete KIND NAME [--cascade=background|foreground|orphan]``."""
    if propagation not in ("Background", "Foreground", "Orphan"):
        raise Invalid(f"invalid propagation policy {propagation!r}", 0)
    body: dict[str, Any] = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": propagation}
    if dry_run:
        body["dryRun"] = ["All"]
    result: dict[str, Any] = await conn.request(
        "DELETE", resource_for(kind).path(namespace, name), query=dry_run_query(dry_run), body=body
    )
    return result


# --- secrets -----------------------------------------------------------------------------------------

DEFAULT_REGISTRY = "https://index.docker.io/v1/"


def _go_json(value: Any) -> str:
    """JSON as Go's ``json.Marshal`` writes it: compact, with <, > and & escaped."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def dockerconfigjson(server: str, username: str, password: str, email: str | None = None) -> str:
    """The ``.dockerconfigjson`` text ``kubectl create secret docker-registry`` writes, byte for byte."""
    entry: dict[str, str] = {}
    if username:
        entry["username"] = username
    if password:
        entry["password"] = password
    if email:
        entry["email"] = email
    auth = base64.b64encode(f"{username}:{password}".encode()).decode()
    if auth:
        entry["auth"] = auth
    return _go_json({"auths": {server: entry}})


async def create_registry_secret(
    conn: Connection,
    namespace: str,
    name: str,
    server: str,
    username: str,
    password: str,
    email: str | None = None,
    *,
    dry_run: bool = False,
) -> dict[str, Any]:
    """``kubectl create secret docker-registry NAME --docker-server --docker-username --docker-password``."""
    check_name("Secret", name)
    if not username:
        raise Invalid("error: missing --docker-username", 0)
    if not password:
        raise Invalid("error: missing --docker-password", 0)
    config = dockerconfigjson(server or DEFAULT_REGISTRY, username, password, email)
    body = {
        "kind": "Secret",
        "apiVersion": "v1",
        "metadata": {"name": name},
        "type": "kubernetes.io/dockerconfigjson",
        "data": {".dockerconfigjson": base64.b64encode(config.encode()).decode()},
    }
    result: dict[str, Any] = await conn.request(
        "POST",
        resource_for("secrets").path(namespace),
        query=dry_run_query(dry_run, fieldManager=FIELD_MANAGER),
        body=body,
    )
    return result


# --- events ------------------------------------------------------------------------------------------


async def events_for(conn: Connection, obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The events about ``obj``, oldest first, fetched like ``kubectl describe`` does (field selector).

    Events of cluster-scoped objects (nodes, namespaces) are searched in every namespace, as kubectl does.
    """
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace")
    selector = [f"involvedObject.name={meta.get('name', '')}"]
    if obj.get("kind"):
        selector.append(f"involvedObject.kind={obj['kind']}")
    if namespace:
        selector.append(f"involvedObject.namespace={namespace}")
    result = await conn.request(
        "GET", resource_for("events").path(namespace), query={"fieldSelector": ",".join(selector)}
    )
    uid = meta.get("uid")
    events = [
        e
        for e in result.get("items") or []
        if (e.get("involvedObject") or {}).get("name") == meta.get("name")
        and (not uid or not (e.get("involvedObject") or {}).get("uid") or e["involvedObject"]["uid"] == uid)
    ]
    events.sort(key=lambda e: e.get("lastTimestamp") or e.get("eventTime") or e.get("firstTimestamp") or "")
    return events
