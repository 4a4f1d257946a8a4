"""RowFeedMixin: turns changed objects into rows of the main screen's panes, a bounded slice at a time.

A batch of watch deltas names the objects that changed; their rows are rendered from the store as it is when
they are drawn (so a uid named twice is drawn once, in its latest state) and applied to the table as a keyed
diff. A small batch is applied at once. A big one (a page of an initial list, a relist, the backlog after the
loop was held up) is applied in slices of a few milliseconds with the event loop free in between, so that a key
pressed meanwhile moves the cursor and is repainted after one slice, not after the whole batch.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kubetui import kinds
from kubetui.screens import rows
from kubetui.screens.metrics_columns import metric_cells

# Rows applied at once: a batch of up to this many is drawn in the handler of its message (1,000 pod events/s
# arrive as batches of about 60).
ROWS_AT_ONCE = 200
# A slice of a bigger batch ends after this long (checked every SLICE_CHECK rows), then the loop gets a turn.
SLICE_SECONDS = 0.016
SLICE_CHECK = 32


class RowFeedMixin:
    """For MainScreen, which provides the tables, the session, filters, scopes and marks."""

    app: Any
    session: Any
    filters: dict[str, rows.RowFilter]
    metrics: Any
    _marks: dict[str, Callable[[Any], bool]]
    _narrows: dict[str, Callable[[Any], bool]]
    _colours: dict[str, str]

    if TYPE_CHECKING:  # provided by MainScreen; declared here for the type checker only
        from kubetui.widgets.resource_table import ResourceTable

        def table(self, kind: str) -> ResourceTable: ...
        def _alive(self) -> bool: ...
        def _titles(self) -> None: ...

    _pending_rows: dict[str, set[str]]
    _drain_handle: asyncio.Handle | None = None

    def _init_row_feed(self) -> None:
        self._pending_rows = {}  # kind → uids whose rows wait for the next slice

    def _with_namespace(self) -> bool:
        return self.session.view_namespace is None  # type: ignore[no-any-return]

    def _cells(self, kind: str, obj: dict[str, Any]) -> tuple[Any, ...]:
        mark = self._marks.get(kind)
        emphasis = mark(obj) if mark is not None else False
        cells = rows.cells(kind, obj, self.app.now_for(obj), self._with_namespace(), self._colours, emphasis)
        return cells + metric_cells(kind, obj, self.metrics)

    def _member(self, kind: str, obj: dict[str, Any]) -> tuple[Any, ...] | None:
        """The row for ``obj`` if the pane shows it, else None."""
        namespace = self.session.view_namespace
        if (
            namespace
            and kind in kinds.NAMESPACED
            and (obj.get("metadata") or {}).get("namespace") != namespace
        ):
            return None
        narrow = self._narrows.get(kind)
        if narrow is not None and not narrow(obj):
            return None
        cells = self._cells(kind, obj)
        return cells if self.filters[kind].matches(obj, cells) else None

    def update_rows(self, kind: str, uids: set[str]) -> None:
        """Draws the rows of ``uids`` now (added, changed, or removed when gone or no longer shown)."""
        self._colours = self.app.status_colours()
        upserts: dict[str, tuple[Any, ...]] = {}
        removals: list[str] = []
        self._rows(kind, uids, upserts, removals)
        self.table(kind).apply(upserts, removals)

    def _rows(
        self, kind: str, uids: set[str], upserts: dict[str, tuple[Any, ...]], removals: list[str]
    ) -> None:
        store = self.session.store
        for uid in uids:
            obj = store.get(kind, uid)
            row = self._member(kind, obj) if obj is not None else None
            if row is None:
                removals.append(uid)
            else:
                upserts[uid] = row

    def queue_rows(self, kind: str, uids: set[str]) -> None:
        """Draws the rows of ``uids``: at once when they are few and none wait, else in slices."""
        pending = self._pending_rows.get(kind)
        if pending is None and len(uids) <= ROWS_AT_ONCE:
            self.update_rows(kind, uids)
            return
        if pending is None:
            pending = self._pending_rows[kind] = set()
        pending.update(uids)
        self._drain_soon()

    @property
    def drawing_rows(self) -> bool:
        """Rows wait to be drawn (the app holds its heap freeze until they are in)."""
        return bool(self._pending_rows)

    def rows_waiting(self, kind: str) -> int:
        return len(self._pending_rows.get(kind, ()))

    def drop_waiting_rows(self, kind: str) -> None:
        """A refill draws every row from the store: what waited is drawn by it."""
        self._pending_rows.pop(kind, None)

    def _drain_soon(self) -> None:
        if self._drain_handle is None:
            # A callback of the event loop, not a Textual message: a message handler posting the next one would
            # run slice after slice without the loop reading a key in between.
            self._drain_handle = asyncio.get_running_loop().call_soon(self._drain_rows)

    def _drain_rows(self) -> None:
        self._drain_handle = None
        if not self._alive():
            self._pending_rows.clear()
            return
        self._colours = self.app.status_colours()
        deadline = time.perf_counter() + SLICE_SECONDS
        for kind in list(self._pending_rows):
            pending = self._pending_rows[kind]
            upserts: dict[str, tuple[Any, ...]] = {}
            removals: list[str] = []
            while pending:  # rows of one slice go to the table in one apply: it costs the same for 1 or 500
                self._rows(
                    kind, {pending.pop() for _ in range(min(SLICE_CHECK, len(pending)))}, upserts, removals
                )
                if time.perf_counter() >= deadline:
                    break
            self.table(kind).apply(upserts, removals)
            if not pending:
                del self._pending_rows[kind]
            if time.perf_counter() >= deadline:
                break
        self._titles()  # the counts in the pane titles
        if self._pending_rows:
            self._drain_soon()
