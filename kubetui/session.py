"""ClusterSession: the UI's one way to a cluster — Connection, WatchHub and Store, with coalesced delta messages.

Watch deltas are applied to the Store as they arrive (on the app's event loop) and announced to the UI at most
every ``flush_interval`` seconds as one ``DeltasArrived`` per kind, so a burst of events costs one repaint.
Operations run as tasks that post ``OperationDone``/``OperationFailed``. Failing to reach the cluster never ends
the session: it reports the cause, keeps the last-known data (marked stale by the watch states) and retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from textual.message import Message

from kubetui.messages import (
    ConnectionChanged,
    DeltasArrived,
    OperationDone,
    OperationFailed,
    WatchStateChanged,
)

FREEZE_BATCH = 200
FIRST_LISTED = ("pods",)  # the pane kubetui opens on: its list goes out first


@dataclass
class SessionConfig:
    """Where to connect: kubeconfig file (None: kubectl's rules), context, namespace, and how."""

    kubeconfig: str | None = None
    context: str | None = None
    namespace: str | None = None
    all_namespaces: bool = False
    readonly: bool = False
    builtin: bool = False  # the built-in cluster kubetui started for this run


class ClusterSession:
    """One connection to one context at a time; switching context replaces Connection, WatchHub and Store."""

    flush_interval = 0.05  # at most ~20 repaints a second from watch traffic
    retry_delays = (0.5, 1.0, 2.0, 5.0, 10.0)
    # The longest wait between watch retries: after an outage the data is fresh again within this while the
    # app has the terminal's focus; with the focus elsewhere the cluster is spared.
    attentive_backoff_cap = 5.0
    idle_backoff_cap = 30.0

    def __init__(self, config: SessionConfig, post: Callable[[Message], object]) -> None:
        from kubetui.cluster.store import Store

        self.config = config
        self._post = post
        self.store: Any = Store()
        self.conn: Any = None
        self.hub: Any = None
        self.states: dict[str, Any] = {}
        self.version: dict[str, Any] = {}
        self.error: Exception | None = None
        self.connecting = False
        self.namespace: str = config.namespace or "default"
        self.all_namespaces = config.all_namespaces
        self._pending: dict[str, list[Any]] = {}
        self._pending_uids: dict[str, set[str]] = {}
        self._flush_handle: asyncio.TimerHandle | None = None
        self._connect_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False
        self._generation = 0  # bumps on every context switch; callbacks from an old hub are ignored
        self.liveness: Any = None  # probes the server; notices one that stopped answering
        self.attentive = True  # the terminal has the focus (or cannot tell us): retries wait less
        self._wake = asyncio.Event()  # set by retry_now(): the connect loop stops waiting
        self._liveness_task: asyncio.Task[None] | None = None

    # -- what the UI reads --------------------------------------------------------------------------------

    @property
    def context(self) -> str:
        """The context shown: the connection's, else the one asked for, else the kubeconfig's current one
        (still worth naming when the server cannot be reached)."""
        return str(
            getattr(self.conn, "context", None) or self.config.context or self._current_context() or ""
        )

    _kubeconfig_context: tuple[str | None, str] | None = None

    def _current_context(self) -> str:
        cached = self._kubeconfig_context
        if cached is None or cached[0] != self.config.kubeconfig:
            try:
                from kubetui.cluster.kubeconfig import load_kubeconfig

                current = load_kubeconfig(self.config.kubeconfig).current_context or ""
            except Exception:
                current = ""
            cached = self._kubeconfig_context = (self.config.kubeconfig, current)
        return cached[1]

    @property
    def server(self) -> str:
        return str(getattr(self.conn, "server", "") or "")

    @property
    def readonly(self) -> bool:
        return bool(self.config.readonly or getattr(self.conn, "readonly", False))

    @property
    def view_namespace(self) -> str | None:
        """The namespace the panes show; None means all namespaces."""
        return None if self.all_namespaces else self.namespace

    @property
    def settled(self) -> bool:
        """Every watch is live and every delta received has been announced to the UI."""
        return self.connection_state()[0] == "live" and self._flush_handle is None and not self._pending

    def connection_state(self) -> tuple[str, float | None, str | None]:
        """("connecting"|"unreachable"|"unauthorized"|"reconnecting"|"syncing"|"live"|"forbidden", since, detail).

        Kinds the user may not list do not make the connection look broken: "forbidden" only when nothing
        else is watched (``no_access`` names them for the panes)."""
        if self.conn is None:
            if self.error is not None:
                return "unreachable", None, _error_text(self.error)
            return "connecting", None, None
        stale_since = getattr(self.liveness, "stale_since", None)
        if stale_since is not None:
            return "reconnecting", stale_since, getattr(self.liveness, "detail", None)
        phases = [getattr(s, "phase", "syncing") for s in self.states.values()]
        # Kinds this user may not list are not a broken connection: "forbidden" only when nothing else is.
        order = (
            "unauthorized",
            "reconnecting",
            "syncing",
            *(("forbidden",) if set(phases) == {"forbidden"} else ()),
        )
        for phase in order:
            states = [s for s in self.states.values() if getattr(s, "phase", "syncing") == phase]
            if states:
                # The earliest: the header says since when something has been wrong, which does not move.
                state = min(states, key=lambda s: getattr(s, "since", None) or float("inf"))
                return phase, getattr(state, "since", None), _state_text(state)
        return ("live", None, None) if self.states else ("syncing", None, None)

    def no_access(self) -> list[str]:
        """The kinds the cluster refuses to list to this user (their panes say so; the others stay live)."""
        return sorted(kind for kind, s in self.states.items() if getattr(s, "phase", "") == "forbidden")

    def narrowed(self) -> dict[str, str]:
        """Kinds shown from one namespace although all were asked for: listing across them is forbidden."""
        return dict(self.hub.narrowed()) if self.hub is not None else {}

    # -- lifecycle ------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Connects in the background (retrying until it works or the session closes)."""
        self._connect_task = asyncio.create_task(self._connect_loop(self._generation))

    async def close(self) -> None:
        self._closed = True
        self._resume_gc()
        await self._teardown()
        for task in list(self._tasks):
            task.cancel()

    async def switch_context(
        self, context: str, namespace: str | None = None, kubeconfig: str | None = None
    ) -> None:
        """Drops the current cluster's data and connects to ``context`` (of another kubeconfig if given)."""
        from kubetui.cluster.store import Store

        await self._teardown()
        if kubeconfig is not None and kubeconfig != self.config.kubeconfig:
            self.config.kubeconfig = kubeconfig
            self.config.builtin = False
        self.config.context = context
        self.config.namespace = namespace
        self.namespace = namespace or self._default_namespace(context)
        self.store = Store()
        self.states = {}
        self.version = {}
        self.error = None
        self._post(ConnectionChanged(False))
        self._post_reset()
        self.start()

    def set_namespace(self, namespace: str | None) -> None:
        """Shows one namespace (or all with None). The namespaced watches move there and what they held is
        dropped, so memory follows what is viewed; nodes and namespaces stay watched cluster-wide."""
        if namespace is None:
            self.all_namespaces = True
        else:
            self.all_namespaces = False
            self.namespace = namespace
        if self.hub is not None:
            for kind in self.hub.set_namespace(self.watch_scope, fallback_namespace=self.namespace):
                self.store.clear(kind)
                self._pending.pop(kind, None)
                self._pending_uids.pop(kind, None)
                self.states[kind] = self.hub.states[kind]
        self._post(ConnectionChanged(self.conn is not None, self.error))
        self._post_reset()

    @property
    def watch_scope(self) -> str | None:
        """Where namespaced kinds are watched: the namespace shown, or every namespace (None) with -A."""
        return None if self.all_namespaces else self.namespace

    @property
    def _backoff_cap(self) -> float:
        return self.attentive_backoff_cap if self.attentive else self.idle_backoff_cap

    def set_attentive(self, attentive: bool) -> None:
        """Someone is looking (the terminal has the focus) or not: retries wait at most 5 s, or 30 s."""
        self.attentive = attentive
        if self.hub is not None:
            self.hub.set_backoff_cap(self._backoff_cap)

    def retry_now(self) -> None:
        """Stop waiting: connect, or list every kind again, at once (the retry key)."""
        self._wake.set()
        if self.hub is not None:
            self.hub.resync()

    # -- operations -----------------------------------------------------------------------------------------

    async def call(self, fn: Callable[[Any], Awaitable[Any]]) -> Any:
        """Runs ``fn(connection)``; raises Unreachable when there is no connection yet."""
        if self.conn is None:
            from kubetui.cluster.errors import Unreachable

            raise Unreachable(
                f"not connected to {self.context or 'a cluster'}"
                + (f": {_error_text(self.error)}" if self.error else "")
            )
        return await fn(self.conn)

    def run_op(self, action_id: str, fn: Callable[[Any], Awaitable[Any]]) -> asyncio.Task[Any]:
        """Runs ``fn(connection)`` in the background; posts OperationDone or OperationFailed."""

        async def run() -> None:
            try:
                result = await self.call(fn)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # every failure reaches the person as a message, none is lost
                self._post(OperationFailed(action_id, exc))
            else:
                self._post(OperationDone(action_id, result))

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- internals ------------------------------------------------------------------------------------------

    def _default_namespace(self, context: str | None) -> str:
        try:
            from kubetui.cluster.kubeconfig import load_kubeconfig

            return load_kubeconfig(self.config.kubeconfig).default_namespace(context)
        except Exception:
            return "default"

    async def _connect_loop(self, generation: int) -> None:
        from kubetui.cluster.connection import Connection
        from kubetui.cluster.watch_hub import WatchHub

        attempt = 0
        self.connecting = True
        while not self._closed and generation == self._generation:
            try:
                conn = await Connection.open(
                    kubeconfig_path=self.config.kubeconfig,
                    context=self.config.context,
                    namespace=self.config.namespace,
                    readonly=self.config.readonly,
                )
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.error = exc
                self._post(ConnectionChanged(False, exc))
                delay = self.retry_delays[min(attempt, len(self.retry_delays) - 1)]
                attempt += 1
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), delay)
                continue
            if self._closed or generation != self._generation:
                await conn.close()
                return
            self.conn = conn
            if not self.config.namespace:
                self.namespace = getattr(conn, "namespace", None) or self.namespace
            self.error = None
            break
        self.connecting = False
        if self.conn is None:
            return
        self._pause_gc()
        gen = self._generation
        self.hub = WatchHub(
            self.conn,
            self.watch_scope,
            lambda kind, deltas: self._on_deltas(gen, kind, deltas),
            lambda state: self._on_state(gen, state),
            fallback_namespace=self.namespace,
        )
        self.hub.set_backoff_cap(self._backoff_cap)
        # Every kind counts from now, also those that start listing only after the Pods pane's first page:
        # the connection is not "live" while any of them has yet to list.
        self.states = dict(self.hub.states)
        self.hub.start(first=FIRST_LISTED)
        # Asked after the lists, so that they go out first; the header shows it when it comes.
        version = asyncio.create_task(self._fetch_version(gen))
        self._tasks.add(version)
        version.add_done_callback(self._tasks.discard)
        self._start_liveness(gen)
        self._post(ConnectionChanged(True))

    async def _fetch_version(self, generation: int) -> None:
        conn = self.conn
        if conn is None:
            return
        with contextlib.suppress(Exception):
            version = await conn.version()
            if generation == self._generation:
                self.version = version

    def _start_liveness(self, generation: int) -> None:
        from kubetui.cluster.liveness import Liveness

        self.liveness = Liveness(
            self.conn, lambda since, detail: self._on_liveness(generation, since, detail)
        )
        self._liveness_task = asyncio.create_task(self.liveness.run(), name="liveness")

    def _on_liveness(self, generation: int, stale_since: float | None, detail: str | None) -> None:
        from kubetui.cluster.watch import WatchState

        if generation != self._generation:
            return
        if stale_since is None and self.hub is not None:
            # Back after a silence: a watch socket that died meanwhile could stay quiet for minutes, so
            # every kind lists again now and catches up on what changed.
            self.hub.resync()
        state = (
            WatchState("server", "reconnecting", stale_since, detail)
            if stale_since
            else WatchState("server", "live")
        )
        self._post(WatchStateChanged(state))

    async def _teardown(self) -> None:
        self._generation += 1
        if self._connect_task is not None:
            self._connect_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._connect_task
            self._connect_task = None
        if self._liveness_task is not None:
            self._liveness_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._liveness_task
            self._liveness_task = None
        self.liveness = None
        if self.hub is not None:
            with contextlib.suppress(Exception):
                await self.hub.stop()
            self.hub = None
        if self.conn is not None:
            with contextlib.suppress(Exception):
                await self.conn.close()
            self.conn = None
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        self._pending.clear()
        self._pending_uids.clear()

    # -- garbage collection during the initial sync ------------------------------------------------------------

    _gc_paused = False
    _gc_handle: asyncio.TimerHandle | None = None
    gc_pause_limit = 30.0  # seconds; a sync that never finishes must not leave the collector off

    def _pause_gc(self) -> None:
        """The initial lists build tens of thousands of long-lived, cycle-free objects; each growth step would
        trigger a full collection rescanning them all (seconds in total at 10,000 pods). Off until live."""
        if self._gc_paused or not gc.isenabled():
            return
        self._gc_paused = True
        gc.disable()
        self._gc_handle = asyncio.get_running_loop().call_later(self.gc_pause_limit, self._resume_gc)

    def _resume_gc(self) -> None:
        if self._gc_handle is not None:
            self._gc_handle.cancel()
            self._gc_handle = None
        if self._gc_paused:
            self._gc_paused = False
            gc.freeze()  # what the sync built stays out of every later collection
            gc.enable()

    def _on_deltas(self, generation: int, kind: str, deltas: list[Any]) -> None:
        if generation != self._generation:
            return
        changed = self.store.apply(kind, deltas)
        if len(deltas) >= FREEZE_BATCH and self._gc_paused:
            # A page of the initial lists: its objects live long and hold no cycles. Frozen, the collector stops
            # rescanning them on every growth step of the cache (seconds of pauses over a 10,000-pod initial
            # sync). Only then: a freeze later would also keep whatever garbage is waiting, for good.
            gc.freeze()
        self._pending.setdefault(kind, []).extend(deltas)
        self._pending_uids.setdefault(kind, set()).update(changed or ())
        if self._flush_handle is None:
            loop = asyncio.get_running_loop()
            self._flush_handle = loop.call_later(self.flush_interval, self._flush)

    def _flush(self) -> None:
        self._flush_handle = None
        pending, uids = self._pending, self._pending_uids
        self._pending, self._pending_uids = {}, {}
        for kind, deltas in pending.items():
            self._post(DeltasArrived(kind, deltas, uids.get(kind, set())))

    def _on_state(self, generation: int, state: Any) -> None:
        if generation != self._generation:
            return
        self.states[state.kind] = state
        if self._gc_paused and self.connection_state()[0] == "live":
            self._resume_gc()
        self._post(WatchStateChanged(state))

    def _post_reset(self) -> None:
        for kind in ("nodes", "namespaces", "deployments", "replicasets", "pods", "services"):
            self._post(DeltasArrived(kind, [], set(), reset=True))


def _error_text(error: Exception) -> str:
    message = getattr(error, "message", None) or str(error) or type(error).__name__
    hint = getattr(error, "hint", "")
    return f"{message} ({hint})" if hint else str(message)


def _state_text(state: Any) -> str | None:
    error = getattr(state, "error", None)
    hint = getattr(state, "hint", "")
    return f"{error} ({hint})" if error and hint else error


def since_text(since: float | None, now: float | None = None) -> str:
    """``12s`` / ``3m`` for how long a state has lasted."""
    if since is None:
        return ""
    seconds = max(0, int((now or time.time()) - since))
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"
