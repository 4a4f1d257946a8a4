"""Server-side Tables, listed then watched: the rows ``kubectl get`` prints for any kind, kept live.

The server renders the cells (``Accept: application/json;as=Table;v=v1;g=meta.k8s.io``), so a CRD's
``additionalPrinterColumns`` and an aggregated API's columns come out as kubectl shows them. Each row carries
its whole object (``includeObject=Object``) for describe, YAML and edit. One ``TableWatcher`` belongs to one
open view: it starts with the view and is stopped when the view closes.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from kubetui.cluster.discovery import ApiResource
from kubetui.cluster.errors import ClusterError, Expired, from_status
from kubetui.cluster.watch import Backoff

log = logging.getLogger(__name__)

TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


@dataclass(frozen=True)
class Column:
    """One of the Table's columnDefinitions."""

    name: str
    type: str = "string"
    format: str = ""
    priority: int = 0

    @property
    def header(self) -> str:
        """kubectl prints headers upper case with spaces kept: ``Created At`` → ``CREATED AT``."""
        return self.name.upper()


@dataclass(frozen=True)
class TableRow:
    """One object's row: its cells as kubectl prints them, and the object itself."""

    uid: str
    namespace: str
    name: str
    cells: tuple[str, ...]
    obj: dict[str, Any]


def cell_text(value: Any) -> str:
    """A cell as kubectl's table printer writes it (``%v``; a missing value as ``<none>``)."""
    if value is None:
        return "<none>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + " ".join(cell_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{cell_text(v)}" for k, v in sorted(value.items())) + "]"
    return str(value)


def columns_of(table: dict[str, Any]) -> list[Column]:
    return [
        Column(
            str(c.get("name") or ""),
            str(c.get("type") or "string"),
            str(c.get("format") or ""),
            int(c.get("priority") or 0),
        )
        for c in table.get("columnDefinitions") or []
    ]


def rows_of(table: dict[str, Any]) -> list[TableRow]:
    out = []
    for row in table.get("rows") or []:
        obj = row.get("object") or {}
        meta = obj.get("metadata") or {}
        uid = str(meta.get("uid") or "")
        if not uid:
            continue
        out.append(
            TableRow(
                uid,
                str(meta.get("namespace") or ""),
                str(meta.get("name") or ""),
                tuple(cell_text(c) for c in row.get("cells") or []),
                obj,
            )
        )
    return out


ResetCallback = Callable[[list[Column], list[TableRow]], object]
ChangeCallback = Callable[[str, TableRow], object]
StateCallback = Callable[[str, str | None], object]


class TableWatcher:
    """List → watch → (on expiry or failure) list again, for one resource in one namespace (or all)."""

    page_size = 500
    watch_timeout = 300

    def __init__(
        self,
        conn: Any,
        resource: ApiResource,
        namespace: str | None,
        on_reset: ResetCallback,
        on_change: ChangeCallback,
        on_state: StateCallback | None = None,
    ) -> None:
        self.conn = conn
        self.resource = resource
        self.namespace = namespace if resource.namespaced else None
        self.on_reset = on_reset
        self.on_change = on_change
        self.on_state = on_state or (lambda phase, error: None)
        self.backoff = Backoff()
        self.columns: list[Column] = []
        self.running = False
        self._stopped = False
        self._task: asyncio.Task[Any] | None = None

    @property
    def path(self) -> str:
        return self.resource.path(self.namespace)

    def stop(self) -> None:
        self._stopped = True
        if self._task is not None and self._task is not asyncio.current_task():
            self._task.cancel()

    async def run(self) -> None:
        """Until ``stop()``; failures become states and retries, never exceptions."""
        self._task = asyncio.current_task()
        self.running = True
        try:
            while not self._stopped:
                try:
                    version = await self._list()
                    self.backoff.reset()
                    self.on_state("live", None)
                    await self._watch(version)
                except asyncio.CancelledError:
                    if self._stopped:
                        break
                    raise
                except Expired:
                    continue
                except Exception as exc:  # any failure: say so, wait, list again
                    message = exc.message if isinstance(exc, ClusterError) else f"{type(exc).__name__}: {exc}"
                    if not isinstance(exc, ClusterError):
                        log.warning("table watch %s failed", self.resource.qualified, exc_info=True)
                    self.on_state("reconnecting", message)
                    await asyncio.sleep(self.backoff.next())
        finally:
            self.running = False

    async def _list(self) -> str:
        rows: list[TableRow] = []
        query: dict[str, Any] = {"limit": self.page_size, "includeObject": "Object"}
        while True:
            table = await self.conn.request("GET", self.path, query=query, accept=TABLE_ACCEPT)
            if table.get("columnDefinitions"):
                self.columns = columns_of(table)
            rows.extend(rows_of(table))
            meta = table.get("metadata") or {}
            if not meta.get("continue"):
                break
            query = {**query, "continue": meta["continue"]}
        self.on_reset(list(self.columns), rows)
        return str(meta.get("resourceVersion") or "")

    async def _watch(self, version: str) -> None:
        query: dict[str, Any] = {
            "watch": "true",
            "resourceVersion": version,
            "allowWatchBookmarks": "true",
            "includeObject": "Object",
            "timeoutSeconds": self.watch_timeout + random.randint(0, 60),
        }
        stream = self.conn.stream(
            "GET", self.path, query=query, timeout=self.watch_timeout + 120, accept=TABLE_ACCEPT
        )
        try:
            async for line in stream:
                if not line.strip():
                    continue
                event = orjson.loads(line)
                etype, obj = event.get("type"), event.get("object") or {}
                if etype == "ERROR":
                    raise from_status(
                        int(obj.get("code") or 500), obj, verb="watch", resource=self.resource.plural
                    )
                if etype == "BOOKMARK":
                    continue
                if obj.get("columnDefinitions"):
                    self.columns = columns_of(obj)
                for row in rows_of(obj):
                    self.on_change(str(etype), row)
        finally:
            await stream.aclose()
