"""Normalising responses before they are compared, and describing what still differs.

Two clusters can never agree on uids, times, resourceVersions, generated name suffixes, allocated IPs and
ports, node names or opaque continue tokens; everything else in a response is compared as it is.

What controllers write moves at each cluster's own pace, so it is left out of every answer but the one to a
create: the status of Deployments, ReplicaSets and Pods, the revision annotation, and the managedFields entries of
managers the script does not name (the controllers', the scheduler's, kwok's). The controllers themselves are
compared on their own, step by step, in test_controllers_diff.py.
"""

from __future__ import annotations

import re
from typing import Any

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}(:\d+)?$")
# Volume names the ServiceAccount admission plugin generates.
API_ACCESS = re.compile(r"kube-api-access-[a-z0-9]{5}")
# ResourceVersions quoted in error messages (preconditions, "too old resource version: 12 (34)").
RV_IN_TEXT = re.compile(r"(?i)(resourceversion[^0-9]{0,40}|too old resource version: |\()\d+")
CONTROLLER_KINDS = {"Deployment", "ReplicaSet", "Pod"}
# Field managers the script itself uses: the harness's User-Agent and the fieldManager names of its applies.
SCRIPT_MANAGERS = {"kubetui-diff", "alice", "bob", "carol", "dave", "lb"}
CONTROLLER_ANNOTATIONS = ("deployment.kubernetes.io/revision",)
AGE_CELL = re.compile(r"^(<invalid>|\d+(s|m|h|d|y)(\d+(s|m|h))?)$")


class Normaliser:
    """One per server: remembers that server's generated names and node names so each maps to a placeholder."""

    def __init__(self, node_names: list[str]) -> None:
        self.names: dict[str, str] = {n: "NODE" for n in node_names}

    def learn(self, value: Any) -> None:
        """Record generated names (``generateName`` + suffix) found anywhere in a response."""
        if isinstance(value, dict):
            meta = value.get("metadata")
            if isinstance(meta, dict) and meta.get("generateName") and meta.get("name"):
                self.names.setdefault(meta["name"], meta["generateName"] + "GENERATED")
            for v in value.values():
                self.learn(v)
        elif isinstance(value, list):
            for v in value:
                self.learn(v)

    def text(self, value: str) -> str:
        value = UUID.sub("UID", value)
        value = API_ACCESS.sub("kube-api-access-GENERATED", value)
        if TIME.match(value):
            return "TIME"
        if value.startswith("-----BEGIN "):
            return "PEM"  # each cluster has its own CA
        if IPV4.match(value):
            return "IP"
        for name, placeholder in self.names.items():
            if name in value:
                value = re.sub(rf"\b{re.escape(name)}\b", placeholder, value)
        return value

    def body(self, value: Any, *, read: bool = False) -> Any:
        """``read`` is False only for the answer to a create, where controllers cannot have acted yet."""
        self.learn(value)
        return self._walk(value, (), read)

    def _walk(self, value: Any, path: tuple[str, ...], read: bool, kind: str = "") -> Any:
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            kind = str(value.get("kind") or kind)
            controller = kind in CONTROLLER_KINDS and "metadata" in value
            for key, v in value.items():
                here = (*path, key)
                if read and controller and key == "status":
                    continue
                if key == "managedFields" and isinstance(v, list):
                    v = [e for e in v if not isinstance(e, dict) or e.get("manager") in SCRIPT_MANAGERS]
                    if not v:
                        continue
                    # Entries are ordered by their times, which are normalised away: order them by the rest.
                    v = sorted(v, key=_entry_order)
                if (
                    key == "causes"
                    and isinstance(v, list)
                    and any(isinstance(c, dict) and c.get("reason") == "FieldManagerConflict" for c in v)
                ):
                    # Real lists apply conflicts in Go map order, which changes from run to run.
                    v = sorted(v, key=lambda c: (str(c.get("field")), str(c.get("message"))))
                if key == "items" and isinstance(v, list) and kind.endswith("List"):
                    # List items carry no kind of their own: they are of the list's kind.
                    out[key] = [self._walk(i, here, read, kind.removesuffix("List")) for i in v]
                    continue
                out[key] = self._field(key, v, here, read)
            if controller and read:
                annotations = out.get("metadata", {}).get("annotations")
                if isinstance(annotations, dict):
                    for a in CONTROLLER_ANNOTATIONS:
                        annotations.pop(a, None)
                    if not annotations:
                        out["metadata"].pop("annotations")
            return out
        if isinstance(value, list):
            return [self._walk(v, path, read) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def _field(self, key: str, v: Any, path: tuple[str, ...], read: bool) -> Any:
        if key in ("resourceVersion", "uid") and isinstance(v, str):
            return "RV" if key == "resourceVersion" else "UID"
        if key == "continue" and isinstance(v, str) and v:
            return "CONTINUE"
        if key == "nodePort" and isinstance(v, int):
            return "PORT"
        if key in ("message", "reason") and isinstance(v, str) and "status" not in path[:1]:
            return RV_IN_TEXT.sub(lambda m: m.group(1) + "N", self.text(v))
        if key == "cells" and isinstance(v, list):
            return [
                "AGE" if isinstance(c, str) and AGE_CELL.match(c) else self._walk(c, path, read) for c in v
            ]
        if key == "remainingItemCount" and isinstance(v, int):
            return v
        return self._walk(v, path, read)


def _entry_order(entry: Any) -> tuple[str, ...]:
    if not isinstance(entry, dict):
        return ()
    return tuple(str(entry.get(k, "")) for k in ("operation", "manager", "apiVersion", "subresource"))


def differences(a: Any, b: Any, path: str = "", limit: int = 8) -> list[str]:
    """Up to ``limit`` short descriptions of where ``a`` (built-in) and ``b`` (real) differ."""
    out: list[str] = []
    _diff(a, b, path or "$", out, limit)
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 90 else text[:87] + "..."


def _diff(a: Any, b: Any, path: str, out: list[str], limit: int) -> None:
    if len(out) >= limit:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            here = f"{path}.{key}"
            if key not in a:
                out.append(f"{here}: only real has {_short(b[key])}")
            elif key not in b:
                out.append(f"{here}: only built-in has {_short(a[key])}")
            else:
                _diff(a[key], b[key], here, out, limit)
            if len(out) >= limit:
                return
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: built-in has {len(a)} items, real {len(b)}: {_short(a)} vs {_short(b)}")
            return
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _diff(x, y, f"{path}[{i}]", out, limit)
    elif a != b:
        out.append(f"{path}: built-in {_short(a)} vs real {_short(b)}")
