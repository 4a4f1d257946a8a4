"""Label and field selectors as the API server parses and applies them to list and watch requests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kubetui.kinds import labels
from kubetui.kinds.labels import Requirement
from kubetui.sim import errors, selector_syntax

Obj = dict[str, Any]


def parse_label_selector(text: str | None) -> list[Requirement]:
    """Parses a label selector query; bad syntax is a 400 BadRequest, as kube-apiserver answers."""
    try:
        if text:
            selector_syntax.check(text)  # kube-apiserver's wording of what its lexer and parser reject
        return labels.parse(text)
    except selector_syntax.SelectorSyntaxError as exc:
        raise errors.bad_request(str(exc)) from None
    except labels.SelectorError as exc:
        raise errors.bad_request(str(exc)) from None


def labels_match(reqs: list[Requirement], obj: Obj) -> bool:
    if not reqs:
        return True
    return labels.requirements_match(reqs, (obj.get("metadata") or {}).get("labels"))


# -- field selectors --------------------------------------------------------------------------------------

_COMMON = ("metadata.name", "metadata.namespace")

# The fields each resource type lets a field selector use, as kube-apiserver registers them.
SUPPORTED_FIELDS: dict[str, tuple[str, ...]] = {
    "pods": (
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "spec.hostNetwork",
        "status.phase",
        "status.podIP",
        "status.nominatedNodeName",
    ),
    "events": (
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
    ),
    "secrets": ("type",),
    "nodes": ("spec.unschedulable",),
    "namespaces": ("status.phase",),
    "replicasets.apps": ("status.replicas",),
}


def _field_value(obj: Obj, path: str) -> str:
    if path == "source":
        value: Any = (obj.get("source") or {}).get("component", "")
    else:
        value = obj
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return "false" if path in ("spec.hostNetwork", "spec.unschedulable") else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True, slots=True)
class FieldRequirement:
    field: str
    op: str  # "=" or "!="
    value: str


def parse_field_selector(text: str | None, rtype: str) -> list[FieldRequirement]:
    if not text or not text.strip():
        return []
    allowed = _COMMON + SUPPORTED_FIELDS.get(rtype, ())
    out: list[FieldRequirement] = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        if "!=" in part:
            f, v = part.split("!=", 1)
            op = "!="
        elif "==" in part:
            f, v = part.split("==", 1)
            op = "="
        elif "=" in part:
            f, v = part.split("=", 1)
            op = "="
        else:
            raise errors.bad_request(f"invalid selector: '{text}'; can't understand '{part}'")
        f = f.strip()
        if f not in allowed:
            if rtype not in SUPPORTED_FIELDS:  # kinds with only the common fields word it differently
                raise errors.bad_request(
                    f'"{f}" is not a known field selector: only "metadata.name", "metadata.namespace"'
                )
            raise errors.bad_request(f"field label not supported: {f}")
        out.append(FieldRequirement(f, op, v.strip()))
    return out


def fields_match(reqs: list[FieldRequirement], obj: Obj) -> bool:
    for r in reqs:
        value = _field_value(obj, r.field)
        if (value == r.value) != (r.op == "="):
            return False
    return True


def make_filter(
    label_selector: str | None, field_selector: str | None, rtype: str
) -> Callable[[Obj], bool] | None:
    """One predicate for both selectors, or None when neither restricts anything."""
    lreqs = parse_label_selector(label_selector)
    freqs = parse_field_selector(field_selector, rtype)
    if not lreqs and not freqs:
        return None
    return lambda obj: labels_match(lreqs, obj) and fields_match(freqs, obj)
