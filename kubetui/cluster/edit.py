"""``kubectl edit`` without the terminal: the file the editor gets, what comes back, and the patch sent.

The object is written as YAML under kubectl's header; lines starting with ``#`` are ignored on the way back;
an empty file cancels; an unchanged one sends nothing. The change goes as a JSON merge patch computed from the
original and the edited object (it works for every kind, custom resources included), carrying the original
``resourceVersion`` so that an object changed meanwhile is a Conflict, not a silent overwrite. When the server
refuses it, the file is offered again with the error as comments at the top, as kubectl does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from kubetui.cluster.connection import MERGE_PATCH

HEADER = (
    "# Please edit the object below. Lines beginning with a '#' will be ignored,\n"
    "# and an empty file will abort the edit. If an error occurs while saving this file will be\n"
    "# reopened with the relevant failures.\n"
    "#\n"
)
# Fields the server owns; kubectl leaves them in the file but they take no part in the patch.
_SERVER_FIELDS = ("managedFields",)


class EditError(ValueError):
    """The edited file is not a usable object (bad YAML, not a mapping, kind or name changed)."""


@dataclass(frozen=True)
class Edited:
    """What came back from the editor: nothing (cancelled), no change, or a patch to send."""

    cancelled: bool = False
    unchanged: bool = False
    patch: dict[str, Any] | None = None
    obj: dict[str, Any] | None = None


def editable(obj: dict[str, Any]) -> dict[str, Any]:
    """The object as the editor shows it: without managedFields (kubectl's ``--show-managed-fields=false``)."""
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in _SERVER_FIELDS}
    # In the order kubectl prints an object (its Go struct order): status, if any, last.
    first: dict[str, Any] = {k: obj[k] for k in ("apiVersion", "kind") if k in obj}
    rest = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata", "status")}
    tail = {"status": obj["status"]} if "status" in obj else {}
    return {**first, "metadata": meta, **rest, **tail}


def render(obj: dict[str, Any], error: str | None = None) -> str:
    """The file the editor opens: the header, the error (if the last save failed) as comments, the YAML."""
    text = HEADER
    if error:
        text += "".join(f"# {line}\n" if line else "#\n" for line in error.splitlines()) + "#\n"
    return text + yaml.safe_dump(obj, sort_keys=False, default_flow_style=False, allow_unicode=True)


def strip_comments(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def merge_patch(original: Any, edited: Any) -> Any:
    """RFC 7386: the JSON merge patch that turns ``original`` into ``edited`` (removed keys become null)."""
    if not isinstance(original, dict) or not isinstance(edited, dict):
        return edited
    patch: dict[str, Any] = {}
    for key in original.keys() - edited.keys():
        patch[key] = None
    for key, value in edited.items():
        if key not in original:
            patch[key] = value
        elif original[key] != value:
            patch[key] = merge_patch(original[key], value)
    return patch


def read_back(original: dict[str, Any], text: str) -> Edited:
    """Parse the saved file against the object it was opened with."""
    body = strip_comments(text)
    if not body.strip():
        return Edited(cancelled=True)
    try:
        edited = yaml.safe_load(body)
    except yaml.YAMLError as exc:
        raise EditError(f"error: the edited file is not valid YAML: {exc}") from None
    if not isinstance(edited, dict):
        raise EditError("error: the edited file must hold one object (a YAML mapping)")
    before = editable(original)
    if edited == before:
        return Edited(unchanged=True, obj=edited)
    for field, label in (("kind", "kind"), ("apiVersion", "apiVersion")):
        if edited.get(field) != before.get(field):
            raise EditError(f"error: At least one of apiVersion, kind and name was changed ({label})")
    if (edited.get("metadata") or {}).get("name") != (before.get("metadata") or {}).get("name"):
        raise EditError("error: At least one of apiVersion, kind and name was changed (name)")
    patch = merge_patch(before, edited)
    version = (before.get("metadata") or {}).get("resourceVersion")
    if version:  # a precondition: the server answers 409 Conflict if the object moved on meanwhile
        patch.setdefault("metadata", {}).setdefault("resourceVersion", version)
    return Edited(patch=patch, obj=edited)


async def send(conn: Any, path: str, patch: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = await conn.request("PATCH", path, body=patch, content_type=MERGE_PATCH)
    return result
