"""Label selectors, parsed, matched and printed once, with Kubernetes' semantics.

Used by the row filter (``/-l app=web``), the relations, the client's queries and the built-in cluster.
A ``LabelSelector`` object follows ``metav1.LabelSelectorAsSelector``: a missing (nil) selector selects
nothing, an empty one (``{}``) selects everything. A Service's plain map selects nothing when empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_KEY = re.compile(r"^[A-Za-z0-9][-A-Za-z0-9_./]*$")
_SET_RE = re.compile(r"^(\S+)\s+(in|notin)\s*\((.*)\)$")
_OPERATORS = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!"}


class SelectorError(ValueError):
    """A label selector that does not parse; the text is the API server's message."""


@dataclass(frozen=True, slots=True)
class Requirement:
    """One clause of a label selector: key, operator (=, !=, in, notin, exists, !) and values."""

    key: str
    op: str
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
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
        raise SelectorError(
            f"unable to parse requirement: values[0][{key}]: Invalid value: {value!r}: a valid label must be "
            "an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end "
            "with an alphanumeric character"
        )
    return value


def parse(text: str | None) -> list[Requirement]:
    """Parses ``a=b,c!=d,e in (x,y),f notin (z),g,!h``; raises SelectorError on bad syntax."""
    if not text or not text.strip():
        return []
    reqs: list[Requirement] = []
    for part in _split_top(text):
        if not part:
            raise SelectorError(f"unable to parse requirement: found '', expected: identifier in {text!r}")
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
        elif _KEY.match(part):
            reqs.append(Requirement(part, "exists"))
        else:
            raise SelectorError(
                f"unable to parse requirement: found {part!r}, expected: in, notin, =, ==, !="
            )
        if not reqs[-1].key:
            raise SelectorError(f"unable to parse requirement: found '', expected: identifier in {text!r}")
    return reqs


def requirements_match(reqs: list[Requirement], labels: Mapping[str, str] | None) -> bool:
    labels = labels or {}
    return all(r.matches(labels) for r in reqs)


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str] | None) -> bool:
    """A LabelSelector object against labels: nil selects nothing, ``{}`` everything (as Kubernetes)."""
    if selector is None:
        return False
    labels = labels or {}
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        op = _OPERATORS.get(expr.get("operator", ""), "")
        if not op or not Requirement(expr.get("key", ""), op, tuple(expr.get("values") or ())).matches(
            labels
        ):
            return False
    return True


def map_matches(selector: Mapping[str, str] | None, labels: Mapping[str, str] | None) -> bool:
    """A Service-style selector (plain map); an empty or missing one selects nothing."""
    if not selector:
        return False
    labels = labels or {}
    return all(labels.get(k) == v for k, v in selector.items())


def selector_string(selector: Mapping[str, Any] | None) -> str:
    """``metav1.LabelSelectorAsSelector(...).String()``: requirements sorted by key; "" for an empty one."""
    if not selector:
        return ""
    reqs: list[tuple[str, str]] = [(k, f"{k}={v}") for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or []:
        key, op = expr.get("key", ""), expr.get("operator", "")
        values = ",".join(sorted(expr.get("values") or []))
        text = {
            "In": f"{key} in ({values})",
            "NotIn": f"{key} notin ({values})",
            "Exists": key,
            "DoesNotExist": f"!{key}",
        }.get(op, f"{key} {op} ({values})")
        reqs.append((key, text))
    reqs.sort(key=lambda r: r[0])  # labels.Selector.Add orders by key; a stable sort keeps the rest as given
    return ",".join(text for _, text in reqs)
