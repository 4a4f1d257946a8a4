"""When a pod in ImagePullBackOff pulls again: the kubelet's back-off, read from the pod's pull events.

The kubelet waits 10 s after the first failed pull and doubles the wait after each further failure, up to
5 minutes. A pull Secret added meanwhile is only tried at the next pull, so the rollout view says when that is.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from kubetui.cluster.render_time import parse_time

BACKOFF_START = 10.0
BACKOFF_MAX = 300.0


def _last_seen(event: dict[str, Any]) -> float | None:
    series = event.get("series") or {}
    for value in (series.get("lastObservedTime"), event.get("lastTimestamp"), event.get("eventTime")):
        at = parse_time(value)
        if at is not None:
            return at
    return None


def _count(event: dict[str, Any]) -> int:
    series = event.get("series") or {}
    return int(series.get("count") or event.get("count") or 1)


def next_pull_retry(events: Iterable[dict[str, Any]], pod: dict[str, Any]) -> float | None:
    """Epoch seconds when ``pod``'s kubelet pulls again, from its "Failed to pull image" events; None if unknown."""
    uid = (pod.get("metadata") or {}).get("uid")
    failures = [
        e
        for e in events
        if (e.get("involvedObject") or {}).get("uid") == uid
        and e.get("reason") == "Failed"
        and str(e.get("message") or "").startswith("Failed to pull image")
    ]
    seen = [(at, e) for e in failures if (at := _last_seen(e)) is not None]
    if not seen:
        return None
    last, _event = max(seen, key=lambda s: s[0])
    attempts = sum(_count(e) for e in failures)
    return last + min(BACKOFF_START * 2 ** max(attempts - 1, 0), BACKOFF_MAX)


def backoff_note(
    pods: Iterable[dict[str, Any]],
    state_of: Callable[[dict[str, Any]], str],
    retry_at: Callable[[dict[str, Any]], float | None],
    now: float | None = None,
) -> str:
    """One sentence for the pods waiting in ImagePullBackOff, with the soonest next retry; '' when none."""
    waiting = [p for p in pods if state_of(p) == "ImagePullBackOff"]
    if not waiting:
        return ""
    now = time.time() if now is None else now
    due = sorted(
        (at, (p.get("metadata") or {}).get("name", "")) for p in waiting if (at := retry_at(p)) is not None
    )
    what = f"{len(waiting)} pod{'s' if len(waiting) != 1 else ''} in ImagePullBackOff"
    note = (
        f"{what}: the kubelet pulls again after a back-off (10 s, doubling up to 5 min), and a new pull "
        "Secret counts from that pull on"
    )
    if not due:
        return note + "."
    at, name = due[0]
    seconds = max(0, round(at - now))
    return note + (f"; next retry: {name} in about {seconds} s." if seconds else f"; next retry: {name} now.")
