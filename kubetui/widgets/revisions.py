"""RevisionsTable: the ReplicaSets of the selected Deployment, newest revision first, the active one marked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text

from kubetui.cluster import render
from kubetui.cluster.relations import replicasets_of, revision
from kubetui.widgets.resource_table import ResourceTable

COLUMNS = ("", "REV", "REPLICASET", "DESIRED", "READY", "IMAGES", "AGE")


def _images(rs: dict[str, Any]) -> str:
    containers = ((((rs.get("spec") or {}).get("template") or {}).get("spec") or {}).get("containers")) or []
    return ",".join(str(c.get("image", "")) for c in containers)


class RevisionsTable(ResourceTable):
    """Not focusable: it follows the Deployments pane's cursor. ``u`` (undo) acts on these revisions."""

    DEFAULT_CSS = """
    RevisionsTable { height: auto; max-height: 7; border-top: solid $panel-lighten-2; }
    """
    can_focus = False

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("revisions", COLUMNS, sort_key=lambda cells: -int(_plain(cells[1]) or 0), id=id)

    def show(
        self,
        store: Any,
        deployment: dict[str, Any] | None,
        now_for: Callable[[dict[str, Any]], float],
        colours: dict[str, str],
    ) -> None:
        rows: dict[str, tuple[Any, ...]] = {}
        if deployment is not None:
            sets = replicasets_of(store, deployment)
            active = _active(sets)
            for rs in sets:
                spec, status = rs.get("spec") or {}, rs.get("status") or {}
                age = render.row("replicasets", rs, now_for(rs))[-1]
                is_active = rs is active
                # First, so that even 80 columns show which revision is live and which are history.
                marker = Text("●", style=colours.get("running", "")) if is_active else Text(" ")
                rows[rs["metadata"]["uid"]] = (
                    marker,
                    str(revision(rs)),
                    rs["metadata"]["name"],
                    str(spec.get("replicas", 0)),
                    Text(
                        str(status.get("readyReplicas", 0)),
                        style=colours.get(render.status_class("replicasets", rs), ""),
                    ),
                    _images(rs),
                    age,
                )
        if rows.keys() != self.uids() or any(self.get_row(uid) != cells for uid, cells in rows.items()):
            self.replace(rows)
        if self.display != (deployment is not None):
            self.display = deployment is not None


def _active(sets: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The newest revision is where the Deployment is heading; it is the active one."""
    return sets[0] if sets else None


def _plain(value: Any) -> str:
    return value.plain if isinstance(value, Text) else str(value)
