"""Table columns and cells for StatefulSets, DaemonSets, Jobs, CronJobs, Ingresses, PVCs and PVs, written from
kube-apiserver's printing rules (its ``printers.go``), as the other tables are.

Each kind is a list of column specs, a column's definition next to how its cell is read, and ``table`` turns
them into the (columns, cells) pair the Table handler serves: a column and its cell cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubetui.sim.tables_core import (
    _TEMPLATE_COLUMNS,
    _age,
    _col,
    _labels_text,
    _name,
    _template_cells,
    human_duration,
    label_selector_text,
    parse_time,
    since,
)

Obj = dict[str, Any]
Cell = Callable[[Obj, float], Any]  # (object, now) -> one cell
Cells = Callable[[Obj, float], list[Any]]
Spec = tuple[Obj, Cell]  # a column's definition and how its cell is read

_ACCESS_MODES = {
    "ReadWriteOnce": "RWO",
    "ReadOnlyMany": "ROX",
    "ReadWriteMany": "RWX",
    "ReadWriteOncePod": "RWOP",
}


def table(*specs: Spec) -> tuple[list[Obj], Cells]:
    """A kind's column definitions and the function that gives an object's row, from one spec per column."""
    columns = [column for column, _ in specs]
    readers = tuple(read for _, read in specs)

    def cells(obj: Obj, now: float) -> list[Any]:
        return [read(obj, now) for read in readers]

    return columns, cells


# -- what several kinds read ---------------------------------------------------------------------------------


def _spec(obj: Obj) -> Obj:
    return obj.get("spec") or {}


def _status(obj: Obj) -> Obj:
    return obj.get("status") or {}


def _count(field: str) -> Cell:
    """A status counter, 0 when unset."""
    return lambda obj, now: int(_status(obj).get(field) or 0)


def _or(section: Callable[[Obj], Obj], field: str, empty: str = "") -> Cell:
    """A field of the spec or status as text, ``empty`` when unset or empty."""
    return lambda obj, now: section(obj).get(field) or empty


def _get(section: Callable[[Obj], Obj], field: str) -> Cell:
    """A field of the spec or status as given, "" when absent."""
    return lambda obj, now: section(obj).get(field, "")


def _phase(obj: Obj, now: float) -> Any:
    return "Terminating" if obj["metadata"].get("deletionTimestamp") else _status(obj).get("phase", "")


def _modes(modes: list[str] | None) -> str:
    return ",".join(_ACCESS_MODES.get(m, m) for m in modes or [])


def _itself(obj: Obj) -> Obj:
    return obj


def _template(owner: Callable[[Obj], Obj] = _itself, count: int = 3) -> list[Spec]:
    """The wide Containers, Images (and Selector) columns of the pod template ``owner(obj)`` carries."""

    def cell(index: int) -> Cell:
        return lambda obj, now: _template_cells(owner(obj))[index]

    return [(column, cell(index)) for index, column in enumerate(_TEMPLATE_COLUMNS[:count])]


NAME: Spec = (_name(), lambda obj, now: obj["metadata"]["name"])
AGE: Spec = (_age(), lambda obj, now: since(obj["metadata"].get("creationTimestamp"), now))


# -- workloads -------------------------------------------------------------------------------------------------


def _statefulset_ready(obj: Obj, now: float) -> str:
    return f"{int(_status(obj).get('readyReplicas') or 0)}/{_spec(obj).get('replicas', 1)}"


STATEFULSET_COLUMNS, statefulset_cells = table(
    NAME,
    (_col("Ready", desc="Number of the pod with ready state"), _statefulset_ready),
    AGE,
    *_template(count=2),
)


def _node_selector(obj: Obj, now: float) -> str:
    return _labels_text(((_spec(obj).get("template") or {}).get("spec") or {}).get("nodeSelector"))


DAEMONSET_COLUMNS, daemonset_cells = table(
    NAME,
    (_col("Desired", "integer", "The desired number of daemon pods."), _count("desiredNumberScheduled")),
    (_col("Current", "integer", "The current number of daemon pods."), _count("currentNumberScheduled")),
    (_col("Ready", "integer", "The number of daemon pods ready."), _count("numberReady")),
    (
        _col("Up-to-date", "integer", "The number of daemon pods that are up to date."),
        _count("updatedNumberScheduled"),
    ),
    (_col("Available", "integer", "The number of daemon pods available."), _count("numberAvailable")),
    (_col("Node Selector", desc="Which nodes will run the daemon pods."), _node_selector),
    AGE,
    *_template(),
)


def _condition(obj: Obj, kind: str) -> bool:
    return any(
        c.get("type") == kind and c.get("status") == "True" for c in _status(obj).get("conditions") or []
    )


def job_status(obj: Obj) -> str:
    if _condition(obj, "Complete"):
        return "Complete"
    if _condition(obj, "Failed"):
        return "Failed"
    if (obj.get("metadata") or {}).get("deletionTimestamp"):
        return "Terminating"
    if _condition(obj, "FailureTarget"):
        return "FailureTarget"
    if _condition(obj, "SuccessCriteriaMet"):
        return "SuccessCriteriaMet"
    if _condition(obj, "Suspended"):
        return "Suspended"
    return "Running"


def _completions(obj: Obj, now: float) -> str:
    spec = _spec(obj)
    succeeded = int(_status(obj).get("succeeded") or 0)
    if spec.get("completions") is not None:
        return f"{succeeded}/{spec['completions']}"
    if int(spec.get("parallelism") or 0) > 1:
        return f"{succeeded}/1 of {spec['parallelism']}"
    return f"{succeeded}/1"


def _duration(obj: Obj, now: float) -> str:
    status = _status(obj)
    started, finished = parse_time(status.get("startTime")), parse_time(status.get("completionTime"))
    if started is None:
        return ""
    return human_duration((finished if finished is not None else now) - started)


JOB_COLUMNS, job_cells = table(
    NAME,
    (_col("Status", desc="Status of the job."), lambda obj, now: job_status(obj)),
    (_col("Completions", desc="The completion status of the job."), _completions),
    (_col("Duration", desc="Time required to complete the job."), _duration),
    AGE,
    *_template(),
)


def _job_template(obj: Obj) -> Obj:
    return {"spec": ((_spec(obj).get("jobTemplate") or {}).get("spec")) or {}}


def _last_schedule(obj: Obj, now: float) -> str:
    last = _status(obj).get("lastScheduleTime")
    return since(last, now) if last else "<none>"


CRONJOB_COLUMNS, cronjob_cells = table(
    NAME,
    (
        _col("Schedule", desc="The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
        _get(_spec, "schedule"),
    ),
    (_col("Timezone", desc="The time zone name for the given schedule."), _or(_spec, "timeZone", "<none>")),
    (
        _col("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions."),
        lambda obj, now: "True" if _spec(obj).get("suspend") else "False",
    ),
    (
        _col("Active", "integer", "A list of pointers to currently running jobs."),
        lambda obj, now: len(_status(obj).get("active") or []),
    ),
    (
        _col("Last Schedule", desc="Information when was the last time the job was successfully scheduled."),
        _last_schedule,
    ),
    AGE,
    *_template(_job_template),
)


# -- networking and storage ------------------------------------------------------------------------------------


def _hosts(obj: Obj, now: float) -> str:
    hosts = [r.get("host") for r in _spec(obj).get("rules") or [] if r.get("host")]
    if not hosts:
        return "*"
    text = ",".join(hosts[:4])
    return f"{text} + {len(hosts) - 4} more..." if len(hosts) > 4 else text


def _address(obj: Obj, now: float) -> str:
    ingress = (_status(obj).get("loadBalancer") or {}).get("ingress") or []
    return ",".join(
        i.get("ip") or i.get("hostname") or "" for i in ingress if i.get("ip") or i.get("hostname")
    )


INGRESS_COLUMNS, ingress_cells = table(
    NAME,
    (
        _col("Class", desc="The name of the IngressClass resource that should be used for this Ingress."),
        _or(_spec, "ingressClassName", "<none>"),
    ),
    (_col("Hosts", desc="Hosts that incoming requests are matched against before the ingress rule"), _hosts),
    (_col("Address", desc="Address is a list containing ingress points for the load-balancer"), _address),
    (
        _col("Ports", desc="Ports of TLS configurations that open"),
        lambda obj, now: "80, 443" if _spec(obj).get("tls") else "80",
    ),
    AGE,
)


def _bound(obj: Obj) -> bool:
    return bool(_spec(obj).get("volumeName"))


def _classes(storage: str, attributes: str) -> tuple[Spec, Spec]:
    """StorageClass and VolumeAttributesClass, as a claim and a volume both print them (each described its way)."""
    return (
        (_col("StorageClass", desc=storage), _or(_spec, "storageClassName")),
        (_col("VolumeAttributesClass", desc=attributes), _or(_spec, "volumeAttributesClassName", "<unset>")),
    )


def _volume_mode(desc: str) -> Spec:
    return (_col("VolumeMode", desc=desc, priority=1), _or(_spec, "volumeMode", "<unset>"))


PVC_COLUMNS, pvc_cells = table(
    NAME,
    (_col("Status", desc="The phase of the persistent volume claim."), _phase),
    (
        _col("Volume", desc="The binding reference to the PersistentVolume backing this claim."),
        _get(_spec, "volumeName"),
    ),
    (
        _col("Capacity", desc="The actual resources of the underlying volume."),
        lambda obj, now: str((_status(obj).get("capacity") or {}).get("storage", "")) if _bound(obj) else "",
    ),
    (
        _col("Access Modes", desc="The desired access modes the volume should have."),
        lambda obj, now: _modes(_status(obj).get("accessModes")) if _bound(obj) else "",
    ),
    *_classes(
        "The name of the StorageClass required by the claim.",
        "The name of the VolumeAttributesClass the claim is using.",
    ),
    AGE,
    _volume_mode("The volumeMode of the persistent volume claim."),
)


def _claim(obj: Obj, now: float) -> str:
    claim = _spec(obj).get("claimRef") or {}
    return f"{claim.get('namespace', '')}/{claim.get('name', '')}" if claim else ""


PV_COLUMNS, pv_cells = table(
    NAME,
    (
        _col("Capacity", desc="The capacity of the persistent volume."),
        lambda obj, now: str((_spec(obj).get("capacity") or {}).get("storage", "")),
    ),
    (
        _col("Access Modes", desc="The access modes of the persistent volume."),
        lambda obj, now: _modes(_spec(obj).get("accessModes")),
    ),
    (
        _col("Reclaim Policy", desc="What happens to the volume when it is released from its claim."),
        _get(_spec, "persistentVolumeReclaimPolicy"),
    ),
    (_col("Status", desc="The phase of the persistent volume."), _phase),
    (_col("Claim", desc="The claim bound to the persistent volume."), _claim),
    *_classes(
        "The name of the StorageClass the persistent volume belongs to.",
        "The name of the VolumeAttributesClass the volume is using.",
    ),
    (_col("Reason", desc="The reason the persistent volume is in its phase."), _get(_status, "reason")),
    AGE,
    _volume_mode("The volumeMode of the persistent volume."),
)

NETWORKPOLICY_COLUMNS, networkpolicy_cells = table(
    NAME,
    (
        _col("Pod-Selector", desc="Selects the pods to which this NetworkPolicy object applies."),
        lambda obj, now: label_selector_text(_spec(obj).get("podSelector")),
    ),
    AGE,
)

MORE_COLUMNS: dict[str, tuple[list[Obj], Cells]] = {
    "statefulsets.apps": (STATEFULSET_COLUMNS, statefulset_cells),
    "daemonsets.apps": (DAEMONSET_COLUMNS, daemonset_cells),
    "jobs.batch": (JOB_COLUMNS, job_cells),
    "cronjobs.batch": (CRONJOB_COLUMNS, cronjob_cells),
    "ingresses.networking.k8s.io": (INGRESS_COLUMNS, ingress_cells),
    "networkpolicies.networking.k8s.io": (NETWORKPOLICY_COLUMNS, networkpolicy_cells),
    "persistentvolumeclaims": (PVC_COLUMNS, pvc_cells),
    "persistentvolumes": (PV_COLUMNS, pv_cells),
}
