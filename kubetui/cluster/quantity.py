"""Kubernetes resource quantities (``100m``, ``128Mi``, ``2``): parsing, summing and printing them as the API does."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000), "": Fraction(1),
            "k": Fraction(10**3), "M": Fraction(10**6), "G": Fraction(10**9), "T": Fraction(10**12),
            "P": Fraction(10**15), "E": Fraction(10**18)}  # fmt: skip
_PATTERN = re.compile(r"^([+-]?[0-9.]+)(e[+-]?[0-9]+|E[+-]?[0-9]+|[a-zA-Z]*)$")


@dataclass(frozen=True)
class Quantity:
    """An exact amount and the suffix family it was written in (``binary`` for Ki/Mi/..., else decimal)."""

    value: Fraction
    binary: bool = False

    def __add__(self, other: Quantity) -> Quantity:
        # Like resource.Quantity.Add: the sum keeps the format of the left operand unless that is zero.
        binary = self.binary if self.value else other.binary
        return Quantity(self.value + other.value, binary)

    def __str__(self) -> str:
        value = self.value
        if value == 0:
            return "0"
        if self.binary and value.denominator == 1 and value >= 1024:
            for suffix, step in reversed(_BINARY.items()):
                if value % step == 0:
                    return f"{value // step}{suffix}"
        if value.denominator == 1:
            for suffix in ("E", "P", "T", "G", "M", "k"):
                if value % _DECIMAL[suffix] == 0 and not self.binary:
                    return f"{value // _DECIMAL[suffix]}{suffix}"
            return str(value.numerator)
        for suffix in ("m", "u", "n"):
            scaled = value / _DECIMAL[suffix]
            if scaled.denominator == 1:
                return f"{scaled.numerator}{suffix}"
        # Smaller than a nanounit is rounded up, as the API does.
        return f"{-(-value.numerator * 10**9 // value.denominator)}n"


def parse_quantity(text: Any) -> Quantity:
    """``"100m"`` → 0.1, ``"128Mi"`` → 134217728 (binary), ``"1e3"`` → 1000; raises ValueError otherwise."""
    raw = str(text).strip()
    match = _PATTERN.match(raw)
    if not match:
        raise ValueError(f"quantities must match the regular expression: {raw!r}")
    number, suffix = Fraction(match.group(1)), match.group(2)
    if suffix in _BINARY:
        return Quantity(number * _BINARY[suffix], True)
    if suffix in _DECIMAL:
        return Quantity(number * _DECIMAL[suffix])
    if suffix[:1] in ("e", "E"):
        return Quantity(number * Fraction(10) ** int(suffix[1:]))
    raise ValueError(f"unknown quantity suffix in {raw!r}")


def pod_requests_and_limits(pod: Mapping[str, Any]) -> tuple[dict[str, Quantity], dict[str, Quantity]]:
    """A pod's effective requests and limits: containers summed, each init container as a floor, plus overhead."""
    spec = pod.get("spec") or {}
    reqs: dict[str, Quantity] = {}
    limits: dict[str, Quantity] = {}

    def add(target: dict[str, Quantity], values: Mapping[str, Any] | None) -> None:
        for name, amount in (values or {}).items():
            q = parse_quantity(amount)
            target[name] = target[name] + q if name in target else q

    for container in spec.get("containers") or []:
        resources = container.get("resources") or {}
        add(reqs, resources.get("requests"))
        add(limits, resources.get("limits"))
    for container in spec.get("initContainers") or []:
        resources = container.get("resources") or {}
        for target, values in ((reqs, resources.get("requests")), (limits, resources.get("limits"))):
            for name, amount in (values or {}).items():
                q = parse_quantity(amount)
                if name not in target or target[name].value < q.value:
                    target[name] = q
    add(reqs, spec.get("overhead"))
    add(limits, spec.get("overhead"))
    return reqs, limits


def total(quantities: Iterable[Quantity]) -> Quantity:
    result = Quantity(Fraction(0))
    for q in quantities:
        result = result + q
    return result
