"""Table columns and cells for StatefulSets, DaemonSets, Jobs, CronJobs, Ingresses, PVCs and PVs, written from
kube-apiserver's printing rules (its ``printers.go``), as the other tables are."""

from __future__ import annotations

from typing import Any

from kubetui.sim.tables_core import (
    _TEMPLATE_COLUMNS,
    _age,
    _col,
    _labels_text,
    _name,
    _template_cells,
    human_duration,
    parse_time,
    since,
)

Obj = dict[str, Any]

_ACCESS_MODES = {
    "ReadWriteOnce": "RWO",
    "ReadOnlyMany": "ROX",
    "ReadWriteMany": "RWX",
    "ReadWriteOncePod": "RWOP",
}


def _age_cell(obj: Obj, now: float) -> str:
    return since(obj["metadata"].get("creationTimestamp"), now)


def statefulset_cells(obj: Obj, now: float) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    desired = spec.get("replicas", 1)
    containers, images, _ = _template_cells(obj)
    return [
        obj["metadata"]["name"],
        f"{int(status.get('readyReplicas') or 0)}/{desired}",
        _age_cell(obj, now),
        containers,
        images,
    ]


STATEFULSET_COLUMNS = [
    _name(),
    _col("Ready", desc="Number of the pod with ready state"),
    _age(),
    *_TEMPLATE_COLUMNS[:2],
]


def daemonset_cells(obj: Obj, now: float) -> list[Any]:
    status = obj.get("status") or {}
    selector = (((obj.get("spec") or {}).get("template") or {}).get("spec") or {}).get("nodeSelector")
    return [
        obj["metadata"]["name"],
        int(status.get("desiredNumberScheduled") or 0),
        int(status.get("currentNumberScheduled") or 0),
        int(status.get("numberReady") or 0),
        int(status.get("updatedNumberScheduled") or 0),
        int(status.get("numberAvailable") or 0),
        _labels_text(selector),
        _age_cell(obj, now),
        *_template_cells(obj),
    ]


DAEMONSET_COLUMNS = [
    _name(),
    _col("Desired", "integer", "The desired number of daemon pods."),
    _col("Current", "integer", "The current number of daemon pods."),
    _col("Ready", "integer", "The number of daemon pods ready."),
    _col("Up-to-date", "integer", "The number of daemon pods that are up to date."),
    _col("Available", "integer", "The number of daemon pods available."),
    _col("Node Selector", desc="Which nodes will run the daemon pods."),
    _age(),
    *_TEMPLATE_COLUMNS,
]


def _condition(obj: Obj, kind: str) -> bool:
    return any(
        c.get("type") == kind and c.get("status") == "True"
        for c in (obj.get("status") or {}).get("conditions") or []
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


def job_cells(obj: Obj, now: float) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    succeeded = int(status.get("succeeded") or 0)
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    elif int(spec.get("parallelism") or 0) > 1:
        completions = f"{succeeded}/1 of {spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    started, finished = parse_time(status.get("startTime")), parse_time(status.get("completionTime"))
    duration = ""
    if started is not None:
        duration = human_duration((finished if finished is not None else now) - started)
    return [
        obj["metadata"]["name"],
        job_status(obj),
        completions,
        duration,
        _age_cell(obj, now),
        *_template_cells(obj),
    ]


JOB_COLUMNS = [
    _name(),
    _col("Status", desc="Status of the job."),
    _col("Completions", desc="The completion status of the job."),
    _col("Duration", desc="Time required to complete the job."),
    _age(),
    *_TEMPLATE_COLUMNS,
]


def cronjob_cells(obj: Obj, now: float) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    template = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    last = status.get("lastScheduleTime")
    containers, images, selector = _template_cells({"spec": template})
    return [
        obj["metadata"]["name"],
        spec.get("schedule", ""),
        spec.get("timeZone") or "<none>",
        "True" if spec.get("suspend") else "False",
        len(status.get("active") or []),
        since(last, now) if last else "<none>",
        _age_cell(obj, now),
        containers,
        images,
        selector,
    ]


CRONJOB_COLUMNS = [
    _name(),
    _col("Schedule", desc="The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
    _col("Timezone", desc="The time zone name for the given schedule."),
    _col("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions."),
    _col("Active", "integer", "A list of pointers to currently running jobs."),
    _col("Last Schedule", desc="Information when was the last time the job was successfully scheduled."),
    _age(),
    *_TEMPLATE_COLUMNS,
]


def _hosts(obj: Obj) -> str:
    hosts = [r.get("host") for r in (obj.get("spec") or {}).get("rules") or [] if r.get("host")]
    if not hosts:
        return "*"
    text = ",".join(hosts[:4])
    return f"{text} + {len(hosts) - 4} more..." if len(hosts) > 4 else text


def ingress_cells(obj: Obj, now: float) -> list[Any]:
    spec = obj.get("spec") or {}
    ingress = ((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    address = ",".join(
        i.get("ip") or i.get("hostname") or "" for i in ingress if i.get("ip") or i.get("hostname")
    )
    return [
        obj["metadata"]["name"],
        spec.get("ingressClassName") or "<none>",
        _hosts(obj),
        address,
        "80, 443" if spec.get("tls") else "80",
        _age_cell(obj, now),
    ]


INGRESS_COLUMNS = [
    _name(),
    _col("Class", desc="The name of the IngressClass resource that should be used for this Ingress."),
    _col("Hosts", desc="Hosts that incoming requests are matched against before the ingress rule"),
    _col("Address", desc="Address is a list containing ingress points for the load-balancer"),
    _col("Ports", desc="Ports of TLS configurations that open"),
    _age(),
]


def _modes(modes: list[str] | None) -> str:
    return ",".join(_ACCESS_MODES.get(m, m) for m in modes or [])


def pvc_cells(obj: Obj, now: float) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    phase = "Terminating" if obj["metadata"].get("deletionTimestamp") else status.get("phase", "")
    bound = bool(spec.get("volumeName"))
    capacity = str((status.get("capacity") or {}).get("storage", "")) if bound else ""
    return [
        obj["metadata"]["name"],
        phase,
        spec.get("volumeName", ""),
        capacity,
        _modes(status.get("accessModes")) if bound else "",
        spec.get("storageClassName") or "",
        spec.get("volumeAttributesClassName") or "<unset>",
        _age_cell(obj, now),
        spec.get("volumeMode") or "<unset>",
    ]


PVC_COLUMNS = [
    _name(),
    _col("Status", desc="The phase of the persistent volume claim."),
    _col("Volume", desc="The binding reference to the PersistentVolume backing this claim."),
    _col("Capacity", desc="The actual resources of the underlying volume."),
    _col("Access Modes", desc="The desired access modes the volume should have."),
    _col("StorageClass", desc="The name of the StorageClass required by the claim."),
    _col("VolumeAttributesClass", desc="The name of the VolumeAttributesClass the claim is using."),
    _age(),
    _col("VolumeMode", desc="The volumeMode of the persistent volume claim.", priority=1),
]


def pv_cells(obj: Obj, now: float) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    claim = spec.get("claimRef") or {}
    claim_text = f"{claim.get('namespace', '')}/{claim.get('name', '')}" if claim else ""
    phase = "Terminating" if obj["metadata"].get("deletionTimestamp") else status.get("phase", "")
    return [
        obj["metadata"]["name"],
        str((spec.get("capacity") or {}).get("storage", "")),
        _modes(spec.get("accessModes")),
        spec.get("persistentVolumeReclaimPolicy", ""),
        phase,
        claim_text,
        spec.get("storageClassName") or "",
        spec.get("volumeAttributesClassName") or "<unset>",
        status.get("reason", ""),
        _age_cell(obj, now),
        spec.get("volumeMode") or "<unset>",
    ]


PV_COLUMNS = [
    _name(),
    _col("Capacity", desc="The capacity of the persistent volume."),
    _col("Access Modes", desc="The access modes of the persistent volume."),
    _col("Reclaim Policy", desc="What happens to the volume when it is released from its claim."),
    _col("Status", desc="The phase of the persistent volume."),
    _col("Claim", desc="The claim bound to the persistent volume."),
    _col("StorageClass", desc="The name of the StorageClass the persistent volume belongs to."),
    _col("VolumeAttributesClass", desc="The name of the VolumeAttributesClass the volume is using."),
    _col("Reason", desc="The reason the persistent volume is in its phase."),
    _age(),
    _col("VolumeMode", desc="The volumeMode of the persistent volume.", priority=1),
]

MORE_COLUMNS: dict[str, tuple[list[Obj], Any]] = {
    "statefulsets.apps": (STATEFULSET_COLUMNS, statefulset_cells),
    "daemonsets.apps": (DAEMONSET_COLUMNS, daemonset_cells),
    "jobs.batch": (JOB_COLUMNS, job_cells),
    "cronjobs.batch": (CRONJOB_COLUMNS, cronjob_cells),
    "ingresses.networking.k8s.io": (INGRESS_COLUMNS, ingress_cells),
    "persistentvolumeclaims": (PVC_COLUMNS, pvc_cells),
    "persistentvolumes": (PV_COLUMNS, pv_cells),
}
