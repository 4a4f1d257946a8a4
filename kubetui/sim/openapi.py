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
    """The captured schemas of one API group's v1 (empty when none were captured)."""
    path = data_file(group)
    if not path.exists():
        return {}
    data: dict[str, Any] = orjson.loads(gzip.decompress(path.read_bytes()))
    return data
