"""Watch streams: newline-delimited JSON events from a resourceVersion, with selectors, bookmarks and timeouts."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web

from kubetui.sim import errors, tables
from kubetui.sim.selectors import make_filter
from kubetui.sim.store import ADDED, DELETED, MODIFIED, Event

if TYPE_CHECKING:
    from kubetui.sim.api import Api, Target

Obj = dict[str, Any]

# Kubernetes closes watches after a random 30-60 minutes; clients simply re-watch.
DEFAULT_TIMEOUT = 1800.0


def _line(kind: str, obj_bytes: bytes) -> bytes:
    return b'{"type":"' + kind.encode() + b'","object":' + obj_bytes + b"}\n"


async def watch(api: Api, request: web.Request, t: Target) -> web.StreamResponse:
    q = request.query
    store = api.store
    key = t.rt.key
    filt = make_filter(q.get("labelSelector"), q.get("fieldSelector"), key)
    bookmarks = q.get("allowWatchBookmarks") in ("1", "true", "True")
    send_initial = q.get("sendInitialEvents") in ("1", "true", "True")
    as_table = "as=Table" in request.headers.get("Accept", "")
    include = q.get("includeObject")
    try:
        timeout = float(q.get("timeoutSeconds") or DEFAULT_TIMEOUT)
    except ValueError:
        raise errors.bad_request(f"timeoutSeconds: Invalid value: {q.get('timeoutSeconds')!r}") from None
    rv_param = q.get("resourceVersion", "")
    if rv_param not in ("", "0"):
        try:
            since = int(rv_param)
        except ValueError:
            raise errors.ApiError(
                500,
                "",
                f'resourceVersion: Invalid value: "{rv_param}": strconv.ParseUint: parsing "{rv_param}": invalid syntax',
            ) from None
    else:
        since = store.rv
    if send_initial:
        # The initial events are the current state, so the stream continues from now (the given version only
        # says how fresh that state must be, and the current state always is).
        since = store.rv
    if t.name is not None:  # legacy /watch/.../{name}
        name = t.name
        inner = filt
        filt = lambda o: o["metadata"]["name"] == name and (inner is None or inner(o))  # noqa: E731

    # Snapshot and subscription happen with no await in between, so nothing is missed or doubled.
    initial: list[Obj] = []
    if rv_param in ("", "0") or send_initial:
        initial = [o for o in store.list(key, t.namespace) if filt is None or filt(o)]
    expired: errors.ApiError | None = None
    w = None
    try:
        w = store.watch(key, t.namespace, since)
    except errors.ApiError as err:
        expired = err

    resp = web.StreamResponse(headers={"Content-Type": "application/json", "Cache-Control": "no-cache"})
    resp.enable_chunked_encoding()
    api.server.track(request)
    first_table = [True]

    def encode(kind: str, obj: Obj) -> bytes:
        if as_table and kind in (ADDED, MODIFIED, DELETED):
            tbl = tables.table(key, [obj], include, store.clock(), t.rt)
            if not first_table[0]:
                tbl["columnDefinitions"] = []
            first_table[0] = False
            return _line(kind, orjson.dumps(tbl))
        return _line(kind, api.codec.encode(key, obj))

    def bookmark(rv: int, initial_end: bool = False) -> bytes:
        meta: Obj = {"resourceVersion": str(rv)}
        if initial_end:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        return _line(
            "BOOKMARK", orjson.dumps({"kind": t.rt.kind, "apiVersion": t.rt.api_version, "metadata": meta})
        )

    try:
        await resp.prepare(request)
        if expired is not None:
            # As the watch cache does: the request is accepted, then the stream carries one ERROR event.
            await resp.write(_line("ERROR", orjson.dumps(expired.status())))
            return resp
        assert w is not None
        chunk = [encode(ADDED, o) for o in initial]
        if send_initial and bookmarks:
            chunk.append(bookmark(since, initial_end=True))
        if chunk:
            await resp.write(b"".join(chunk))
        await _pump(api, resp, w, filt, encode, bookmark if bookmarks else None, timeout, since)
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        if w is not None:
            store.unwatch(w)
        api.server.untrack(request)
    return resp


async def _pump(
    api: Api,
    resp: web.StreamResponse,
    w: Any,
    filt: Any,
    encode: Any,
    bookmark: Any,
    timeout: float,
    last_rv: int,
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    interval = api.server.bookmark_interval
    while True:
        remaining = deadline - loop.time()
        if remaining <= 0:
            break
        wait = min(remaining, interval) if bookmark else remaining
        try:
            event = await asyncio.wait_for(w.queue.get(), wait)
        except TimeoutError:
            if bookmark is not None and deadline - loop.time() > 0:
                await resp.write(bookmark(max(last_rv, api.store.rv if w.queue.empty() else last_rv)))
            continue
        events = [event]
        while not w.queue.empty():
            events.append(w.queue.get_nowait())
        out: list[bytes] = []
        closed = False
        for ev in events:
            if ev is None:
                closed = True
                break
            last_rv = ev.rv
            kind = _translate(ev, filt)
            if kind is not None:
                out.append(encode(kind, ev.obj))
        if out:
            await resp.write(b"".join(out))
        if closed:
            return
    if bookmark is not None:
        # Kubernetes sends a last bookmark as a watch times out, so the client resumes without a relist.
        await resp.write(bookmark(max(last_rv, api.store.rv if w.queue.empty() else last_rv)))


def _translate(ev: Event, filt: Any) -> str | None:
    """The event type a filtered watcher sees: objects moving in or out of the selection are ADDED/DELETED."""
    if filt is None:
        return ev.type
    now = filt(ev.obj)
    if ev.type == ADDED:
        return ADDED if now else None
    if ev.type == DELETED:
        return DELETED if now else None
    before = ev.old is not None and filt(ev.old)
    if before and now:
        return MODIFIED
    if now:
        return ADDED
    if before:
        return DELETED
    return None
