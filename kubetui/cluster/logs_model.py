"""The values log streams produce: lines, typed states, request options, and timestamp parsing."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class LogLine:
    """One line of a container's log, with the server's RFC 3339 timestamp (``""`` when it sent none)."""

    pod: str
    container: str
    ts: str
    text: str


class LogState(StrEnum):
    """What a container's log stream is doing, so the view never shows a silent wait."""

    STREAMING = "streaming"
    WAITING = "waiting"
    IMAGE_PULL = "image-pull"
    CRASH_LOOP = "crash-loop"
    RESTARTED = "restarted"
    TERMINATING = "terminating"
    DELETED = "deleted"
    ENDED = "ended"
    FORBIDDEN = "forbidden"
    LOST = "lost"
    RESUMED = "resumed"
    JOINED = "joined"
    LEFT = "left"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class LogStatus:
    """A change of state of one pod's (container's) stream; ``previous`` holds the last lines of the
    previous container when it crashed (CrashLoopBackOff)."""

    pod: str
    container: str
    state: LogState
    message: str
    previous: tuple[LogLine, ...] = ()


LogItem = LogLine | LogStatus


@dataclass(frozen=True, slots=True)
class LogOptions:
    """What to ask the API for. ``container=None`` means every container of the pod."""

    container: str | None = None
    tail_lines: int | None = None
    since_seconds: int | None = None
    previous: bool = False
    follow: bool = True


def ts_key(ts: str) -> str:
    """A key that orders RFC 3339 timestamps correctly, though Go trims trailing zeros of the fraction."""
    if len(ts) >= 20 and ts[-1] == "Z":
        frac = ts[20:-1] if ts[19] == "." else ""
        return ts[:19] + "." + frac.ljust(9, "0")
    return ts


def parse_log_line(pod: str, container: str, raw: bytes | str) -> LogLine:
    """Splits ``<timestamp> <text>`` as the API sends it with ``timestamps=true``."""
    if isinstance(raw, str):
        raw = raw.encode()
    if raw.endswith((b"\n", b"\r")):
        raw = raw.rstrip(b"\r\n")
    # A timestamped line starts with a four-digit year and has a space after the timestamp.
    if len(raw) >= 20 and raw[4] == 45 and raw[:4].isdigit():  # 45 is "-"
        ts, _, text = raw.partition(b" ")
        return LogLine(pod, container, ts.decode("ascii", "replace"), text.decode("utf-8", "replace"))
    return LogLine(pod, container, "", raw.decode("utf-8", "replace"))
