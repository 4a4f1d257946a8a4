"""A Pod's row the way kubectl computes it: READY, the STATUS reason, RESTARTS with "(5m ago)", wide cells."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubetui.cluster.render_time import human_age, parse_time, timestamp_since

Obj = Mapping[str, Any]

# The reason the node lifecycle controller sets on pods of a node that stopped reporting.
_NODE_UNREACHABLE_REASON = "NodeLost"


def _restartable(container: Obj | None) -> bool:
    """A sidecar: an init container with ``restartPolicy: Always`` that keeps running beside the app."""
    return bool(container) and (container or {}).get("restartPolicy") == "Always"


def _condition_true(status: Obj, ctype: str) -> bool:
    for cond in status.get("conditions") or []:
        if cond.get("type") == ctype:
            return cond.get("status") == "True"
    return False


def _has_ready_condition(status: Obj) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])


def _finished_at(container_status: Obj) -> float | None:
    terminated = ((container_status.get("lastState") or {}).get("terminated")) or None
    if terminated is None:
        return None
    # A last termination without finishedAt is Go's zero time, which never wins the "latest" comparison.
    return parse_time(terminated.get("finishedAt")) or float("-inf")


def _terminated_reason(terminated: Obj, prefix: str = "") -> str:
    if terminated.get("reason"):
        return prefix + str(terminated["reason"])
    if terminated.get("signal"):
        return f"{prefix}Signal:{terminated['signal']}"
    return f"{prefix}ExitCode:{terminated.get('exitCode', 0)}"


def _compute(pod: Obj) -> tuple[int, int, str, int, float | None]:
    """(ready, total, reason, restarts, last restart epoch) by kubectl's ``printPod``."""
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    meta = pod.get("metadata") or {}
    total = len(spec.get("containers") or [])
    ready = 0
    restarts = 0
    sidecar_restarts = 0
    last_restart: float | None = None
    last_sidecar_restart: float | None = None
    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    for cond in status.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    init_specs: dict[str, Obj] = {}
    init_list = spec.get("initContainers") or []
    for container in init_list:
        init_specs[container.get("name", "")] = container
        if _restartable(container):
            total += 1

    initializing = False
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        restarts += int(cs.get("restartCount") or 0)
        finished = _finished_at(cs)
        if finished is not None and (last_restart is None or finished > last_restart):
            last_restart = finished
        sidecar = _restartable(init_specs.get(cs.get("name", "")))
        if sidecar:
            sidecar_restarts += int(cs.get("restartCount") or 0)
            if finished is not None and (last_sidecar_restart is None or finished > last_sidecar_restart):
                last_sidecar_restart = finished
        state = cs.get("state") or {}
        terminated = state.get("terminated")
        waiting = state.get("waiting")
        if terminated is not None and int(terminated.get("exitCode") or 0) == 0:
            continue
        if sidecar and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if terminated is not None:
            reason = _terminated_reason(terminated, "Init:")
        elif waiting is not None and waiting.get("reason") and waiting.get("reason") != "PodInitializing":
            reason = "Init:" + str(waiting["reason"])
        else:
            reason = f"Init:{i}/{len(init_list)}"
        initializing = True
        break

    if not initializing or _condition_true(status, "Initialized"):
        restarts = sidecar_restarts
        last_restart = last_sidecar_restart
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += int(cs.get("restartCount") or 0)
            finished = _finished_at(cs)
            if finished is not None and (last_restart is None or finished > last_restart):
                last_restart = finished
            state = cs.get("state") or {}
            waiting = state.get("waiting")
            terminated = state.get("terminated")
            if waiting is not None and waiting.get("reason"):
                reason = str(waiting["reason"])
            elif terminated is not None:
                reason = _terminated_reason(terminated)
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        # A pod whose last-listed container completed but another still runs is still running (or not ready).
        if reason == "Completed" and has_running:
            reason = "Running" if _has_ready_condition(status) else "NotReady"

    if meta.get("deletionTimestamp") and status.get("reason") == _NODE_UNREACHABLE_REASON:
        reason = "Unknown"
    elif meta.get("deletionTimestamp") and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    if last_restart == float("-inf"):
        last_restart = None
    return ready, total, reason, restarts, last_restart


def pod_ready(pod: Obj) -> tuple[int, int]:
    """The READY column as numbers: (ready containers, containers including sidecars)."""
    ready, total, _, _, _ = _compute(pod)
    return ready, total


def pod_status(pod: Obj) -> str:
    """The STATUS column of ``kubectl get pods``: Running, CrashLoopBackOff, Init:0/1, Terminating, ..."""
    return _compute(pod)[2]


def pod_cells(pod: Obj, now: float, wide: bool) -> tuple[str, ...]:
    """NAME READY STATUS RESTARTS AGE [IP NODE NOMINATED NODE READINESS GATES]."""
    ready, total, reason, restarts, last_restart = _compute(pod)
    meta = pod.get("metadata") or {}
    restarts_text = str(restarts)
    if restarts and last_restart is not None:
        restarts_text = f"{restarts} ({human_age(now - last_restart)} ago)"
    cells = (
        str(meta.get("name", "")),
        f"{ready}/{total}",
        reason,
        restarts_text,
        timestamp_since(meta.get("creationTimestamp"), now),
    )
    if not wide:
        return cells
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    pod_ips = status.get("podIPs") or []
    pod_ip = pod_ips[0].get("ip", "") if pod_ips else ""
    gates = spec.get("readinessGates") or []
    gates_text = "<none>"
    if gates:
        conditions = {c.get("type"): c.get("status") for c in reversed(status.get("conditions") or [])}
        true_count = sum(1 for g in gates if conditions.get(g.get("conditionType")) == "True")
        gates_text = f"{true_count}/{len(gates)}"
    return (
        *cells,
        pod_ip or "<none>",
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        gates_text,
    )
