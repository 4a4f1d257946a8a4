"""Discovery documents (``/version``, ``/api``, ``/apis``, group/versions) and minimal OpenAPI v3 documents."""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from typing import Any

import orjson

from kubetui.sim import openapi
from kubetui.sim.resources import RESOURCE_TYPES, ResourceType

GIT_VERSION = "v1.37.2"  # the release of the real control plane it is measured against
# Named groups in kube-apiserver's priority order (apps first), as /apis lists them.
GROUPS = tuple(dict.fromkeys(rt.group for rt in RESOURCE_TYPES if rt.group))


def version_info() -> dict[str, str]:
    return {
        "major": "1",
        "minor": "37",
        "gitVersion": GIT_VERSION,
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "1970-01-01T00:00:00Z",
        "goVersion": "go1.26.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    }


def core_versions(address: str = "127.0.0.1:6443") -> dict[str, Any]:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": address}],
    }


def _group_doc(group: str) -> dict[str, Any]:
    gv = {"groupVersion": f"{group}/v1", "version": "v1"}
    return {"name": group, "versions": [gv], "preferredVersion": gv}


def api_group_list() -> dict[str, Any]:
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [_group_doc(g) for g in GROUPS]}


def api_group(group: str) -> dict[str, Any] | None:
    if group not in GROUPS:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group_doc(group)}


def _resource_entries(rt: ResourceType) -> list[dict[str, Any]]:
    main: dict[str, Any] = {
        "name": rt.plural,
        "singularName": rt.singular,
        "namespaced": rt.namespaced,
        "kind": rt.kind,
        "verbs": list(rt.verbs),
    }
    if rt.short_names:
        main["shortNames"] = list(rt.short_names)
    if rt.categories:
        main["categories"] = list(rt.categories)
    # As kube-apiserver computes it: the first 8 bytes of sha256("group/version/Kind"), base64.
    digest = hashlib.sha256(f"{rt.group}/{rt.version}/{rt.kind}".encode()).digest()[:8]
    main["storageVersionHash"] = base64.b64encode(digest).decode()
    out = [main]
    for sub in rt.subresources:
        entry: dict[str, Any] = {
            "name": f"{rt.plural}/{sub}",
            "singularName": "",
            "namespaced": rt.namespaced,
        }
        if sub == "scale":
            entry.update(group="autoscaling", version="v1", kind="Scale", verbs=["get", "patch", "update"])
        elif sub == "log":
            entry.update(kind="Pod", verbs=["get"])
        elif sub in ("binding", "eviction"):
            entry.update(kind="Binding" if sub == "binding" else "Eviction", verbs=["create"])
            if sub == "eviction":
                entry.update(group="policy", version="v1")
        else:
            entry.update(kind=rt.kind, verbs=["get", "patch", "update"])
        out.append(entry)
    return out


def api_resource_list(group: str, version: str) -> dict[str, Any] | None:
    if version != "v1" or (group and group not in GROUPS):
        return None
    resources: list[dict[str, Any]] = []
    for rt in RESOURCE_TYPES:
        if rt.group == group:
            resources.extend(_resource_entries(rt))
    doc: dict[str, Any] = {"kind": "APIResourceList", "apiVersion": "v1"}
    if not group:
        del doc["apiVersion"]  # the core group's list has none
    return {**doc, "groupVersion": f"{group}/{version}" if group else version, "resources": resources}


# -- OpenAPI v3 ---------------------------------------------------------------------------------------------
# kubectl fetches these to learn that the server validates fields itself (the ``fieldValidation`` query
# parameter on each kind's PATCH operation), so it sends ``fieldValidation=Strict`` instead of validating
# manifests against a full schema. Strategic merge patch is deliberately not listed as a PATCH body type, so
# ``kubectl apply`` builds its patches from its compiled-in types rather than from these skeletal schemas.


def _gv_path(group: str) -> str:
    return f"apis/{group}/v1" if group else "api/v1"


def _operation(rt: ResourceType, verb: str, op_id: str) -> dict[str, Any]:
    params = [
        {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
        {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
        {"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": True}},
    ]
    ref = {"$ref": f"#/components/schemas/{_schema_name(rt)}"}
    op: dict[str, Any] = {
        "operationId": op_id,
        "parameters": params,
        "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": ref}}}},
        "x-kubernetes-action": verb,
        "x-kubernetes-group-version-kind": {"group": rt.group, "version": rt.version, "kind": rt.kind},
    }
    if verb == "patch":
        body_types = (
            "application/json-patch+json",
            "application/merge-patch+json",
            "application/apply-patch+yaml",
        )
        op["requestBody"] = {
            "content": {t: {"schema": {"type": "object"}} for t in body_types},
            "required": True,
        }
    elif verb in ("put", "post"):
        op["requestBody"] = {"content": {"application/json": {"schema": ref}}, "required": True}
    return op


def _schema_name(rt: ResourceType) -> str:
    prefix = f"io.k8s.api.{(rt.group.split('.')[0] or 'core')}.{rt.version}"
    return f"{prefix}.{rt.kind}"


@cache
def openapi_v3_doc(group: str) -> bytes | None:
    if group and group not in GROUPS:
        return None
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    for rt in RESOURCE_TYPES:
        if rt.group != group:
            continue
        base = f"/{_gv_path(group)}"
        item = (
            f"{base}/namespaces/{{namespace}}/{rt.plural}/{{name}}"
            if rt.namespaced
            else f"{base}/{rt.plural}/{{name}}"
        )
        collection = item.rsplit("/", 1)[0]
        paths[item] = {
            "get": _operation(rt, "get", f"read{rt.kind}"),
            "put": _operation(rt, "put", f"replace{rt.kind}"),
            "patch": _operation(rt, "patch", f"patch{rt.kind}"),
        }
        paths[collection] = {"post": _operation(rt, "post", f"create{rt.kind}")}
        schemas[_schema_name(rt)] = {
            "type": "object",
            "description": f"{rt.kind} of the built-in cluster.",
            "properties": {
                "apiVersion": {"type": "string"},
                "kind": {"type": "string"},
                "metadata": {"type": "object"},
                "spec": {"type": "object"},
                "status": {"type": "object"},
            },
            "x-kubernetes-group-version-kind": [{"group": rt.group, "kind": rt.kind, "version": rt.version}],
        }
    # The real schemas where they were captured (kubectl explain prints them), else the skeletons above.
    schemas.update(openapi.document_schemas(group))
    doc = {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": GIT_VERSION},
        "paths": paths,
        "components": {"schemas": schemas},
    }
    return orjson.dumps(doc)


def openapi_v3_root() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for group in ("", *GROUPS):
        doc = openapi_v3_doc(group) or b""
        digest = hashlib.sha512(doc).hexdigest()[:128].upper()
        out[_gv_path(group)] = {"serverRelativeURL": f"/openapi/v3/{_gv_path(group)}?hash={digest}"}
    return {"paths": out}


# -- OpenAPI v2 ---------------------------------------------------------------------------------------------
# kubectl reads v2 (as protobuf) only to validate manifests whose kind the v3 check cannot place, such as a
# ``kind: List`` of objects. An empty document (no definitions) makes it skip that check, leaving validation to
# the server, which is what the v3 documents already ask for.

PROTO_V2 = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"


def _pb_bytes(number: int, payload: bytes) -> bytes:
    out = bytearray()
    for value in ((number << 3) | 2, len(payload)):
        while value > 0x7F:
            out.append((value & 0x7F) | 0x80)
            value >>= 7
        out.append(value)
    return bytes(out) + payload


def openapi_v2(accept: str) -> tuple[bytes, str]:
    """The empty v2 document as gnostic protobuf (swagger = 1, info = 2 {title = 1, version = 2}) or JSON."""
    if "protobuf" in accept:
        info = _pb_bytes(1, b"Kubernetes") + _pb_bytes(2, GIT_VERSION.encode())
        return _pb_bytes(1, b"2.0") + _pb_bytes(2, info), PROTO_V2
    doc = {
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": GIT_VERSION},
        "paths": {},
        "definitions": {},
    }
    return orjson.dumps(doc), "application/json"
