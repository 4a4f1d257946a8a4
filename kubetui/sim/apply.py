"""Server-side apply: merging an applied configuration into the live object, with conflicts and ``force``."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import orjson

from kubetui.sim import errors, patch
from kubetui.sim.managed import (
    _SERVER_META,
    Obj,
    Path,
    _drop,
    _entries,
    _entry,
    _now,
    _refit,
    _side,
    fieldset,
    value_at,
)
from kubetui.sim.resources import ResourceType

if TYPE_CHECKING:
    from aiohttp import web

    from kubetui.sim.api import Target


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
    """409 worded as kube-apiserver words it: one conflict inline, several grouped by manager."""

    def who(manager: str, api_version: str) -> str:
        return f'"{manager}"' + (f" using {api_version}" if api_version != rt.api_version else "")

    # Causes by field; on one field, in the order of the object's managedFields.
    rank = {m: i for i, (m, _, _) in enumerate(conflicts)}
    ordered = sorted(conflicts, key=lambda c: (_describe(c[2]), rank[c[0]]))
    causes = [
        {"reason": "FieldManagerConflict", "message": f"conflict with {who(m, av)}", "field": _describe(p)}
        for m, av, p in ordered
    ]
    if len(conflicts) == 1:
        m, av, p = conflicts[0]
        text = f"Apply failed with 1 conflict: conflict with {who(m, av)}: {_describe(p)}"
    else:
        lines: list[str] = []
        for manager in sorted({m for m, _, _ in conflicts}):
            mine = [c for c in conflicts if c[0] == manager]
            lines.append(f"conflicts with {who(manager, mine[0][1])}:")
            lines += [f"- {_describe(p)}" for _, _, p in sorted(mine, key=lambda c: _describe(c[2]))]
        text = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
    return errors.ApiError(409, "Conflict", text, causes=causes)


def merge_applied(
    rt: ResourceType, live: Obj, config: Obj, manager: str, force: bool, sub: str = ""
) -> tuple[Obj, list[Obj]]:
    """The object after ``manager`` applies ``config`` to ``live``, and its managedFields; 409 on conflicts."""
    cfg_set = fieldset(config, sub)
    conflicts: list[tuple[str, str, Path]] = []
    others: list[tuple[Obj, set[Path]]] = []
    previous: set[Path] = set()
    for entry, paths in _entries(live):
        if _side(entry) != sub:
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
        raise _conflict_error(rt, live["metadata"]["name"], conflicts)
    body = {k: v for k, v in config.items() if k not in ("apiVersion", "kind")}
    body["metadata"] = {k: v for k, v in (config.get("metadata") or {}).items() if k not in _SERVER_META}
    merged = patch.strategic_merge(copy.deepcopy(live), body)
    out: list[Obj] = []
    owned_elsewhere: set[Path] = set()
    for entry, paths in others:
        if _side(entry) == sub:
            paths = paths - cfg_set if force else paths
            owned_elsewhere |= paths
        if paths:
            out.append(_refit(entry, paths))
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
    if body.get("kind") != rt.kind or body.get("apiVersion") != rt.api_version:
        group, _, version = str(body["apiVersion"]).rpartition("/")
        raise errors.bad_request(f"invalid object type: {group}/{version}, Kind={body['kind']}")
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
