"""Field ownership (``metadata.managedFields``) as kube-apiserver's field manager keeps it.

Ownership is tracked per leaf field: list items with a merge key are identified by it (``k:{"name":"web"}``),
sets of scalars by value (``v:"x"``), other lists and atomic fields are leaves. Server-side apply (apply.py)
builds on it.
"""

from __future__ import annotations

from typing import Any

import orjson

from kubetui.sim import patch

Obj = dict[str, Any]
Path = tuple[str, ...]

# Metadata the server owns; never part of anyone's field set.
_SERVER_META = frozenset(
    {
        "name",
        "namespace",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "managedFields",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "selfLink",
    }
)
_MAPS = frozenset(
    {
        "labels",
        "annotations",
        "matchLabels",
        "data",
        "stringData",
        "binaryData",
        "nodeSelector",
        "selector",
        "limits",
        "requests",
    }
)
# Fields that own the existence of the field itself (a "." member) when they have children: those absent from
# an empty object of their type (omitempty maps, lists and pointers), as the real field manager records them.
_DOTTED = _MAPS | {
    "env",
    "envFrom",
    "ports",
    "volumes",
    "volumeMounts",
    "rollingUpdate",
    "imagePullSecrets",
    "tolerations",
    "finalizers",
    "ownerReferences",
    "securityContext",
}
# Atomic fields: owned as one leaf, whatever is inside (label selectors, a Service's selector map).
_ATOMIC = frozenset({"selector", "labelSelector", "namespaceSelector"})
# Fields the API server or its admission plugins fill in on create; nobody owns them unless the client sent them.
_SERVER_FILLED: dict[str, frozenset[str]] = {
    "namespaces": frozenset({"finalizers"}),
    "pods": frozenset(
        {
            "preemptionPolicy",
            "priority",
            "serviceAccount",
            "serviceAccountName",
            "tolerations",
            "volumes",
            "volumeMounts",
        }
    ),
    "services": frozenset({"clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy", "nodePort"}),
}
_MISSING = object()


def _port_token(item: Any, in_container: bool) -> str | None:
    """Ports are keyed by port (or containerPort) and protocol, which defaults to TCP."""
    key = "containerPort" if in_container else "port"
    if not isinstance(item, dict) or key not in item:
        return None
    return "k:" + orjson.dumps({key: item[key], "protocol": item.get("protocol") or "TCP"}).decode()


def _matches(item: Any, want: dict[str, Any]) -> bool:
    if not isinstance(item, dict):
        return False
    return all(item.get(a, "TCP" if a == "protocol" else None) == b for a, b in want.items())


def client_fields(rtype: str, paths: set[Path], sent: Obj) -> set[Path]:
    """``paths`` without the fields the server filled in on create (those ``sent`` did not have)."""
    filled = _SERVER_FILLED.get(rtype)
    if not filled:
        return paths
    if rtype == "namespaces":  # its finalizer is set before ``sent`` is taken; clients never send one
        return {p for p in paths if p[:2] != ("f:spec", "f:finalizers")}
    return {
        p
        for p in paths
        if not (any(t[2:] in filled for t in p if t.startswith("f:")) and value_at(sent, p) is _MISSING)
    }


def _token_for_item(item: Any, key: str | None) -> str | None:
    if key and isinstance(item, dict) and key in item:
        return "k:" + orjson.dumps({key: item[key]}).decode()
    return None


def _walk(value: Any, path: Path, out: set[Path], in_container: bool) -> None:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            _walk_field(k, v, path, out, in_container)
    else:
        out.add(path)


def _walk_field(k: str, v: Any, path: Path, out: set[Path], in_container: bool) -> None:
    here = (*path, f"f:{k}")
    if k in _ATOMIC:
        out.add(here)
        return
    if k == "ports" and isinstance(v, list) and v and all(_port_token(i, in_container) for i in v):
        for item in v:
            _walk(item, (*here, str(_port_token(item, in_container))), out, False)
        return
    if isinstance(v, list):
        key = patch._merge_key(k, in_container)
        if key is not None and all(_token_for_item(i, key) for i in v) and v:
            child_c = k in ("containers", "initContainers", "ephemeralContainers")
            for item in v:
                token = _token_for_item(item, key)
                assert token is not None
                _walk(item, (*here, token), out, child_c)
            return
        if k in patch.SET_LISTS and v:
            for item in v:
                out.add((*here, "v:" + orjson.dumps(item).decode()))
            return
        out.add(here)
        return
    _walk(v, here, out, in_container)


def fieldset(obj: Obj, subresource: str = "") -> set[Path]:
    """The leaf fields an object sets (status only for the status subresource, never status otherwise)."""
    out: set[Path] = set()
    for k, v in obj.items():
        if k in ("apiVersion", "kind"):
            continue
        if (k == "status") != (subresource == "status"):
            continue
        if k == "metadata" and isinstance(v, dict):
            for mk, mv in v.items():
                if mk not in _SERVER_META:
                    _walk_field(mk, mv, ("f:metadata",), out, False)
            continue
        _walk_field(k, v, (), out, False)
    return out


def value_at(obj: Any, path: Path) -> Any:
    cur = obj
    for tok in path:
        if tok.startswith("f:"):
            if not isinstance(cur, dict) or tok[2:] not in cur:
                return _MISSING
            cur = cur[tok[2:]]
        elif tok.startswith("k:"):
            want = orjson.loads(tok[2:])
            if not isinstance(cur, list):
                return _MISSING
            cur = next((i for i in cur if _matches(i, want)), _MISSING)
            if cur is _MISSING:
                return _MISSING
        elif tok.startswith("v:"):
            return True if isinstance(cur, list) and orjson.loads(tok[2:]) in cur else _MISSING
    return cur


def _remove_at(obj: Any, path: Path) -> None:
    parent = value_at(obj, path[:-1]) if len(path) > 1 else obj
    tok = path[-1]
    if tok.startswith("f:") and isinstance(parent, dict):
        parent.pop(tok[2:], None)
    elif tok.startswith("k:") and isinstance(parent, list):
        want = orjson.loads(tok[2:])
        parent[:] = [i for i in parent if not _matches(i, want)]
    elif tok.startswith("v:") and isinstance(parent, list):
        value = orjson.loads(tok[2:])
        parent[:] = [i for i in parent if i != value]


def _owned_under(prefix: Path, kept: set[Path]) -> bool:
    return any(k[: len(prefix)] == prefix for k in kept)


def _drop(obj: Obj, path: Path, kept: set[Path]) -> None:
    """Removes a field the applier gave up: a whole list item if nobody owns anything in it, and then any
    list or map left empty that nobody owns."""
    target = path
    for depth in range(2, len(path)):
        prefix = path[:depth]
        if prefix[-1].startswith("k:") and not _owned_under(prefix, kept):
            target = prefix
            break
    _remove_at(obj, target)
    for depth in range(len(target) - 1, 1, -1):
        prefix = target[:depth]
        value = value_at(obj, prefix)
        if _owned_under(prefix, kept) or not isinstance(value, (dict, list)) or value:
            return
        _remove_at(obj, prefix)


def to_fields_v1(paths: set[Path], operation: str = "Update", dots: set[Path] | None = None) -> Obj:
    """The fieldsV1 tree. An Update owns the existence of the maps and lists it created ("."): by default all
    it sets, or exactly ``dots``; an Apply owns only what its configuration lists, and list items as wholes."""
    root: Obj = {}
    dotted = _DOTTED if operation != "Apply" else frozenset()
    for p in sorted(paths):
        node = root
        for i, tok in enumerate(p):
            node = node.setdefault(tok, {})
            if tok.startswith("k:") or (
                tok[2:] in dotted and i < len(p) - 1 and (dots is None or p[: i + 1] in dots)
            ):
                node.setdefault(".", {})
    return root


def dots_of(tree: Any, path: Path = ()) -> set[Path]:
    """The fields an entry owns the existence of (those with a "." member)."""
    out: set[Path] = set()
    if isinstance(tree, dict):
        if "." in tree and path:
            out.add(path)
        for k, v in tree.items():
            if k != ".":
                out |= dots_of(v, (*path, k))
    return out


def _refit(entry: Obj, paths: set[Path]) -> Obj:
    """An existing entry cut down to ``paths``, keeping the "." members it had."""
    op = entry.get("operation", "Update")
    return {**entry, "fieldsV1": to_fields_v1(paths, op, dots_of(entry.get("fieldsV1")))}


def from_fields_v1(tree: Any, path: Path = ()) -> set[Path]:
    out: set[Path] = set()
    if not isinstance(tree, dict):
        return out
    children = [k for k in tree if k != "."]
    if not children and path:
        out.add(path)
    for k in children:
        out |= from_fields_v1(tree[k], (*path, k))
    return out


def _entry(manager: str, operation: str, api_version: str, paths: set[Path], now: str, sub: str) -> Obj:
    entry: Obj = {
        "manager": manager,
        "operation": operation,
        "apiVersion": api_version,
        "time": now,
        "fieldsType": "FieldsV1",
        "fieldsV1": to_fields_v1(paths, operation),
    }
    if sub:
        entry["subresource"] = sub
    return entry


def track_scale(old: Obj, new: Obj, manager: str, api_version: str) -> list[Obj]:
    """managedFields after a write through /scale: nobody keeps spec.replicas but the scaler, and the scaler
    only when the count changed (in an entry of its own, for the scale subresource)."""
    replicas: Path = ("f:spec", "f:replicas")
    out: list[Obj] = []
    for entry, paths in _entries(old):
        if entry.get("manager") == manager and entry.get("subresource") == "scale":
            continue
        if replicas in paths:
            paths = paths - {replicas}
            if not paths:
                continue
            entry = _refit(entry, paths)
        out.append(entry)
    if value_at(old, replicas) != value_at(new, replicas):
        out.append(_entry(manager, "Update", api_version, {replicas}, _now(), "scale"))
    return out


def _side(entry: Obj) -> str:
    """Which part of the object an entry's fields are in: a write through /scale owns spec fields too."""
    sub = str(entry.get("subresource", ""))
    return "" if sub == "scale" else sub


def settle(old: Obj | None, new: Obj, manager: str, managed: list[Obj]) -> list[Obj]:
    """managedFields as kube-apiserver stores them: the writer's time is kept when the object itself did not
    change (absent for a manager that is new then), and entries are sorted by operation, time and manager."""
    if old is not None and _content(old) == _content(new):
        before = {
            (e.get("manager"), e.get("operation"), e.get("subresource", "")): e.get("time")
            for e in _meta_entries(old)
        }
        settled = []
        for e in managed:
            if e.get("manager") == manager:
                e = dict(e)
                previous = before.get((e.get("manager"), e.get("operation"), e.get("subresource", "")))
                if previous:
                    e["time"] = previous
                else:
                    e.pop("time", None)
            settled.append(e)
        managed = settled

    def order(e: Obj) -> tuple[str, str, str, str, str]:
        return (
            str(e.get("operation", "")),
            str(e.get("time", "")),
            str(e.get("manager", "")),
            str(e.get("apiVersion", "")),
            str(e.get("subresource", "")),
        )

    return sorted(managed, key=order)


def _meta_entries(obj: Obj) -> list[Obj]:
    return list(obj["metadata"].get("managedFields") or [])


def _content(obj: Obj) -> Obj:
    meta = {k: v for k, v in obj["metadata"].items() if k not in ("managedFields", "resourceVersion")}
    return {**obj, "metadata": meta}


def _entries(obj: Obj | None) -> list[tuple[Obj, set[Path]]]:
    if obj is None:
        return []
    return [(e, from_fields_v1(e.get("fieldsV1"))) for e in (obj["metadata"].get("managedFields") or [])]


def _now() -> str:
    from kubetui.sim.store import now_rfc3339

    return now_rfc3339()


def track_update(
    old: Obj | None, new: Obj, manager: str, api_version: str, sub: str = "", *, sent: Obj | None = None
) -> list[Obj]:
    """managedFields after an update by ``manager``: it owns what it changed; others lose those fields.

    On create, ``sent`` is the object as the client sent it: what the server filled in is nobody's."""
    new_set = fieldset(new, sub)
    if old is None:
        changed, removed = new_set, set()
        if sent is not None:
            changed = client_fields(_rtype_of(new), changed, sent)
    else:
        old_set = fieldset(old, sub)
        changed = {p for p in new_set if value_at(old, p) != value_at(new, p)}
        removed = old_set - new_set
    out: list[Obj] = []
    mine: set[Path] = set()
    my_dots: set[Path] = set()
    for entry, paths in _entries(old):
        if (
            entry.get("manager") == manager
            and entry.get("operation") == "Update"
            and entry.get("subresource", "") == sub
        ):
            mine = paths - removed
            my_dots = dots_of(entry.get("fieldsV1"))
            continue
        if _side(entry) == sub:
            paths = paths - changed - removed
        if paths:
            out.append(_refit(entry, paths))
        elif entry.get("subresource", "") != sub:
            out.append(entry)
    mine |= changed
    if mine:
        entry = _entry(manager, "Update", api_version, mine, _now(), sub)
        if old is not None:
            # An update owns the existence of the maps and lists it added, besides those it owned already.
            added = {
                p[: i + 1] for p in mine for i in range(len(p) - 1) if value_at(old, p[: i + 1]) is _MISSING
            }
            entry["fieldsV1"] = to_fields_v1(mine, "Update", my_dots | added)
        out.append(entry)
    return out


def _rtype_of(obj: Obj) -> str:
    from kubetui.sim.resources import by_kind

    rt = by_kind(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
    return rt.key if rt is not None else ""
