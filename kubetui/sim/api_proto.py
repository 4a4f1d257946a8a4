"""Decoding of Kubernetes protobuf request bodies into JSON objects.

kubectl's typed clients (``kubectl create deployment``, ``create secret``, ``create namespace`` ...) send
``application/vnd.kubernetes.protobuf`` bodies. Answers stay JSON (clients accept it), so only decoding is
needed, and only for the messages those commands produce. The field numbers below are those of the
Kubernetes API's ``generated.proto`` files; unknown fields are skipped, as protobuf readers do.
"""

from __future__ import annotations

import base64
import struct
from datetime import UTC, datetime
from typing import Any

from kubetui.sim import errors

MAGIC = b"k8s\x00"

# A schema maps field number -> (json name, type). Types: "string", "bytes", "int", "bool", "time",
# "intstr", "quantity", a message name, "map:<value type>", and "[]<type>" for repeated fields.
Schema = dict[int, tuple[str, str]]

SCHEMAS: dict[str, Schema] = {
    "Unknown": {
        1: ("typeMeta", "TypeMeta"),
        2: ("raw", "bytes"),
        3: ("contentEncoding", "string"),
        4: ("contentType", "string"),
    },
    "TypeMeta": {1: ("apiVersion", "string"), 2: ("kind", "string")},
    # kubectl auth can-i and whoami send these through typed clients, as protobuf.
    "SelfSubjectAccessReview": {1: ("metadata", "ObjectMeta"), 2: ("spec", "SelfSubjectAccessReviewSpec")},
    "SelfSubjectAccessReviewSpec": {
        1: ("resourceAttributes", "ResourceAttributes"),
        2: ("nonResourceAttributes", "NonResourceAttributes"),
    },
    "ResourceAttributes": {
        1: ("namespace", "string"),
        2: ("verb", "string"),
        3: ("group", "string"),
        4: ("version", "string"),
        5: ("resource", "string"),
        6: ("subresource", "string"),
        7: ("name", "string"),
    },
    "NonResourceAttributes": {1: ("path", "string"), 2: ("verb", "string")},
    "SelfSubjectRulesReview": {1: ("metadata", "ObjectMeta"), 2: ("spec", "SelfSubjectRulesReviewSpec")},
    "SelfSubjectRulesReviewSpec": {1: ("namespace", "string")},
    "SelfSubjectReview": {1: ("metadata", "ObjectMeta")},
    "ObjectMeta": {
        1: ("name", "string"),
        2: ("generateName", "string"),
        3: ("namespace", "string"),
        5: ("uid", "string"),
        6: ("resourceVersion", "string"),
        7: ("generation", "int"),
        8: ("creationTimestamp", "time"),
        11: ("labels", "map:string"),
        12: ("annotations", "map:string"),
        13: ("ownerReferences", "[]OwnerReference"),
        14: ("finalizers", "[]string"),
    },
    "OwnerReference": {
        1: ("kind", "string"),
        3: ("name", "string"),
        4: ("uid", "string"),
        5: ("apiVersion", "string"),
        6: ("controller", "bool"),
        7: ("blockOwnerDeletion", "bool"),
    },
    "LabelSelector": {
        1: ("matchLabels", "map:string"),
        2: ("matchExpressions", "[]LabelSelectorRequirement"),
    },
    "LabelSelectorRequirement": {1: ("key", "string"), 2: ("operator", "string"), 3: ("values", "[]string")},
    "Deployment": {1: ("metadata", "ObjectMeta"), 2: ("spec", "DeploymentSpec"), 3: ("status", "Empty")},
    "DeploymentSpec": {
        1: ("replicas", "int"),
        2: ("selector", "LabelSelector"),
        3: ("template", "PodTemplateSpec"),
        4: ("strategy", "DeploymentStrategy"),
        5: ("minReadySeconds", "int"),
        6: ("revisionHistoryLimit", "int"),
        7: ("paused", "bool"),
        9: ("progressDeadlineSeconds", "int"),
    },
    "DeploymentStrategy": {1: ("type", "string"), 2: ("rollingUpdate", "RollingUpdateDeployment")},
    "RollingUpdateDeployment": {1: ("maxUnavailable", "intstr"), 2: ("maxSurge", "intstr")},
    "ReplicaSet": {1: ("metadata", "ObjectMeta"), 2: ("spec", "ReplicaSetSpec"), 3: ("status", "Empty")},
    "ReplicaSetSpec": {
        1: ("replicas", "int"),
        2: ("selector", "LabelSelector"),
        3: ("template", "PodTemplateSpec"),
        4: ("minReadySeconds", "int"),
    },
    "PodTemplateSpec": {1: ("metadata", "ObjectMeta"), 2: ("spec", "PodSpec")},
    "Pod": {1: ("metadata", "ObjectMeta"), 2: ("spec", "PodSpec"), 3: ("status", "Empty")},
    "PodSpec": {
        1: ("volumes", "[]Volume"),
        2: ("containers", "[]Container"),
        3: ("restartPolicy", "string"),
        4: ("terminationGracePeriodSeconds", "int"),
        5: ("activeDeadlineSeconds", "int"),
        6: ("dnsPolicy", "string"),
        7: ("nodeSelector", "map:string"),
        8: ("serviceAccountName", "string"),
        9: ("serviceAccount", "string"),
        10: ("nodeName", "string"),
        11: ("hostNetwork", "bool"),
        15: ("imagePullSecrets", "[]LocalObjectReference"),
        16: ("hostname", "string"),
        17: ("subdomain", "string"),
        19: ("schedulerName", "string"),
        20: ("initContainers", "[]Container"),
        22: ("tolerations", "[]Toleration"),
        24: ("priorityClassName", "string"),
        25: ("priority", "int"),
    },
    "Volume": {1: ("name", "string")},
    "LocalObjectReference": {1: ("name", "string")},
    "Toleration": {
        1: ("key", "string"),
        2: ("operator", "string"),
        3: ("value", "string"),
        4: ("effect", "string"),
        5: ("tolerationSeconds", "int"),
    },
    "Container": {
        1: ("name", "string"),
        2: ("image", "string"),
        3: ("command", "[]string"),
        4: ("args", "[]string"),
        5: ("workingDir", "string"),
        6: ("ports", "[]ContainerPort"),
        7: ("env", "[]EnvVar"),
        8: ("resources", "ResourceRequirements"),
        9: ("volumeMounts", "[]VolumeMount"),
        13: ("terminationMessagePath", "string"),
        14: ("imagePullPolicy", "string"),
        16: ("stdin", "bool"),
        17: ("stdinOnce", "bool"),
        18: ("tty", "bool"),
        20: ("terminationMessagePolicy", "string"),
    },
    "ContainerPort": {
        1: ("name", "string"),
        2: ("hostPort", "int"),
        3: ("containerPort", "int"),
        4: ("protocol", "string"),
        5: ("hostIP", "string"),
    },
    "EnvVar": {1: ("name", "string"), 2: ("value", "string")},
    "VolumeMount": {
        1: ("name", "string"),
        2: ("readOnly", "bool"),
        3: ("mountPath", "string"),
        4: ("subPath", "string"),
    },
    "ResourceRequirements": {1: ("limits", "map:quantity"), 2: ("requests", "map:quantity")},
    "Service": {1: ("metadata", "ObjectMeta"), 2: ("spec", "ServiceSpec"), 3: ("status", "Empty")},
    "ServiceSpec": {
        1: ("ports", "[]ServicePort"),
        2: ("selector", "map:string"),
        3: ("clusterIP", "string"),
        4: ("type", "string"),
        5: ("externalIPs", "[]string"),
        7: ("sessionAffinity", "string"),
        8: ("loadBalancerIP", "string"),
        10: ("externalName", "string"),
        11: ("externalTrafficPolicy", "string"),
        13: ("publishNotReadyAddresses", "bool"),
        18: ("clusterIPs", "[]string"),
        19: ("ipFamilies", "[]string"),
        20: ("ipFamilyPolicy", "string"),
        22: ("internalTrafficPolicy", "string"),
    },
    "ServicePort": {
        1: ("name", "string"),
        2: ("protocol", "string"),
        3: ("port", "int"),
        4: ("targetPort", "intstr"),
        5: ("nodePort", "int"),
        6: ("appProtocol", "string"),
    },
    "Secret": {
        1: ("metadata", "ObjectMeta"),
        2: ("data", "map:bytes"),
        3: ("type", "string"),
        4: ("stringData", "map:string"),
        5: ("immutable", "bool"),
    },
    "ConfigMap": {
        1: ("metadata", "ObjectMeta"),
        2: ("data", "map:string"),
        3: ("binaryData", "map:bytes"),
        4: ("immutable", "bool"),
    },
    "Namespace": {1: ("metadata", "ObjectMeta"), 2: ("spec", "Empty"), 3: ("status", "Empty")},
    "ServiceAccount": {
        1: ("metadata", "ObjectMeta"),
        2: ("secrets", "[]Empty"),
        3: ("imagePullSecrets", "[]LocalObjectReference"),
        4: ("automountServiceAccountToken", "bool"),
    },
    "Empty": {},
}


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def fields(data: bytes) -> list[tuple[int, int, Any]]:
    """The raw (field number, wire type, value) triples of one message."""
    out: list[tuple[int, int, Any]] = []
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        num, wire = key >> 3, key & 7
        value: Any
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            length, pos = _varint(data, pos)
            value, pos = data[pos : pos + length], pos + length
            if pos > len(data):
                raise ValueError("truncated field")
        elif wire == 1:
            value, pos = struct.unpack_from("<q", data, pos)[0], pos + 8
        elif wire == 5:
            value, pos = struct.unpack_from("<i", data, pos)[0], pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        out.append((num, wire, value))
    return out


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _scalar(kind: str, value: Any) -> Any:
    if kind == "string":
        return bytes(value).decode()
    if kind == "bytes":
        return base64.b64encode(bytes(value)).decode()
    if kind == "int":
        return _signed(value)
    if kind == "bool":
        return bool(value)
    if kind == "time":
        seconds = next((_signed(v) for n, _, v in fields(value) if n == 1), 0)
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    if kind == "quantity":
        return next((bytes(v).decode() for n, _, v in fields(value) if n == 1), "")
    if kind == "intstr":
        parts = {n: v for n, _, v in fields(value)}
        return bytes(parts.get(3, b"")).decode() if parts.get(1) == 1 else _signed(parts.get(2, 0))
    return decode_message(kind, value)


# Optional (pointer) fields whose zero value was set on purpose; other zero values are Go's defaults that
# the generated code always writes, and JSON would have left out.
KEEP_ZERO = frozenset(
    {
        "replicas",
        "revisionHistoryLimit",
        "terminationGracePeriodSeconds",
        "progressDeadlineSeconds",
        "automountServiceAccountToken",
        "immutable",
        "activeDeadlineSeconds",
    }
)


def decode_message(name: str, data: bytes) -> dict[str, Any]:
    schema = SCHEMAS.get(name, {})
    out: dict[str, Any] = {}
    for num, _wire, value in fields(data):
        if num not in schema:
            continue
        key, kind = schema[num]
        if kind in ("string", "int", "bool") and not value and key not in KEEP_ZERO:
            continue
        if kind == "time" and not any(n == 1 and v for n, _, v in fields(value)):
            continue
        if kind.startswith("map:"):
            entry = {n: v for n, _, v in fields(value)}
            k = bytes(entry.get(1, b"")).decode()
            out.setdefault(key, {})[k] = _scalar(kind[4:], entry.get(2, b""))
        elif kind.startswith("[]"):
            out.setdefault(key, []).append(_scalar(kind[2:], value))
        else:
            out[key] = _scalar(kind, value)
    return out


def decode(body: bytes) -> dict[str, Any]:
    """A protobuf request body as the JSON object it encodes; 400 BadRequest if it cannot be read."""
    if not body.startswith(MAGIC):
        raise errors.bad_request(
            "provided protobuf data is not a Kubernetes object: the magic prefix is missing"
        )
    try:
        unknown = decode_message("Unknown", body[len(MAGIC) :])
        type_meta = unknown.get("typeMeta") or {}
        kind = type_meta.get("kind", "")
        if kind not in SCHEMAS:
            raise errors.ApiError(
                415,
                "UnsupportedMediaType",
                f"the protobuf body of a {kind or 'object'} cannot be read; send JSON",
            )
        raw = base64.b64decode(unknown.get("raw", ""))
        obj = decode_message(kind, raw)
    except (ValueError, UnicodeDecodeError, struct.error) as exc:
        raise errors.bad_request(f"the protobuf body could not be decoded: {exc}") from None
    obj["apiVersion"] = type_meta.get("apiVersion", "")
    obj["kind"] = kind
    return obj
