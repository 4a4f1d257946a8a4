"""Server-side ``meta.k8s.io/v1 Table`` rendering: the columns kube-apiserver prints for each resource."""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]


def _col(name: str, type_: str = "string", fmt: str = "", desc: str = "", priority: int = 0) -> Obj:
    return {"name": name, "type": type_, "format": fmt, "description": desc, "priority": priority}


def _partial(obj: Obj) -> Obj:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]}


def table(rtype: str, objs: list[Obj], include_object: str | None = None) -> Obj:
    cols = [_col("Name", fmt="name"), _col("Created At", "date")]
    rows = []
    for o in objs:
        row: Obj = {"cells": [o["metadata"]["name"], o["metadata"].get("creationTimestamp")]}
        if include_object != "None":
            row["object"] = o if include_object == "Object" else _partial(o)
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {},
        "columnDefinitions": cols,
        "rows": rows,
    }
