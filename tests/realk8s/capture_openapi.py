"""Captures the OpenAPI v3 schemas ``kubectl explain`` needs from the real control plane, for the built-in
cluster to serve (kubetui/sim/openapi/, read by kubetui/sim/openapi.py).

    python3 -m tests.realk8s.capture_openapi     start the real stack, capture, stop it

Only the schemas reachable from the kinds the built-in cluster serves are kept, and of each schema only what
explain prints (types, descriptions, fields, enums, required fields and the kind it describes).
"""

from __future__ import annotations

import gzip
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from kubetui.sim import openapi
from kubetui.sim.openapi import DATA_DIR, data_file
from kubetui.sim.resources import RESOURCE_TYPES

KEPT = (
    "type",
    "description",
    "properties",
    "items",
    "additionalProperties",
    "allOf",
    "$ref",
    "required",
    "enum",
    "format",
    "x-kubernetes-group-version-kind",
    # What kubectl reads to build strategic merge patches, kept so it behaves as against the real server.
    "x-kubernetes-patch-strategy",
    "x-kubernetes-patch-merge-key",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
)


def _refs(value: Any) -> set[str]:
    out: set[str] = set()
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            out.add(ref.rsplit("/", 1)[1])
        for v in value.values():
            out |= _refs(v)
    elif isinstance(value, list):
        for v in value:
            out |= _refs(v)
    return out


def _trim(schema: Any) -> Any:
    """A schema with only the keys explain and kubectl's patch logic read; nested schemas trimmed alike."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key in KEPT:
        if key not in schema:
            continue
        value = schema[key]
        if key == "properties":
            out[key] = {name: _trim(prop) for name, prop in value.items()}
        elif key in ("items", "additionalProperties"):
            out[key] = _trim(value)
        elif key == "allOf":
            out[key] = [_trim(v) for v in value]
        else:
            out[key] = value
    return out


def reachable(schemas: dict[str, Any], roots: list[str]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    todo = [r for r in roots if r in schemas]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen[name] = _trim(schemas[name])
        todo += [r for r in _refs(schemas[name]) if r in schemas and r not in seen]
    return dict(sorted(seen.items()))


def _kind_schemas(schemas: dict[str, Any], group: str) -> list[str]:
    served = {(rt.group, rt.kind) for rt in RESOURCE_TYPES if rt.group == group}
    names = []
    for name, schema in schemas.items():
        for gvk in schema.get("x-kubernetes-group-version-kind") or []:
            if (gvk.get("group", ""), gvk.get("kind")) in served and gvk.get("version") == "v1":
                names.append(name)
    return names


def capture(stack: Any) -> dict[str, int]:
    sizes: dict[str, int] = {}
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    openapi.schemas.cache_clear()
    for group in sorted({rt.group for rt in RESOURCE_TYPES}):  # the core group ("") first
        path = "/openapi/v3/" + (f"apis/{group}/v1" if group else "api/v1")
        doc = stack.api("GET", path, timeout=30)
        schemas = doc["components"]["schemas"]
        kept = reachable(schemas, _kind_schemas(schemas, group))
        if group:  # schemas the core group's file has already (PodSpec and the like) are not stored twice
            core = set(openapi.schemas(""))
            kept = {name: schema for name, schema in kept.items() if name not in core}
        raw = json.dumps(kept, separators=(",", ":"), sort_keys=True).encode()
        target = data_file(group)
        target.write_bytes(gzip.compress(raw, 9, mtime=0))
        sizes[target.name] = target.stat().st_size
    return sizes


def main() -> int:
    from tests.realk8s import build
    from tests.realk8s.stack import Stack

    with tempfile.TemporaryDirectory(prefix="kubetui-openapi-") as tmp:
        stack = Stack(Path(tmp) / "realk8s", nodes=1, bin_dir=build.ensure_built(print))
        stack.up(log=print)
        try:
            for name, size in capture(stack).items():
                print(f"{name}: {size} bytes")
        finally:
            stack.down()
    return 0


if __name__ == "__main__":
    sys.exit(main())
