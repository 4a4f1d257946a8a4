"""Container logs computed from a ``LogScript`` and the run's start time: nothing is stored, so memory stays flat."""

from __future__ import annotations

import math
from dataclasses import dataclass

from kubetui.sim.clock import rfc3339nano
from kubetui.sim.images import LogScript

# How many lines of one container run can be read back, as a kubelet's log rotation would keep.
MAX_LINES = 10_000


@dataclass
class Run:
    """One run of a container: when it started and (if it did) ended, in wall-clock seconds."""

    script: LogScript
    start: float
    end: float | None = None
    # The speed a finished run ran at; a running one follows the cluster's current speed.
    speed: float | None = None

    def finish(self, at: float, speed: float) -> None:
        self.end = at
        self.speed = speed


def run_end(run: Run, speed: float) -> float | None:
    """When the process exits (or exited), if it ever does."""
    speed = run.speed or speed
    if run.end is not None:
        return run.end
    if run.script.exit_after is not None:
        return run.start + run.script.exit_after / speed
    return None


def lines_between(
    run: Run, speed: float, after: float | None, until: float, max_lines: int = MAX_LINES
) -> list[tuple[float, str]]:
    """Lines stamped in (``after``, ``until``], oldest first, at most the newest ``max_lines``."""
    speed = run.speed or speed
    script = run.script
    end = run_end(run, speed)
    if end is not None:
        until = min(until, end)
    lo = run.start if after is None else after
    out: list[tuple[float, str]] = []
    for i, (offset, fn) in enumerate(script.startup):
        t = run.start + offset / speed
        if (after is None or t > after) and t <= until:
            out.append((t, fn(i, t)))
    if script.every and script.periodic is not None:
        step = script.every / speed
        first_t = run.start + script.periodic_from / speed
        k_hi = math.floor((until - first_t) / step + 1e-9)
        if k_hi >= 0:
            k_lo = 0 if after is None else max(0, math.floor((lo - first_t) / step + 1e-9) + 1)
            k_lo = max(k_lo, k_hi - max_lines + 1)
            for k in range(k_lo, k_hi + 1):
                t = first_t + k * step
                if after is None or t > after:
                    out.append((t, script.periodic(k, t)))
    out.sort(key=lambda x: x[0])
    return out[-max_lines:]


def next_line_at(run: Run, speed: float, after: float) -> float | None:
    """Wall-clock time of the first line after ``after`` (None when the run will write nothing more)."""
    speed = run.speed or speed
    script = run.script
    end = run_end(run, speed)
    candidates = [run.start + off / speed for off, _ in script.startup if run.start + off / speed > after]
    if script.every and script.periodic is not None:
        step = script.every / speed
        first_t = run.start + script.periodic_from / speed
        k = max(0, math.floor((after - first_t) / step + 1e-9) + 1)
        candidates.append(first_t + k * step)
    if not candidates:
        return None
    t = min(candidates)
    if end is not None and t > end:
        return None
    return t


def stamped(lines: list[tuple[float, str]]) -> list[tuple[str, str]]:
    """RFC3339Nano stamps; the seconds part is formatted once per second (lines come thousands a second)."""
    out = []
    seconds: dict[int, str] = {}
    for t, text in lines:
        total = int(t * 1_000_000_000)
        sec, nanos = divmod(total, 1_000_000_000)
        prefix = seconds.get(sec)
        if prefix is None:
            prefix = seconds[sec] = rfc3339nano(sec)[:-11]
        out.append((f"{prefix}.{nanos:09d}Z", text))
    return out
