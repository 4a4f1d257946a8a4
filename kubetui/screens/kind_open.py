"""The command line's way to any kind: ``:NAME`` resolved from discovery, and ``:api-resources``."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen

from kubetui.cluster import discovery
from kubetui.cluster.errors import ClusterError
from kubetui.widgets.header import ClusterHeader
from kubetui.widgets.key_footer import KeyFooter
from kubetui.widgets.panes import Pane
from kubetui.widgets.resource_table import ResourceTable

API_RESOURCES_COLUMNS = ("NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND")


async def open_kind(app: Any, name: str) -> None:
    """Opens the live list of the kind ``name`` means; an unknown name is reported as kubectl words it."""
    from kubetui.screens.kind_list import KindListScreen

    try:
        resource = await app.session.call(lambda conn: discovery.find(conn, name))
    except ClusterError as exc:
        app.notify(f"unknown command :{name}: {exc.message}", severity="error")
        return
    if not resource.can("list") or not resource.can("watch"):
        app.notify(f"{resource.qualified} cannot be listed and watched", severity="warning")
        return
    app.push_screen(KindListScreen(resource))


async def open_api_resources(app: Any) -> None:
    try:
        found = await app.session.call(lambda conn: discovery.served(conn, refresh=True))
    except ClusterError as exc:
        app.notify(exc.message, title="api-resources", severity="error")
        return
    app.push_screen(ApiResourcesScreen(found))


class ApiResourcesScreen(Screen[None]):
    """``kubectl api-resources``; enter opens the selected kind's list."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, resources: list[discovery.ApiResource]) -> None:
        super().__init__()
        self.resources = {r.qualified: r for r in resources}
        self.ready = False

    def compose(self) -> ComposeResult:
        yield ClusterHeader(id="header")
        with Pane("api-resources", id="pane-api-resources"):
            yield ResourceTable("api-resources", API_RESOURCES_COLUMNS, id="api-resources")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.ready = True
        app: Any = self.app
        self.query_one(ClusterHeader).show(app.session, app.status_colours(), app.frozen_ages)
        table = self.query_one(ResourceTable)
        ordered = discovery.api_resources_rows(list(self.resources.values()))
        rows = {_key(row): row for row in ordered}
        table.replace(rows)
        self.query_one(Pane).border_title = f"api-resources [{table.row_count}]"
        table.focus()

    def on_resource_table_activated(self, event: ResourceTable.Activated) -> None:
        event.stop()
        if event.uid and event.uid in self.resources:
            self.app.run_worker(open_kind(self.app, event.uid))

    def cluster_state(self, message: Any) -> None:
        app: Any = self.app
        self.query_one(ClusterHeader).show(app.session, app.status_colours(), app.frozen_ages)


def _key(row: tuple[str, ...]) -> str:
    """The qualified name (``deployments.apps``) from an api-resources row."""
    group = row[2].rsplit("/", 1)[0] if "/" in row[2] else ""
    return f"{row[0]}.{group}" if group else row[0]
