"""Where a Deployment's rollout stands, computed from cached objects as ``kubectl rollout status`` does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kubetui.cluster.render import pod_status, status_class

REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
STUCK_REASONS = (
    "ErrImagePull",
    "ImagePullBackOff",
    "CrashLoopBackOff",
    "InvalidImageName",
    "CreateContainerConfigError",
)


@dataclass(frozen=True)
class ReplicaSetLine:
    """One ReplicaSet of the Deployment: its revision and counts."""

    name: str
    revision: int
    desired: int
    current: int
    ready: int
    newest: bool


@dataclass(frozen=True)
class PodLine:
    """One pod of the Deployment and the state it is in."""

    name: str
    replicaset: str
    state: str
    status_class: str


@dataclass(frozen=True)
class Progress:
    """The rollout's state: a message, whether it finished, failed, or is stuck on pod errors."""

    message: str
    done: bool = False
    failed: bool = False
    stuck: str | None = None
    replicasets: list[ReplicaSetLine] = field(default_factory=list)
    pods: list[PodLine] = field(default_factory=list)


def _revision(obj: dict[str, Any]) -> int:
    try:
        return int((obj.get("metadata", {}).get("annotations") or {}).get(REVISION_ANNOTATION, 0))
    except ValueError:
        return 0


def _owner_uid(obj: dict[str, Any]) -> str | None:
    for ref in obj.get("metadata", {}).get("ownerReferences") or []:
        if ref.get("controller"):
            return ref.get("uid")
    return None


def rollout_progress(
    deployment: dict[str, Any] | None,
    replicasets: Sequence[dict[str, Any]],
    pods: Sequence[dict[str, Any]],
    min_generation: int = 0,
) -> Progress:
    """Progress of ``deployment``'s rollout from cached ReplicaSets and pods (any order, any owner)."""
    if deployment is None:
        return Progress("The Deployment is gone.", failed=True)
    meta = deployment.get("metadata", {})
    name = meta.get("name", "")
    uid = meta.get("uid")
    owned = sorted((rs for rs in replicasets if _owner_uid(rs) == uid), key=_revision, reverse=True)
    newest = _revision(owned[0]) if owned else 0
    lines = [
        ReplicaSetLine(
            name=rs["metadata"]["name"],
            revision=_revision(rs),
            desired=int((rs.get("spec") or {}).get("replicas") or 0),
            current=int((rs.get("status") or {}).get("replicas") or 0),
            ready=int((rs.get("status") or {}).get("readyReplicas") or 0),
            newest=_revision(rs) == newest,
        )
        for rs in owned
    ]
    rs_names = {rs["metadata"].get("uid"): rs["metadata"]["name"] for rs in owned}
    pod_lines = sorted(
        (
            PodLine(p["metadata"]["name"], rs_names[_owner_uid(p)], pod_status(p), status_class("pods", p))
            for p in pods
            if _owner_uid(p) in rs_names
        ),
        key=lambda p: (p.replicaset, p.name),
    )
    newest_names = {line.name for line in lines if line.newest}
    stuck = next(
        (p.state for p in pod_lines if p.replicaset in newest_names and p.state in STUCK_REASONS), None
    )

    def progress(message: str, **kw: Any) -> Progress:
        return Progress(message, replicasets=lines, pods=pod_lines, stuck=stuck, **kw)

    spec, status = deployment.get("spec") or {}, deployment.get("status") or {}
    generation = max(int(meta.get("generation") or 0), min_generation)
    if int(status.get("observedGeneration") or 0) < generation:
        return progress("Waiting for the deployment spec update to be observed...")
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Progressing" and cond.get("reason") == "ProgressDeadlineExceeded":
            return progress(f'deployment "{name}" exceeded its progress deadline', failed=True)
    want = int(spec.get("replicas", 1) or 0)
    updated = int(status.get("updatedReplicas") or 0)
    total = int(status.get("replicas") or 0)
    available = int(status.get("availableReplicas") or 0)
    prefix = f'Waiting for deployment "{name}" rollout to finish: '
    if updated < want:
        return progress(prefix + f"{updated} out of {want} new replicas have been updated...")
    if total > updated:
        return progress(prefix + f"{total - updated} old replicas are pending termination...")
    if available < updated:
        return progress(prefix + f"{available} of {updated} updated replicas are available...")
    return progress(f'deployment "{name}" successfully rolled out', done=True)
