"""Table cells for workloads, services and nodes, and the time and selector helpers all tables share."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

Obj = dict[str, Any]

NAME_DESC = (
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name automatically. "
    "Name is primarily intended for creation idempotence and configuration definition. Cannot be "
    "updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names"
)


AGE_DESC = (
    "CreationTimestamp is a timestamp representing the server time when this object was created. It "
    "is not guaranteed to be set in happens-before order across separate operations. Clients may "
    "not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. "
    "Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"
)


def _col(name: str, type_: str = "string", desc: str = "", priority: int = 0, fmt: str = "") -> Obj:
    return {"name": name, "type": type_, "format": fmt, "description": desc, "priority": priority}


def _name() -> Obj:
    return _col("Name", desc=NAME_DESC, fmt="name")


def _age() -> Obj:
    return _col("Age", desc=AGE_DESC)


def parse_time(stamp: Any) -> float | None:
    """Seconds since the epoch of an RFC 3339 time, or None (cached: the same stamps recur on every list)."""
    if not stamp or not isinstance(stamp, str):
        return None
    return _parse_time(stamp)


@lru_cache(maxsize=65536)
def _parse_time(stamp: str) -> float | None:
    base, dot, frac = stamp.rstrip("Z").partition(".")
    try:
        t = datetime.fromisoformat(base[:19]).replace(tzinfo=UTC).timestamp()
    except ValueError:
        return None
    return t + (float("0." + frac) if dot and frac.isdigit() else 0.0)


def human_duration(seconds: float) -> str:
    """Kubernetes' ``duration.HumanDuration``: 45s, 2m5s, 15m, 3h20m, 2d4h, 400d, 3y2d."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        rest = s % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if days == 0 else f"{hours // 24 // 365}y{days}d"
    return f"{hours // 24 // 365}y"


def since(stamp: Any, now: float) -> str:
    t = parse_time(stamp)
    return "<unknown>" if t is None else human_duration(now - t)


def label_selector_text(selector: Obj | None) -> str:
    """``metav1.FormatLabelSelector``: requirements sorted by key, each one's values sorted."""
    if not selector:
        return "<none>"
    reqs: list[tuple[str, str]] = [(k, f"{k}={v}") for k, v in (selector.get("matchLabels") or {}).items()]
    for e in selector.get("matchExpressions") or []:
        op, key, given = e.get("operator"), str(e.get("key")), e.get("values") or []
        values = ",".join(sorted(str(v) for v in given))
        if op in ("In", "NotIn") and given:
            reqs.append((key, f"{key} {op.lower()} ({values})"))
        elif op in ("Exists", "DoesNotExist") and not given:
            reqs.append((key, key if op == "Exists" else f"!{key}"))
        else:
            return "<error>"  # what LabelSelectorAsSelector refuses
    # labels.Selector.Add orders requirements by key; a stable sort keeps same-key ones as given.
    reqs.sort(key=lambda r: r[0])
    return ",".join(text for _, text in reqs) or "<none>"


def _labels_text(labels: Obj | None) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted((labels or {}).items())) or "<none>"


# -- workloads, services, nodes --------------------------------------------------------------------------------


def _template_cells(obj: Obj) -> list[str]:
    containers = (((obj.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers") or []
    return [
        ",".join(c.get("name", "") for c in containers),
        ",".join(c.get("image", "") for c in containers),
        label_selector_text((obj.get("spec") or {}).get("selector")),
    ]


_TEMPLATE_COLUMNS = [
    _col("Containers", desc="Names of each container in the template.", priority=1),
    _col("Images", desc="Images referenced by each container in the template.", priority=1),
    _col(
        "Selector",
        desc="Label selector for pods. Existing ReplicaSets whose pods are selected by this will be "
        "the ones affected by this deployment.",
        priority=1,
    ),
]


def deployment_cells(obj: Obj, now: float) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    desired = spec.get("replicas", 1)
    return [
        obj["metadata"]["name"],
        f"{status.get('readyReplicas', 0)}/{desired}",
        int(status.get("updatedReplicas", 0)),
        int(status.get("availableReplicas", 0)),
        since(obj["metadata"].get("creationTimestamp"), now),
        *_template_cells(obj),
    ]


DEPLOYMENT_COLUMNS = [
    _name(),
    _col("Ready", desc="Number of the pod with ready state"),
    _col(
        "Up-to-date",
        "integer",
        "Total number of non-terminated pods targeted by this deployment that have the "
        "desired template spec.",
    ),
    _col(
        "Available",
        "integer",
        "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
    ),
    _age(),
    *_TEMPLATE_COLUMNS,
]


def replicaset_cells(obj: Obj, now: float) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    return [
        obj["metadata"]["name"],
        int(spec.get("replicas", 1)),
        int(status.get("replicas", 0)),
        int(status.get("readyReplicas", 0)),
        since(obj["metadata"].get("creationTimestamp"), now),
        *_template_cells(obj),
    ]


REPLICASET_COLUMNS = [
    _name(),
    _col("Desired", "integer", "Number of desired pods."),
    _col("Current", "integer", "Replicas is the most recently observed number of replicas."),
    _col("Ready", "integer", "The number of ready replicas for this replica set."),
    _age(),
    *_TEMPLATE_COLUMNS,
]


def _load_balancer_text(svc: Obj) -> str:
    """``loadBalancerStatusStringer``: the ingress IPs (else hostnames) as a sorted set.

    kube-apiserver builds every Table with ``Wide: true``, so it never clips this to 16 characters the way
    kubectl's old client-side printer did in the narrow view; ``kubectl get svc`` shows every address.
    """
    ingress = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    found = {str(i.get("ip") or i.get("hostname")) for i in ingress if i.get("ip") or i.get("hostname")}
    return ",".join(sorted(found))


def _service_external_ip(svc: Obj) -> str:
    spec = svc.get("spec") or {}
    external = spec.get("externalIPs") or []
    stype = spec.get("type") or "ClusterIP"
    if stype in ("ClusterIP", "NodePort"):
        return ",".join(external) or "<none>"
    if stype == "LoadBalancer":
        lb = _load_balancer_text(svc)
        return ",".join([*([lb] if lb else []), *external]) or "<pending>"
    if stype == "ExternalName":
        return str(spec.get("externalName", ""))
    return "<unknown>"


def service_cells(obj: Obj, now: float) -> list[Any]:
    spec = obj.get("spec") or {}
    ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    ports = []
    for p in spec.get("ports") or []:
        proto = p.get("protocol") or "TCP"
        ports.append(
            f"{p.get('port')}:{p['nodePort']}/{proto}" if p.get("nodePort") else f"{p.get('port')}/{proto}"
        )
    return [
        obj["metadata"]["name"],
        spec.get("type") or "ClusterIP",
        ips[0] if ips else "<none>",
        _service_external_ip(obj),
        ",".join(ports) or "<none>",
        since(obj["metadata"].get("creationTimestamp"), now),
        _labels_text(spec.get("selector")),
    ]


SERVICE_COLUMNS = [
    _name(),
    _col("Type", desc="type determines how the Service is exposed."),
    _col("Cluster-IP", desc="clusterIP is the IP address of the service and is usually assigned randomly."),
    _col(
        "External-IP",
        desc="externalIPs is a list of IP addresses for which nodes in the cluster will also "
        "accept traffic for this service.",
    ),
    _col("Port(s)", desc="The list of ports that are exposed by this service."),
    _age(),
    _col(
        "Selector",
        desc="Route service traffic to pods with label keys and values matching this selector.",
        priority=1,
    ),
]


def node_cells(obj: Obj, now: float) -> list[Any]:
    spec, status, meta = obj.get("spec") or {}, obj.get("status") or {}, obj["metadata"]
    ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)
    states = [] if ready is None else ["Ready" if ready.get("status") == "True" else "NotReady"]
    if not states:
        states = ["Unknown"]
    if spec.get("unschedulable"):
        states.append("SchedulingDisabled")
    roles: set[str] = set()
    for k, v in (meta.get("labels") or {}).items():
        if k.startswith("node-role.kubernetes.io/") and k.split("/", 1)[1]:
            roles.add(k.split("/", 1)[1])
        elif k == "kubernetes.io/role" and v:
            roles.add(v)
    info = status.get("nodeInfo") or {}
    addresses = status.get("addresses") or []

    def address(kind: str) -> str:
        return next((a.get("address") for a in addresses if a.get("type") == kind), None) or "<none>"

    return [
        meta["name"],
        ",".join(states),
        ",".join(sorted(roles)) or "<none>",
        since(meta.get("creationTimestamp"), now),
        info.get("kubeletVersion", ""),
        address("InternalIP"),
        address("ExternalIP"),
        info.get("osImage") or "<unknown>",
        (info.get("kernelVersion") or "<unknown>")
        + (f" ({info['architecture']})" if info.get("architecture") else ""),  # as kubectl's printer
        info.get("containerRuntimeVersion") or "<unknown>",
    ]


NODE_COLUMNS = [
    _name(),
    _col("Status", desc="The status of the node"),
    _col("Roles", desc="The roles of the node"),
    _age(),
    _col("Version", desc="Kubelet Version reported by the node."),
    _col(
        "Internal-IP",
        desc="List of addresses reachable to the node. Queried from cloud provider, if available.",
        priority=1,
    ),
    _col(
        "External-IP",
        desc="List of addresses reachable to the node. Queried from cloud provider, if available.",
        priority=1,
    ),
    _col(
        "OS-Image",
        desc="OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).",
        priority=1,
    ),
    _col(
        "Kernel-Version",
        desc="Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
        priority=1,
    ),
    _col(
        "Container-Runtime",
        desc="ContainerRuntime Version reported by the node through runtime remote API "
        "(e.g. containerd://1.4.2).",
        priority=1,
    ),
]
