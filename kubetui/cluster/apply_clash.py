"""Clashes between the documents of one manifest, which a dry run of each on its own cannot see.

Each document passes its server dry run against the cluster as it is, not as the earlier documents will
leave it. The two clashes found that way: the same workload twice with different selectors (the selector
is immutable, so the second apply fails), and two Services asking for the same nodePort (the second finds
it allocated). Worded as kube-apiserver words those refusals, with the document that causes them.
"""

from __future__ import annotations

from typing import Any

SELECTOR_KINDS = {
    "Deployment": "apps",
    "ReplicaSet": "apps",
    "StatefulSet": "apps",
    "DaemonSet": "apps",
    "Job": "batch",
}


def clashes(documents: list[dict[str, Any]], namespace: str) -> dict[int, str]:
    """1-based document index → why it would fail once the documents before it are applied."""
    found: dict[int, str] = {}
    seen: dict[tuple[str, str, str, str], tuple[int, dict[str, Any]]] = {}
    ports: dict[int, int] = {}
    for index, doc in enumerate(documents, start=1):
        if not isinstance(doc, dict):
            continue
        kind = str(doc.get("kind") or "")
        meta = doc.get("metadata") or {}
        name = str(meta.get("name") or "")
        key = (str(doc.get("apiVersion") or ""), kind, str(meta.get("namespace") or namespace), name)
        raw_spec = doc.get("spec")
        spec: dict[str, Any] = raw_spec if isinstance(raw_spec, dict) else {}
        earlier = seen.get(key)
        if earlier is not None and kind in SELECTOR_KINDS:
            first_index, first = earlier
            old_selector = (first.get("spec") or {}).get("selector")
            if spec.get("selector") != old_selector:
                found[index] = (
                    f'{kind}.{SELECTOR_KINDS[kind]} "{name}" is invalid: spec.selector: Invalid value: '
                    f"{spec.get('selector')}: field is immutable (document {first_index} creates it with "
                    f"selector {old_selector})"
                )
        seen.setdefault(key, (index, doc))
        if kind == "Service" and spec.get("type") in ("NodePort", "LoadBalancer"):
            for i, port in enumerate(spec.get("ports") or []):
                node_port = port.get("nodePort") if isinstance(port, dict) else None
                if not isinstance(node_port, int):
                    continue
                owner = ports.get(node_port)
                if owner is not None and owner != index and index not in found:
                    found[index] = (
                        f'Service "{name}" is invalid: spec.ports[{i}].nodePort: Invalid value: {node_port}: '
                        f"provided port is already allocated (document {owner} takes it)"
                    )
                ports.setdefault(node_port, index)
    return found
