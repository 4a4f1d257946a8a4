"""``kubectl describe``-like text for cluster-level and configuration objects: nodes and (masked) secrets."""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

from kubetui.cluster.describe_text import (
    DescribeWriter,
    meta,
    rfc1123z,
    write_annotations,
    write_events,
    write_map,
)
from kubetui.cluster.quantity import Quantity, parse_quantity, pod_requests_and_limits, total
from kubetui.cluster.render import node_roles
from kubetui.cluster.render_time import timestamp_since

Obj = Mapping[str, Any]


def _since(value: Any, now: float) -> str:
    return timestamp_since(value, now)


def describe_node(
    node: Obj,
    pods: Sequence[Obj] | None = None,
    events: Sequence[Obj] | None = None,
    now: float | None = None,
    *,
    lease: Obj | None = None,
    lease_error: str | None = None,
) -> str:
    """``kubectl describe node``: conditions, addresses, resources, the pods on it and what they request."""
    now = time.time() if now is None else now
    w = DescribeWriter()
    m, spec, status = meta(node), node.get("spec") or {}, node.get("status") or {}
    w.line(0, "Name:", m.get("name", ""))
    w.line(0, "Roles:", ",".join(node_roles(node)) or "<none>")
    write_map(w, "Labels", m.get("labels"))
    write_annotations(w, m.get("annotations"))
    w.line(0, "CreationTimestamp:", rfc1123z(m.get("creationTimestamp")))
    taints = spec.get("taints") or []
    if not taints:
        w.line(0, "Taints:", "<none>")
    for i, t in enumerate(taints):
        value = f"={t['value']}" if t.get("value") else ""
        w.line(0, "Taints:" if i == 0 else "", f"{t.get('key')}{value}:{t.get('effect')}")
    w.line(0, "Unschedulable:", "true" if spec.get("unschedulable") else "false")
    if lease is not None:
        lease_spec = lease.get("spec") or {}
        w.write(0, "Lease:")
        w.line(1, "HolderIdentity:", lease_spec.get("holderIdentity") or "<unset>")
        for key, title in (("acquireTime", "AcquireTime"), ("renewTime", "RenewTime")):
            w.line(1, f"{title}:", rfc1123z(lease_spec[key]) if lease_spec.get(key) else "<unset>")
    elif lease_error is not None:
        w.line(0, "Lease:", f"Failed to get lease: {lease_error}")
    conditions = status.get("conditions") or []
    if conditions:
        w.write(0, "Conditions:")
        w.line(1, "Type", "Status", "LastHeartbeatTime", "LastTransitionTime", "Reason", "Message")
        w.line(1, "----", "------", "-----------------", "------------------", "------", "-------")
        for c in conditions:
            # kubectl's "%v \t%v \t%s \t%s \t%v \t%v": the first five cells carry a trailing space.
            w.line(
                1,
                f"{c.get('type', '')} ",
                f"{c.get('status', '')} ",
                f"{rfc1123z(c.get('lastHeartbeatTime'))} ",
                f"{rfc1123z(c.get('lastTransitionTime'))} ",
                f"{c.get('reason', '')} ",
                c.get("message", ""),
            )
    w.write(0, "Addresses:")
    for address in status.get("addresses") or []:
        w.line(1, f"{address.get('type')}:", address.get("address", ""))
    for title in ("capacity", "allocatable"):
        values = status.get(title) or {}
        if values:
            w.write(0, f"{title.capitalize()}:")
        for key in sorted(values):
            w.line(1, f"{key}:", values[key])
    info = status.get("nodeInfo") or {}
    w.write(0, "System Info:")
    for key, title in (
        ("machineID", "Machine ID"),
        ("systemUUID", "System UUID"),
        ("bootID", "Boot ID"),
        ("kernelVersion", "Kernel Version"),
        ("osImage", "OS Image"),
        ("operatingSystem", "Operating System"),
        ("architecture", "Architecture"),
        ("containerRuntimeVersion", "Container Runtime Version"),
        ("kubeletVersion", "Kubelet Version"),
    ):
        w.line(1, f"{title}:", info.get(key, ""))
    if spec.get("podCIDR"):
        w.line(0, "PodCIDR:", spec["podCIDR"])
    if spec.get("podCIDRs"):
        w.line(0, "PodCIDRs:", ",".join(spec["podCIDRs"]))
    if spec.get("providerID"):
        w.line(0, "ProviderID:", spec["providerID"])
    if pods is not None:
        _write_node_pods(w, status.get("allocatable") or {}, pods, now)
    write_events(w, events if events is not None else [], now)
    return w.text()


def _fraction(amount: Quantity, allocatable: Quantity | None) -> int:
    if allocatable is None or allocatable.value == 0:
        return 0
    return int(float(amount.value) / float(allocatable.value) * 100)


def _write_node_pods(
    w: DescribeWriter, allocatable_raw: Mapping[str, Any], pods: Sequence[Obj], now: float
) -> None:
    allocatable = {k: parse_quantity(v) for k, v in allocatable_raw.items()}
    running = [p for p in pods if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
    zero = Quantity(Fraction(0))
    w.line(0, "Non-terminated Pods:", f"({len(running)} in total)")
    w.line(
        1, "Namespace", "Name", "", "CPU Requests", "CPU Limits", "Memory Requests", "Memory Limits", "Age"
    )
    w.line(
        1, "---------", "----", "", "------------", "----------", "---------------", "-------------", "---"
    )
    all_reqs: dict[str, list[Quantity]] = {}
    all_limits: dict[str, list[Quantity]] = {}
    for pod in running:
        reqs, limits = pod_requests_and_limits(pod)
        for name, q in reqs.items():
            all_reqs.setdefault(name, []).append(q)
        for name, q in limits.items():
            all_limits.setdefault(name, []).append(q)
        cells = []
        for name in ("cpu", "memory"):
            for values in (reqs, limits):
                q = values.get(name, zero)
                cells.append(f"{q} ({_fraction(q, allocatable.get(name))}%)")
        pm = meta(pod)
        w.line(
            1,
            pm.get("namespace", ""),
            pm.get("name", ""),
            "",
            *cells,
            _since(pm.get("creationTimestamp"), now),
        )
    w.write(0, "Allocated resources:")
    w.write(1, "(Total limits may be over 100 percent, i.e., overcommitted.)")
    w.line(1, "Resource", "Requests", "Limits")
    w.line(1, "--------", "--------", "------")
    hugepages = sorted(k for k in allocatable if k.startswith("hugepages-"))
    for name in ("cpu", "memory", "ephemeral-storage", *hugepages):
        req, limit = total(all_reqs.get(name, [])), total(all_limits.get(name, []))
        alloc = allocatable.get(name)
        w.line(1, name, f"{req} ({_fraction(req, alloc)}%)", f"{limit} ({_fraction(limit, alloc)}%)")
    standard = {"cpu", "memory", "ephemeral-storage", "pods", "storage"}
    for name in sorted(k for k in allocatable if k not in standard and not k.startswith("hugepages-")):
        w.line(1, name, str(total(all_reqs.get(name, []))), str(total(all_limits.get(name, []))))


def describe_secret(secret: Obj, events: Sequence[Obj] | None = None, now: float | None = None) -> str:
    """Secret metadata and, per key, only the size of the value: ``password:  8 bytes``."""
    w = DescribeWriter()
    m = meta(secret)
    w.line(0, "Name:", m.get("name", ""))
    w.line(0, "Namespace:", m.get("namespace", ""))
    write_map(w, "Labels", m.get("labels"))
    write_annotations(w, m.get("annotations"))
    w.write(0, "")
    w.line(0, "Type:", secret.get("type", "Opaque"))
    w.write(0, "")
    w.write(0, "Data")
    w.write(0, "====")
    data = secret.get("data") or {}
    for key in sorted(data):
        w.line(0, f"{key}:", f"{_decoded_size(data[key])} bytes")
    return w.text()


def _decoded_size(value: Any) -> int:
    try:
        return len(base64.b64decode(str(value or ""), validate=True))
    except (binascii.Error, ValueError):
        return len(str(value or ""))
