"""Deployment rollouts as kubectl does them: history, undo, restart, and status as a stream of messages."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from kubetui.cluster.connection import JSON_PATCH, STRATEGIC_MERGE_PATCH, Connection
from kubetui.cluster.errors import ClusterError, Expired, NotFound, Unreachable
from kubetui.cluster.relations import REVISION, revision_or_none
from kubetui.cluster.resources import resource_for
from kubetui.kinds.labels import selector_string

REVISION_ANNOTATION = REVISION
CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause"
RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt"
HASH_LABEL = "pod-template-hash"
# Annotations kubectl keeps from the Deployment (and never copies from the ReplicaSet) on rollback.
_ANNOTATIONS_TO_SKIP = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        REVISION_ANNOTATION,
        "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
        "deprecated.deployment.rollback.to",
    }
)


@dataclass(frozen=True)
class Revision:
    """One entry of ``kubectl rollout history``: a ReplicaSet of the Deployment and what it ran."""

    revision: int
    change_cause: str | None
    images: tuple[str, ...]
    created: str
    current: bool
    rs_name: str
    template: dict[str, Any] = field(compare=False, repr=False)


class RollbackSkipped(ClusterError):
    """``rollout undo`` did nothing because the Deployment already runs the wanted revision (kubectl exits 0)."""

    reason = "RollbackSkipped"


class RolloutMessage(str):
    """One line of ``kubectl rollout status``; ``done`` once rolled out, ``failed`` past the deadline."""

    done: bool = False
    failed: bool = False

    def __new__(cls, text: str, *, done: bool = False, failed: bool = False) -> RolloutMessage:
        message = super().__new__(cls, text)
        message.done = done
        message.failed = failed
        return message


def _prune(value: Any) -> Any:
    """Drop empty maps/lists/None so that comparisons treat nil and empty alike (Go's semantic equality)."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, {}, [], "")}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _without_hash(template: Mapping[str, Any]) -> dict[str, Any]:
    cleaned = copy.deepcopy(dict(template))
    labels = (cleaned.get("metadata") or {}).get("labels")
    if isinstance(labels, dict):
        labels.pop(HASH_LABEL, None)
    return cleaned


def templates_equal(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """kubectl's ``EqualIgnoreHash``: pod templates equal apart from the pod-template-hash label."""
    return bool(_prune(_without_hash(a)) == _prune(_without_hash(b)))


async def _deployment_and_replicasets(
    conn: Connection, namespace: str, name: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The Deployment and the ReplicaSets it controls (by selector, then by controller owner reference)."""
    deployment: dict[str, Any] = await conn.request("GET", resource_for("deployments").path(namespace, name))
    uid = deployment["metadata"].get("uid")
    listed = await conn.request(
        "GET",
        resource_for("replicasets").path(namespace),
        query={"labelSelector": selector_string((deployment.get("spec") or {}).get("selector"))},
    )
    owned = [
        rs
        for rs in listed.get("items") or []
        if any(
            ref.get("uid") == uid and ref.get("controller")
            for ref in (rs.get("metadata") or {}).get("ownerReferences") or []
        )
    ]
    return deployment, owned


def _new_replicaset(deployment: Mapping[str, Any], owned: list[dict[str, Any]]) -> dict[str, Any] | None:
    """kubectl's ``FindNewReplicaSet``: the oldest ReplicaSet whose template matches the Deployment's."""
    template = (deployment.get("spec") or {}).get("template") or {}
    matching = [rs for rs in owned if templates_equal((rs.get("spec") or {}).get("template") or {}, template)]
    matching.sort(
        key=lambda rs: ((rs.get("metadata") or {}).get("creationTimestamp") or "", rs["metadata"]["name"])
    )
    return matching[0] if matching else None


async def rollout_history(conn: Connection, namespace: str, deployment: str) -> list[Revision]:
    """``kubectl rollout history deployment/NAME``: one Revision per ReplicaSet, oldest revision first."""
    obj, owned = await _deployment_and_replicasets(conn, namespace, deployment)
    new_rs = _new_replicaset(obj, owned)
    current_name = (new_rs or {}).get("metadata", {}).get("name")
    revisions: list[Revision] = []
    for rs in owned:
        number = revision_or_none(rs)
        if number is None:
            continue
        meta = rs.get("metadata") or {}
        template = (rs.get("spec") or {}).get("template") or {}
        change_cause = (meta.get("annotations") or {}).get(CHANGE_CAUSE_ANNOTATION) or (
            (template.get("metadata") or {}).get("annotations") or {}
        ).get(CHANGE_CAUSE_ANNOTATION)
        images = tuple(c.get("image", "") for c in (template.get("spec") or {}).get("containers") or [])
        revisions.append(
            Revision(
                revision=number,
                change_cause=change_cause,
                images=images,
                created=str(meta.get("creationTimestamp") or ""),
                current=meta.get("name") == current_name,
                rs_name=str(meta.get("name", "")),
                template=template,
            )
        )
    revisions.sort(key=lambda r: r.revision)
    return revisions


def _revision_replicaset(name: str, owned: list[dict[str, Any]], to_revision: int) -> dict[str, Any]:
    """kubectl's ``deploymentRevision``: the wanted ReplicaSet, or the second-highest revision for 0."""
    if to_revision < 0:
        raise NotFound(f"error: unable to find specified revision {to_revision} in history", 404)
    latest: tuple[int, dict[str, Any] | None] = (-1, None)
    previous: tuple[int, dict[str, Any] | None] = (-1, None)
    for rs in owned:
        number = revision_or_none(rs)
        if number is None:
            continue
        if to_revision == 0:
            if latest[0] < number:
                previous, latest = latest, (number, rs)
            elif previous[0] < number:
                previous = (number, rs)
        elif number == to_revision:
            return rs
    if to_revision > 0:
        raise NotFound(f"error: unable to find specified revision {to_revision} in history", 404)
    if previous[1] is None:
        raise NotFound(f'error: no rollout history found for deployment "{name}"', 404)
    return previous[1]


async def rollout_undo(
    conn: Connection, namespace: str, deployment: str, to_revision: int = 0, *, dry_run: bool = False
) -> dict[str, Any]:
    """``kubectl rollout undo deployment/NAME [--to-revision=N]``: returns the patched Deployment.

    Refuses a paused Deployment, raises RollbackSkipped when the template already matches, otherwise sends
    kubectl's JSON patch replacing ``spec.template`` (without pod-template-hash) and the annotations.
    """
    obj, owned = await _deployment_and_replicasets(conn, namespace, deployment)
    rs = _revision_replicaset(deployment, owned, to_revision)
    number = revision_or_none(rs) or to_revision
    if (obj.get("spec") or {}).get("paused"):
        raise ClusterError(
            "error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' "
            "and try again",
            0,
        )
    rs_template = (rs.get("spec") or {}).get("template") or {}
    if templates_equal(rs_template, (obj.get("spec") or {}).get("template") or {}):
        raise RollbackSkipped(
            f"deployment.apps/{deployment} skipped rollback (current template already matches revision {number})",
            0,
        )
    template = _as_kubectl_marshals(_without_hash(rs_template))
    current_annotations = (obj.get("metadata") or {}).get("annotations") or {}
    annotations = {k: v for k, v in current_annotations.items() if k in _ANNOTATIONS_TO_SKIP}
    for key, value in ((rs.get("metadata") or {}).get("annotations") or {}).items():
        if key not in _ANNOTATIONS_TO_SKIP:
            annotations[key] = value
    patch = [
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": annotations},
    ]
    result: dict[str, Any] = await conn.request(
        "PATCH",
        resource_for("deployments").path(namespace, deployment),
        query={"dryRun": "All"} if dry_run else None,
        body=orjson.dumps(patch),
        content_type=JSON_PATCH,
    )
    return result


def _as_kubectl_marshals(template: dict[str, Any]) -> dict[str, Any]:
    """The template as kubectl's Go structs serialise it: every container gets ``resources: {}``."""
    spec = template.setdefault("spec", {})
    for field_name in ("initContainers", "containers"):
        for container in spec.get(field_name) or []:
            container.setdefault("resources", {})
    return template


def _now_rfc3339() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


async def rollout_restart(
    conn: Connection,
    namespace: str,
    deployment: str,
    *,
    dry_run: bool = False,
    now: str | None = None,
    kind: str = "deployments",
) -> dict[str, Any]:
    """``kubectl rollout restart KIND/NAME`` (a Deployment, StatefulSet or DaemonSet): stamp
    ``kubectl.kubernetes.io/restartedAt`` on the pod template."""
    path = resource_for(kind).path(namespace, deployment)
    obj = await conn.request("GET", path)
    if (obj.get("spec") or {}).get("paused"):
        raise ClusterError("error: can't restart paused deployment (run rollout resume first)", 0)
    body = {
        "spec": {"template": {"metadata": {"annotations": {RESTARTED_AT_ANNOTATION: now or _now_rfc3339()}}}}
    }
    result: dict[str, Any] = await conn.request(
        "PATCH",
        path,
        query={"dryRun": "All"} if dry_run else None,
        body=body,
        content_type=STRATEGIC_MERGE_PATCH,
    )
    return result


def status_message(deployment: Mapping[str, Any], min_generation: int = 0) -> RolloutMessage:
    """kubectl's ``DeploymentStatusViewer.Status`` for one observation of the Deployment.

    ``min_generation``: the generation a change just sent produced, for a cache that has not seen it yet.
    """
    name = (deployment.get("metadata") or {}).get("name", "")
    meta = deployment.get("metadata") or {}
    spec = deployment.get("spec") or {}
    status = deployment.get("status") or {}
    generation = max(int(meta.get("generation") or 0), min_generation)
    if generation <= int(status.get("observedGeneration") or 0):
        for cond in status.get("conditions") or []:
            if cond.get("type") == "Progressing" and cond.get("reason") == "ProgressDeadlineExceeded":
                return RolloutMessage(f'deployment "{name}" exceeded its progress deadline', failed=True)
        desired = spec.get("replicas", 1)
        updated = int(status.get("updatedReplicas") or 0)
        total = int(status.get("replicas") or 0)
        available = int(status.get("availableReplicas") or 0)
        if desired is not None and updated < desired:
            return RolloutMessage(
                f'Waiting for deployment "{name}" rollout to finish: {updated} out of {desired} new replicas '
                "have been updated..."
            )
        if total > updated:
            return RolloutMessage(
                f'Waiting for deployment "{name}" rollout to finish: {total - updated} old replicas are pending '
                "termination..."
            )
        if available < updated:
            return RolloutMessage(
                f'Waiting for deployment "{name}" rollout to finish: {available} of {updated} updated replicas '
                "are available..."
            )
        return RolloutMessage(f'deployment "{name}" successfully rolled out', done=True)
    return RolloutMessage("Waiting for deployment spec update to be observed...")


async def rollout_status(
    conn: Connection, namespace: str, deployment: str, *, timeout: float | None = None
) -> AsyncIterator[RolloutMessage]:
    """``kubectl rollout status deployment/NAME``: messages as the Deployment changes, until done or failed.

    Driven by a watch on the Deployment (re-listed after a dropped stream or a 410); repeated identical
    messages are yielded once. Ends after a ``done`` or ``failed`` message, or raises TimeoutError.
    """
    res = resource_for("deployments")
    deadline = None if timeout is None else time.monotonic() + timeout
    selector = f"metadata.name={deployment}"
    last: str | None = None
    while True:
        listed = await conn.request("GET", res.path(namespace), query={"fieldSelector": selector})
        items = [d for d in listed.get("items") or [] if d["metadata"].get("name") == deployment]
        if not items:
            raise NotFound(f'Error from server (NotFound): deployments.apps "{deployment}" not found', 404)
        message = status_message(items[0])
        if message != last:
            last = message
            yield message
        if message.done or message.failed:
            return
        rv = (listed.get("metadata") or {}).get("resourceVersion")
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            raise TimeoutError(f'timed out waiting for deployment "{deployment}" to roll out')
        query: dict[str, Any] = {"watch": "true", "fieldSelector": selector, "allowWatchBookmarks": "true"}
        if rv:
            query["resourceVersion"] = rv
        query["timeoutSeconds"] = str(int(min(remaining or 300, 300)) + 1)
        stream = conn.stream(
            "GET", res.path(namespace), query=query, timeout=None if remaining is None else remaining
        )
        try:
            async for raw in _bounded(stream, deadline):
                if not raw.strip():
                    continue
                event = orjson.loads(raw)
                event_type = event.get("type")
                obj = event.get("object") or {}
                if event_type == "ERROR":
                    break  # e.g. 410 Gone: list again
                if event_type == "DELETED" and (obj.get("metadata") or {}).get("name") == deployment:
                    raise NotFound("error: object has been deleted", 404)
                if (
                    event_type not in ("ADDED", "MODIFIED")
                    or (obj.get("metadata") or {}).get("name") != deployment
                ):
                    continue
                message = status_message(obj)
                if message != last:
                    last = message
                    yield message
                if message.done or message.failed:
                    return
        except (Expired, Unreachable):
            await asyncio.sleep(0.5)
        finally:
            await stream.aclose()  # type: ignore[attr-defined]
        if deadline is not None and time.monotonic() >= deadline:
            raise TimeoutError(f'timed out waiting for deployment "{deployment}" to roll out')


async def _bounded(stream: AsyncIterator[bytes], deadline: float | None) -> AsyncIterator[bytes]:
    """Lines of ``stream`` until the deadline passes (then stop quietly; the caller decides what that means)."""
    iterator = stream.__aiter__()
    while True:
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            return
        try:
            line = await asyncio.wait_for(iterator.__anext__(), remaining)
        except (StopAsyncIteration, TimeoutError):
            return
        yield line
