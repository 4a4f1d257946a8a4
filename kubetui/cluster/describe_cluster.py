"""``kubectl describe``-like text for cluster-level and configuration objects: nodes and (masked) secrets."""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Mapping, Sequence
from typing import Any

from kubetui.cluster.describe_text import (
    DescribeWriter,
    meta,
    rfc1123z,
    write_annotations,
    write_events,
    write_map,
)
from kubetui.cluster.render import node_roles
from kubetui.cluster.render_pod import pod_status
from kubetui.cluster.render_time import timestamp_since

Obj = Mapping[str, Any]


def _since(value: Any, now: float) -> str:
    return timestamp_since(value, now)


def describe_node(
    node: Obj,
    pods: Sequence[Obj] | None = None,
    events: Sequence[Obj] | None = None,
    now: float | None = None,
) -> str:
    now = time.time() if now is None else now
    w = DescribeWriter()
    m, spec, status = meta(node), node.get("spec") or {}, node.get("status") or {}
    w.line(0, "Name:", m.get("name", ""))
    w.line(0, "Roles:", ",".join(node_roles(node)) or "<none>")
    write_map(w, "Labels", m.get("labels"))
    write_annotations(w, m.get("annotations"))
    w.line(0, "CreationTimestamp:", rfc1123z(m.get("creationTimestamp")))
    taints = spec.get("taints") or []
    taint_text = [
        f"{t.get('key')}{'=' + t['value'] if t.get('value') else ''}:{t.get('effect')}" for t in taints
    ]
    w.line(0, "Taints:", "\n".join(taint_text) or "<none>")
    w.line(0, "Unschedulable:", "true" if spec.get("unschedulable") else "false")
    conditions = status.get("conditions") or []
    if conditions:
        w.write(0, "Conditions:")
        w.line(1, "Type", "Status", "LastHeartbeatTime", "LastTransitionTime", "Reason", "Message")
        w.line(1, "----", "------", "-----------------", "------------------", "------", "-------")
        for c in conditions:
            w.line(
                1,
                c.get("type", ""),
                c.get("status", ""),
                rfc1123z(c.get("lastHeartbeatTime")),
                rfc1123z(c.get("lastTransitionTime")),
                c.get("reason", ""),
                c.get("message", ""),
            )
    w.write(0, "Addresses:")
    for address in status.get("addresses") or []:
        w.line(1, f"{address.get('type')}:", address.get("address", ""))
    for title in ("capacity", "allocatable"):
        values = status.get(title) or {}
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
    if pods is not None:
        running = [p for p in pods if (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")]
        w.line(0, "Non-terminated Pods:", f"({len(running)} in total)")
        w.line(1, "Namespace", "Name", "Status", "Age")
        w.line(1, "---------", "----", "------", "---")
        for p in running:
            pm = meta(p)
            w.line(
                1,
                pm.get("namespace", ""),
                pm.get("name", ""),
                pod_status(p),
                _since(pm.get("creationTimestamp"), now),
            )
    write_events(w, events if events is not None else [], now)
    return w.text()


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
