"""The OpenAPI v3 schemas captured from a real kube-apiserver (tests/realk8s/capture_openapi.py writes them):
what ``kubectl explain`` prints for the kinds the built-in cluster serves."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path
from typing import Any

import orjson

DATA_DIR = Path(__file__).resolve().parent / "openapi"


def data_file(group: str) -> Path:
    return DATA_DIR / f"{group or 'core'}-v1.json.gz"


@cache
def schemas(group: str) -> dict[str, Any]:
    """The captured schemas of one API group's v1 as stored (empty when none were captured)."""
    path = data_file(group)
    if not path.exists():
        return {}
    data: dict[str, Any] = orjson.loads(gzip.decompress(path.read_bytes()))
    return data


@cache
def document_schemas(group: str) -> dict[str, Any]:
    """What the group's OpenAPI v3 document holds: its own schemas and the core ones they refer to (stored once,
    in the core group's file)."""
    own = dict(schemas(group))
    if not group or not own:
        return own
    core = schemas("")
    todo = [ref for schema in own.values() for ref in _refs(schema)]
    while todo:
        name = todo.pop()
        if name not in own and name in core:
            own[name] = core[name]
            todo += _refs(core[name])
    return own


def _refs(value: Any) -> list[str]:
    out: list[str] = []
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str):
            out.append(ref.rsplit("/", 1)[-1])
        for v in value.values():
            out += _refs(v)
    elif isinstance(value, list):
        for v in value:
            out += _refs(v)
    return out
