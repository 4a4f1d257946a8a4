"""``WatchHub``: the Watchers of one connection, one per kind, scoped to a namespace or to all of them."""

from __future__ import annotations

import asyncio
import contextlib

from kubetui.cluster.connection import Connection
from kubetui.cluster.watch import KINDS, Backoff, Delta, DeltasCallback, StateCallback, Watcher, WatchState


class WatchHub:
    """One Watcher per kind. Namespaced kinds are watched in ``namespace`` only, or across all with None;
    cluster-scoped kinds (nodes, namespaces) always cluster-wide. ``states`` maps kind → WatchState.

    ``fallback_namespace``: where a namespaced kind is watched when listing it across all namespaces is
    forbidden. ``set_namespace`` moves the namespaced watches; callbacks from replaced watchers are dropped.
    """

    def __init__(
        self,
        conn: Connection,
        namespace: str | None,
        on_deltas: DeltasCallback,
        on_state: StateCallback,
        *,
        kinds: tuple[str, ...] = KINDS,
        backoff_initial: float = 0.8,
        fallback_namespace: str | None = None,
    ) -> None:
        self.conn = conn
        self.namespace = namespace
        self.fallback_namespace = fallback_namespace
        self._on_deltas = on_deltas
        self._on_state = on_state
        self._backoff_initial = backoff_initial
        self._backoff_cap = Backoff().cap
        self.watchers: dict[str, Watcher] = {kind: self._watcher(kind) for kind in kinds}
        self.states: dict[str, WatchState] = {kind: w.state for kind, w in self.watchers.items()}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._changed = asyncio.Event()
        self._first: set[str] = set()
        self._first_in = asyncio.Event()  # the first page of the kinds listed first is in
        self._stopping = False

    def _watcher(self, kind: str) -> Watcher:
        watcher: Watcher

        def deltas(kind: str, batch: list[Delta]) -> None:
            if self.watchers.get(kind) is watcher:  # a replaced watcher's last flush is not news
                self._on_deltas(kind, batch)
                if kind in self._first:
                    self._first_in.set()

        def state(new: WatchState) -> None:
            if self.watchers.get(new.kind) is watcher:
                self._state_changed(new)
                # listed (maybe empty), refused or failed: the others need not wait for it any longer
                if new.kind in self._first and new.phase != "syncing":
                    self._first_in.set()

        watcher = Watcher(
            self.conn,
            kind,
            self.namespace,
            deltas,
            state,
            backoff=Backoff(self._backoff_initial, self._backoff_cap),
            fallback_namespace=self.fallback_namespace,
        )
        return watcher

    def scope(self, kind: str) -> str | None:
        """The namespace ``kind`` is watched in now (None: all, or a cluster-scoped kind)."""
        watcher = self.watchers.get(kind)
        return watcher.namespace if watcher is not None else None

    def narrowed(self) -> dict[str, str]:
        """Kinds meant to be watched across namespaces but watched in one, because the wider list is forbidden."""
        if self.namespace is not None:
            return {}
        return {k: w.namespace for k, w in self.watchers.items() if w.namespace is not None}

    def set_namespace(self, namespace: str | None, fallback_namespace: str | None = None) -> list[str]:
        """Watch the namespaced kinds in ``namespace`` (None: all) from now on; returns the kinds whose
        watchers were replaced (their objects from before are the caller's to drop)."""
        self.fallback_namespace = fallback_namespace
        if namespace == self.namespace and all(
            w.fallback_namespace == fallback_namespace for w in self.watchers.values() if w.info.namespaced
        ):
            return []
        self.namespace = namespace
        moved = [kind for kind, w in self.watchers.items() if w.info.namespaced]
        for kind in moved:
            old = self.watchers[kind]
            self.watchers[kind] = self._watcher(kind)
            old.stop()
            self.states[kind] = self.watchers[kind].state
            if self._tasks:
                self._tasks[kind] = self._launch(kind)
        return moved

    def _state_changed(self, state: WatchState) -> None:
        self.states[state.kind] = state
        self._changed.set()
        self._on_state(state)

    # How long the other kinds wait for the first page of the ``first`` kinds at most (a slow or refused list
    # of those must not hold the rest back for long).
    first_wait = 1.0

    def start(self, first: tuple[str, ...] = ()) -> None:
        """Starts every watcher. Those of ``first`` (what the screen shows first) list alone until their first
        page is in, or ``first_wait`` has passed: their page is then neither served behind the other lists nor
        decoded and drawn behind them, which at 100,000 pods was a fifth of the time to the first screen."""
        if self._tasks:
            return
        self._first = {k for k in first if k in self.watchers}
        if not self._first:
            self._first_in.set()
        order = [k for k in first if k in self.watchers] + [k for k in self.watchers if k not in self._first]
        self._tasks = {kind: self._launch(kind, gated=kind not in self._first) for kind in order}

    def _launch(self, kind: str, gated: bool = False) -> asyncio.Task[None]:
        watcher = self.watchers[kind]

        async def after_first() -> None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._first_in.wait(), self.first_wait)
            if not self._stopping and self.watchers.get(kind) is watcher:  # not stopped or replaced meanwhile
                await watcher.run()

        return asyncio.create_task(after_first() if gated else watcher.run(), name=f"watch-{kind}")

    @property
    def synced(self) -> bool:
        """Every kind has listed at least once (or is known to be forbidden)."""
        return all(s.phase in ("live", "forbidden") for s in self.states.values())

    async def wait_synced(self, timeout: float | None = None) -> bool:
        async def _wait() -> None:
            while not self.synced:
                self._changed.clear()
                await self._changed.wait()

        try:
            await asyncio.wait_for(_wait(), timeout)
        except TimeoutError:
            return False
        return True

    def set_backoff_cap(self, seconds: float) -> None:
        """The longest wait between retries: short while someone is looking, longer when nobody is."""
        self._backoff_cap = seconds
        for w in self.watchers.values():
            w.backoff.cap = seconds

    def resync(self) -> None:
        """Every kind lists again now (see ``Watcher.resync``)."""
        for w in self.watchers.values():
            w.resync()

    async def stop(self) -> None:
        self._stopping = True
        self._first_in.set()  # watchers still waiting for it start, see that they are stopped, and end
        for w in self.watchers.values():
            w.stop()
        if self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        self._tasks = {}
