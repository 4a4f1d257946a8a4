"""Validation of ConfigMaps and Secrets (keys, types, immutability) and Secret decoding (``stringData``, base64),
worded as kube-apiserver words it."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from kubetui.sim import errors

Obj = dict[str, Any]
Cause = tuple[str, str, str]

_CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
CONFIG_KEY_MSG = (
    "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or "
    "'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"
)
# The keys each Secret type requires (one of several, where the list says "any").
SECRET_TYPE_KEYS: dict[str, tuple[str, ...]] = {
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
    "kubernetes.io/basic-auth": ("username", "password"),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/dockercfg": (".dockercfg",),
}
_BASE64 = re.compile(r"[A-Za-z0-9+/=]")
IMMUTABLE_MSG = "Forbidden: field is immutable when `immutable` is set"


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"'


def decode_secret(obj: Obj) -> Obj:
    """What decoding a Secret does: ``data`` must be base64 (400 otherwise) and ``stringData`` is merged into
    it, encoded, and dropped; empty maps are left out, as Go's omitempty does."""
    data = obj.get("data")
    if isinstance(data, dict):
        for value in data.values():
            if not isinstance(value, str):
                continue
            bad = next((i for i, ch in enumerate(value) if not _BASE64.match(ch)), None)
            try:
                if bad is None:
                    base64.b64decode(value, validate=True)
            except binascii.Error:
                bad = len(value) - len(value) % 4 if len(value) % 4 else len(value)
            if bad is not None:
                raise errors.bad_request(
                    f'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte {bad}'
                )
    string_data = obj.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        merged = dict(data) if isinstance(data, dict) else {}
        for key, value in string_data.items():
            merged[key] = base64.b64encode(str(value).encode()).decode()
        obj["data"] = merged
    drop_empty(obj, ("data",))
    return obj


def drop_empty(obj: Obj, fields: tuple[str, ...]) -> None:
    for name in fields:
        if name in obj and obj[name] in ({}, None):
            del obj[name]


def config_causes(kind: str, obj: Obj) -> list[Cause]:
    out: list[Cause] = []
    for field in ("data", "binaryData") if kind == "ConfigMap" else ("data",):
        values = obj.get(field)
        if not isinstance(values, dict):
            continue
        for key in values:
            if not _CONFIG_KEY.match(key) or len(key) > 253:
                out.append(
                    (
                        "FieldValueInvalid",
                        f"{field}[{key}]",
                        f"Invalid value: {_quoted(key)}: {CONFIG_KEY_MSG}",
                    )
                )
    if kind == "Secret":
        data = obj.get("data") or {}
        keys = SECRET_TYPE_KEYS.get(str(obj.get("type") or ""), ())
        if obj.get("type") == "kubernetes.io/basic-auth" and any(k in data for k in keys):
            keys = ()  # either of the two will do
        out += [("FieldValueRequired", f"data[{key}]", "Required value") for key in keys if key not in data]
    return out


def immutable_causes(kind: str, obj: Obj, old: Obj) -> list[Cause]:
    out: list[Cause] = []
    if kind == "Secret" and (obj.get("type") or "Opaque") != (old.get("type") or "Opaque"):
        out.append(
            (
                "FieldValueInvalid",
                "type",
                f"Invalid value: {_quoted(str(obj.get('type')))}: field is immutable",
            )
        )
    if old.get("immutable") is True:
        fields = ("data", "binaryData") if kind == "ConfigMap" else ("data",)
        for field in fields:
            if (obj.get(field) or {}) != (old.get(field) or {}):
                out.append(("FieldValueForbidden", field, IMMUTABLE_MSG))
        if obj.get("immutable") is not True:
            out.append(("FieldValueForbidden", "immutable", IMMUTABLE_MSG))
    return out
