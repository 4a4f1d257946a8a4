"""Deletion as the API server does it: preconditions, graceful pod termination, propagation finalizers, namespaces;
the DELETE, delete-collection, binding and eviction handlers."""

from __future__ import annotations

import asyncio
import copy
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web

from kubetui.sim import errors
from kubetui.sim.api import json_response
from kubetui.sim.resources import RESOURCE_TYPES, ResourceType
from kubetui.sim.selectors import make_filter
from kubetui.sim.store import ObjectStore

if TYPE_CHECKING:
    from kubetui.sim.api import Api, Target

Obj = dict[str, Any]

PROTECTED_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
_tasks: set[asyncio.Task[None]] = set()


def _later(stamp: str, seconds: int) -> str:
    try:
        base = datetime.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        base = datetime.now(UTC)
    return (base + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_preconditions(rt: ResourceType, obj: Obj, options: Obj) -> None:
    pre = options.get("preconditions") or {}
    meta = obj["metadata"]
    for field, label, tail in (
        ("uid", "UID", "deleted and then recreated"),
        ("resourceVersion", "ResourceVersion", "modified"),
    ):
        if pre.get(field) and pre[field] != meta.get(field):
            raise errors.ApiError(
                409,
                "Conflict",
                f'Operation cannot be fulfilled on {rt.kind} "{meta["name"]}": the {label} in the precondition '
                f"({pre[field]}) does not match the {label} in record ({meta.get(field)}). The object might have "
                f"been {tail}",
                kind=rt.kind,
                name=meta["name"],
                group=rt.group,
            )


def dry_run(request: web.Request) -> bool:
    values = request.query.getall("dryRun", [])
    for v in values:
        if v != "All":
            raise errors.bad_request(f'dryRun: Unsupported value: "{v}": supported values: "All"')
    return bool(values)


def check_delete(rt: ResourceType, obj: Obj, options: Obj) -> None:
    """What refuses a deletion before anything happens: preconditions and the system namespaces."""
    name = obj["metadata"]["name"]
    _check_preconditions(rt, obj, options)
    if rt.key == "namespaces" and name in PROTECTED_NAMESPACES:
        raise errors.ApiError(
            403,
            "Forbidden",
            f'namespaces "{name}" is forbidden: this namespace may not be deleted',
            kind="namespaces",
            name=name,
        )


def propagation(options: Obj) -> str:
    policy = options.get("propagationPolicy")
    return str(policy) if policy else ("Orphan" if options.get("orphanDependents") else "Background")


def delete(store: ObjectStore, rt: ResourceType, obj: Obj, options: Obj, *, dry: bool = False) -> Obj:
    """Deletes or starts deleting ``obj``; returns what the API answers with (the object's last state).

    Used for dry runs and for clusters without a ``delete`` of their own (SimCluster has one).
    """
    meta = obj["metadata"]
    name = meta["name"]
    check_delete(rt, obj, options)
    policy = propagation(options)
    grace = options.get("gracePeriodSeconds")
    now = store.clock()
    finalizers = list(meta.get("finalizers") or [])
    if policy == "Orphan" and "orphan" not in finalizers:
        finalizers.append("orphan")
    if policy == "Foreground" and "foregroundDeletion" not in finalizers:
        finalizers.append("foregroundDeletion")
    new = copy.deepcopy(obj)
    nmeta = new["metadata"]
    spec = obj.get("spec") or {}
    phase = (obj.get("status") or {}).get("phase")
    graceful_pod = (
        rt.key == "pods" and spec.get("nodeName") and phase not in ("Succeeded", "Failed") and grace != 0
    )
    if rt.key == "namespaces":
        nmeta.setdefault("deletionTimestamp", now)
        new["status"] = {**(new.get("status") or {}), "phase": "Terminating"}
        if dry:
            return new
        if meta.get("deletionTimestamp"):
            return obj
        stored = store.update("namespaces", new, check_version=False)
        _spawn(_finalize_namespace(store, name))
        return stored
    if graceful_pod or finalizers:
        if meta.get("deletionTimestamp"):
            if grace == 0 and not finalizers:
                return obj if dry else store.delete(rt.key, meta.get("namespace") or "", name)
            return obj  # already being deleted
        seconds = 0
        if graceful_pod:
            default = spec.get("terminationGracePeriodSeconds")
            seconds = int(grace if grace is not None else (default if default is not None else 30))
        nmeta["deletionTimestamp"] = _later(now, seconds)
        nmeta["deletionGracePeriodSeconds"] = seconds
        if finalizers:
            nmeta["finalizers"] = finalizers
        if rt.has_generation:
            nmeta["generation"] = int(meta.get("generation", 1)) + 1
        if dry:
            return new
        return store.update(rt.key, new, check_version=False)
    if dry:
        return obj
    return store.delete(rt.key, meta.get("namespace") or "", name)


def finish_if_released(store: ObjectStore, rt: ResourceType, obj: Obj) -> Obj:
    """An object being deleted whose last finalizer was just removed goes away, as in Kubernetes."""
    meta = obj["metadata"]
    if not meta.get("deletionTimestamp") or meta.get("finalizers") or rt.key == "namespaces":
        return obj
    if rt.key == "pods" and meta.get("deletionGracePeriodSeconds"):
        return obj  # the kubelet removes it when the containers have stopped
    if store.get(rt.key, meta.get("namespace") or "", meta["name"]) is not obj:
        return obj
    return store.delete(rt.key, meta.get("namespace") or "", meta["name"])


def _spawn(coro: Any) -> None:
    try:
        task = asyncio.get_running_loop().create_task(coro)
    except RuntimeError:
        coro.close()
        return
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


# Owners first, so their controllers do not recreate what is being removed.
_NAMESPACE_ORDER = sorted(
    (rt for rt in RESOURCE_TYPES if rt.namespaced),
    key=lambda rt: rt.key not in ("deployments.apps", "replicasets.apps"),
)


async def _finalize_namespace(store: ObjectStore, name: str) -> None:
    """The namespace controller's job: delete everything in the namespace, then the namespace itself."""
    for _ in range(36000):
        if store.get("namespaces", "", name) is None:
            return
        remaining = 0
        for rt in _NAMESPACE_ORDER:
            for obj in store.list(rt.key, name):
                remaining += 1
                if not obj["metadata"].get("deletionTimestamp"):
                    try:
                        delete(store, rt, obj, {"propagationPolicy": "Background"})
                    except errors.ApiError:
                        pass
        if remaining == 0:
            ns = store.get("namespaces", "", name)
            if ns is not None:
                store.delete("namespaces", "", name)
            return
        await asyncio.sleep(0.2)


# -- HTTP handlers --------------------------------------------------------------------------------------


async def handle_delete(api: Api, request: web.Request, t: Target) -> web.StreamResponse:
    assert t.name is not None
    options = await _delete_options(request)
    obj = api.store.must_get(t.rt.key, t.namespace or "", t.name)
    result = delete_one(api, t.rt, obj, options, dry_run(request) or options.get("dry", False))
    if result["metadata"].get("deletionTimestamp"):
        return json_response(result)  # still there: being deleted gracefully or held by finalizers
    if t.rt.key in RETURNS_DELETED:
        if t.rt.key == "pods":
            # The pod's last state has the deletion stamped on it, as its graceful-delete path leaves it.
            meta = {
                **result["metadata"],
                "deletionTimestamp": api.store.clock(),
                "deletionGracePeriodSeconds": 0,
            }
            if "generation" in meta:
                meta["generation"] = int(meta["generation"]) + 1
            meta.pop("resourceVersion", None)  # that last state was never stored, so it has no version
            result = {**result, "metadata": meta}
        return json_response(result)
    return json_response(deleted_status(t.rt, result))


# The kinds whose REST storage answers a finished delete with the object rather than a Status.
RETURNS_DELETED = frozenset({"pods", "services", "serviceaccounts"})


def deleted_status(rt: ResourceType, obj: Obj) -> Obj:
    """What kube-apiserver answers for an object deleted at once: a Success Status naming it."""
    meta = obj["metadata"]
    details: Obj = {"name": meta["name"]}
    if rt.group:
        details["group"] = rt.group
    details["kind"] = rt.plural
    details["uid"] = meta.get("uid", "")
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}


def delete_one(api: Api, rt: ResourceType, obj: Obj, options: Obj, dry: bool) -> Obj:
    if dry:
        return delete(api.store, rt, obj, options, dry=True)
    hook = getattr(api.server.cluster, "delete", None)
    if hook is None:
        return delete(api.store, rt, obj, options)
    check_delete(rt, obj, options)
    meta = obj["metadata"]
    result: Obj = hook(
        rt.key,
        meta.get("namespace") or "",
        meta["name"],
        propagation=propagation(options),
        grace_seconds=options.get("gracePeriodSeconds"),
        uid=(options.get("preconditions") or {}).get("uid"),
    )
    return result


async def delete_collection(api: Api, request: web.Request, t: Target) -> web.StreamResponse:
    options = await _delete_options(request)
    dry = dry_run(request)
    filt = make_filter(request.query.get("labelSelector"), request.query.get("fieldSelector"), t.rt.key)
    items = [o for o in api.store.list(t.rt.key, t.namespace) if filt is None or filt(o)]
    # List items carry no kind or apiVersion of their own.
    done = [
        {k: v for k, v in delete_one(api, t.rt, o, options, dry).items() if k not in ("kind", "apiVersion")}
        for o in items
    ]
    return json_response(
        {
            "kind": f"{t.rt.kind}List",
            "apiVersion": t.rt.api_version,
            "metadata": {"resourceVersion": str(api.store.rv)},
            "items": done,
        }
    )


async def _delete_options(request: web.Request) -> Obj:
    q = request.query
    options: Obj = {}
    raw = await request.read()
    if raw.strip():
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise errors.bad_request(f"couldn't get version/kind; json parse error: {exc}") from None
        if isinstance(body, dict):
            options.update(body)
            if body.get("dryRun"):
                options["dry"] = body["dryRun"] == ["All"]
    if "gracePeriodSeconds" in q:
        try:
            options["gracePeriodSeconds"] = int(q["gracePeriodSeconds"])
        except ValueError:
            raise errors.bad_request(
                f"gracePeriodSeconds: Invalid value: {q['gracePeriodSeconds']!r}"
            ) from None
    if "propagationPolicy" in q:
        options["propagationPolicy"] = q["propagationPolicy"]
    policy = options.get("propagationPolicy")
    if policy is not None and policy not in ("Orphan", "Background", "Foreground"):
        raise errors.invalid(
            "DeleteOptions",
            "",
            [
                (
                    "FieldValueNotSupported",
                    "propagationPolicy",
                    f'Unsupported value: "{policy}": supported values: "Foreground", "Background", "Orphan", "nil"',
                )
            ],
            "meta.k8s.io",
        )
    return options


async def bind(api: Api, request: web.Request, t: Target) -> web.StreamResponse:
    from kubetui.sim import api_write

    """``pods/{name}/binding``: assigns the pod to a node, as the scheduler does."""
    assert t.name is not None
    body = await api_write.read_body(request)
    target = (body.get("target") or {}) if isinstance(body, dict) else {}
    node = target.get("name")
    if not node:
        raise errors.invalid("Binding", t.name, [("FieldValueRequired", "target.name", "Required value")])
    pod = api.store.must_get("pods", t.namespace or "", t.name)
    if (pod.get("spec") or {}).get("nodeName"):
        raise errors.ApiError(
            409,
            "Conflict",
            f'Operation cannot be fulfilled on pods/binding "{t.name}": pod '
            f"{t.name} is already assigned to node {pod['spec']['nodeName']!r}",
        )
    api.store.update("pods", {**pod, "spec": {**pod["spec"], "nodeName": node}}, check_version=False)
    return json_response(
        {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}, 201
    )


async def evict(api: Api, request: web.Request, t: Target) -> web.StreamResponse:
    """``pods/{name}/eviction`` (kubectl drain): a graceful delete with the Eviction's deleteOptions."""
    from kubetui.sim import api_write

    assert t.name is not None
    body = await api_write.read_body(request)
    options = (body.get("deleteOptions") or {}) if isinstance(body, dict) else {}
    pod = api.store.must_get("pods", t.namespace or "", t.name)
    delete_one(api, t.rt, pod, options, dry_run(request) or options.get("dryRun") == ["All"])
    return json_response(
        {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}, 201
    )
