"""``Liveness``: notices within seconds a server that stopped answering, not only one that refuses connections.

A stopped (SIGSTOP) or wedged API server keeps its sockets open: watches just go quiet, and their own read
timeouts are minutes long. A cheap ``GET /version`` every few seconds, with a short timeout, tells a quiet
cluster from a silent server. ``stale_since`` is when the first unanswered probe was sent, so "stale since"
stays fixed at when the hang began however long it lasts.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from kubetui.cluster.errors import ClusterError, Unreachable

ChangeCallback = Callable[[float | None, str | None], None]


class Liveness:
    """Probe ``conn`` every ``interval`` seconds; call ``on_change(stale_since, detail)`` when staleness flips."""

    interval = 3.0
    timeout = 4.0

    def __init__(self, conn: Any, on_change: ChangeCallback) -> None:
        self.conn = conn
        self.on_change = on_change
        self.stale_since: float | None = None
        self.detail: str | None = None

    async def run(self) -> None:
        """Probe until cancelled. Only silence counts: any HTTP answer, even an error, means the server is up."""
        while True:
            sent = time.time()
            try:
                await self.conn.request("GET", "/version", timeout=self.timeout)
            except asyncio.CancelledError:
                raise
            except Unreachable as exc:
                if self.stale_since is None:
                    self.stale_since = sent
                    self.detail = (
                        f"no answer from the server since {time.strftime('%H:%M:%S', time.localtime(sent))}"
                    )
                    if exc.cause != "timeout":
                        self.detail = f"{exc.message} ({exc.hint})" if exc.hint else exc.message
                    self.on_change(self.stale_since, self.detail)
            except ClusterError:
                self._answered()
            else:
                self._answered()
            await asyncio.sleep(self.interval)

    def _answered(self) -> None:
        if self.stale_since is not None:
            self.stale_since = None
            self.detail = None
            self.on_change(None, None)
