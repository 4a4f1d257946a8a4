"""Decoding checks: wrong JSON types (always 400, as Go's decoder refuses them) and unknown fields for
``fieldValidation`` (Strict: 400 BadRequest; Warn: a ``Warning`` header).

kubectl sends ``fieldValidation=Strict`` by default, so a typo such as ``replica: 3`` fails as it does on a real
cluster. The field lists cover the objects people write by hand; below a field listed as ``ANY`` (probes,
affinity, status ...) everything is accepted.
"""

from __future__ import annotations

import json
from typing import Any

from kubetui.sim import errors
from kubetui.sim.resources import ResourceType

ANY = "*"
MAP = "map"

Fields = dict[str, str]

_META: Fields = dict.fromkeys(
    (
        "name",
        "generateName",
        "namespace",
        "selfLink",
        "uid",
        "resourceVersion",
        "generation",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
        "ownerReferences",
        "finalizers",
        "managedFields",
    ),
    ANY,
) | {"labels": MAP, "annotations": MAP}

_CONTAINER: Fields = dict.fromkeys(
    (
        "name",
        "image",
        "command",
        "args",
        "workingDir",
        "envFrom",
        "resources",
        "resizePolicy",
        "restartPolicy",
        "volumeMounts",
        "volumeDevices",
        "livenessProbe",
        "readinessProbe",
        "startupProbe",
        "lifecycle",
        "terminationMessagePath",
        "terminationMessagePolicy",
        "imagePullPolicy",
        "securityContext",
        "stdin",
        "stdinOnce",
        "tty",
    ),
    ANY,
) | {"ports": "[]ContainerPort", "env": "[]EnvVar"}

_POD_SPEC: Fields = dict.fromkeys(
    (
        "volumes",
        "ephemeralContainers",
        "restartPolicy",
        "terminationGracePeriodSeconds",
        "activeDeadlineSeconds",
        "dnsPolicy",
        "serviceAccountName",
        "serviceAccount",
        "automountServiceAccountToken",
        "nodeName",
        "hostNetwork",
        "hostPID",
        "hostIPC",
        "shareProcessNamespace",
        "securityContext",
        "imagePullSecrets",
        "hostname",
        "subdomain",
        "affinity",
        "schedulerName",
        "tolerations",
        "hostAliases",
        "priorityClassName",
        "priority",
        "dnsConfig",
        "readinessGates",
        "runtimeClassName",
        "enableServiceLinks",
        "preemptionPolicy",
        "overhead",
        "topologySpreadConstraints",
        "setHostnameAsFQDN",
        "os",
        "hostUsers",
        "schedulingGates",
        "resourceClaims",
        "resources",
    ),
    ANY,
) | {"containers": "[]Container", "initContainers": "[]Container", "nodeSelector": MAP}

TYPES: dict[str, Fields] = {
    "ObjectMeta": _META,
    "Container": _CONTAINER,
    "ContainerPort": dict.fromkeys(("name", "hostPort", "containerPort", "protocol", "hostIP"), ANY),
    "EnvVar": dict.fromkeys(("name", "value", "valueFrom"), ANY),
    "PodSpec": _POD_SPEC,
    "PodTemplateSpec": {"metadata": "ObjectMeta", "spec": "PodSpec"},
    "DeploymentSpec": dict.fromkeys(
        (
            "replicas",
            "selector",
            "strategy",
            "minReadySeconds",
            "revisionHistoryLimit",
            "paused",
            "progressDeadlineSeconds",
        ),
        ANY,
    )
    | {"template": "PodTemplateSpec"},
    "ReplicaSetSpec": dict.fromkeys(("replicas", "minReadySeconds", "selector"), ANY)
    | {"template": "PodTemplateSpec"},
    "ServiceSpec": dict.fromkeys(
        (
            "clusterIP",
            "clusterIPs",
            "type",
            "externalIPs",
            "sessionAffinity",
            "loadBalancerIP",
            "loadBalancerSourceRanges",
            "externalName",
            "externalTrafficPolicy",
            "healthCheckNodePort",
            "publishNotReadyAddresses",
            "sessionAffinityConfig",
            "ipFamilies",
            "ipFamilyPolicy",
            "allocateLoadBalancerNodePorts",
            "loadBalancerClass",
            "internalTrafficPolicy",
            "trafficDistribution",
        ),
        ANY,
    )
    | {"ports": "[]ServicePort", "selector": MAP},
    "ServicePort": dict.fromkeys(("name", "protocol", "appProtocol", "port", "targetPort", "nodePort"), ANY),
}

_TOP = {"apiVersion": ANY, "kind": ANY, "metadata": "ObjectMeta"}
KINDS: dict[str, Fields] = {
    "deployments.apps": _TOP | {"spec": "DeploymentSpec", "status": ANY},
    "replicasets.apps": _TOP | {"spec": "ReplicaSetSpec", "status": ANY},
    "pods": _TOP | {"spec": "PodSpec", "status": ANY},
    "services": _TOP | {"spec": "ServiceSpec", "status": ANY},
    "secrets": _TOP | {"data": MAP, "stringData": MAP, "type": ANY, "immutable": ANY},
    "configmaps": _TOP | {"data": MAP, "binaryData": MAP, "immutable": ANY},
    "namespaces": _TOP | {"spec": ANY, "status": ANY},
    "serviceaccounts": _TOP | {"secrets": ANY, "imagePullSecrets": ANY, "automountServiceAccountToken": ANY},
}


# Go types of the scalar and list fields that are checked; anything else listed above is an object.
SCALARS: dict[str, dict[str, str]] = {
    "ObjectMeta": {
        "name": "string",
        "generateName": "string",
        "namespace": "string",
        "finalizers": "[]string",
        "ownerReferences": "[]object",
        "deletionGracePeriodSeconds": "int64",
    },
    "Container": {
        "name": "string",
        "image": "string",
        "command": "[]string",
        "args": "[]string",
        "imagePullPolicy": "string",
        "workingDir": "string",
    },
    "ContainerPort": {"containerPort": "int32", "hostPort": "int32", "name": "string", "protocol": "string"},
    "EnvVar": {"name": "string", "value": "string"},
    "PodSpec": {
        "restartPolicy": "string",
        "nodeName": "string",
        "terminationGracePeriodSeconds": "int64",
        "imagePullSecrets": "[]object",
        "volumes": "[]object",
        "tolerations": "[]object",
        "serviceAccountName": "string",
    },
    "DeploymentSpec": {
        "replicas": "int32",
        "selector": "object",
        "strategy": "object",
        "paused": "bool",
        "revisionHistoryLimit": "int32",
        "minReadySeconds": "int32",
        "progressDeadlineSeconds": "int32",
    },
    "ReplicaSetSpec": {"replicas": "int32", "selector": "object", "minReadySeconds": "int32"},
    "ServiceSpec": {
        "type": "string",
        "clusterIP": "string",
        "externalName": "string",
        "clusterIPs": "[]string",
        "externalIPs": "[]string",
    },
    "ServicePort": {"name": "string", "protocol": "string", "port": "int32", "nodePort": "int32"},
    "": {"type": "string", "spec": "object", "status": "object", "metadata": "object"},
}


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _fits(value: Any, go_type: str) -> bool:
    if value is None:
        return True  # JSON null decodes to the zero value
    if go_type == "string":
        return isinstance(value, str)
    if go_type.startswith("int"):
        if not isinstance(value, int) or isinstance(value, bool):
            return False
        bits = 32 if go_type == "int32" else 64
        return -(2 ** (bits - 1)) <= value < 2 ** (bits - 1)
    if go_type == "bool":
        return isinstance(value, bool)
    if go_type == "object":
        return isinstance(value, dict)
    if go_type == "[]string":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if go_type == "[]object":
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    if go_type == MAP:
        return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    return True


def type_errors(rt: ResourceType, obj: Any) -> list[str]:
    """Go decoder messages for fields of the wrong JSON type, e.g. replicas given as a string."""
    fields = KINDS.get(rt.key, _TOP)
    out: list[str] = []
    _check_types(obj, fields, "", "", out, rt.kind)
    return out


def _check_types(value: Any, fields: Fields, struct: str, path: str, out: list[str], top: str) -> None:
    if not isinstance(value, dict):
        return
    scalars = SCALARS.get(struct, {})
    for key, child in value.items():
        here = f"{path}.{key}" if path else key
        kind = fields.get(key)
        go_type = scalars.get(key) or (
            MAP
            if kind == MAP
            else "object"
            if kind in TYPES
            else "[]object"
            if kind and kind[2:] in TYPES
            else ""
        )
        if go_type and not _fits(child, go_type):
            shown = "map[string]string" if go_type == MAP else go_type.replace("object", "interface {}")
            got = _json_type(child)
            if go_type.startswith("int") and isinstance(child, int) and not isinstance(child, bool):
                got = f"number {child}"  # in range of JSON, out of range of the Go field
            if go_type == MAP and isinstance(child, dict):
                # A map of the wrong values: Go names the value's type, not the map's.
                got = _json_type(next(v for v in child.values() if not isinstance(v, str)))
                shown = "string"
            out.append(
                f"json: cannot unmarshal {got} into Go struct field {struct or top}.{here} of type {shown}"
            )
            continue
        if kind in TYPES:
            _check_types(child, TYPES[kind], kind, here, out, top)
        elif kind and kind.startswith("[]") and kind[2:] in TYPES and isinstance(child, list):
            for i, item in enumerate(child):
                _check_types(item, TYPES[kind[2:]], kind[2:], f"{here}[{i}]", out, top)


def _walk(value: Any, fields: Fields, path: str, out: list[str], strip: bool) -> None:
    if not isinstance(value, dict):
        return
    for key, child in list(value.items()):
        here = f"{path}.{key}" if path else key
        kind = fields.get(key)
        if kind is None:
            out.append(here)
            if strip:
                del value[key]  # what Go's decoder does with a field its struct does not have
        elif kind.startswith("[]") and isinstance(child, list):
            for i, item in enumerate(child):
                _walk(item, TYPES[kind[2:]], f"{here}[{i}]", out, strip)
        elif kind in TYPES:
            _walk(child, TYPES[kind], here, out, strip)


def unknown_fields(rt: ResourceType, obj: Any, *, strip: bool = False) -> list[str]:
    """Paths like ``spec.replica`` or ``spec.template.spec.containers[0].imagee``; empty for unlisted kinds.

    With ``strip`` they are also removed from ``obj``, as the server drops fields it does not know.
    """
    fields = KINDS.get(rt.key)
    if fields is None:
        return []
    out: list[str] = []
    _walk(obj, fields, "", out, strip)
    return out


def check_patched(rt: ResourceType, patched: Any, *, scale: bool = False) -> None:
    """A patch whose result does not decode (a string for replicas, a number beyond int32) is 422 Invalid,
    field ``patch``, as kube-apiserver words it; a create or update with the same value is 400 (see check)."""
    if scale:
        replicas = ((patched.get("spec") if isinstance(patched, dict) else None) or {}).get("replicas", 0)
        wrong = [] if _fits(replicas, "int32") else [decode_error(replicas, "ScaleSpec.spec.replicas")]
    else:
        wrong = type_errors(rt, patched)
    if not wrong:
        return
    shown = json.dumps(json.dumps(patched, separators=(",", ":")))
    raise errors.invalid("", "", [("FieldValueInvalid", "patch", f"Invalid value: {shown}: {wrong[0]}")])


def fits_int32(value: Any) -> bool:
    return _fits(value, "int32")


def decode_error(value: Any, field: str) -> str:
    got = f"number {value}" if isinstance(value, int) and not isinstance(value, bool) else _json_type(value)
    return f"json: cannot unmarshal {got} into Go struct field {field} of type int32"


def check(rt: ResourceType, obj: Any, directive: str | None) -> list[str]:
    """Raises 400 for wrong types, and for unknown fields under Strict; returns the warnings to send for Warn
    (the default); nothing for Ignore. Unknown fields are removed from ``obj`` unless the request is refused.
    """
    wrong = type_errors(rt, obj)
    if wrong:
        raise errors.bad_request(
            f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: {wrong[0]}'
        )
    unknown = unknown_fields(rt, obj, strip=directive != "Strict")
    if directive == "Ignore":
        return []
    if not unknown:
        return []
    texts = [f'unknown field "{p}"' for p in unknown]
    if directive == "Strict":
        raise errors.bad_request(
            f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: strict decoding error: '
            + ", ".join(texts)
        )
    return texts
