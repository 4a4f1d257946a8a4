"""The values log streams produce (lines, typed states, request options), timestamp parsing, and what a pod
object says about one container's state."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


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
RawLine = tuple[str, str, str, str]  # (pod, container, ts, text): a line as batches carry it with raw_lines


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


def parse_raw(pod: str, container: str, raw: bytes | str) -> RawLine:
    """Splits ``<timestamp> <text>`` as the API sends it with ``timestamps=true``, into a plain tuple: the form
    lines travel and are kept in (a frozen dataclass costs several times as much to build, per line)."""
    line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    if line and line[-1] in "\r\n":
        line = line.rstrip("\r\n")
    # A timestamped line starts with a four-digit year and has a space after the timestamp.
    if len(line) >= 20 and line[4] == "-" and line[:4].isdigit() and line[:4].isascii():
        ts, _, text = line.partition(" ")
        return (pod, container, ts, text)
    return (pod, container, "", line)


def parse_log_line(pod: str, container: str, raw: bytes | str) -> LogLine:
    """``parse_raw`` as a LogLine."""
    return LogLine(*parse_raw(pod, container, raw))


@dataclass(frozen=True, slots=True)
class ContainerState:
    """What the pod object says about one container right now."""

    state: str  # running | waiting | terminated | deleted | forbidden | unreachable | unknown
    reason: str = ""
    message: str = ""
    restarts: int = 0
    container_id: str = ""
    terminating: bool = False
    will_restart: bool = True


def container_state(pod: dict[str, Any], container: str) -> ContainerState:
    """Reads one container's state from a pod object as the kubelet reports it."""
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    terminating = bool((pod.get("metadata") or {}).get("deletionTimestamp"))
    phase = status.get("phase", "")
    policy = spec.get("restartPolicy", "Always")
    names = [c.get("name") for c in (spec.get("initContainers") or []) + (spec.get("containers") or [])]
    if names and container not in names:
        name = (pod.get("metadata") or {}).get("name", "")
        return ContainerState("unknown", message=f"container {container} is not valid for pod {name}")
    for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        if cs.get("name") != container:
            continue
        state = cs.get("state") or {}
        restarts = int(cs.get("restartCount") or 0)
        cid = cs.get("containerID", "")
        if "running" in state:
            return ContainerState("running", restarts=restarts, container_id=cid, terminating=terminating)
        if "terminated" in state:
            t = state["terminated"] or {}
            exit_code = int(t.get("exitCode") or 0)
            will_restart = phase not in ("Succeeded", "Failed") and (
                policy == "Always" or (policy == "OnFailure" and exit_code != 0)
            )
            return ContainerState(
                "terminated",
                t.get("reason", ""),
                t.get("message", "") or f"exit code {exit_code}",
                restarts,
                t.get("containerID", cid),
                terminating,
                will_restart and not terminating,
            )
        w = state.get("waiting") or {}
        return ContainerState(
            "waiting",
            w.get("reason", "") or "ContainerCreating",
            w.get("message", ""),
            restarts,
            cid,
            terminating,
        )
    if phase in ("Succeeded", "Failed"):
        return ContainerState("terminated", phase, "", terminating=terminating, will_restart=False)
    for cond in status.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("status") == "False":
            return ContainerState("waiting", cond.get("reason", "Unschedulable"), cond.get("message", ""))
    return ContainerState("waiting", "ContainerCreating", "", terminating=terminating)
