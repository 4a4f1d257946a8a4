"""Secrets on screen: values masked everywhere, decoded only on request, registry passwords never."""

from __future__ import annotations

import base64
import binascii
import copy
from typing import Any

import orjson

MASK = "••••••••"
DOCKER_CONFIG_JSON = "kubernetes.io/dockerconfigjson"
DOCKER_CONFIG = "kubernetes.io/dockercfg"
_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"  # holds the values in clear


def is_secret(obj: dict[str, Any] | None) -> bool:
    return obj is not None and obj.get("kind") == "Secret"


def masked(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of a Secret whose values (and any copy of them in annotations) are replaced by a mask."""
    if not is_secret(obj):
        return obj
    out = copy.deepcopy(obj)
    for field in ("data", "stringData"):
        if isinstance(out.get(field), dict):
            out[field] = {key: MASK for key in out[field]}
    annotations = (out.get("metadata") or {}).get("annotations") or {}
    if _LAST_APPLIED in annotations:
        annotations[_LAST_APPLIED] = MASK
    return out


def _decode(value: Any) -> str:
    try:
        raw = base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        return "<not base64>"
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return f"<{len(raw)} bytes of binary data>"


def registry_logins(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """(registry, user) of a docker-registry Secret; the password and auth string are never read out."""
    data = obj.get("data") or {}
    key = ".dockerconfigjson" if ".dockerconfigjson" in data else ".dockercfg"
    try:
        config = orjson.loads(base64.b64decode(str(data.get(key, "")), validate=True))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        return []
    auths = config.get("auths", config) if isinstance(config, dict) else {}
    out = []
    for registry, entry in sorted((auths or {}).items()):
        entry = entry if isinstance(entry, dict) else {}
        user = str(entry.get("username") or "")
        if not user and entry.get("auth"):
            user = _decode(entry["auth"]).split(":", 1)[0]  # only the part before the password
        out.append((str(registry), user))
    return out


def decoded_lines(obj: dict[str, Any]) -> list[str]:
    """What ``x`` shows: each key with its decoded value, or for a docker-registry Secret each registry
    with its user and the password withheld."""
    if obj.get("type") in (DOCKER_CONFIG_JSON, DOCKER_CONFIG):
        logins = registry_logins(obj)
        if not logins:
            return ["(no registry credentials could be read)"]
        return [
            f"registry: {registry}    user: {user or '(none)'}    password: (not shown)"
            for registry, user in logins
        ]
    data = obj.get("data") or {}
    if not data:
        return ["(no data)"]
    return [f"{key}: {_decode(value)}" for key, value in sorted(data.items())]
