"""Where a Deployment's rollout stands, computed from cached objects as ``kubectl rollout status`` does."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kubetui.cluster.relations import revision
from kubetui.cluster.render import pod_status, status_class
from kubetui.cluster.rollout import status_message

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
    uid = meta.get("uid")
    owned = sorted((rs for rs in replicasets if _owner_uid(rs) == uid), key=revision, reverse=True)
    newest = revision(owned[0]) if owned else 0
    lines = [
        ReplicaSetLine(
            name=rs["metadata"]["name"],
            revision=revision(rs),
            desired=int((rs.get("spec") or {}).get("replicas") or 0),
            current=int((rs.get("status") or {}).get("replicas") or 0),
            ready=int((rs.get("status") or {}).get("readyReplicas") or 0),
            newest=revision(rs) == newest,
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

    status = status_message(deployment, min_generation)
    return progress(str(status), done=status.done, failed=status.failed)
