"""CustomResourceDefinitions: a CRD creates a type the built-in cluster then serves under its group, with
discovery and a Table of its ``additionalPrinterColumns`` as kube-apiserver builds it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from kubetui.sim.resources import ResourceType
from kubetui.sim.tables_core import NAME_DESC, parse_time, since

if TYPE_CHECKING:
    from kubetui.sim.store import Event, ObjectStore

Obj = dict[str, Any]
CRD_KEY = "customresourcedefinitions.apiextensions.k8s.io"
_AGE = ("Age", "date", "", 0, "", ".metadata.creationTimestamp")  # the column a CRD without any gets


def custom_type(crd: Obj | None) -> ResourceType | None:
    """The type a CRD serves (its storage version), or None while it is incomplete."""
    if not crd:
        return None
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    versions = [v for v in spec.get("versions") or [] if v.get("served")]
    version = next((v for v in versions if v.get("storage")), versions[0] if versions else None)
    plural, kind, group = names.get("plural"), names.get("kind"), spec.get("group")
    if not version or not plural or not kind or not group:
        return None
    columns = tuple(
        (
            str(c.get("name", "")),
            str(c.get("type", "string")),
            str(c.get("format", "")),
            int(c.get("priority") or 0),
            str(c.get("description", "")),
            str(c.get("jsonPath", "")),
        )
        for c in version.get("additionalPrinterColumns") or []
    )
    return ResourceType(
        group,
        str(version.get("name")),
        plural,
        names.get("singular") or kind.lower(),
        kind,
        spec.get("scope") == "Namespaced",
        tuple(names.get("shortNames") or ()),
        tuple(version.get("subresources") or {}),
        tuple(names.get("categories") or ()),
        has_generation=True,
        printer_columns=columns or (_AGE,),
    )


def initial_status(crd: Obj) -> Obj:
    """The status the apiextensions controllers give a new CRD: names accepted, established."""
    spec = crd.get("spec") or {}
    storage = [v.get("name") for v in spec.get("versions") or [] if v.get("storage")]
    conditions = [
        {"type": kind, "status": "True", "reason": reason, "message": message}
        for kind, reason, message in (
            ("NamesAccepted", "NoConflicts", "no conflicts found"),
            ("Established", "InitialNamesAccepted", "the initial names have been accepted"),
        )
    ]
    return {"conditions": conditions, "acceptedNames": spec.get("names") or {}, "storedVersions": storage}


def track(store: ObjectStore, event: Event) -> None:
    """Keeps the store's served types in step with its CRDs (a store listener)."""
    if event.rtype != CRD_KEY:
        return
    old, new = custom_type(event.old), custom_type(event.obj)
    if event.type == "DELETED":
        if new is not None:
            store.remove_type(new.key)
        return
    if old is not None and (new is None or old.key != new.key):
        store.remove_type(old.key)
    if new is not None:
        store.add_type(new)


# -- discovery -------------------------------------------------------------------------------------------------


def _custom(store: ObjectStore) -> list[ResourceType]:
    return [rt for rt in store.types.values() if rt.printer_columns is not None]


def add_groups(doc: Obj, store: ObjectStore) -> Obj:
    """/apis with the CRDs' groups after the built-in ones."""
    known = {g.get("name") for g in doc.get("groups") or []}
    for group in dict.fromkeys(rt.group for rt in _custom(store)):
        if group not in known:
            doc.setdefault("groups", []).append(group_doc(store, group, bare=True))
    return doc


def group_doc(store: ObjectStore, group: str, bare: bool = False) -> Obj | None:
    versions = list(dict.fromkeys(rt.version for rt in _custom(store) if rt.group == group))
    if not versions:
        return None
    entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
    doc: Obj = {"name": group, "versions": entries, "preferredVersion": entries[0]}
    return doc if bare else {"kind": "APIGroup", "apiVersion": "v1", **doc}


def resource_list(store: ObjectStore, group: str, version: str) -> Obj | None:
    types = [rt for rt in _custom(store) if rt.group == group and rt.version == version]
    if not types:
        return None
    resources: list[Obj] = []
    for rt in types:
        entry: Obj = {
            "name": rt.plural,
            "singularName": rt.singular,
            "namespaced": rt.namespaced,
            "kind": rt.kind,
            "verbs": list(rt.verbs),
            "storageVersionHash": "",
        }
        if rt.short_names:
            entry["shortNames"] = list(rt.short_names)
        if rt.categories:
            entry["categories"] = list(rt.categories)
        resources.append(entry)
        for sub in rt.subresources:
            resources.append(
                {
                    "name": f"{rt.plural}/{sub}",
                    "singularName": "",
                    "namespaced": rt.namespaced,
                    "kind": rt.kind,
                    "verbs": ["get", "patch", "update"],
                }
            )
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}",
        "resources": resources,
    }


# -- Tables ------------------------------------------------------------------------------------------------------

_STEP = re.compile(
    r"\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[\?\(@\.([A-Za-z0-9_.-]+)\s*==\s*[\"']([^\"']*)[\"']\)\]|\[\*\]"
)


def json_path(obj: Any, path: str) -> Any:
    """The first value a simple JSONPath (``.spec.x``, ``[0]``, ``[?(@.type=="Ready")]``) finds, else None."""
    values = [obj]
    text = path.strip().removeprefix("{").removesuffix("}").removeprefix("$")
    pos = 0
    while pos < len(text):
        m = _STEP.match(text, pos)
        if m is None:
            return None
        pos = m.end()
        field, index, key, wanted = m.groups()
        found: list[Any] = []
        for value in values:
            if field is not None and isinstance(value, dict) and field in value:
                found.append(value[field])
            elif index is not None and isinstance(value, list) and int(index) < len(value):
                found.append(value[int(index)])
            elif key is not None and isinstance(value, list):
                found += [v for v in value if isinstance(v, dict) and str(json_path(v, "." + key)) == wanted]
            elif m.group(0) == "[*]" and isinstance(value, list):
                found += value
        values = found
    return values[0] if values else None


def _cell(kind: str, value: Any, now: float) -> Any:
    if value is None:
        return None
    if kind == "date":
        return since(value, now) if parse_time(value) is not None else str(value)
    if kind == "integer" and isinstance(value, (int, float)):
        return int(value)
    if kind in ("number", "boolean"):
        return value
    return value if isinstance(value, str) else str(value)


def table_parts(rt: ResourceType, objs: list[Obj], now: float) -> tuple[list[Obj], list[list[Any]]]:
    columns = [{"name": "Name", "type": "string", "format": "name", "description": NAME_DESC, "priority": 0}]
    columns += [
        {"name": n, "type": t, "format": f, "description": d, "priority": p}
        for n, t, f, p, d, _ in rt.printer_columns or ()
    ]
    cells = [
        [
            o["metadata"]["name"],
            *(_cell(t, json_path(o, path), now) for _, t, _, _, _, path in rt.printer_columns or ()),
        ]
        for o in objs
    ]
    return columns, cells
