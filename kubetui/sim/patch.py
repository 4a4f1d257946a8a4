"""The three patch formats: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and strategic merge patch."""

from __future__ import annotations

import copy
from typing import Any

from kubetui.sim import errors

Obj = dict[str, Any]

# -- JSON patch ---------------------------------------------------------------------------------------------


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise errors.bad_request(f'JSON pointer must be empty or start with a "/": {path!r}')
    return [_unescape(t) for t in path[1:].split("/")]


def _unprocessable(message: str) -> errors.ApiError:
    # kube-apiserver does not pass the JSON patch library's reason on: every failure is its generic 422.
    return errors.rejected()


def _walk(doc: Any, tokens: list[str], op: str, path: str) -> Any:
    for tok in tokens:
        if isinstance(doc, dict):
            if tok not in doc:
                raise _unprocessable(
                    f"{op} operation does not apply: doc is missing path: {path!r}: missing value"
                )
            doc = doc[tok]
        elif isinstance(doc, list):
            try:
                doc = doc[int(tok)]
            except (ValueError, IndexError):
                raise _unprocessable(
                    f"{op} operation does not apply: doc is missing path: {path!r}"
                ) from None
        else:
            raise _unprocessable(f"{op} operation does not apply: doc is missing path: {path!r}")
    return doc


def _get(doc: Any, path: str, op: str) -> Any:
    return _walk(doc, _pointer(path), op, path)


def _remove(doc: Any, path: str, op: str) -> Any:
    tokens = _pointer(path)
    if not tokens:
        raise _unprocessable(f"{op} operation does not apply: cannot remove the whole document")
    parent = _walk(doc, tokens[:-1], op, path)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise _unprocessable(f"{op} operation does not apply: doc is missing key: {path}: missing value")
        return parent.pop(last)
    if isinstance(parent, list):
        try:
            return parent.pop(int(last))
        except (ValueError, IndexError):
            raise _unprocessable(f"{op} operation does not apply: doc is missing index: {path}") from None
    raise _unprocessable(f"{op} operation does not apply: doc is missing path: {path}")


def _add(doc: Any, path: str, value: Any, op: str, replace: bool = False) -> Any:
    tokens = _pointer(path)
    if not tokens:
        return value
    parent = _walk(doc, tokens[:-1], op, path)
    last = tokens[-1]
    if isinstance(parent, dict):
        if replace and last not in parent:
            raise _unprocessable(
                f"replace operation does not apply: doc is missing key: {path}: missing value"
            )
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-" and not replace:
            parent.append(value)
        else:
            try:
                idx = int(last)
                if idx < 0 or idx > len(parent) or (replace and idx == len(parent)):
                    raise IndexError
            except (ValueError, IndexError):
                raise _unprocessable(f"{op} operation does not apply: doc is missing index: {path}") from None
            if replace:
                parent[idx] = value
            else:
                parent.insert(idx, value)
    else:
        raise _unprocessable(f"{op} operation does not apply: doc is missing path: {path}")
    return doc


def json_patch(doc: Obj, ops: Any) -> Obj:
    if not isinstance(ops, list):
        raise errors.bad_request(
            "error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp"
        )
    doc = copy.deepcopy(doc)
    for op in ops:
        if not isinstance(op, dict) or "op" not in op:
            raise errors.bad_request("invalid JSON patch operation: missing 'op'")
        kind = op["op"]
        path = op.get("path")
        if not isinstance(path, str):
            raise errors.bad_request(f"invalid JSON patch operation: {kind} is missing 'path'")
        if kind in ("add", "replace", "test") and "value" not in op:
            raise errors.bad_request(f"invalid JSON patch operation: {kind} is missing 'value'")
        if kind == "add":
            doc = _add(doc, path, copy.deepcopy(op["value"]), kind)
        elif kind == "replace":
            doc = _add(doc, path, copy.deepcopy(op["value"]), kind, replace=True)
        elif kind == "remove":
            _remove(doc, path, kind)
        elif kind in ("move", "copy"):
            src = op.get("from")
            if not isinstance(src, str):
                raise errors.bad_request(f"invalid JSON patch operation: {kind} is missing 'from'")
            value = _remove(doc, src, kind) if kind == "move" else copy.deepcopy(_get(doc, src, kind))
            doc = _add(doc, path, value, kind)
        elif kind == "test":
            if _get(doc, path, kind) != op["value"]:
                raise _unprocessable(f"testing value {path} failed: test failed")
        else:
            raise errors.rejected()
    if not isinstance(doc, dict):
        raise _unprocessable("the patched document is not an object")
    return doc


# -- JSON merge patch ---------------------------------------------------------------------------------------


def merge_patch(doc: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(doc) if isinstance(doc, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


# -- strategic merge patch ----------------------------------------------------------------------------------

# Lists merged by a key, as the Kubernetes types declare with patchMergeKey; all other lists are replaced.
MERGE_KEYS: dict[str, str] = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "env": "name",
    "imagePullSecrets": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "hostAliases": "ip",
    "ownerReferences": "uid",
    "conditions": "type",
    "addresses": "type",
    "taints": "key",
    "resourceClaims": "name",
    "schedulingGates": "name",
    "topologySpreadConstraints": "topologyKey",
    "ports": "port",  # a Service's ports; a container's ports are keyed by containerPort (see below)
}
# Lists of scalars merged as sets.
SET_LISTS = frozenset({"finalizers"})


def _merge_key(field: str, in_container: bool) -> str | None:
    if field == "ports" and in_container:
        return "containerPort"
    return MERGE_KEYS.get(field)


def strategic_merge(doc: Any, patch: Any, *, in_container: bool = False) -> Any:
    """Applies a strategic merge patch; ``$patch``, ``$deleteFromPrimitiveList`` and ``$setElementOrder`` work."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    if patch.get("$patch") == "delete":
        return None
    out = dict(doc) if isinstance(doc, dict) else {}
    orders: dict[str, list[Any]] = {}
    for k, v in patch.items():
        if k.startswith("$setElementOrder/"):
            orders[k.split("/", 1)[1]] = v if isinstance(v, list) else []
            continue
        if k.startswith("$deleteFromPrimitiveList/"):
            field = k.split("/", 1)[1]
            drop = v if isinstance(v, list) else []
            out[field] = [x for x in out.get(field) or [] if x not in drop]
            continue
        if k.startswith("$"):
            continue  # $retainKeys is applied below; other directives are tolerated
        if v is None:
            out.pop(k, None)
            continue
        if isinstance(v, list):
            key = _merge_key(k, in_container)
            child_in_container = k in ("containers", "initContainers", "ephemeralContainers")
            if key is not None and isinstance(out.get(k), list):
                out[k] = _merge_list(out[k], v, key, child_in_container)
            elif key is not None:
                out[k] = _merge_list([], v, key, child_in_container)
            elif k in SET_LISTS:
                cur = list(out.get(k) or [])
                out[k] = cur + [x for x in v if x not in cur]
            else:
                out[k] = copy.deepcopy(v)
        elif isinstance(v, dict):
            merged = strategic_merge(out.get(k), v, in_container=in_container)
            if merged is None:
                out.pop(k, None)
            else:
                out[k] = merged
        else:
            out[k] = v
    for field, order in orders.items():
        if isinstance(out.get(field), list):
            out[field] = _reorder(out[field], order, _merge_key(field, in_container))
    retain = patch.get("$retainKeys")
    if isinstance(retain, list):
        out = {k: v for k, v in out.items() if k in retain}
    return out


def _merge_list(cur: list[Any], patch: list[Any], key: str, in_container: bool) -> list[Any]:
    if any(isinstance(p, dict) and p.get("$patch") == "replace" for p in patch):
        return [copy.deepcopy(p) for p in patch if not (isinstance(p, dict) and "$patch" in p)]
    server_keys = [x.get(key) if isinstance(x, dict) else None for x in cur]
    patched: list[Any] = []  # the patch's items merged with the live ones, in the patch's order
    deleted: set[Any] = set()
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            patched.append(copy.deepcopy(item))
            continue
        if item.get("$patch") == "delete":
            deleted.add(orjson_key(item[key]))
            continue
        idx = next((i for i, x in enumerate(cur) if isinstance(x, dict) and x.get(key) == item[key]), None)
        base = cur[idx] if idx is not None else {}
        patched.append(strategic_merge(base, item, in_container=in_container))
    touched = {orjson_key(p.get(key)) for p in patched if isinstance(p, dict)} | deleted
    server_only = [
        copy.deepcopy(x)
        for x, k in zip(cur, server_keys, strict=True)
        if not (isinstance(x, dict) and orjson_key(k) in touched)
    ]
    return _merge_sorted(patched, server_only, server_keys, key)


def orjson_key(value: Any) -> str:
    return repr(value)


def _merge_sorted(left: list[Any], right: list[Any], server_keys: list[Any], key: str) -> list[Any]:
    """The order kube-apiserver gives a merged list: the patch's items and the live-only ones each keep their own
    order; where both come from the live list they keep its order, and a new item goes before a live-only one."""

    def where(item: Any) -> int:
        ident = item.get(key) if isinstance(item, dict) else None
        return server_keys.index(ident) if ident is not None and ident in server_keys else -1

    out: list[Any] = []
    i = j = 0
    while i < len(left) or j < len(right):
        if i >= len(left):
            out.append(right[j])
            j += 1
        elif j >= len(right):
            out.append(left[i])
            i += 1
        else:
            li, ri = where(left[i]), where(right[j])
            if li >= 0 and ri >= 0 and ri < li:
                out.append(right[j])
                j += 1
            else:
                out.append(left[i])
                i += 1
    return out


def _reorder(items: list[Any], order: list[Any], key: str | None) -> list[Any]:
    def ident(x: Any) -> Any:
        return x.get(key) if key and isinstance(x, dict) else x

    wanted = [ident(o) if isinstance(o, dict) else o for o in order]
    rank = {repr(w): i for i, w in enumerate(wanted)}
    return sorted(items, key=lambda x: rank.get(repr(ident(x)), len(rank)))
