"""A Deployment's Available and Progressing conditions, with the reasons and messages Kubernetes uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubetui.sim.clock import parse_time


def _cond(
    ctype: str, status: str, reason: str, message: str, stamp: str, prev: dict[str, Any] | None
) -> dict:
    since = prev["lastTransitionTime"] if prev and prev.get("status") == status else stamp
    return {
        "type": ctype,
        "status": status,
        "lastUpdateTime": stamp,
        "lastTransitionTime": since,
        "reason": reason,
        "message": message,
    }


def progressing_and_available(
    d: dict[str, Any],
    status: dict[str, Any],
    old_status: dict[str, Any],
    *,
    new_rs_name: str,
    created: bool,
    min_available: int,
    now: float,
    stamp: str,
    sim_elapsed: Callable[[float], float],
    progressed_at: float | None = None,
) -> tuple[list[dict[str, Any]], bool, float | None]:
    """(conditions, rollout complete?, simulated seconds until the progress deadline should be checked).

    ``progressed_at`` is when Progressing was last updated, to the microsecond, if the controller knows it:
    condition times keep only seconds, which is coarse when the clock runs fast.
    """
    spec = d.get("spec") or {}
    replicas = int(spec.get("replicas", 1))
    old = {c.get("type"): c for c in old_status.get("conditions") or []}
    prev_avail, prev_prog = old.get("Available"), old.get("Progressing")

    if status.get("availableReplicas", 0) >= min_available:
        avail = ("True", "MinimumReplicasAvailable", "Deployment has minimum availability.")
    else:
        avail = ("False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.")
    if prev_avail and (prev_avail.get("status"), prev_avail.get("reason")) == avail[:2]:
        available = prev_avail
    else:
        available = _cond("Available", *avail, stamp, prev_avail)

    complete = (
        status.get("updatedReplicas", 0) == replicas
        and status.get("replicas", 0) == replicas
        and status.get("availableReplicas", 0) == replicas
    )
    recheck: float | None = None
    deadline = spec.get("progressDeadlineSeconds")

    def keep_or(status_: str, reason: str, message: str, refresh: bool = False) -> dict[str, Any]:
        if (
            prev_prog
            and (prev_prog.get("status"), prev_prog.get("reason")) == (status_, reason)
            and not refresh
        ):
            return prev_prog
        return _cond("Progressing", status_, reason, message, stamp, prev_prog)

    if spec.get("paused"):
        progressing = keep_or("Unknown", "DeploymentPaused", "Deployment is paused")
    elif prev_prog and prev_prog.get("reason") == "DeploymentPaused":
        progressing = keep_or("Unknown", "DeploymentResumed", "Deployment is resumed")
    elif created:
        progressing = keep_or(
            "True", "NewReplicaSetCreated", f'Created new replica set "{new_rs_name}"', True
        )
    elif complete:
        progressing = keep_or(
            "True", "NewReplicaSetAvailable", f'ReplicaSet "{new_rs_name}" has successfully progressed.'
        )
    elif _progressed(status, old_status) or (
        prev_prog and prev_prog.get("reason") == "NewReplicaSetAvailable"
    ):
        progressing = _cond(
            "Progressing",
            "True",
            "ReplicaSetUpdated",
            f'ReplicaSet "{new_rs_name}" is progressing.',
            stamp,
            prev_prog,
        )
    elif prev_prog is None:
        progressing = _cond(
            "Progressing", "True", "FoundNewReplicaSet", f'Found new replica set "{new_rs_name}"', stamp, None
        )
    else:
        progressing = prev_prog
    if (
        deadline is not None
        and not complete
        and not spec.get("paused")
        and progressing.get("status") == "True"
    ):
        stamped = parse_time(progressing.get("lastUpdateTime")) or now
        if progressing.get("lastUpdateTime") == stamp:
            since = now  # updated in this sync
        elif progressed_at is not None and int(progressed_at) == int(stamped):
            since = progressed_at  # the same update, known to the microsecond
        else:
            since = stamped
        elapsed = sim_elapsed(since)
        if elapsed > float(deadline):
            progressing = _cond(
                "Progressing",
                "False",
                "ProgressDeadlineExceeded",
                f'ReplicaSet "{new_rs_name}" has timed out progressing.',
                stamp,
                prev_prog,
            )
        else:
            recheck = float(deadline) - elapsed
    return [available, progressing], complete, recheck


def _progressed(new: dict[str, Any], old: dict[str, Any]) -> bool:
    def g(s: dict[str, Any], k: str) -> int:
        return int(s.get(k, 0))

    old_old = g(old, "replicas") - g(old, "updatedReplicas")
    new_old = g(new, "replicas") - g(new, "updatedReplicas")
    return (
        g(new, "updatedReplicas") > g(old, "updatedReplicas")
        or g(new, "readyReplicas") > g(old, "readyReplicas")
        or g(new, "availableReplicas") > g(old, "availableReplicas")
        or new_old < old_old
    )
