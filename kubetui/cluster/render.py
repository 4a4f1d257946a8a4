"""Object → table row with kubectl's columns and computed values (pure functions, no I/O)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kubetui.cluster.render_net import (
    endpoints_cells,
    endpointslice_cells,
    format_labels,
    service_cells,
    service_external_ip,
)
from kubetui.cluster.render_pod import _compute as _compute_pod
from kubetui.cluster.render_pod import pod_cells, pod_ready, pod_status
from kubetui.cluster.render_time import human_age, parse_time, timestamp_since
from kubetui.kinds.labels import selector_string

__all__ = [
    "COLUMNS",
    "WIDE_COLUMNS",
    "format_label_selector",
    "format_labels",
    "human_age",
    "parse_time",
    "pod_ready",
    "pod_status",
    "row",
    "status_class",
    "timestamp_since",
]

Obj = Mapping[str, Any]

COLUMNS: dict[str, tuple[str, ...]] = {
    "pods": ("NAME", "READY", "STATUS", "RESTARTS", "AGE"),
    "deployments": ("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"),
    "replicasets": ("NAME", "DESIRED", "CURRENT", "READY", "AGE"),
    "services": ("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"),
    "nodes": ("NAME", "STATUS", "ROLES", "AGE", "VERSION"),
    "namespaces": ("NAME", "STATUS", "AGE"),
    "events": ("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"),
    "endpoints": ("NAME", "ENDPOINTS", "AGE"),
    "endpointslices": ("NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"),
}

WIDE_COLUMNS: dict[str, tuple[str, ...]] = {
    "pods": (*COLUMNS["pods"], "IP", "NODE", "NOMINATED NODE", "READINESS GATES"),
    "deployments": (*COLUMNS["deployments"], "CONTAINERS", "IMAGES", "SELECTOR"),
    "replicasets": (*COLUMNS["replicasets"], "CONTAINERS", "IMAGES", "SELECTOR"),
    "services": (*COLUMNS["services"], "SELECTOR"),
    "nodes": (
        *COLUMNS["nodes"],
        "INTERNAL-IP",
        "EXTERNAL-IP",
        "OS-IMAGE",
        "KERNEL-VERSION",
        "CONTAINER-RUNTIME",
    ),
    "namespaces": COLUMNS["namespaces"],
    "events": (
        "LAST SEEN",
        "TYPE",
        "REASON",
        "OBJECT",
        "SUBOBJECT",
        "SOURCE",
        "MESSAGE",
        "FIRST SEEN",
        "COUNT",
        "NAME",
    ),
    "endpoints": COLUMNS["endpoints"],
    "endpointslices": COLUMNS["endpointslices"],
}


def _meta(obj: Obj) -> Obj:
    return obj.get("metadata") or {}


def _age(obj: Obj, now: float) -> str:
    return timestamp_since(_meta(obj).get("creationTimestamp"), now)


_selector_string = selector_string


def format_label_selector(selector: Obj | None) -> str:
    """``metav1.FormatLabelSelector``: like the selector string but ``<none>`` when it selects everything."""
    return _selector_string(selector) or "<none>"


def _containers(template_spec: Obj) -> tuple[str, str]:
    containers = template_spec.get("containers") or []
    names = ",".join(c.get("name", "") for c in containers)
    images = ",".join(c.get("image", "") for c in containers)
    return names, images


def _deployment(obj: Obj, now: float, wide: bool) -> tuple[str, ...]:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    desired = spec.get("replicas", 1)
    cells = (
        _meta(obj).get("name", ""),
        f"{status.get('readyReplicas', 0)}/{desired}",
        str(status.get("updatedReplicas", 0)),
        str(status.get("availableReplicas", 0)),
        _age(obj, now),
    )
    if not wide:
        return cells
    names, images = _containers(((spec.get("template") or {}).get("spec")) or {})
    return (*cells, names, images, _selector_string(spec.get("selector")))


def _replicaset(obj: Obj, now: float, wide: bool) -> tuple[str, ...]:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    cells = (
        _meta(obj).get("name", ""),
        str(spec.get("replicas", 1)),
        str(status.get("replicas", 0)),
        str(status.get("readyReplicas", 0)),
        _age(obj, now),
    )
    if not wide:
        return cells
    names, images = _containers(((spec.get("template") or {}).get("spec")) or {})
    return (*cells, names, images, format_label_selector(spec.get("selector")))


def node_roles(obj: Obj) -> list[str]:
    """Roles from ``node-role.kubernetes.io/<role>`` labels and the legacy ``kubernetes.io/role``."""
    roles: set[str] = set()
    for key, value in (_meta(obj).get("labels") or {}).items():
        if key.startswith("node-role.kubernetes.io/"):
            role = key[len("node-role.kubernetes.io/") :]
            if role:
                roles.add(role)
        elif key == "kubernetes.io/role" and value:
            roles.add(value)
    return sorted(roles)


def node_status(obj: Obj) -> str:
    """``Ready``, ``NotReady``, ``Unknown``, with ``,SchedulingDisabled`` for a cordoned node."""
    status: list[str] = []
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            status = ["Ready" if cond.get("status") == "True" else "NotReady"]
    if not status:
        status = ["Unknown"]
    if (obj.get("spec") or {}).get("unschedulable"):
        status.append("SchedulingDisabled")
    return ",".join(status)


def _node_address(obj: Obj, kind: str) -> str:
    for address in (obj.get("status") or {}).get("addresses") or []:
        if address.get("type") == kind:
            return str(address.get("address", ""))
    return "<none>"


def _node(obj: Obj, now: float, wide: bool) -> tuple[str, ...]:
    info = (obj.get("status") or {}).get("nodeInfo") or {}
    cells = (
        _meta(obj).get("name", ""),
        node_status(obj),
        ",".join(node_roles(obj)) or "<none>",
        _age(obj, now),
        info.get("kubeletVersion", ""),
    )
    if not wide:
        return cells
    return (
        *cells,
        _node_address(obj, "InternalIP"),
        _node_address(obj, "ExternalIP"),
        info.get("osImage") or "<unknown>",
        _kernel(info),
        info.get("containerRuntimeVersion") or "<unknown>",
    )


def _kernel(info: Obj) -> str:
    # kubectl appends the node's architecture to its kernel version.
    kernel = info.get("kernelVersion") or "<unknown>"
    return f"{kernel} ({info['architecture']})" if info.get("architecture") else kernel


def _namespace(obj: Obj, now: float, wide: bool) -> tuple[str, ...]:
    phase = (obj.get("status") or {}).get("phase", "")
    return (_meta(obj).get("name", ""), phase, _age(obj, now))


def _event(obj: Obj, now: float, wide: bool) -> tuple[str, ...]:
    first = timestamp_since(obj.get("firstTimestamp"), now)
    if not obj.get("firstTimestamp"):
        first = timestamp_since(obj.get("eventTime"), now)
    last = timestamp_since(obj.get("lastTimestamp"), now) if obj.get("lastTimestamp") else first
    count = obj.get("count") or 0
    series = obj.get("series")
    if series:
        last = timestamp_since(series.get("lastObservedTime"), now)
        count = series.get("count") or 0
    elif count == 0:
        count = 1  # singleton events of the events.k8s.io API carry no count
    involved = obj.get("involvedObject") or {}
    kind = str(involved.get("kind", "")).lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind
    message = str(obj.get("message", "")).strip()
    if not wide:
        return (last, obj.get("type", ""), obj.get("reason", ""), target, message)
    source = obj.get("source") or {}
    component = source.get("component") or obj.get("reportingComponent") or ""
    instance = source.get("host") or obj.get("reportingInstance") or ""
    return (
        last,
        obj.get("type", ""),
        obj.get("reason", ""),
        target,
        involved.get("fieldPath", ""),
        f"{component}, {instance}" if instance else component,
        message,
        first,
        str(count),
        _meta(obj).get("name", ""),
    )


_ROWS: dict[str, Callable[[Obj, float, bool], tuple[str, ...]]] = {
    "pods": pod_cells,
    "deployments": _deployment,
    "replicasets": _replicaset,
    "services": service_cells,
    "nodes": _node,
    "namespaces": _namespace,
    "events": _event,
    "endpoints": endpoints_cells,
    "endpointslices": endpointslice_cells,
}


def row(kind: str, obj: Obj, now: float, wide: bool = False) -> tuple[str, ...]:
    """The cells ``kubectl get <kind> [-o wide]`` prints for ``obj`` at time ``now`` (epoch seconds)."""
    return tuple(str(cell) for cell in _ROWS[kind](obj, now, wide))


_FAILED_POD = {
    "CrashLoopBackOff",
    "Error",
    "ErrImagePull",
    "ImagePullBackOff",
    "InvalidImageName",
    "ErrImageNeverPull",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
    "OOMKilled",
    "ContainerCannotRun",
    "Failed",
    "Evicted",
    "Unknown",
    "NodeLost",
}
_PENDING_POD = {"Pending", "ContainerCreating", "PodInitializing", "SchedulingGated"}


def _pod_class(obj: Obj) -> str:
    ready, total, status, _, _ = _compute_pod(obj)
    base = status.removeprefix("Init:")
    if status == "Terminating":
        return "terminating"
    if status in ("Completed", "Succeeded"):
        return "completed"
    if base in _FAILED_POD or base.startswith(("ExitCode:", "Signal:")):
        return "failed"
    if status in _PENDING_POD or status.startswith("Init:"):
        return "pending"
    if status == "Running":
        return "running" if ready == total else "warning"
    return "warning"


def _deployment_class(obj: Obj) -> str:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    for cond in status.get("conditions") or []:
        if cond.get("type") == "Progressing" and cond.get("reason") == "ProgressDeadlineExceeded":
            return "failed"
    desired = spec.get("replicas", 1)
    ready = status.get("readyReplicas", 0)
    updated = status.get("updatedReplicas", 0)
    total = status.get("replicas", 0)
    if ready == desired and updated == desired and total == desired:
        return "running"
    if ready < desired and status.get("availableReplicas", 0) == 0 and desired > 0:
        return "failed" if total >= desired else "pending"
    return "pending"


def _replicaset_class(obj: Obj) -> str:
    desired = (obj.get("spec") or {}).get("replicas", 1)
    return "running" if (obj.get("status") or {}).get("readyReplicas", 0) >= desired else "pending"


def _node_class(obj: Obj) -> str:
    status = node_status(obj)
    if status.startswith("Ready"):
        return "warning" if "SchedulingDisabled" in status else "running"
    return "failed"


def _endpoints_class(obj: Obj) -> str:
    return "running" if (obj.get("subsets") or obj.get("endpoints")) else "pending"


# A row's colour class by kind, beside ``_ROWS``: how each kind renders lives in this module alone.
_CLASSES: dict[str, Callable[[Obj], str]] = {
    "pods": _pod_class,
    "deployments": _deployment_class,
    "replicasets": _replicaset_class,
    "nodes": _node_class,
    "services": lambda obj: "pending" if service_external_ip(obj) == "<pending>" else "running",
    "events": lambda obj: "warning" if obj.get("type") == "Warning" else "running",
    "namespaces": lambda obj: (
        "terminating" if (obj.get("status") or {}).get("phase") == "Terminating" else "running"
    ),
    "endpoints": _endpoints_class,
    "endpointslices": _endpoints_class,
}


def status_class(kind: str, obj: Obj) -> str:
    """A semantic colour class for the row: running, pending, failed, terminating, completed or warning."""
    colour = _CLASSES.get(kind)
    if _meta(obj).get("deletionTimestamp") and colour is not _pod_class:
        return "terminating"  # a pod's status column says Terminating itself, with its own colour
    return colour(obj) if colour is not None else "running"
