"""What kube-apiserver lets a pod update change: the images, activeDeadlineSeconds (set once, then only
lowered), tolerations (added, or their tolerationSeconds changed) and a negative grace period set to 1, each
refused with the real wording otherwise."""

from __future__ import annotations

from typing import Any, TypeGuard

Obj = dict[str, Any]
Cause = tuple[str, str, str]

MAX_INT32 = 2**31 - 1
UPDATABLE = (
    "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only "
    "additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set "
    "to 1 if it was previously negative)"
)
TOLERATIONS_MSG = "Forbidden: existing toleration can not be modified except its tolerationSeconds"


def _invalid(field: str, value: Any, detail: str) -> Cause:
    shown = "null" if value is None else str(value)
    return ("FieldValueInvalid", field, f"Invalid value: {shown}: {detail}")


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def spec_causes(spec: Obj) -> list[Cause]:
    """Rules of a pod's own spec that the shared container checks do not cover."""
    deadline = spec.get("activeDeadlineSeconds")
    if _is_int(deadline) and not 1 <= deadline <= MAX_INT32:
        return [
            _invalid("spec.activeDeadlineSeconds", deadline, f"must be between 1 and {MAX_INT32}, inclusive")
        ]
    return []


def update_causes(old: Obj, new: Obj) -> list[Cause]:
    """Why an update from spec ``old`` to spec ``new`` is refused, in kube-apiserver's order (it stops at the
    first failing rule of the containers and of activeDeadlineSeconds)."""
    for group in ("containers", "initContainers"):
        if len(old.get(group) or []) != len(new.get(group) or []):
            return [
                (
                    "FieldValueForbidden",
                    f"spec.{group}",
                    "Forbidden: pod updates may not add or remove containers",
                )
            ]
    out: list[Cause] = []
    before, after = old.get("activeDeadlineSeconds"), new.get("activeDeadlineSeconds")
    if after is not None:
        if _is_int(after) and not 0 <= after <= MAX_INT32:
            return [
                _invalid("spec.activeDeadlineSeconds", after, f"must be between 0 and {MAX_INT32}, inclusive")
            ]
        if _is_int(before) and _is_int(after) and before < after:
            return [
                _invalid("spec.activeDeadlineSeconds", after, "must be less than or equal to previous value")
            ]
    elif before is not None:
        out.append(
            _invalid(
                "spec.activeDeadlineSeconds", None, "must not update from a positive integer to nil value"
            )
        )
    if "tolerations" in new and not _only_added(old.get("tolerations") or [], new.get("tolerations") or []):
        out.append(("FieldValueForbidden", "spec.tolerations", TOLERATIONS_MSG))
    if _changed(old, new):
        out.append(("FieldValueForbidden", "spec", UPDATABLE))
    return out


def _toleration(t: Any) -> tuple[str, ...]:
    """A toleration without its tolerationSeconds, absent fields as Go's zero values."""
    t = t if isinstance(t, dict) else {}
    return tuple(str(t.get(k) or "") for k in ("key", "operator", "value", "effect"))


def _only_added(old: list[Any], new: list[Any]) -> bool:
    kept = {_toleration(t) for t in new}
    return all(_toleration(t) in kept for t in old)


def _changed(old: Obj, new: Obj) -> bool:
    """Whether the update changes more than the fields a pod update may change."""

    def munged(spec: Obj) -> Obj:
        out = {k: v for k, v in spec.items() if k not in ("activeDeadlineSeconds", "tolerations")}
        for group in ("containers", "initContainers"):
            if isinstance(out.get(group), list):
                out[group] = [
                    {k: v for k, v in c.items() if k != "image"} for c in out[group] if isinstance(c, dict)
                ]
        return out

    before, after = munged(old), munged(new)
    grace = old.get("terminationGracePeriodSeconds")
    if _is_int(grace) and grace < 0 and after.get("terminationGracePeriodSeconds") == 1:
        after["terminationGracePeriodSeconds"] = grace
    # Fields the update leaves out are defaulted again, so only the ones it sets can differ.
    return any(before.get(k) != v for k, v in after.items())
