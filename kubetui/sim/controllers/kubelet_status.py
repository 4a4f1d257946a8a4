"""The kubelet's view of a pod's containers, and the pod status (phase, conditions) computed from it."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field
from typing import Any

from kubetui.sim.images import parse_image

from .base import Obj
from .podlogs import Run


@dataclass
class ContainerRuntime:
    name: str
    image: str
    state: dict[str, Any] = field(default_factory=lambda: {"waiting": {"reason": "ContainerCreating"}})
    last_state: dict[str, Any] = field(default_factory=dict)
    ready: bool = False
    started: bool = False
    restart_count: int = 0
    crashes: int = 0
    container_id: str = ""
    pulled: bool = False
    current: Run | None = None
    previous: Run | None = None


@dataclass
class PodRuntime:
    uid: str
    namespace: str
    name: str
    node: str
    containers: dict[str, ContainerRuntime]
    init_containers: dict[str, ContainerRuntime] = field(default_factory=dict)
    ip: str = ""
    start_time: str = ""
    # When the pod last became Ready, to the microsecond (conditions only keep seconds, too coarse at --speed).
    ready_since: float | None = None
    task: asyncio.Task[None] | None = None
    stopping: asyncio.Task[None] | None = None


def random_streams(rt: PodRuntime, container: str) -> tuple[str, str]:
    """The random streams of one container: its back-off jitter and its image pulls'."""
    return (f"kubelet/{rt.namespace}/{rt.name}/{container}", f"pull/{rt.namespace}/{rt.name}/{container}")


def container_id(uid: str, name: str, restart: int) -> str:
    return "containerd://" + hashlib.sha256(f"{uid}/{name}/{restart}".encode()).hexdigest()


def image_id(image: str) -> str:
    ref = parse_image(image)
    return f"{ref.name}@sha256:{hashlib.sha256(ref.full.encode()).hexdigest()}"


def backoff_text(seconds: float) -> str:
    """Go's time.Duration formatting, as the kubelet prints back-off delays (``5m0s``)."""
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m}m{s}s"
    h, m = divmod(m, 60)
    return f"{h}h{m}m{s}s"


def init_done(cr: ContainerRuntime) -> bool:
    return cr.state.get("terminated", {}).get("exitCode", 1) == 0 if "terminated" in cr.state else False


def container_statuses(rt: PodRuntime, pod: Obj, init: bool = False) -> list[dict[str, Any]]:
    out = []
    runtimes = rt.init_containers if init else rt.containers
    for c in (pod.get("spec") or {}).get("initContainers" if init else "containers") or []:
        cr = runtimes.get(c.get("name", ""))
        if cr is None:
            continue
        status: dict[str, Any] = {
            "name": cr.name,
            "state": cr.state,
            "lastState": cr.last_state,
            "ready": cr.ready,
            "restartCount": cr.restart_count,
            "image": cr.image,
            "imageID": image_id(cr.image) if cr.pulled else "",
            "started": cr.started,
        }
        if cr.container_id:
            status["containerID"] = cr.container_id
        out.append(status)
    return out


def pod_phase(rt: PodRuntime, pod: Obj) -> str:
    policy = (pod.get("spec") or {}).get("restartPolicy", "Always")
    for cr in rt.init_containers.values():
        if init_done(cr):
            continue
        if "terminated" in cr.state and policy == "Never":
            return "Failed"
        return "Pending"
    pending = running = succeeded = failed = 0
    for cr in rt.containers.values():
        if "running" in cr.state:
            running += 1
        elif "terminated" in cr.state:
            code = cr.state["terminated"].get("exitCode", 0)
            will_restart = policy == "Always" or (policy == "OnFailure" and code != 0)
            if will_restart:
                running += 1
            elif code == 0:
                succeeded += 1
            else:
                failed += 1
        elif cr.last_state or cr.restart_count:
            running += 1  # waiting to restart after having run
        else:
            pending += 1
    if pending:
        return "Pending"
    if running:
        return "Running"
    if failed:
        return "Failed"
    return "Succeeded"


def _condition(
    old: list[dict[str, Any]], ctype: str, ok: bool, now: str, reason: str = "", message: str = ""
) -> dict:
    status = "True" if ok else "False"
    prev = next((c for c in old if c.get("type") == ctype), None)
    since = prev["lastTransitionTime"] if prev and prev.get("status") == status else now
    cond: dict[str, Any] = {
        "type": ctype,
        "status": status,
        "lastProbeTime": None,
        "lastTransitionTime": since,
    }
    if not ok and reason:
        cond["reason"] = reason
        cond["message"] = message
    return cond


def pod_status(rt: PodRuntime, pod: Obj, now: str, host_ip: str) -> dict[str, Any]:
    old = dict(pod.get("status") or {})
    old_conds = old.get("conditions") or []
    statuses = container_statuses(rt, pod)
    unready = [s["name"] for s in statuses if not s["ready"]]
    all_ready = not unready and bool(statuses)
    phase = pod_phase(rt, pod)
    message = f"containers with unready status: [{' '.join(unready)}]"
    reason = "PodCompleted" if phase in ("Succeeded", "Failed") else "ContainersNotReady"
    scheduled = next((c for c in old_conds if c.get("type") == "PodScheduled"), None)
    pending_init = [name for name, cr in rt.init_containers.items() if not init_done(cr)]
    conditions = [
        _condition(old_conds, "PodReadyToStartContainers", bool(rt.ip), now),
        _condition(
            old_conds,
            "Initialized",
            not pending_init,
            now,
            "ContainersNotInitialized",
            f"containers with incomplete status: [{' '.join(pending_init)}]",
        ),
        _condition(old_conds, "Ready", all_ready, now, reason, message),
        _condition(old_conds, "ContainersReady", all_ready, now, reason, message),
    ]
    if scheduled:
        conditions.append(scheduled)
    status: dict[str, Any] = {
        "phase": phase,
        "conditions": conditions,
        "hostIP": host_ip,
        "hostIPs": [{"ip": host_ip}],
        "startTime": rt.start_time,
        "containerStatuses": statuses,
        **({"initContainerStatuses": container_statuses(rt, pod, init=True)} if rt.init_containers else {}),
        "qosClass": old.get("qosClass", "BestEffort"),
    }
    if rt.ip:
        status["podIP"] = rt.ip
        status["podIPs"] = [{"ip": rt.ip}]
    return status
