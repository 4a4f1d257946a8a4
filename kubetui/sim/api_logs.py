"""``pods/{name}/log``: container logs from the simulated kubelet, with the errors a real kubelet gives."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from kubetui.sim import errors

if TYPE_CHECKING:
    from kubetui.sim.api import Api, Target

Obj = dict[str, Any]

_PULL_REASONS = ("ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "RegistryUnavailable")


def parse_time(text: str) -> float | None:
    """Seconds since the epoch of an RFC 3339 time (nanoseconds allowed), or None."""
    try:
        base, _, frac = text.rstrip("Z").partition(".")
        t = datetime.strptime(base[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC).timestamp()
        return t + (float("0." + frac[:9]) if frac.isdigit() else 0.0)
    except ValueError:
        return None


def _container(pod: Obj, name: str | None) -> str:
    spec = pod.get("spec") or {}
    pod_name = pod["metadata"]["name"]
    names = [c.get("name") for c in spec.get("containers") or []]
    init = [c.get("name") for c in spec.get("initContainers") or []]
    if not name:
        if len(names) == 1:
            return str(names[0])
        msg = f"a container name must be specified for pod {pod_name}, choose one of: [{' '.join(names)}]"
        if init:
            msg += f" or one of the init containers: [{' '.join(init)}]"
        raise errors.bad_request(msg)
    if name not in names and name not in init:
        raise errors.bad_request(f"container {name} is not valid for pod {pod_name}")
    return name


def _check_state(pod: Obj, container: str, previous: bool) -> None:
    """Raises what the kubelet answers when a container has no logs to give yet."""
    pod_name = pod["metadata"]["name"]
    if not (pod.get("spec") or {}).get("nodeName"):
        raise errors.bad_request(f"pod {pod_name} does not have a host assigned")
    status = pod.get("status") or {}
    statuses = (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or [])
    cs = next((s for s in statuses if s.get("name") == container), None)
    if previous:
        if cs is None or not (cs.get("lastState") or {}).get("terminated"):
            raise errors.bad_request(
                f'previous terminated container "{container}" in pod "{pod_name}" not found'
            )
        return
    state = (cs or {}).get("state") or {"waiting": {"reason": "ContainerCreating"}}
    waiting = state.get("waiting")
    if waiting is None:
        return
    reason = waiting.get("reason") or "ContainerCreating"
    if (cs or {}).get("lastState", {}).get("terminated"):
        return  # a crash-looping container still shows the logs of its last run
    if reason in _PULL_REASONS:
        detail = "trying and failing to pull image"
    elif reason == "InvalidImageName":
        detail = "image can't be pulled"
    else:
        detail = reason
    raise errors.bad_request(f'container "{container}" in pod "{pod_name}" is waiting to start: {detail}')


def _int(q: Any, key: str) -> int | None:
    if key not in q:
        return None
    try:
        return int(q[key])
    except ValueError:
        raise errors.bad_request(f"{key}: Invalid value: {q[key]!r}") from None


async def pod_log(api: Api, request: web.Request, t: Target) -> web.StreamResponse:
    assert t.name is not None
    q = request.query
    pod = api.store.must_get("pods", t.namespace or "", t.name)
    container = _container(pod, q.get("container"))
    previous = q.get("previous") in ("true", "1")
    follow = q.get("follow") in ("true", "1") and not previous
    timestamps = q.get("timestamps") in ("true", "1")
    tail = _int(q, "tailLines")
    since_seconds = _int(q, "sinceSeconds")
    limit_bytes = _int(q, "limitBytes")
    since: float | None = None
    if "sinceTime" in q:
        since = parse_time(q["sinceTime"])
        if since is None:
            raise errors.bad_request(f'sinceTime: Invalid value: "{q["sinceTime"]}"')
    elif since_seconds is not None:
        now = parse_time(api.store.clock()) or datetime.now(UTC).timestamp()
        since = now - since_seconds
    _check_state(pod, container, previous)
    cluster = api.server.cluster
    # Following starts where this snapshot ends, so a line written in between is neither lost nor sent twice.
    snapshot_at = cluster.clock.now() if hasattr(cluster, "clock") else None
    lines: list[tuple[str, str]] = list(cluster.pod_log(t.namespace, t.name, container, previous=previous))
    snapshot_last = lines[-1][0] if lines else ""
    if since is not None:
        lines = [(ts, text) for ts, text in lines if (parse_time(ts) or 0) >= since]
    if tail is not None:
        lines = lines[-tail:] if tail > 0 else []

    def fmt(ts: str, text: str) -> bytes:
        return (f"{ts} {text}\n" if timestamps else f"{text}\n").encode()

    body = b"".join(fmt(ts, text) for ts, text in lines)
    if limit_bytes is not None:
        body = body[:limit_bytes]
    if not follow:
        return web.Response(body=body, content_type="text/plain")
    resp = web.StreamResponse(headers={"Content-Type": "text/plain", "Cache-Control": "no-cache"})
    resp.enable_chunked_encoding()
    api.server.track(request)
    try:
        await resp.prepare(request)
        if body:
            await resp.write(body)
        follower = getattr(cluster, "follow_log", None)
        if follower is not None:
            async for item in follower(t.namespace, t.name, container, since=snapshot_at):
                ts, text = item if isinstance(item, tuple) else ("", str(item))
                if ts and ts <= snapshot_last:
                    continue
                await resp.write(fmt(ts, text))
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        api.server.untrack(request)
    return resp
