"""The pod Table: kubectl's READY, STATUS (its status reason computation) and RESTARTS ("3 (2m ago)")."""

from __future__ import annotations

from typing import Any

from kubetui.sim.tables_core import _age, _col, _name, human_duration, parse_time, since

Obj = dict[str, Any]


# Everything in a pod's row but its ages depends only on the pod, so it is worked out once per stored version
# (stored objects are never changed in place; a new version is a new dict, hence the identity check).
_STATIC: dict[tuple[str, str], tuple[Obj, list[Any], int, float]] = {}
_STATIC_LIMIT = 20_000


def pod_cells(pod: Obj, now: float) -> list[Any]:
    meta = pod["metadata"]
    key = (meta.get("namespace") or "", meta["name"])
    hit = _STATIC.get(key)
    if hit is None or hit[0] is not pod:
        if len(_STATIC) >= _STATIC_LIMIT:
            _STATIC.clear()  # names of deleted pods pile up otherwise
        cells, restarts, last_restart = _static_cells(pod)
        hit = _STATIC[key] = (pod, cells, restarts, last_restart)
    _, cells, restarts, last_restart = hit
    restarts_text = str(restarts)
    if restarts and last_restart:
        restarts_text = f"{restarts} ({human_duration(now - last_restart)} ago)"
    return [
        cells[0],
        cells[1],
        cells[2],
        restarts_text,
        since(meta.get("creationTimestamp"), now),
        *cells[3:],
    ]


def _static_cells(pod: Obj) -> tuple[list[Any], int, float]:
    """(name, ready, status, ip, node, nominated node, readiness gates), restarts, last restart time."""
    spec, status, meta = pod.get("spec") or {}, pod.get("status") or {}, pod["metadata"]
    containers = spec.get("containers") or []
    init_specs = {c.get("name"): c for c in spec.get("initContainers") or []}
    total = len(containers) + sum(1 for c in init_specs.values() if c.get("restartPolicy") == "Always")
    ready = restarts = sidecar_restarts = 0
    last_restart = sidecar_last = 0.0
    phase = status.get("phase") or ""
    reason = status.get("reason") or phase
    for cond in status.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"
    initializing = False
    init_statuses = status.get("initContainerStatuses") or []
    for i, cs in enumerate(init_statuses):
        restarts += int(cs.get("restartCount") or 0)
        finished = parse_time(((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt")) or 0.0
        last_restart = max(last_restart, finished)
        sidecar = (init_specs.get(cs.get("name")) or {}).get("restartPolicy") == "Always"
        if sidecar:
            sidecar_restarts += int(cs.get("restartCount") or 0)
            sidecar_last = max(sidecar_last, finished)
        state = cs.get("state") or {}
        term, wait = state.get("terminated"), state.get("waiting")
        if term is not None and term.get("exitCode", 0) == 0:
            continue
        if sidecar and cs.get("started"):
            ready += 1 if cs.get("ready") else 0
            continue
        if term is not None:
            if term.get("reason"):
                reason = "Init:" + term["reason"]
            elif term.get("signal"):
                reason = f"Init:Signal:{term['signal']}"
            else:
                reason = f"Init:ExitCode:{term.get('exitCode', 0)}"
        elif wait is not None and wait.get("reason") and wait["reason"] != "PodInitializing":
            reason = "Init:" + wait["reason"]
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break
    initialized = any(
        c.get("type") == "Initialized" and c.get("status") == "True" for c in status.get("conditions") or []
    )
    if not initializing or initialized:
        restarts, last_restart = sidecar_restarts, sidecar_last
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += int(cs.get("restartCount") or 0)
            ended = parse_time(((cs.get("lastState") or {}).get("terminated") or {}).get("finishedAt"))
            last_restart = max(last_restart, ended or 0.0)
            state = cs.get("state") or {}
            wait, term = state.get("waiting"), state.get("terminated")
            if wait is not None and wait.get("reason"):
                reason = wait["reason"]
            elif term is not None and term.get("reason"):
                reason = term["reason"]
            elif term is not None:
                reason = (
                    f"Signal:{term['signal']}"
                    if term.get("signal")
                    else f"ExitCode:{term.get('exitCode', 0)}"
                )
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            pod_ready = any(
                c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or []
            )
            reason = "Running" if pod_ready else "NotReady"
    if meta.get("deletionTimestamp") and status.get("reason") == "NodeLost":
        reason = "Unknown"
    elif meta.get("deletionTimestamp") and phase not in ("Succeeded", "Failed"):
        reason = "Terminating"
    ips = status.get("podIPs") or []
    ip = (ips[0].get("ip") if ips else status.get("podIP")) or "<none>"
    gates = spec.get("readinessGates") or []
    gates_text = "<none>"
    if gates:
        conds = {c.get("type"): c.get("status") for c in status.get("conditions") or []}
        gates_text = f"{sum(1 for g in gates if conds.get(g.get('conditionType')) == 'True')}/{len(gates)}"
    cells = [
        meta["name"],
        f"{ready}/{total}",
        reason,
        ip,
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        gates_text,
    ]
    return cells, restarts, last_restart


POD_COLUMNS = [
    _name(),
    _col("Ready", desc="The aggregate readiness state of this pod for accepting traffic."),
    _col("Status", desc="The aggregate status of the containers in this pod."),
    _col(
        "Restarts",
        desc="The number of times the containers in this pod have been restarted and when the last "
        "container in this pod has restarted.",
    ),
    _age(),
    _col("IP", desc="podIP address allocated to the pod. Routable at least within the cluster.", priority=1),
    _col("Node", desc="NodeName indicates in which node this pod is scheduled.", priority=1),
    _col(
        "Nominated Node",
        desc="nominatedNodeName is set only when this pod preempts other pods on the node.",
        priority=1,
    ),
    _col(
        "Readiness Gates",
        desc="If specified, all readiness gates will be evaluated for pod readiness.",
        priority=1,
    ),
]
