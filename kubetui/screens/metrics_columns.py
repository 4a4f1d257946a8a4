"""The CPU and memory columns of the Pods and Nodes panes, from metrics.k8s.io, and sorting by them.

Pods show CPU and MEM (as ``kubectl top pods``) and their percentages of the pod's summed requests (/R) and
limits (/L); nodes show CPU and MEM with percentages of allocatable (as ``kubectl top nodes``). A pod or node
metrics-server has no figure for yet shows ``n/a``. ``MetricsMixin`` polls in a worker at the API's
resolution and, where the API is not served, says so once and leaves the columns out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from textual.message import Message

from kubetui.cluster.metrics import Snapshot, Usage, node_percentages, percent, pod_totals, poll_forever

POD_COLUMNS = ("CPU", "MEM", "%CPU/R", "%CPU/L", "%MEM/R", "%MEM/L")
NODE_COLUMNS = ("CPU", "%CPU", "MEM", "%MEM")
METRIC_COLUMNS = {"pods": POD_COLUMNS, "nodes": NODE_COLUMNS}
NA = "n/a"


def _pct(value: int | None) -> str:
    return NA if value is None else f"{value}%"


def pod_cells(pod: Mapping[str, Any], usage: Usage | None) -> tuple[str, ...]:
    if usage is None:
        return (NA,) * len(POD_COLUMNS)
    req, lim = pod_totals(dict(pod))
    return (
        usage.cpu_text(),
        usage.memory_text(),
        _pct(percent(usage.cpu, req.get("cpu", 0))),
        _pct(percent(usage.cpu, lim.get("cpu", 0))),
        _pct(percent(usage.memory, req.get("memory", 0))),
        _pct(percent(usage.memory, lim.get("memory", 0))),
    )


def node_cells(node: Mapping[str, Any], usage: Usage | None) -> tuple[str, ...]:
    if usage is None:
        return (NA,) * len(NODE_COLUMNS)
    cpu_pct, mem_pct = node_percentages(usage, dict(node))
    return (usage.cpu_text(), _pct(cpu_pct), usage.memory_text(), _pct(mem_pct))


def metric_cells(kind: str, obj: Mapping[str, Any], snapshot: Snapshot | None) -> tuple[str, ...]:
    """The metric cells of a row; () when the pane shows no metrics (no snapshot, or a kind without)."""
    if snapshot is None or kind not in METRIC_COLUMNS:
        return ()
    return _CELLS[kind](obj, snapshot)


def _pod_metric_cells(pod: Mapping[str, Any], snapshot: Snapshot) -> tuple[str, ...]:
    meta = pod.get("metadata") or {}
    return pod_cells(pod, snapshot.pods.get((str(meta.get("namespace") or ""), str(meta.get("name")))))


def _node_metric_cells(node: Mapping[str, Any], snapshot: Snapshot) -> tuple[str, ...]:
    return node_cells(node, snapshot.nodes.get(str((node.get("metadata") or {}).get("name"))))


# The kinds metrics.k8s.io measures, beside their columns: PodMetrics by namespace and name, NodeMetrics by name.
_CELLS: dict[str, Callable[[Mapping[str, Any], Snapshot], tuple[str, ...]]] = {
    "pods": _pod_metric_cells,
    "nodes": _node_metric_cells,
}

_NUMBER = re.compile(r"^(\d+)")


def metric_sort(columns: tuple[str, ...], column: str) -> Callable[[tuple[Any, ...]], Any]:
    """A table sort key: largest ``column`` value first (n/a last), then by name."""
    index = columns.index(column)
    name_index = columns.index("NAME")

    def key(cells: tuple[Any, ...]) -> Any:
        match = _NUMBER.match(str(cells[index]))
        return (-(int(match.group(1)) if match else -1), str(cells[name_index]))

    return key


class MetricsArrived(Message):
    """A new scrape of metrics.k8s.io."""

    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class MetricsAbsent(Message):
    """The cluster does not serve metrics.k8s.io (or may not be read): ``why`` in one sentence."""

    def __init__(self, why: str) -> None:
        super().__init__()
        self.why = why


class MetricsMixin:
    """For MainScreen: ``metrics`` holds the last scrape (None: no columns); ``metric_sort_column`` the
    column the Pods and Nodes panes are sorted by (None: by name)."""

    metrics: Snapshot | None = None
    metric_sort_column: str | None = None
    _metrics_said: str = ""

    def start_metrics(self) -> None:
        session: Any = self.session  # type: ignore[attr-defined]
        post = self.post_message  # type: ignore[attr-defined]
        self.run_worker(  # type: ignore[attr-defined]
            poll_forever(
                lambda: session.conn,
                lambda s: post(MetricsArrived(s)),
                lambda w: post(MetricsAbsent(w)),
                lambda: session.view_namespace,
                lambda: session.connection_state()[0] == "live",
            ),
            group="metrics",
            exclusive=True,
        )

    def on_metrics_arrived(self, message: MetricsArrived) -> None:
        had = self.metrics is not None
        self.metrics = message.snapshot
        self._metrics_said = ""
        for kind in METRIC_COLUMNS:
            table = self.table(kind)  # type: ignore[attr-defined]
            if had and self.metric_sort_column is None:
                # Only the rows on screen: the others take the new figures when scrolled to (RowsShown), as
                # ages do, so a scrape of 100,000 pods does not hold the keys up re-rendering every row.
                self.update_rows(kind, set(table.visible_uids()))  # type: ignore[attr-defined]
            elif had:  # sorted by a figure: every row's place may change
                self.update_rows(kind, table.uids())  # type: ignore[attr-defined]
            else:
                self.refill(kind)  # type: ignore[attr-defined]

    def on_metrics_absent(self, message: MetricsAbsent) -> None:
        if self.metrics is not None:
            self.metrics = None
            for kind in METRIC_COLUMNS:
                self.refill(kind)  # type: ignore[attr-defined]
        if message.why != self._metrics_said:  # one quiet line, not one per poll
            self._metrics_said = message.why
            self.notify(message.why, timeout=6)  # type: ignore[attr-defined]

    def metric_columns(self, kind: str) -> tuple[str, ...]:
        return METRIC_COLUMNS.get(kind, ()) if self.metrics is not None else ()

    def set_columns_and_order(
        self, table: Any, kind: str, columns: tuple[str, ...], by_name: Callable[[tuple[Any, ...]], Any]
    ) -> None:
        """Sets a pane's columns and row order (by a metric column when one is chosen, else by name)."""
        column = self.metric_sort_column
        if column is None or kind not in METRIC_COLUMNS or column not in columns:
            column = None
        cleared = False
        if getattr(table, "_metric_order", None) != column:
            table.set_columns(())  # rows whose cells are unchanged would keep their old places otherwise
            table._metric_order = column
            cleared = True
        cleared = table.set_columns(columns) or cleared
        # Only with the rows gone: rows kept under the old key beside rows under a new one cannot be compared
        # (a name's string against a (name, status) tuple ended the app).
        if cleared:
            table._sort_key = metric_sort(columns, column) if column else by_name

    def action_sort_cpu(self) -> None:
        self.action_sort_metric("CPU")

    def action_sort_mem(self) -> None:
        self.action_sort_metric("MEM")

    def action_sort_metric(self, column: str) -> None:
        if self.metrics is None:
            self.notify("no CPU/memory figures to sort by: metrics.k8s.io is not served", severity="warning")  # type: ignore[attr-defined]
            return
        self.metric_sort_column = None if self.metric_sort_column == column else column
        for kind in METRIC_COLUMNS:
            self.refill(kind)  # type: ignore[attr-defined]
