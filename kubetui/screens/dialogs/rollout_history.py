"""Pure helpers for the rollout-undo dialog: revision ages, template differences, which revision to offer."""

from __future__ import annotations

import difflib
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

import yaml

from kubetui.cluster.render_time import human_age, parse_time

# Labels the deployment controller adds to each ReplicaSet's template; they always differ and mean nothing
# to the person comparing revisions.
_NOISE_LABELS = ("pod-template-hash",)


class RevisionLike(Protocol):
    """What the dialog needs of one entry of ``ops.rollout_history`` (read-only)."""

    @property
    def revision(self) -> int: ...
    @property
    def change_cause(self) -> str | None: ...
    @property
    def images(self) -> Sequence[str]: ...
    @property
    def created(self) -> Any: ...
    @property
    def current(self) -> bool: ...
    @property
    def template(self) -> dict[str, Any]: ...


def age(created: Any, now: float | None = None) -> str:
    """kubectl's short age (``45s``, ``3m``, ``2h``, ``4d``) or ``<unknown>``."""
    if isinstance(created, datetime):
        created = created.timestamp()
    epoch = created if isinstance(created, int | float) else parse_time(created)
    if epoch is None:
        return "<unknown>"
    return human_age(max(0.0, (time.time() if now is None else now) - epoch))


def clean_template(template: dict[str, Any]) -> dict[str, Any]:
    """The template without controller-added noise, for comparing revisions."""
    metadata = dict(template.get("metadata") or {})
    labels = {k: v for k, v in (metadata.get("labels") or {}).items() if k not in _NOISE_LABELS}
    if labels:
        metadata["labels"] = labels
    else:
        metadata.pop("labels", None)
    metadata.pop("creationTimestamp", None)
    cleaned = dict(template)
    if metadata:
        cleaned["metadata"] = metadata
    else:
        cleaned.pop("metadata", None)
    return cleaned


def template_diff(current: dict[str, Any], chosen: dict[str, Any]) -> list[str]:
    """Unified diff lines turning the current template into the chosen one (empty when they match)."""
    before = yaml.safe_dump(clean_template(current), sort_keys=True).splitlines()
    after = yaml.safe_dump(clean_template(chosen), sort_keys=True).splitlines()
    return list(difflib.unified_diff(before, after, "current", "after rollback", lineterm="", n=2))


def default_revision(revisions: Sequence[RevisionLike]) -> int | None:
    """The revision ``kubectl rollout undo`` goes back to: the newest one older than the current."""
    current = next((r.revision for r in revisions if r.current), None)
    if current is None:
        current = max((r.revision for r in revisions), default=None)
    older = [r.revision for r in revisions if current is not None and r.revision < current]
    return max(older) if older else None
