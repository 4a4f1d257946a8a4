"""What an object holds, read the way its registry entry says: its pod spec, its label selector and its ports.

The one place that knows a Deployment's pods are described under ``spec.template.spec`` and a Pod's under
``spec``, that a Service selects with a plain map and a workload with a LabelSelector, and that a Service's ports
are its own while a workload's are its containers'. Pure functions; no UI and no cluster imports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubetui.kinds import (
    BY_PLURAL,
    PORTS_CONTAINERS,
    PORTS_SERVICE,
    SELECTOR_LABELS,
    SELECTOR_MAP,
    SELECTOR_MATCH,
    KindSpec,
)

Obj = Mapping[str, Any]


def _spec_of(kind: str | KindSpec) -> KindSpec | None:
    return kind if isinstance(kind, KindSpec) else BY_PLURAL.get(kind)


def pod_spec(kind: str | KindSpec, obj: Obj) -> dict[str, Any]:
    """The pod spec of a Pod, or of a workload's pod template; {} for kinds without one."""
    found = _spec_of(kind)
    node: Any = obj
    for key in found.pod_spec if found is not None else ():
        node = node.get(key) if isinstance(node, Mapping) else None
    return dict(node) if found is not None and found.pod_spec and isinstance(node, Mapping) else {}


def containers(kind: str | KindSpec, obj: Obj) -> list[dict[str, Any]]:
    return list(pod_spec(kind, obj).get("containers") or [])


def selector_map(kind: str | KindSpec, obj: Obj) -> dict[str, str]:
    """The plain label map that picks the object's pods (a Pod's own labels, a Service's selector, a
    workload's matchLabels); {} when the kind has none. ``match_expressions`` tells whether it is partial."""
    found = _spec_of(kind)
    how = found.selector if found is not None else ""
    if how == SELECTOR_LABELS:
        return dict((obj.get("metadata") or {}).get("labels") or {})
    spec = obj.get("spec") or {}
    if how == SELECTOR_MAP:
        return dict(spec.get("selector") or {})
    if how == SELECTOR_MATCH:
        return dict((spec.get("selector") or {}).get("matchLabels") or {})
    return {}


def match_expressions(kind: str | KindSpec, obj: Obj) -> list[Any]:
    """A LabelSelector's matchExpressions (which a plain map cannot express); [] for other selectors."""
    found = _spec_of(kind)
    if found is None or found.selector != SELECTOR_MATCH:
        return []
    return list(((obj.get("spec") or {}).get("selector") or {}).get("matchExpressions") or [])


def ports(kind: str | KindSpec, obj: Obj) -> list[tuple[int, str]]:
    """(port, protocol) the object offers: a Service's ports, else its containers' declared ports (kubectl's
    PortsForObject and ProtocolsForObject), in order, repeats kept."""
    found = _spec_of(kind)
    how = found.ports if found is not None else ""
    if how == PORTS_SERVICE:
        return [
            (int(p["port"]), p.get("protocol") or "TCP")
            for p in (obj.get("spec") or {}).get("ports") or []
            if p.get("port")
        ]
    if how == PORTS_CONTAINERS:
        return [
            (int(p["containerPort"]), p.get("protocol") or "TCP")
            for c in containers(found or kind, obj)
            for p in c.get("ports") or []
            if p.get("containerPort")
        ]
    return []


def port_numbers(kind: str | KindSpec, obj: Obj) -> list[int]:
    """The distinct port numbers of ``ports``, first seen first."""
    return list(dict.fromkeys(number for number, _ in ports(kind, obj)))
