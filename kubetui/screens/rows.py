"""What each pane shows: its columns, the cells of one object (status coloured), filters and pod scopes."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text

from kubetui.cluster import render
from kubetui.widgets.resource_table import EMPHASIS
from kubetui.widgets.resource_table import _plain as plain

Obj = Mapping[str, Any]

# Columns each pane shows, picked from kubectl's wide output so the panes stay narrow yet telling.
PANE_COLUMNS: dict[str, tuple[str, ...]] = {
    "nodes": ("NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP"),
    "deployments": ("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "IMAGES"),
    "pods": ("NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"),
    "services": ("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"),
    "replicasets": ("NAME", "DESIRED", "CURRENT", "READY", "AGE", "IMAGES"),
    "events": ("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"),
    "namespaces": ("NAME", "STATUS", "AGE"),
}
# The column that carries the status colour.
STATUS_COLUMN = {
    "pods": "STATUS",
    "nodes": "STATUS",
    "deployments": "READY",
    "replicasets": "READY",
    "services": "EXTERNAL-IP",
    "events": "TYPE",
    "namespaces": "STATUS",
}
NAMESPACED = frozenset({"deployments", "replicasets", "pods", "services", "events"})
TABLE_KINDS = ("nodes", "deployments", "pods", "services")  # the main screen's resource panes


def columns(kind: str, with_namespace: bool) -> tuple[str, ...]:
    cols = PANE_COLUMNS[kind]
    return ("NAMESPACE", *cols) if with_namespace and kind in NAMESPACED else cols


def _indices(kind: str) -> list[int]:
    wide = render.WIDE_COLUMNS[kind]
    return [wide.index(c) for c in PANE_COLUMNS[kind]]


_INDEX_CACHE: dict[str, list[int]] = {}


def cells(
    kind: str,
    obj: Obj,
    now: float,
    with_namespace: bool,
    colours: Mapping[str, str],
    emphasis: bool = False,
) -> tuple[Any, ...]:
    """The row of ``obj`` in its pane; the status cell coloured by the theme, the name bold when emphasised."""
    idx = _INDEX_CACHE.get(kind)
    if idx is None:
        idx = _INDEX_CACHE[kind] = _indices(kind)
    wide = render.row(kind, obj, now, wide=True)
    values: list[Any] = [wide[i] for i in idx]
    status_col = STATUS_COLUMN.get(kind)
    if status_col is not None:
        pos = PANE_COLUMNS[kind].index(status_col)
        colour = colours.get(render.status_class(kind, obj), "")
        values[pos] = Text(str(values[pos]), style=colour)
    if emphasis:
        values[0] = Text(f"{EMPHASIS}{values[0]}", style="bold")
    if with_namespace and kind in NAMESPACED:
        values.insert(0, (obj.get("metadata") or {}).get("namespace", ""))
    return tuple(values)


# -- filters ------------------------------------------------------------------------------------------------


@dataclass
class LabelRequirement:
    key: str
    op: str  # "=", "!=", "exists", "!exists", "in", "notin"
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        if self.op == "exists":
            return self.key in labels
        if self.op == "!exists":
            return self.key not in labels
        if self.op in ("=", "in"):
            return labels.get(self.key) in self.values
        return labels.get(self.key) not in self.values  # != / notin


_SET_RE = re.compile(r"^\s*([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")


def parse_selector(text: str) -> list[LabelRequirement]:
    """kubectl's label selector syntax: ``a=b,c!=d,e,!f,g in (x,y)``; raises ValueError when malformed."""
    parts: list[str] = []
    depth, start = 0, 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    out: list[LabelRequirement] = []
    for raw in parts:
        part = raw.strip()
        if not part:
            raise ValueError(f"empty requirement in selector {text!r}")
        match = _SET_RE.match(part)
        if match:
            values = tuple(v.strip() for v in match.group(3).split(",") if v.strip())
            out.append(LabelRequirement(match.group(1), match.group(2), values))
        elif "!=" in part:
            key, value = part.split("!=", 1)
            out.append(LabelRequirement(key.strip(), "!=", (value.strip(),)))
        elif "=" in part:
            key, value = part.split("==", 1) if "==" in part else part.split("=", 1)
            out.append(LabelRequirement(key.strip(), "=", (value.strip(),)))
        elif part.startswith("!"):
            out.append(LabelRequirement(part[1:].strip(), "!exists"))
        else:
            out.append(LabelRequirement(part, "exists"))
        if not re.fullmatch(r"[\w./-]+", out[-1].key):
            raise ValueError(f"invalid label key {out[-1].key!r}")
    return out


@dataclass
class RowFilter:
    """``/`` filter: text or regex against the row's cells, or ``-l SELECTOR`` against the object's labels."""

    text: str = ""
    pattern: re.Pattern[str] | None = None
    selector: list[LabelRequirement] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> RowFilter:
        text = text.strip()
        if not text:
            return cls()
        if text.startswith("-l"):
            return cls(text=text, selector=parse_selector(text[2:].strip()))
        try:
            pattern = re.compile(text, re.IGNORECASE)
        except re.error:
            pattern = re.compile(re.escape(text), re.IGNORECASE)
        return cls(text=text, pattern=pattern)

    @property
    def active(self) -> bool:
        return bool(self.text)

    def matches(self, obj: Obj, row: tuple[Any, ...]) -> bool:
        if self.selector:
            labels = (obj.get("metadata") or {}).get("labels") or {}
            return all(req.matches(labels) for req in self.selector)
        if self.pattern is None:
            return True
        # Each cell on its own, so that ^ and $ anchor to a name, a status or an IP.
        search = self.pattern.search
        return any(search(plain(c)) for c in row)


# -- pod scopes: which pods the Pods pane shows for the selection -------------------------------------------


def owner_uids(obj: Obj) -> set[str]:
    return {ref.get("uid", "") for ref in (obj.get("metadata") or {}).get("ownerReferences") or []}


def deployment_scope(store: Any, deployment: Obj) -> Callable[[Obj], bool]:
    """Pods owned by the Deployment's ReplicaSets (all revisions, so a rollout shows old and new pods)."""
    uid = (deployment.get("metadata") or {}).get("uid")
    namespace = (deployment.get("metadata") or {}).get("namespace")
    rs_uids = {
        (rs.get("metadata") or {}).get("uid")
        for rs in store.list("replicasets", namespace)
        if uid in owner_uids(rs)
    }
    return lambda pod: bool(owner_uids(pod) & rs_uids)


def replicaset_scope(replicaset: Obj) -> Callable[[Obj], bool]:
    uid = (replicaset.get("metadata") or {}).get("uid")
    return lambda pod: uid in owner_uids(pod)


def node_scope(node: Obj) -> Callable[[Obj], bool]:
    name = (node.get("metadata") or {}).get("name")
    return lambda pod: (pod.get("spec") or {}).get("nodeName") == name


def service_selects(service: Obj) -> Callable[[Obj], bool]:
    """Pods the Service's selector picks in its namespace (a Service without selector picks none)."""
    spec = service.get("spec") or {}
    selector = spec.get("selector") or {}
    namespace = (service.get("metadata") or {}).get("namespace")

    def match(pod: Obj) -> bool:
        meta = pod.get("metadata") or {}
        if not selector or meta.get("namespace") != namespace:
            return False
        labels = meta.get("labels") or {}
        return all(labels.get(k) == v for k, v in selector.items())

    return match
