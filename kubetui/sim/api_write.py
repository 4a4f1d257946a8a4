"""Mutating requests: create, replace, patch (four formats), delete, delete collection, /scale, /status."""

from __future__ import annotations

import base64
import copy
import inspect
from typing import TYPE_CHECKING, Any

import orjson
import yaml
from aiohttp import web

from kubetui.sim import api_delete as deletion
from kubetui.sim import api_proto, apply, crds, errors, validation, validation_data, validation_fields
from kubetui.sim import managed as managed_fields
from kubetui.sim import patch as patches
from kubetui.sim.api import json_response
from kubetui.sim.resources import ResourceType

if TYPE_CHECKING:
    from kubetui.sim.api import Api, Target

Obj = dict[str, Any]

PATCH_TYPES = (
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
)
# Fields only the server sets; a client's values are ignored on create, as kube-apiserver does.
SERVER_META = (
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "selfLink",
)
# Where a request keeps the Warning headers its response gets (typed keys exist from aiohttp 3.12).
WARNINGS: Any = web.RequestKey("warnings", list) if hasattr(web, "RequestKey") else "warnings"
_GENERATE_CHARS = "bcdfghjklmnpqrstvwxz2456789"


async def read_body(request: web.Request, *, yaml_ok: bool = True, kind: str = "") -> Any:
    """The request's object; ``kind`` names the type a create or update expects, for kube-apiserver's wording
    of a body that is not JSON."""
    raw = await request.read()
    if not raw.strip():
        raise errors.bad_request("the request body is empty")
    ctype = request.content_type
    if ctype == "application/vnd.kubernetes.protobuf":
        return api_proto.decode(raw)
    try:
        if "yaml" in ctype and yaml_ok:
            return yaml.safe_load(raw)
        return orjson.loads(raw)
    except (orjson.JSONDecodeError, yaml.YAMLError) as exc:
        if ctype == "application/merge-patch+json":
            raise errors.bad_request("invalid JSON patch") from None
        if kind and "yaml" not in ctype:
            text = raw.decode(errors="replace")
            raise errors.bad_request(
                f"the object provided is unrecognized (must be of type {kind}): couldn't get version/kind; "
                f"json parse error: {go_json_error(text)} ({text[:100]})"
            ) from None
        fmt = "yaml" if "yaml" in ctype else "json"
        raise errors.bad_request(f"couldn't get version/kind; {fmt} parse error: {exc}") from None


def go_json_error(text: str) -> str:
    """Go's encoding/json wording of why ``text`` is not JSON, for the common mistakes."""
    import json

    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        if err.pos >= len(text.rstrip()) or err.msg.startswith("Unterminated"):
            return "unexpected end of JSON input"
        ch = text[err.pos]
        contexts = {
            "Expecting property name enclosed in double quotes": "looking for beginning of object key string",
            "Expecting value": "looking for beginning of value",
            "Expecting ':' delimiter": "after object key",
            "Expecting ',' delimiter": "after object key:value pair",
            "Extra data": "after top-level value",
        }
        return f"invalid character '{ch}' {contexts.get(err.msg, 'looking for beginning of value')}"
    return "invalid JSON"


def field_manager(request: web.Request) -> str:
    manager = request.query.get("fieldManager")
    if manager:
        return manager
    agent = request.headers.get("User-Agent", "")
    return agent.split("/", 1)[0] or "unknown"


def _check_identity(rt: ResourceType, obj: Any, t: Target, *, for_update: bool) -> Obj:
    """Checks the body is an object of the URL's type, namespace and name; fills them where absent."""
    if not isinstance(obj, dict):
        raise errors.bad_request(f"the object provided is unrecognized (must be of type {rt.kind})")
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if api_version and api_version != rt.api_version:
        raise errors.bad_request(
            f'{kind or rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: no kind '
            f'"{kind or rt.kind}" is registered for version "{api_version}" in scheme "pkg/runtime/scheme.go:111"'
        )
    if kind and kind != rt.kind:
        raise errors.bad_request(
            f'{kind} in version "{rt.version}" cannot be handled as a {rt.kind}: no kind "{kind}" is registered '
            f'for version "{rt.api_version}"'
        )
    meta = obj.get("metadata")
    if meta is None:
        meta = obj["metadata"] = {}
    if not isinstance(meta, dict):
        raise errors.bad_request("metadata must be an object")
    if rt.namespaced:
        if meta.get("namespace") and meta["namespace"] != t.namespace:
            raise errors.bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        meta["namespace"] = t.namespace
    else:
        meta.pop("namespace", None)
    if for_update and meta.get("name") and meta["name"] != t.name:
        raise errors.bad_request(
            f"the name of the object ({meta['name']}) does not match the name on the URL ({t.name})"
        )
    if for_update:
        meta["name"] = t.name
    obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
    if rt.key == "secrets":
        validation_data.decode_secret(obj)
    elif rt.key == "configmaps":
        validation_data.drop_empty(obj, ("data", "binaryData"))
    return obj


def check_fields(request: web.Request, rt: ResourceType, obj: Any) -> None:
    """Unknown fields: 400 under ``fieldValidation=Strict``, else ``Warning`` headers (see Api.handle)."""
    warnings = validation_fields.check(rt, obj, request.query.get("fieldValidation"))
    if warnings:
        request[WARNINGS] = warnings


def _tls_warning(request: web.Request, rt: ResourceType, obj: Obj) -> None:
    """A TLS Secret whose certificate holds no PEM block is stored with the warning kube-apiserver gives."""
    if rt.key != "secrets" or obj.get("type") != "kubernetes.io/tls":
        return
    try:
        cert = base64.b64decode((obj.get("data") or {}).get("tls.crt") or "")
    except ValueError:
        return
    if b"-----BEGIN" not in cert:
        request.setdefault(WARNINGS, []).append("tls: failed to find any PEM data in certificate input")


def _check_namespace(api: Api, rt: ResourceType, namespace: str | None, name: str = "") -> None:
    if not rt.namespaced:
        return
    ns = api.store.get("namespaces", "", namespace or "")
    if ns is None:
        raise errors.not_found("namespaces", namespace or "")
    if ns["metadata"].get("deletionTimestamp"):
        what = f'{rt.plural} "{name}"' if name else rt.plural
        raise errors.ApiError(
            403,
            "Forbidden",
            f"{what} is forbidden: unable to create new content in namespace {namespace} because it is being "
            "terminated",
            kind=rt.plural,
            name=name,
            causes=[
                {
                    "reason": "NamespaceTerminating",
                    "message": f"namespace {namespace} is being terminated",
                    "field": "metadata.namespace",
                }
            ],
        )


async def _admit(api: Api, rt: ResourceType, obj: Obj, old: Obj | None) -> Obj:
    hook = getattr(api.server.cluster, "admit", None)
    if hook is None:
        return obj
    result = hook(rt.key, obj, old)
    if inspect.isawaitable(result):
        result = await result
    return result if isinstance(result, dict) else obj


def prepare_new(api: Api, rt: ResourceType, obj: Obj) -> Obj:
    """Server-side fields and the status a new object starts with; generateName resolved."""
    meta = obj["metadata"]
    for k in SERVER_META:
        meta.pop(k, None)
    meta.pop("managedFields", None)
    if not meta.get("name") and meta.get("generateName"):
        ns = meta.get("namespace") or ""
        meta["name"] = api.store.generate_name(rt.key, ns, meta["generateName"], _GENERATE_CHARS)
    if not meta.get("name"):
        raise errors.invalid(
            rt.kind,
            "",
            [("FieldValueRequired", "metadata.name", "Required value: name or generateName is required")],
            rt.group,
        )
    if rt.key == "namespaces":
        labels = meta.setdefault("labels", {})
        labels["kubernetes.io/metadata.name"] = meta["name"]
        obj["spec"] = {"finalizers": ["kubernetes"]}
        obj["status"] = {"phase": "Active"}
    elif rt.key == "pods":
        obj["status"] = {"phase": "Pending", "qosClass": "BestEffort"}
    elif rt.key == "replicasets.apps":
        obj["status"] = {"replicas": 0}  # not omitempty in the real type
    elif rt.key in ("deployments.apps", "services"):
        obj["status"] = {"loadBalancer": {}} if rt.key == "services" else {}
    elif rt.key == crds.CRD_KEY:
        obj["status"] = crds.initial_status(obj)
    elif rt.key in ("persistentvolumes", "persistentvolumeclaims"):
        obj["status"] = {"phase": "Pending"}  # both registries' PrepareForCreate
        spec = obj.setdefault("spec", {})
        spec.setdefault("volumeMode", "Filesystem")  # the defaulting kube-apiserver applies
        if rt.key == "persistentvolumes":
            spec.setdefault("persistentVolumeReclaimPolicy", "Retain")
    return obj


async def create(api: Api, request: web.Request, t: Target) -> web.StreamResponse:
    rt = t.rt
    dry = deletion.dry_run(request)
    obj = _check_identity(rt, await read_body(request, kind=rt.kind), t, for_update=False)
    check_fields(request, rt, obj)
    _tls_warning(request, rt, obj)
    _check_namespace(api, rt, t.namespace, obj["metadata"].get("name") or "")
    obj = prepare_new(api, rt, obj)
    return await store_new(api, request, rt, obj, dry, field_manager(request))


async def store_new(
    api: Api,
    request: web.Request,
    rt: ResourceType,
    obj: Obj,
    dry: bool,
    manager: str,
    *,
    managed: list[Obj] | None = None,
) -> web.StreamResponse:
    existing = api.store.get(rt.key, obj["metadata"].get("namespace") or "", obj["metadata"]["name"])
    if existing is not None:
        raise errors.already_exists(rt.plural, obj["metadata"]["name"], rt.group)
    validation.validate(rt, obj)
    sent = copy.deepcopy(obj)
    obj = await _admit(api, rt, obj, None)
    if managed is None:
        managed = managed_fields.track_update(None, obj, manager, rt.api_version, sent=sent)
    if managed:
        obj["metadata"]["managedFields"] = managed
    else:
        obj["metadata"].pop("managedFields", None)
    if dry:
        obj["metadata"].setdefault("uid", api.store.new_uid(rt.key, obj, dry=True))
        obj["metadata"].setdefault("creationTimestamp", api.store.clock())
        return json_response(obj, 201)
    return json_response(api.store.create(rt.key, obj), 201)


def _applier(request: web.Request) -> str:
    return request.query.get("fieldManager") or field_manager(request)


def scale_of(obj: Obj, t: Target) -> Obj:
    meta = obj["metadata"]
    selector = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            k: meta[k]
            for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if k in meta
        },
        # replicas is omitempty in autoscaling/v1, so a Scale to zero has an empty spec.
        "spec": {"replicas": n} if (n := (obj.get("spec") or {}).get("replicas", 1)) else {},
        "status": {
            "replicas": (obj.get("status") or {}).get("replicas", 0),
            "selector": ",".join(f"{k}={v}" for k, v in selector.items()),
        },
    }


def _from_scale(rt: ResourceType, old: Obj, scale: Any) -> Obj:
    if not isinstance(scale, dict):
        raise errors.bad_request("the object provided is unrecognized (must be of type Scale)")
    replicas = (scale.get("spec") or {}).get("replicas", 0)
    if isinstance(replicas, int) and not validation_fields.fits_int32(replicas):
        error = validation_fields.decode_error(replicas, "ScaleSpec.spec.replicas")
        raise errors.bad_request(f'Scale in version "v1" cannot be handled as a Scale: {error}')
    if not isinstance(replicas, int) or replicas < 0:
        raise errors.invalid(
            "Scale",
            old["metadata"]["name"],
            [
                (
                    "FieldValueInvalid",
                    "spec.replicas",
                    f"Invalid value: {replicas}: must be greater than or equal to 0",
                )
            ],
            "autoscaling",
        )
    rv = (scale.get("metadata") or {}).get("resourceVersion")
    new = {**old, "spec": {**(old.get("spec") or {}), "replicas": replicas}}
    new["metadata"] = {**old["metadata"]}
    if rv:
        new["metadata"]["resourceVersion"] = rv
    return new


async def replace(api: Api, request: web.Request, t: Target) -> web.StreamResponse:
    rt = t.rt
    dry = deletion.dry_run(request)
    body = await read_body(request)
    assert t.name is not None
    old = api.store.must_get(rt.key, t.namespace or "", t.name)
    if t.sub == "scale":
        new = _from_scale(rt, old, body)
    else:
        new = _check_identity(rt, body, t, for_update=True)
        check_fields(request, rt, new)
        # No resourceVersion: an unconditional update, which every kind the built-in cluster serves allows.
    return await store_update(api, request, t, old, new, dry)


async def store_update(
    api: Api,
    request: web.Request,
    t: Target,
    old: Obj,
    new: Obj,
    dry: bool,
    *,
    managed: list[Obj] | None = None,
) -> web.StreamResponse:
    rt = t.rt
    sub = "status" if t.sub == "status" else ""
    new = carry_allocations(rt, old, new)
    if new["metadata"].get("name") != old["metadata"]["name"]:
        raise errors.invalid(
            rt.kind,
            old["metadata"]["name"],
            [
                (
                    "FieldValueInvalid",
                    "metadata.name",
                    f"Invalid value: {validation.go_repr(new['metadata'].get('name'))}: field is immutable",
                )
            ],
            rt.group,
        )
    if sub:
        new = {
            **old,
            "status": new.get("status", old.get("status")),
            "metadata": {
                **old["metadata"],
                "resourceVersion": new["metadata"].get("resourceVersion")
                or old["metadata"]["resourceVersion"],
            },
        }
    validation.validate(rt, new, old, subresource=sub)
    if not sub:
        new = await _admit(api, rt, new, old)
    manager = field_manager(request) if managed is None else _applier(request)
    if managed is None and t.sub == "scale":
        managed = managed_fields.track_scale(old, new, manager, rt.api_version)
    elif managed is None:
        managed = managed_fields.track_update(old, new, manager, rt.api_version, sub)
    new["metadata"]["managedFields"] = managed_fields.settle(old, new, manager, managed)
    given = new["metadata"].get("resourceVersion")
    if given and given != old["metadata"]["resourceVersion"]:
        raise errors.conflict(rt.plural, old["metadata"]["name"], rt.group)
    if dry:
        return json_response(scale_of(new, t) if t.sub == "scale" else new)
    stored = api.store.update(rt.key, new, subresource=sub)
    stored = deletion.finish_if_released(api.store, rt, stored)
    return json_response(scale_of(stored, t) if t.sub == "scale" else stored)


def carry_allocations(rt: ResourceType, old: Obj, new: Obj) -> Obj:
    """A Service update that leaves clusterIP or nodePorts empty keeps the allocated ones, as Kubernetes does."""
    if rt.key != "services":
        return new
    spec, old_spec = new.get("spec"), old.get("spec") or {}
    if not isinstance(spec, dict):
        return new
    if not spec.get("clusterIP") and old_spec.get("clusterIP") and spec.get("type") != "ExternalName":
        spec["clusterIP"] = old_spec["clusterIP"]
        if old_spec.get("clusterIPs"):
            spec.setdefault("clusterIPs", old_spec["clusterIPs"])
    old_ports = {p.get("port"): p.get("nodePort") for p in old_spec.get("ports") or [] if p.get("nodePort")}
    if spec.get("type") in ("NodePort", "LoadBalancer"):
        for p in spec.get("ports") or []:
            if isinstance(p, dict) and not p.get("nodePort") and p.get("port") in old_ports:
                p["nodePort"] = old_ports[p["port"]]
    return new


async def patch(api: Api, request: web.Request, t: Target) -> web.StreamResponse:
    rt = t.rt
    ctype = request.content_type
    if ctype not in PATCH_TYPES:
        raise errors.unsupported_media_type(ctype)
    dry = deletion.dry_run(request)
    body = await read_body(request)
    assert t.name is not None
    if ctype == "application/apply-patch+yaml":
        return await apply.server_side_apply(api, request, t, body, dry)
    old = api.store.must_get(rt.key, t.namespace or "", t.name)
    base = scale_of(old, t) if t.sub == "scale" else old
    if ctype == "application/json-patch+json":
        patched = patches.json_patch(base, body)
    else:
        if not isinstance(body, dict):
            raise errors.bad_request(
                "json: cannot unmarshal array into Go value of type map[string]interface {}"
            )
        if ctype == "application/merge-patch+json":
            patched = patches.merge_patch(base, body)
        else:
            patched = patches.strategic_merge(base, body)
    validation_fields.check_patched(rt, patched, scale=t.sub == "scale")
    if t.sub == "scale":
        new = _from_scale(rt, old, patched)
    else:
        new = _check_identity(rt, patched, t, for_update=True)
        check_fields(request, rt, new)
    return await store_update(api, request, t, old, new, dry)
