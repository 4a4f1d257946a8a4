"""Label and field selectors as the API server parses and applies them to list and watch requests."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kubetui.sim import errors

Obj = dict[str, Any]

_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")


@dataclass(frozen=True, slots=True)
class Requirement:
    """One clause of a label selector: key, operator (=, !=, in, notin, exists, !) and values."""

    key: str
    op: str
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        if self.op == "exists":
            return self.key in labels
        if self.op == "!":
            return self.key not in labels
        if self.op in ("=", "in"):
            return self.key in labels and labels[self.key] in self.values
        # != and notin also match objects that lack the key, as in Kubernetes.
        return self.key not in labels or labels[self.key] not in self.values


def _split_top(text: str) -> list[str]:
    """Splits on commas that are not inside parentheses."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _check_value(value: str, key: str) -> str:
    if len(value) > 63 or not _LABEL_VALUE.match(value):
        raise errors.bad_request(
            f"unable to parse requirement: values[0][{key}]: Invalid value: {value!r}: a valid label must be "
            "an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end "
            "with an alphanumeric character"
        )
    return value


_SET_RE = re.compile(r"^(\S+)\s+(in|notin)\s*\((.*)\)$")


def parse_label_selector(text: str | None) -> list[Requirement]:
    """Parses ``a=b,c!=d,e in (x,y),f notin (z),g,!h``; raises 400 BadRequest on bad syntax."""
    if not text or not text.strip():
        return []
    reqs: list[Requirement] = []
    for part in _split_top(text):
        if not part:
            raise errors.bad_request(
                f"unable to parse requirement: found '', expected: identifier in {text!r}"
            )
        m = _SET_RE.match(part)
        if m:
            key, op, raw = m.groups()
            values = tuple(_check_value(v.strip(), key) for v in raw.split(",") if v.strip())
            reqs.append(Requirement(key, op, values))
        elif "!=" in part:
            key, value = (s.strip() for s in part.split("!=", 1))
            reqs.append(Requirement(key, "!=", (_check_value(value, key),)))
        elif "==" in part:
            key, value = (s.strip() for s in part.split("==", 1))
            reqs.append(Requirement(key, "=", (_check_value(value, key),)))
        elif "=" in part:
            key, value = (s.strip() for s in part.split("=", 1))
            reqs.append(Requirement(key, "=", (_check_value(value, key),)))
        elif part.startswith("!"):
            reqs.append(Requirement(part[1:].strip(), "!"))
        elif re.match(r"^[A-Za-z0-9][-A-Za-z0-9_./]*$", part):
            reqs.append(Requirement(part, "exists"))
        else:
            raise errors.bad_request(
                f"unable to parse requirement: found {part!r}, expected: in, notin, =, ==, !="
            )
        if not reqs[-1].key:
            raise errors.bad_request(
                f"unable to parse requirement: found '', expected: identifier in {text!r}"
            )
    return reqs


def labels_match(reqs: list[Requirement], obj: Obj) -> bool:
    if not reqs:
        return True
    labels = (obj.get("metadata") or {}).get("labels") or {}
    return all(r.matches(labels) for r in reqs)


def selector_matches(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """Matches a LabelSelector object (matchLabels + matchExpressions); an empty selector matches all."""
    if not selector:
        return True
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        op = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}.get(
            expr.get("operator"), ""
        )
        if not Requirement(expr.get("key", ""), op, tuple(expr.get("values") or ())).matches(labels):
            return False
    return True


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
