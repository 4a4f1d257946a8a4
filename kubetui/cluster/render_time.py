"""kubectl's way of printing timestamps as ages: RFC 3339 parsing and ``duration.HumanDuration``."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any


def parse_time(value: Any) -> float | None:
    """RFC 3339 (optionally with fractional seconds) → epoch seconds; None for missing values."""
    if not value or not isinstance(value, str):
        return None
    return _parse(value)


# Rows are re-rendered every second for their ages, always from the same few timestamps per object.
@lru_cache(maxsize=65536)
def _parse(value: str) -> float | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def human_age(seconds: float) -> str:
    """kubectl's ``duration.HumanDuration``: ``45s``, ``5m2s``, ``3h``, ``2d3h``, ``3y``."""
    secs = int(seconds)  # truncates toward zero like Go's int(d.Seconds())
    if secs < -1:
        return "<invalid>"
    if secs < 0:
        return "0s"
    if secs < 120:
        return f"{secs}s"
    minutes = secs // 60
    if minutes < 10:
        s = secs % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 180:
        return f"{minutes}m"
    hours = secs // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        years = hours // 24 // 365
        return f"{years}y" if days == 0 else f"{years}y{days}d"
    return f"{hours // 24 // 365}y"


def timestamp_since(value: Any, now: float) -> str:
    """kubectl's ``translateTimestampSince``: ``<unknown>`` for a missing timestamp."""
    ts = parse_time(value)
    if ts is None:
        return "<unknown>"
    return human_age(now - ts)
