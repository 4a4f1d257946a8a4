"""Field ownership (``metadata.managedFields``) and server-side apply with conflicts and ``force``.

Ownership is tracked per leaf field, as the real field manager does: list items with a merge key are
identified by it (``k:{"name":"web"}``), sets of scalars by value (``v:"x"``), other lists are atomic leaves.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import orjson

from kubetui.sim import errors, patch
from kubetui.sim.resources import ResourceType

if TYPE_CHECKING:
    from aiohttp import web

    from kubetui.sim.api import Target

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
        "generateName",
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
_MISSING = object()


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
            cur = next(
                (i for i in cur if isinstance(i, dict) and all(i.get(a) == b for a, b in want.items())),
                _MISSING,
            )
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
        parent[:] = [
            i for i in parent if not (isinstance(i, dict) and all(i.get(a) == b for a, b in want.items()))
        ]
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


def to_fields_v1(paths: set[Path]) -> Obj:
    root: Obj = {}
    for p in sorted(paths):
        node = root
        for i, tok in enumerate(p):
            node = node.setdefault(tok, {})
            if tok.startswith("k:") or (tok[2:] in _MAPS and i < len(p) - 1):
                node.setdefault(".", {})
    return root


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
        "fieldsV1": to_fields_v1(paths),
    }
    if sub:
        entry["subresource"] = sub
    return entry


def _entries(obj: Obj | None) -> list[tuple[Obj, set[Path]]]:
    if obj is None:
        return []
    return [(e, from_fields_v1(e.get("fieldsV1"))) for e in (obj["metadata"].get("managedFields") or [])]


def _now() -> str:
    from kubetui.sim.store import now_rfc3339

    return now_rfc3339()


def track_update(old: Obj | None, new: Obj, manager: str, api_version: str, sub: str = "") -> list[Obj]:
    """managedFields after an update by ``manager``: it owns what it changed; others lose those fields."""
    new_set = fieldset(new, sub)
    if old is None:
        changed, removed = new_set, set()
    else:
        old_set = fieldset(old, sub)
        changed = {p for p in new_set if value_at(old, p) != value_at(new, p)}
        removed = old_set - new_set
    out: list[Obj] = []
    mine: set[Path] = set()
    for entry, paths in _entries(old):
        if (
            entry.get("manager") == manager
            and entry.get("operation") == "Update"
            and entry.get("subresource", "") == sub
        ):
            mine = paths - removed
            continue
        if entry.get("subresource", "") == sub:
            paths = paths - changed - removed
        if paths:
            out.append({**entry, "fieldsV1": to_fields_v1(paths)})
        elif entry.get("subresource", "") != sub:
            out.append(entry)
    mine |= changed
    if mine:
        out.append(_entry(manager, "Update", api_version, mine, _now(), sub))
    return out


def _describe(path: Path) -> str:
    text = ""
    for tok in path:
        if tok.startswith("f:"):
            text += "." + tok[2:]
        elif tok.startswith("k:"):
            text += (
                "["
                + ",".join(f"{k}={orjson.dumps(v).decode()}" for k, v in orjson.loads(tok[2:]).items())
                + "]"
            )
        elif tok.startswith("v:"):
            text += f"[={tok[2:]}]"
    return text


def _conflict_error(rt: ResourceType, name: str, conflicts: list[tuple[str, str, Path]]) -> errors.ApiError:
    causes = [
        {
            "reason": "FieldManagerConflict",
            "message": f'conflict with "{m}" using {av}',
            "field": _describe(p),
        }
        for m, av, p in conflicts
    ]
    if len(conflicts) == 1:
        m, av, p = conflicts[0]
        text = f'Apply failed with 1 conflict: conflict with "{m}" using {av}: {_describe(p)}'
    else:
        lines = "\n".join(f'conflict with "{m}" using {av}: {_describe(p)}' for m, av, p in conflicts)
        text = f"Apply failed with {len(conflicts)} conflicts: {lines}"
    return errors.ApiError(409, "Conflict", text, kind=rt.plural, name=name, group=rt.group, causes=causes)


def merge_applied(
    rt: ResourceType, live: Obj, config: Obj, manager: str, force: bool, sub: str = ""
) -> tuple[Obj, list[Obj]]:
    """The object after ``manager`` applies ``config`` to ``live``, and its managedFields; 409 on conflicts."""
    cfg_set = fieldset(config, sub)
    conflicts: list[tuple[str, str, Path]] = []
    others: list[tuple[Obj, set[Path]]] = []
    previous: set[Path] = set()
    for entry, paths in _entries(live):
        if entry.get("subresource", "") != sub:
            others.append((entry, paths))
            continue
        if entry.get("manager") == manager and entry.get("operation") == "Apply":
            previous = paths
            continue
        others.append((entry, paths))
        for p in paths & cfg_set:
            if value_at(live, p) != value_at(config, p):
                conflicts.append((entry["manager"], entry.get("apiVersion", rt.api_version), p))
    if conflicts and not force:
        raise _conflict_error(rt, live["metadata"]["name"], sorted(conflicts, key=lambda c: _describe(c[2])))
    body = {k: v for k, v in config.items() if k not in ("apiVersion", "kind")}
    body["metadata"] = {k: v for k, v in (config.get("metadata") or {}).items() if k not in _SERVER_META}
    merged = patch.strategic_merge(copy.deepcopy(live), body)
    out: list[Obj] = []
    owned_elsewhere: set[Path] = set()
    for entry, paths in others:
        if entry.get("subresource", "") == sub:
            paths = paths - cfg_set if force else paths
            owned_elsewhere |= paths
        if paths:
            out.append({**entry, "fieldsV1": to_fields_v1(paths)})
    kept = cfg_set | owned_elsewhere
    for p in sorted(previous - kept, key=len):
        _drop(merged, p, kept)
    out.append(_entry(manager, "Apply", rt.api_version, cfg_set, _now(), sub))
    return merged, out


async def server_side_apply(
    api: Any, request: web.Request, t: Target, body: Any, dry: bool
) -> web.StreamResponse:
    from kubetui.sim import api_write

    rt = t.rt
    manager = request.query.get("fieldManager")
    if not manager:
        raise errors.invalid(
            "PatchOptions",
            "",
            [("FieldValueRequired", "fieldManager", "Required value: is required for apply patch")],
            "meta.k8s.io",
        )
    if not isinstance(body, dict):
        raise errors.bad_request("error decoding YAML: the apply configuration is not an object")
    if not body.get("apiVersion") or not body.get("kind"):
        raise errors.bad_request("invalid object type: /, Kind=")
    force = request.query.get("force") in ("true", "1")
    config = api_write._check_identity(rt, copy.deepcopy(body), t, for_update=True)
    api_write.check_fields(request, rt, config)
    live = api.store.get(rt.key, t.namespace or "", t.name or "")
    sub = "status" if t.sub == "status" else ""
    if live is None:
        if sub:
            raise errors.not_found(rt.plural, t.name or "", rt.group)
        api_write._check_namespace(api, rt, t.namespace)
        obj = api_write.prepare_new(api, rt, copy.deepcopy(config))
        managed = [_entry(manager, "Apply", rt.api_version, fieldset(config), _now(), "")]
        return await api_write.store_new(api, request, rt, obj, dry, manager, managed=managed)
    merged, managed = merge_applied(rt, live, config, manager, force, sub)
    merged["metadata"]["resourceVersion"] = live["metadata"]["resourceVersion"]
    return await api_write.store_update(api, request, t, live, merged, dry, managed=managed)
