"""List-then-watch loops per resource kind, emitting coalesced keyed deltas and an observable state.

Each ``Watcher`` lists (paginated), watches from the list's resourceVersion with bookmarks, and on a 410 or
any failure lists again and turns the differences against what it had delivered into deltas, so consumers
converge on the server's truth. It never gives up and never raises out of ``run()``.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from kubetui import kinds
from kubetui.cluster.compact import compact
from kubetui.cluster.connection import Connection
from kubetui.cluster.errors import ClusterError, Expired, Forbidden, Unauthorized, from_status

log = logging.getLogger(__name__)

DeltaType = Literal["ADDED", "MODIFIED", "DELETED"]
Phase = Literal["syncing", "live", "reconnecting", "forbidden", "unauthorized"]


@dataclass(frozen=True)
class KindInfo:
    """Where a kind lives in the API."""

    prefix: str  # "/api/v1" or "/apis/<group>/<version>"
    plural: str
    namespaced: bool
    kind: str  # the object's ``kind`` field
    api_version: str


# Every kind the registry knows can be watched; the session watches ``kinds.WATCHED`` for its whole run.
KIND_INFO: dict[str, KindInfo] = {
    k.plural: KindInfo(k.prefix, k.plural, k.namespaced, k.kind, k.api_version) for k in kinds.KINDS
}
KINDS: tuple[str, ...] = kinds.WATCHED


def kind_path(kind: str, namespace: str | None = None) -> str:
    """The collection path of ``kind``, in one namespace or across all (cluster-scoped kinds ignore it)."""
    info = KIND_INFO[kind]
    if info.namespaced and namespace:
        return f"{info.prefix}/namespaces/{namespace}/{info.plural}"
    return f"{info.prefix}/{info.plural}"


@dataclass(frozen=True, slots=True)
class Delta:
    type: DeltaType
    kind: str
    obj: dict[str, Any]

    @property
    def uid(self) -> str:
        return str(self.obj["metadata"]["uid"])


@dataclass(frozen=True)
class WatchState:
    kind: str
    phase: Phase
    since: float | None = None  # wall-clock time the phase began (for reconnecting: the first failure)
    error: str | None = None
    hint: str = ""  # what to do about the error, when its cause is known


class Backoff:
    """Jittered exponential backoff: ``initial`` doubling up to ``cap``, each wait stretched by up to 50%."""

    def __init__(self, initial: float = 0.8, cap: float = 30.0) -> None:
        self.initial = initial
        self.cap = cap
        self.attempt = 0

    def next(self) -> float:
        base = min(self.cap, self.initial * (2**self.attempt))
        self.attempt += 1
        return min(self.cap, base * (1 + random.random() * 0.5))

    def reset(self) -> None:
        self.attempt = 0


DeltasCallback = Callable[[str, list[Delta]], None]
StateCallback = Callable[[WatchState], None]


class Watcher:
    """Keeps one kind in sync: list → watch → (on 410 or error) relist with a diff, forever."""

    page_size = 500  # kubectl's chunk size
    # The first page of the first list only: a screenful or two, so the first screen does not wait for the
    # decoding, storing and drawing of 500 objects before it shows anything. Relists use full pages.
    first_page_size = 100
    coalesce_seconds = 0.005
    watch_timeout_range: tuple[int, int] = (300, 600)
    healthy_watch = 10.0  # seconds a watch must last for the backoff to start again from its shortest wait
    read_timeout_margin = 30.0  # beyond the server's timeoutSeconds, so only a dead socket trips it
    forbidden_retry = (45.0, 75.0)
    bookmarks = True  # tests turn them off to make a re-watch start from an old, compacted version

    def __init__(
        self,
        conn: Connection,
        kind: str,
        namespace: str | None,
        on_deltas: DeltasCallback,
        on_state: StateCallback,
        *,
        backoff: Backoff | None = None,
        fallback_namespace: str | None = None,
    ) -> None:
        self.conn = conn
        self.kind = kind
        self.info = KIND_INFO[kind]
        self.namespace = namespace if self.info.namespaced else None
        self.fallback_namespace = fallback_namespace if self.info.namespaced else None
        self.on_deltas = on_deltas
        self.on_state = on_state
        self.backoff = backoff or Backoff()
        self.state = WatchState(kind, "syncing", time.time())
        self.known: dict[str, dict[str, Any]] = {}  # uid -> object as last delivered
        self.resource_version = ""
        self._stopped = False
        self._resync = False
        self._task: asyncio.Task[Any] | None = None
        self._pending: dict[str, Delta] = {}
        self._flush_handle: asyncio.TimerHandle | None = None

    @property
    def path(self) -> str:
        return kind_path(self.kind, self.namespace)

    def stop(self) -> None:
        self._stopped = True
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()

    def resync(self) -> None:
        """Drop whatever request is in flight and list again at once (the server was silent for a while)."""
        if self._task is not None and not self._stopped and self._task is not asyncio.current_task():
            self._resync = True
            self._task.cancel()

    async def run(self) -> None:
        """Run until ``stop()``. Errors become states and retries, never exceptions."""
        self._task = asyncio.current_task()
        self._set_state("syncing", force=True)
        need_list = True
        while not self._stopped:
            try:
                if need_list:
                    await self._list_and_diff()
                    need_list = False
                    # No backoff reset here: a list that works followed by a watch that breaks at once must
                    # still slow down (8 kinds at once turned a bad stream into 23 requests a second).
                    self._set_state("live")
                if await self._watch():
                    # The server closed the watch before its timeout: it may have restarted (and even lost
                    # or rewound state), so only a fresh list can tell what is true now.
                    need_list = True
            except asyncio.CancelledError:
                if self._stopped:
                    break
                if not self._resync:
                    raise
                self._resync = False
                if self._task is not None:
                    self._task.uncancel()
                self._flush()
                need_list = True
                self.backoff.reset()
            except Expired:
                # The server no longer keeps our resourceVersion: list afresh and diff, at once the first
                # time; a 410 on the list itself (an expired continue token) waits like any failure.
                self._flush()
                if need_list:
                    await self._sleep(self.backoff.next())
                need_list = True
            except Forbidden as exc:
                self._flush()
                need_list = True
                if self.namespace is None and self.info.namespaced and self.fallback_namespace:
                    # No right to list across namespaces (a user with one namespace's Role): watch the
                    # namespace the context works in, at once; only a refusal there too is "forbidden".
                    self.namespace = self.fallback_namespace
                    continue
                self._set_state("forbidden", exc.message)
                await self._sleep(random.uniform(*self.forbidden_retry))
            except Exception as exc:  # any failure, typed or not, means: wait and list again
                self._flush()
                need_list = True
                message = exc.message if isinstance(exc, ClusterError) else f"{type(exc).__name__}: {exc}"
                if not isinstance(exc, ClusterError):
                    log.warning("watch %s failed unexpectedly", self.kind, exc_info=True)
                # Refused credentials are not a network blip: said as such, retried as patiently.
                phase: Phase = "unauthorized" if isinstance(exc, Unauthorized) else "reconnecting"
                self._set_state(phase, message, hint=getattr(exc, "hint", ""))
                await self._sleep(self.backoff.next())
        self._cancel_flush()

    async def _sleep(self, seconds: float) -> None:
        try:
            await asyncio.sleep(seconds)
        except asyncio.CancelledError:
            if self._resync and self._task is not None:
                self._resync = False  # cut short by resync(): the loop lists again next
                self._task.uncancel()
                return
            if not self._stopped:
                raise

    def _set_state(
        self, phase: Phase, error: str | None = None, *, hint: str = "", force: bool = False
    ) -> None:
        current = self.state
        if current.phase == phase and current.error == error and not force:
            return
        # A run of failures keeps the time of the first, so the UI can say "reconnecting since T".
        keep_since = phase == current.phase and phase in ("reconnecting", "unauthorized")
        since = current.since if keep_since else time.time()
        self.state = WatchState(self.kind, phase, since, error, hint)
        try:
            self.on_state(self.state)
        except Exception:
            log.exception("on_state callback failed")

    async def _list_and_diff(self) -> None:
        items: list[dict[str, Any]] = []
        token = ""
        initial = not self.known
        while True:
            limit = min(self.first_page_size, self.page_size) if initial and not token else self.page_size
            query: dict[str, Any] = {"limit": limit}
            if token:
                query["continue"] = token
            page = await self.conn.request("GET", self.path, query=query)
            first = len(items)
            for item in page.get("items") or ():
                item.setdefault("kind", self.info.kind)
                item.setdefault("apiVersion", self.info.api_version)
                items.append(compact(slim(item)))
            meta = page.get("metadata") or {}
            token = meta.get("continue") or ""
            if token:
                # A big list shows each page as it comes rather than after the last one: what is new or changed
                # at once, what was deleted once the whole list (the only thing that can say so) is in. What is
                # shown is known, so a list that breaks off is diffed against it by the next one.
                fresh = self._changes(items[first:])
                for delta in fresh:
                    self.known[delta.uid] = delta.obj
                if fresh:
                    self._emit(fresh)
            if not token:
                self.resource_version = str(meta.get("resourceVersion") or "")
                break
        seen = {item["metadata"]["uid"]: item for item in items}
        deltas = self._changes(items)
        for uid, old in self.known.items():
            if uid not in seen:
                deltas.append(Delta("DELETED", self.kind, old))
        self.known = seen
        self._cancel_flush()
        self._pending.clear()
        if deltas:
            self._emit(deltas)

    def _changes(self, items: list[dict[str, Any]]) -> list[Delta]:
        """ADDED or MODIFIED deltas for the listed ``items`` that are new or changed against what is known."""
        deltas = []
        for item in items:
            old = self.known.get(item["metadata"]["uid"])
            if old is None:
                deltas.append(Delta("ADDED", self.kind, item))
            elif old["metadata"].get("resourceVersion") != item["metadata"].get("resourceVersion"):
                deltas.append(Delta("MODIFIED", self.kind, item))
        return deltas

    async def _watch(self) -> bool:
        """Follow one watch request; True when the server ended it well before its timeout."""
        timeout = random.randint(*self.watch_timeout_range)
        query = {
            "watch": "true",
            "allowWatchBookmarks": "true" if self.bookmarks else "false",
            "resourceVersion": self.resource_version,
            "timeoutSeconds": timeout,
        }
        stream = self.conn.stream("GET", self.path, query=query, timeout=timeout + self.read_timeout_margin)
        started, lines = time.monotonic(), 0
        try:
            async for line in stream:
                if line.strip():
                    lines += 1
                    self._handle(_event(line, self.info.plural))
        finally:
            await stream.aclose()
            self._flush()
        elapsed = time.monotonic() - started
        if elapsed < min(self.healthy_watch, timeout * 0.9):
            # A server that ends watches early, again and again (with or without events), must not turn this
            # loop into a busy spin: each early end waits a little longer before the next list.
            await self._sleep(self.backoff.next())
        else:
            self.backoff.reset()  # a watch that lasted: the next trouble starts from a short wait
        return elapsed < timeout * 0.9

    def _handle(self, event: dict[str, Any]) -> None:
        etype = event.get("type")
        obj = event.get("object") or {}
        if etype == "ERROR":
            code = int(obj.get("code") or 500)
            raise from_status(
                code, obj, verb="watch", resource=self.info.plural, namespace=self.namespace or ""
            )
        rv = (obj.get("metadata") or {}).get("resourceVersion")
        if rv:
            self.resource_version = str(rv)
        if etype == "BOOKMARK" or etype not in ("ADDED", "MODIFIED", "DELETED"):
            return
        slim(obj)
        uid = (obj.get("metadata") or {}).get("uid")
        if not isinstance(uid, str) or not uid:
            raise _malformed(self.info.plural, "an event whose object has no metadata.uid")
        if etype == "DELETED":
            self.known.pop(uid, None)
        else:
            self.known[uid] = compact(obj)
        self._queue(Delta(etype, self.kind, obj))

    def _queue(self, delta: Delta) -> None:
        uid = delta.uid
        prior = self._pending.get(uid)
        if prior is not None:
            merged = _merge(prior, delta)
            if merged is None:
                del self._pending[uid]
            else:
                self._pending[uid] = merged
        else:
            self._pending[uid] = delta
        if self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_later(self.coalesce_seconds, self._flush)

    def _cancel_flush(self) -> None:
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None

    def _flush(self) -> None:
        self._cancel_flush()
        if self._pending:
            deltas = list(self._pending.values())
            self._pending.clear()
            self._emit(deltas)

    def _emit(self, deltas: list[Delta]) -> None:
        try:
            self.on_deltas(self.kind, deltas)
        except Exception:
            log.exception("on_deltas callback failed for %s", self.kind)


LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def slim(obj: dict[str, Any]) -> dict[str, Any]:
    """``obj`` without what no pane, relation or row reads and kubectl hides too: managedFields and the
    last-applied annotation, often most of a small object's size. YAML and describe fetch the full object."""
    meta = obj.get("metadata")
    if meta:
        meta.pop("managedFields", None)
        annotations = meta.get("annotations")
        if annotations and LAST_APPLIED in annotations:
            del annotations[LAST_APPLIED]
    return obj


def _event(line: bytes, plural: str) -> dict[str, Any]:
    """One watch event decoded; a line that is not a JSON object means the stream is broken."""
    try:
        event = orjson.loads(line)
    except orjson.JSONDecodeError:
        raise _malformed(plural, f"a line that is not JSON ({line[:60]!r}...)") from None
    if not isinstance(event, dict) or not isinstance(event.get("object") or {}, dict):
        raise _malformed(plural, "a line that is not a watch event")
    return event


def _malformed(plural: str, what: str) -> ClusterError:
    return ClusterError(f"the watch of {plural} sent {what}; listing again", 0)


def _merge(prior: Delta, new: Delta) -> Delta | None:
    """Fold two deltas for one uid within a batch: ADDED+MODIFIED is ADDED, ADDED+DELETED is nothing."""
    if new.type == "DELETED":
        return None if prior.type == "ADDED" else new
    if prior.type == "ADDED":
        return Delta("ADDED", new.kind, new.obj)
    return new


def __getattr__(name: str) -> Any:
    # WatchHub lived here before it had a module of its own; old imports keep working.
    if name == "WatchHub":
        from kubetui.cluster.watch_hub import WatchHub

        return WatchHub
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
