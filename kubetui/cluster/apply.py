"""Applying multi-document YAML manifests with server-side apply, all-or-nothing after a server dry run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
import yaml

from kubetui.cluster.apply_clash import clashes
from kubetui.cluster.connection import APPLY_PATCH, Connection
from kubetui.cluster.errors import BadRequest, ClusterError, NotFound, ReadOnlyError
from kubetui.cluster.resources import RESOURCES, Resource, resource_for_kind

FIELD_MANAGER = "kubetui"
# Fields the server owns or bumps on every write; ignored when deciding whether a dry run would change anything.
_VOLATILE_META = ("resourceVersion", "managedFields", "generation", "creationTimestamp", "uid")


@dataclass
class ApplyResult:
    """What happened to one document: ``created``, ``configured``, ``unchanged``, ``failed`` or ``skipped``.

    ``skipped`` means the document was valid but not applied because another document failed its dry run.
    """

    index: int  # 1-based position of the document in the file
    kind: str
    name: str
    namespace: str | None
    action: str
    error: str | None = None
    object: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None

    def __str__(self) -> str:
        target = f"{self.kind.lower()}/{self.name}"
        return f"{target} {self.action}" if self.ok else f"{target}: {self.error}"


class ManifestError(BadRequest):
    """The YAML could not be read; ``document`` and ``line`` (1-based) say where."""

    reason = "ManifestError"

    def __init__(self, message: str, document: int, line: int | None) -> None:
        super().__init__(message, 0)
        self.document = document
        self.line = line


def parse_manifests(text: str) -> list[dict[str, Any]]:
    """The non-empty documents of a multi-document YAML text; ManifestError names the document and line."""
    documents: list[dict[str, Any]] = []
    index = 0
    try:
        for index, doc in enumerate(yaml.safe_load_all(text), start=1):
            if doc is None:
                continue
            if not isinstance(doc, dict):
                raise ManifestError(
                    f"document {index}: expected a mapping, got {type(doc).__name__}", index, None
                )
            if str(doc.get("kind", "")).endswith("List") and isinstance(doc.get("items"), list):
                # kubectl applies the items of a List (v1 List, DeploymentList, ...) one by one.
                documents.extend(item for item in doc["items"] if isinstance(item, dict))
                continue
            documents.append(doc)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else None
        # The failing document is the one after the last that parsed; count separators up to the error line.
        failing = _document_at(text, line) if line else index + 1
        problem = getattr(exc, "problem", None) or str(exc)
        where = f"document {failing}, line {line}" if line else f"document {failing}"
        raise ManifestError(f"error parsing YAML ({where}): {problem}", failing, line) from None
    for number, doc in enumerate(documents, start=1):
        for required in ("apiVersion", "kind"):
            if not doc.get(required):
                raise ManifestError(f"document {number}: {required} not set", number, None)
        if not (doc.get("metadata") or {}).get("name"):
            raise ManifestError(f"document {number} ({doc['kind']}): metadata.name not set", number, None)
    return documents


def _document_at(text: str, line: int) -> int:
    number = 1
    seen_content = False
    for i, raw in enumerate(text.splitlines(), start=1):
        if i >= line:
            break
        if raw.startswith("---"):
            if seen_content:
                number += 1
                seen_content = False
        elif raw.strip() and not raw.lstrip().startswith("#"):
            seen_content = True
    return number


_discovery_cache: dict[tuple[int, str], dict[str, tuple[str, bool]]] = {}


async def _resource(conn: Connection, api_version: str, kind: str) -> Resource:
    """Where ``kind`` lives: the built-in table, else the server's discovery document (as kubectl finds it)."""
    known = resource_for_kind(api_version, kind)
    if known is not None:
        return known
    prefix = f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"
    key = (id(conn), prefix)
    if key not in _discovery_cache:
        try:
            doc = await conn.request("GET", prefix)
        except NotFound:
            doc = {}
        resources = doc.get("resources") if isinstance(doc, dict) else None
        _discovery_cache[key] = {
            str(r["kind"]): (str(r["name"]), bool(r.get("namespaced")))
            for r in (resources if isinstance(resources, list) else [])
            if isinstance(r, dict) and r.get("kind") and r.get("name") and "/" not in str(r["name"])
        }
    found = _discovery_cache[key].get(kind)
    if found is None:
        raise NotFound(f'no matches for kind "{kind}" in version "{api_version}"', 404)
    return Resource(found[0], prefix, kind, found[1])


def _comparable(obj: dict[str, Any] | None) -> dict[str, Any]:
    if not obj:
        return {}
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in _VOLATILE_META}
    return {**{k: v for k, v in obj.items() if k != "status"}, "metadata": meta}


def _target_namespace(res: Resource, doc: dict[str, Any], namespace: str) -> str | None:
    return ((doc.get("metadata") or {}).get("namespace") or namespace) if res.namespaced else None


async def _apply_one(
    conn: Connection, doc: dict[str, Any], namespace: str, dry_run: bool, *, validate_in: str | None = None
) -> tuple[str, dict[str, Any]]:
    """Apply one document. ``validate_in`` dry-runs it in another namespace: its own does not exist yet
    because an earlier document of the same manifest creates it."""
    res = await _resource(conn, str(doc["apiVersion"]), str(doc["kind"]))
    meta = dict(doc.get("metadata") or {})
    ns = validate_in or _target_namespace(res, doc, namespace)
    if res.namespaced:
        meta["namespace"] = ns
    body = {**doc, "metadata": meta}
    path = res.path(ns, meta["name"])
    before: dict[str, Any] | None = None
    if validate_in is None:
        try:
            before = await conn.request("GET", path)
        except NotFound:
            before = None
    query: dict[str, Any] = {"fieldManager": FIELD_MANAGER, "force": "true"}
    if dry_run:
        query["dryRun"] = "All"
    after: dict[str, Any] = await conn.request(
        "PATCH", path, query=query, body=orjson.dumps(body), content_type=APPLY_PATCH
    )
    if before is None:
        return "created", after
    if dry_run:
        changed = _comparable(before) != _comparable(after)
    else:
        changed = (before.get("metadata") or {}).get("resourceVersion") != (after.get("metadata") or {}).get(
            "resourceVersion"
        )
    return ("configured" if changed else "unchanged"), after


def _result(
    index: int, doc: dict[str, Any], namespace: str, action: str, error: str | None = None
) -> ApplyResult:
    meta = doc.get("metadata") or {}
    kind = str(doc.get("kind", ""))
    return ApplyResult(
        index, kind, str(meta.get("name", "")), None if _cluster_scoped(kind) else meta.get("namespace") or namespace,
        action, error,
    )  # fmt: skip


_CLUSTER_SCOPED = frozenset(
    {r.kind for r in RESOURCES if not r.namespaced}
    | {
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "StorageClass",
        "PersistentVolume",
        "PriorityClass",
        "IngressClass",
        "RuntimeClass",
        "APIService",
    }
)


def _cluster_scoped(kind: str) -> bool:
    if kind in _CLUSTER_SCOPED:
        return True
    for kinds in _discovery_cache.values():
        found = kinds.get(kind)
        if found is not None:
            return not found[1]
    return False


async def undo_created(conn: Connection, results: list[ApplyResult]) -> list[str]:
    """Delete what an apply that failed part-way created, newest first; one line per object, as kubectl says."""
    lines: list[str] = []
    for result in reversed(results):
        if result.action != "created" or not result.object:
            continue
        res = await _resource(conn, str(result.object.get("apiVersion")), result.kind)
        target = f"{res.plural}/{result.name}"
        try:
            await conn.request(
                "DELETE", res.path(result.namespace, result.name), body={"propagationPolicy": "Background"}
            )
            lines.append(f"{target} deleted")
        except NotFound:
            lines.append(f"{target} already gone")
        except ClusterError as exc:
            lines.append(f"{target} not deleted: {exc.message}")
    return lines


async def apply_manifests(
    conn: Connection, text: str, namespace: str, *, dry_run: bool = False
) -> list[ApplyResult]:
    """``kubectl apply --server-side --field-manager=kubetui --force-conflicts -f FILE``, all or nothing.

    Every document is first sent as a server dry run; if any fails, nothing is applied and every result is
    either ``failed`` (with the server's message) or ``skipped``. With ``dry_run`` only that first pass runs.
    Malformed YAML raises ManifestError naming the document and line.
    """
    documents = parse_manifests(text)
    checked: list[ApplyResult] = []
    new_namespaces: set[str] = set()
    for index, doc in enumerate(documents, start=1):
        try:
            validate_in = None
            if doc.get("kind") != "Namespace":
                res = await _resource(conn, str(doc["apiVersion"]), str(doc["kind"]))
                if _target_namespace(res, doc, namespace) in new_namespaces:
                    validate_in = namespace
            action, obj = await _apply_one(conn, doc, namespace, dry_run=True, validate_in=validate_in)
            if doc.get("kind") == "Namespace" and action == "created":
                new_namespaces.add(str(doc["metadata"]["name"]))
            result = _result(index, doc, namespace, action)
            result.object = obj
        except ClusterError as exc:
            result = _result(index, doc, namespace, "failed", exc.message)
        checked.append(result)
    for index, why in clashes(documents, namespace).items():
        if checked[index - 1].ok:
            checked[index - 1] = _result(index, documents[index - 1], namespace, "failed", why)
    if dry_run:
        return checked
    if any(not r.ok for r in checked):
        return [
            r if not r.ok else _result(r.index, documents[r.index - 1], namespace, "skipped") for r in checked
        ]
    applied: list[ApplyResult] = []
    for index, doc in enumerate(documents, start=1):
        try:
            action, obj = await _apply_one(conn, doc, namespace, dry_run=False)
            result = _result(index, doc, namespace, action)
            result.object = obj
        except ReadOnlyError:
            raise  # refused as a whole (before the first write), not a per-document failure
        except ClusterError as exc:
            # Passed its dry run but failed now (a race with another writer): report it, keep going like kubectl.
            result = _result(index, doc, namespace, "failed", exc.message)
        applied.append(result)
    return applied
