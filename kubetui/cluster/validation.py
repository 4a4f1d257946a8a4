"""Checks made before anything is sent: object names by Kubernetes' rules and with its messages."""

from __future__ import annotations

import re
from typing import Any

from kubetui.cluster.errors import Invalid

FIELD_MANAGER = "kubetui"

# --- names -------------------------------------------------------------------------------------------

_DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN = rf"{_DNS1123_LABEL}(\.{_DNS1123_LABEL})*"
_DNS1035_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?"
_RULES: dict[str, tuple[str, int, str, tuple[str, ...]]] = {
    "subdomain": (
        _DNS1123_SUBDOMAIN,
        253,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
        "and must start and end with an alphanumeric character",
        ("example.com",),
    ),
    "label": (
        _DNS1123_LABEL,
        63,
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
        "and must start and end with an alphanumeric character",
        ("my-name", "123-abc"),
    ),
    "dns1035": (
        _DNS1035_LABEL,
        63,
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
        "alphabetic character, and end with an alphanumeric character",
        ("my-name", "abc-123"),
    ),
}


def validate_name(name: str, rule: str = "subdomain") -> str | None:
    """None when ``name`` is valid, else the API server's message (``subdomain``, ``label`` or ``dns1035``).

    Deployments, Secrets and most objects are DNS-1123 subdomains; Services are DNS-1035 labels.
    """
    if not name:
        return "name or generateName is required"
    pattern, max_len, message, examples = _RULES[rule]
    errors = []
    if len(name) > max_len:
        errors.append(f"must be no more than {max_len} characters")
    if not re.fullmatch(pattern, name):
        shown = "".join(f"{' or ' if i else ''}'{e}', " for i, e in enumerate(examples))
        errors.append(f"{message} (e.g. {shown}regex used for validation is '{pattern}')")
    return "; ".join(errors) or None


def check_name(kind: str, name: str, rule: str = "subdomain") -> None:
    error = validate_name(name, rule)
    if error:
        raise Invalid(
            f'The {kind} "{name}" is invalid: metadata.name: Invalid value: "{name}": {error}',
            0,
            causes=[{"reason": "FieldValueInvalid", "message": error, "field": "metadata.name"}],
        )


def dry_run_query(dry_run: bool, **query: Any) -> dict[str, Any]:
    if dry_run:
        query["dryRun"] = "All"
    return query
