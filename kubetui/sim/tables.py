"""Server-side ``meta.k8s.io/v1 Table`` rendering: the columns kube-apiserver prints for each resource.

Written from Kubernetes' printing rules (status reasons, ages, port strings), independently of the client's
own row rendering, so each can check the other. Cells are computed at the cluster's current (simulated) time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kubetui.sim import crds
from kubetui.sim.resources import ResourceType
from kubetui.sim.tables_core import (
    AGE_DESC,
    DEPLOYMENT_COLUMNS,
    NODE_COLUMNS,
    REPLICASET_COLUMNS,
    SERVICE_COLUMNS,
    _age,
    _col,
    _name,
    deployment_cells,
    node_cells,
    parse_time,
    replicaset_cells,
    service_cells,
    since,
)
from kubetui.sim.tables_more import MORE_COLUMNS
from kubetui.sim.tables_pods import POD_COLUMNS, pod_cells

Obj = dict[str, Any]
# kube-apiserver prints a ConfigMap's Data column as a string, described by the field's own documentation.
CONFIGMAP_DATA_DESC = (
    "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', "
    "'_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys "
    "stored in Data must not overlap with the keys in the BinaryData field, this is enforced during "
    "validation process."
)
Cells = Callable[[Obj, float], list[Any]]


def _more(items: list[str], count: int, limit: int = 3, empty: str = "<unset>") -> str:
    text = ",".join(items[:limit])
    if count > limit:
        return f"{text} + {count - limit} more..."
    return text or empty


def endpoints_cells(obj: Obj, now: float) -> list[Any]:
    subsets = obj.get("subsets") or []
    listed: list[str] = []
    count = 0
    for ss in subsets:
        addresses = [a.get("ip", "") for a in ss.get("addresses") or []]
        ports = ss.get("ports") or []
        if not ports:
            count += len(addresses)
            listed += addresses
            continue
        for p in ports:
            count += len(addresses)
            listed += [
                f"[{ip}]:{p.get('port')}" if ":" in ip else f"{ip}:{p.get('port')}" for ip in addresses
            ]
    text = "<none>" if not subsets else _more(listed, count, empty="")
    return [obj["metadata"]["name"], text, since(obj["metadata"].get("creationTimestamp"), now)]


def endpointslice_cells(obj: Obj, now: float) -> list[Any]:
    ports = [
        str(p["port"]) if p.get("port") is not None else (p.get("name") or "*")
        for p in obj.get("ports") or []
    ]
    addresses = [a for e in obj.get("endpoints") or [] for a in e.get("addresses") or []]
    return [
        obj["metadata"]["name"],
        obj.get("addressType", ""),
        _more(ports, len(ports)),
        _more(addresses, len(addresses)),
        since(obj["metadata"].get("creationTimestamp"), now),
    ]


def event_cells(obj: Obj, now: float) -> list[Any]:
    first = (
        since(obj.get("firstTimestamp"), now)
        if obj.get("firstTimestamp")
        else since(obj.get("eventTime"), now)
    )
    last = since(obj.get("lastTimestamp"), now) if obj.get("lastTimestamp") else first
    count = obj.get("count") or 0
    series = obj.get("series")
    if series:
        last = since(series.get("lastObservedTime"), now)
        count = series.get("count", count)
    elif not count:
        count = 1
    involved = obj.get("involvedObject") or {}
    kind = str(involved.get("kind", "")).lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind
    source = obj.get("source") or {}
    component = source.get("component") or obj.get("reportingComponent") or ""
    instance = source.get("host") or obj.get("reportingInstance") or ""
    source_text = "" if not component else (f"{component}, {instance}" if instance else component)
    return [
        last,
        obj.get("type", ""),
        obj.get("reason", ""),
        target,
        involved.get("fieldPath", ""),
        source_text,
        str(obj.get("message", "")).strip(),
        first,
        int(count),
        obj["metadata"]["name"],
    ]


EVENT_COLUMNS = [
    _col("Last Seen", desc="The time at which the most recent occurrence of this event was recorded."),
    _col("Type", desc="Type of this event (Normal, Warning), new types could be added in the future"),
    _col(
        "Reason",
        desc="This should be a short, machine understandable string that gives the reason for the "
        "transition into the object's current status.",
    ),
    _col("Object", desc="The object that this event is about."),
    _col("Subobject", desc="The field of the object that this event is about.", priority=1),
    _col(
        "Source",
        desc="The component reporting this event. Should be a short machine understandable string.",
        priority=1,
    ),
    _col("Message", desc="A human-readable description of the status of this operation."),
    _col("First Seen", desc="The time at which the event was first recorded.", priority=1),
    _col("Count", "integer", "The number of times this event has occurred.", priority=1),
    _col("Name", desc="Name must be unique within a namespace.", priority=1, fmt="name"),
]


def _simple(*extra: Callable[[Obj], Any]) -> Cells:
    def cells(obj: Obj, now: float) -> list[Any]:
        return [
            obj["metadata"]["name"],
            *(f(obj) for f in extra),
            since(obj["metadata"].get("creationTimestamp"), now),
        ]

    return cells


COLUMNS: dict[str, tuple[list[Obj], Cells]] = {
    "pods": (POD_COLUMNS, pod_cells),
    "deployments.apps": (DEPLOYMENT_COLUMNS, deployment_cells),
    "replicasets.apps": (REPLICASET_COLUMNS, replicaset_cells),
    "services": (SERVICE_COLUMNS, service_cells),
    "nodes": (NODE_COLUMNS, node_cells),
    "events": (EVENT_COLUMNS, event_cells),
    "endpoints": (
        [_name(), _col("Endpoints", desc="Endpoints of the service"), _age()],
        endpoints_cells,
    ),
    "endpointslices.discovery.k8s.io": (
        [
            _name(),
            _col("AddressType", desc="Type of address carried by this EndpointSlice."),
            _col("Ports", desc="Ports exposed by this EndpointSlice."),
            _col("Endpoints", desc="Addresses of the endpoints in this EndpointSlice."),
            _age(),
        ],
        endpointslice_cells,
    ),
    "namespaces": (
        [_name(), _col("Status", desc="The status of the namespace"), _age()],
        _simple(lambda o: (o.get("status") or {}).get("phase", "")),
    ),
    "secrets": (
        [
            _name(),
            _col("Type", desc="The type of the secret"),
            _col("Data", "integer", "The number of entries in the secret"),
            _age(),
        ],
        _simple(lambda o: o.get("type", ""), lambda o: len(o.get("data") or {})),
    ),
    "configmaps": (
        [_name(), _col("Data", "string", CONFIGMAP_DATA_DESC), _age()],
        _simple(lambda o: len(o.get("data") or {}) + len(o.get("binaryData") or {})),
    ),
    "serviceaccounts": (
        [
            _name(),
            _col("Secrets", "integer", "The number of secrets attached to this service account"),
            _age(),
        ],
        _simple(lambda o: len(o.get("secrets") or [])),
    ),
}

COLUMNS.update(MORE_COLUMNS)

DEFAULT = ([_name(), _col("Created At", "date", AGE_DESC)], None)


def _partial(obj: Obj) -> Obj:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]}


def table(
    rtype: str,
    objs: list[Obj],
    include_object: str | None = None,
    now: str | float | None = None,
    rt: ResourceType | None = None,
) -> Obj:
    """A Table of ``objs``; rows carry the object as PartialObjectMetadata unless ``includeObject`` says else."""
    if now is None:
        at = time.time()
    elif isinstance(now, str):
        at = parse_time(now) or time.time()
    else:
        at = now
    columns, cells = COLUMNS.get(rtype, DEFAULT)
    custom: list[list[Any]] | None = None
    if rt is not None and rt.printer_columns is not None:  # a custom resource: its CRD's printer columns
        columns, custom = crds.table_parts(rt, objs, at)
    rows = []
    for index, o in enumerate(objs):
        row: Obj = {
            "cells": custom[index]
            if custom is not None
            else cells(o, at)
            if cells
            else [o["metadata"]["name"], o["metadata"].get("creationTimestamp")]
        }
        if include_object == "Object":
            row["object"] = o
        elif include_object != "None":
            row["object"] = _partial(o)
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {},
        "columnDefinitions": columns,
        "rows": rows,
    }
