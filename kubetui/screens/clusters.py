"""``ClustersScreen``: the ``:clusters`` view of local clusters (k3d, kind, minikube, built-in) and their nodes.

Route ``:clusters`` to ``ClustersScreen()`` (no arguments needed). Keys: ``c`` create, ``s`` start, ``x`` stop,
``ctrl+d`` delete (confirmed by typing the name), ``a`` add a node, ``enter``/``u`` use the cluster's
context, ``r`` refresh, ``escape`` back. All provider work runs in workers that post messages back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Label, Static

from kubetui.cluster.errors import ClusterError
from kubetui.launch import SIM_CONTEXT
from kubetui.providers import kubeconfigs
from kubetui.providers.base import ClusterInfo, Provider
from kubetui.providers.builtin import BuiltinProvider
from kubetui.providers.builtin_support import node_info
from kubetui.providers.process import Run
from kubetui.providers.registry import Discovery, default_providers, discover
from kubetui.screens.clusters_dialogs import (
    CreateClusterDialog,
    CreateRequest,
    DeleteClusterDialog,
    RunDialog,
    RunOutcome,
)
from kubetui.screens.list_screen import ListScreen
from kubetui.widgets.key_footer import KeyFooter
from kubetui.widgets.keyed_rows import cursor_key, sync_rows

COLUMNS = ("", "PROVIDER", "NAME", "NODES", "STATE", "CONTEXT")
SESSION_NAME = "(this run)"  # not a DNS name, so no cluster a provider made can be called that


class ClustersScreen(ListScreen[ClusterInfo]):
    """Every local cluster found, by provider, with its nodes; the one the current context uses is marked."""

    BINDINGS = [
        Binding("c", "create", "Create"),
        Binding("s", "start", "Start"),
        Binding("x", "stop", "Stop"),
        Binding("ctrl+d", "delete", "Delete"),
        Binding("a", "add_node", "Add node"),
        Binding("u", "use", "Use context"),
        Binding("r", "refresh", "Refresh"),
        Binding("escape,q", "back", "Back"),
    ]

    DEFAULT_CSS = """
    ClustersScreen #title { text-style: bold; padding: 0 1; }
    ClustersScreen #clusters { height: 1fr; }
    ClustersScreen #detail { height: auto; max-height: 12; padding: 0 1; border-top: solid $panel; }
    ClustersScreen #notes { height: auto; color: $text-muted; padding: 0 1; }
    """

    NOTHING_SELECTED = "no cluster selected"

    @dataclass
    class Discovered(Message):
        """A discovery finished (posted by the refresh worker)."""

        result: Discovery

    @dataclass
    class ContextSelected(Message):
        """The user chose (or a create selected) a cluster's context; the app switches its session to it."""

        context: str
        kubeconfig: Path

    def __init__(
        self,
        providers: list[Provider] | None = None,
        kubeconfig: Path | None = None,
        docker_url: str | None = None,
    ) -> None:
        super().__init__()
        self._explicit_providers = providers
        self._explicit_kubeconfig = kubeconfig
        self.docker_url = docker_url
        self.providers: list[Provider] = []
        self.kubeconfig = kubeconfig or kubeconfigs.user_kubeconfig_path()
        self.clusters: dict[str, ClusterInfo] = {}
        self.discovery: Discovery | None = None
        self.session_cluster: Path | None = None  # the kubeconfig of the built-in cluster this run started

    def compose(self) -> ComposeResult:
        yield Label("Local clusters", id="title")
        yield DataTable(id="clusters", cursor_type="row", zebra_stripes=True)
        yield Static("", id="detail")
        yield Static("", id="notes")
        yield KeyFooter()

    def prepare(self) -> None:
        self._setup_providers()
        table = self.list_table()
        for column in COLUMNS:
            table.add_column(column, key=column or "current")

    def load(self) -> None:
        self.action_refresh()

    def list_table(self) -> DataTable[Any]:
        return self.query_one(DataTable)

    def _setup_providers(self) -> None:
        """Use the kubeconfig the app reads, and make the CLIs write to that same file.

        Except while the app shows the built-in cluster it started for this run: that kubeconfig goes when the
        app quits, so the CLIs write where they would from a shell (KUBECONFIG, else ~/.kube/config).
        """
        session = getattr(self.app, "session", None)
        configured = getattr(getattr(session, "config", None), "kubeconfig", None)
        self.session_cluster = getattr(self.app, "session_cluster", None)
        temporary = configured is not None and Path(configured) == self.session_cluster
        if self._explicit_kubeconfig is None and configured and not temporary:
            self.kubeconfig = Path(configured).expanduser()
        self.providers = self._explicit_providers or default_providers(self.kubeconfig)
        env = dict(os.environ, KUBECONFIG=str(self.kubeconfig))
        for provider in self.providers:
            provider.env = env
            provider.readonly = self.readonly
            if isinstance(provider, BuiltinProvider) and self._explicit_providers is None:
                provider.use_kubeconfig(self.kubeconfig)

    @property
    def readonly(self) -> bool:
        return bool(getattr(getattr(self.app, "session", None), "readonly", False))

    def _refused(self, what: str) -> bool:
        """Under --readonly, say so and refuse before any dialog opens (the providers refuse again)."""
        if self.readonly:
            self.app.notify(
                f"kubetui is read-only: refusing to {what}", title="read-only", severity="warning"
            )
        return self.readonly

    def provider(self, name: str) -> Provider:
        for p in self.providers:
            if p.name == name:
                return p
        raise KeyError(name)

    # -- discovery --------------------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.query_one("#notes", Static).update("looking for clusters ...")

        async def work() -> None:
            self.post_message(
                self.Discovered(await discover(self.providers, self.kubeconfig, self.docker_url))
            )

        self.run_worker(work(), group="discover", exclusive=True)

    def on_clusters_screen_discovered(self, message: Discovered) -> None:
        self.discovery = message.result
        clusters = list(message.result.clusters)
        if (session_row := self._session_row()) is not None:
            if session_row.current:  # the kubeconfig's current context is not what the app shows now
                for c in clusters:
                    c.current = False
            clusters.insert(0, session_row)
        table = self.query_one(DataTable)
        selected = self.selected()
        self.clusters = {c.key: c for c in clusters}
        with self.app.batch_update():
            sync_rows(
                table,
                [
                    (
                        c.key,
                        ("●" if c.current else "", c.provider, c.name, c.nodes_summary(), c.state, c.context),
                    )
                    for c in clusters
                ],
            )
        if selected is not None and selected.key in self.clusters:
            table.move_cursor(row=table.get_row_index(selected.key))
        self._show_detail()
        self.query_one("#notes", Static).update(self._notes(message.result))

    def _session_row(self) -> ClusterInfo | None:
        """The built-in cluster this run of kubetui started, listed with the others (it lives as long as the app)."""
        if self.session_cluster is None:
            return None
        session: Any = getattr(self.app, "session", None)
        shown = session.config.kubeconfig if session is not None else None
        on_it = shown is not None and Path(shown) == self.session_cluster
        nodes = [node_info(n) for n in session.store.list("nodes")] if on_it else []
        return ClusterInfo(
            "builtin",
            SESSION_NAME,
            SIM_CONTEXT,
            nodes,
            "running",
            current=on_it,
            detail=(
                "Started by kubetui for this run; it stops when kubetui quits. Point kubectl at it with\n"
                f"  export KUBECONFIG={self.session_cluster}\n"
                "Press c and choose built-in for one that is kept (state saved, survives restarts)."
            ),
            seen_by={"kubetui"},
        )

    def _notes(self, result: Discovery) -> str:
        lines = []
        if not result.clusters:
            other = " other" if self.session_cluster is not None else ""
            lines.append(
                f"No{other} local clusters yet: press c to create one (the built-in one needs no Docker)."
            )
        docker = result.docker
        if docker is not None:
            if docker.reachable:
                lines.append(
                    f"Docker: {docker.name} {docker.server_version}, {docker.cpus} CPUs, {docker.memory_mb} MB"
                )
            else:
                lines.append(f"Docker: not reachable ({docker.error})")
        lines += result.problems
        lines.append(
            f"kubeconfig: {_tilde(self.kubeconfig)} · current context: {result.current_context or '(none)'}"
        )
        return "\n".join(lines)

    def selected(self) -> ClusterInfo | None:
        key = cursor_key(self.list_table())
        return self.clusters.get(key) if key is not None else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row: use that cluster's context."""
        self.action_use()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        c = self.selected()
        detail = self.query_one("#detail", Static)
        if c is None:
            detail.update("")
            return
        lines = [f"{c.provider} cluster {c.name} · context {c.context}" + (" (current)" if c.current else "")]
        lines += [f"  {n.name:<40} {n.role:<14} {n.state}" for n in c.nodes]
        if c.detail:
            lines.append(c.detail)
        detail.update("\n".join(lines))

    # -- actions ----------------------------------------------------------------------------------------------

    def action_back(self) -> None:
        self.dismiss(None)

    def action_create(self) -> None:
        if self._refused("create a cluster"):
            return

        def created(request: Any) -> None:
            if not isinstance(request, CreateRequest):
                return
            provider = self.provider(request.provider)
            title = f"Create {provider.label} cluster {request.spec.name}"
            if (run := self._attempt("create", lambda: provider.create(request.spec))) is not None:
                self._run(title, run, provider, request.spec.name)

        self.app.push_screen(CreateClusterDialog(self.providers, docker_url=self.docker_url), created)

    def _target(self, what: str) -> tuple[ClusterInfo, Provider] | None:
        if self._refused(what):
            return None
        c = self.chosen()
        if c is None:
            return None
        if c.name == SESSION_NAME:
            self.app.notify(
                "This built-in cluster lives as long as this run of kubetui: quit to stop it. Press c and choose "
                "built-in for a cluster that is kept.",
                title=f"cannot {what}",
                severity="warning",
            )
            return None
        return c, self.provider(c.provider)

    def _attempt(self, what: str, make: Any) -> Run | None:
        try:
            run: Run = make()
        except (NotImplementedError, ValueError, ClusterError) as exc:
            self.app.notify(str(exc), title=f"cannot {what}", severity="warning")
            return None
        return run

    def action_start(self) -> None:
        if (target := self._target("start")) is None:
            return
        c, p = target
        if (run := self._attempt("start", lambda: p.start(c.name))) is not None:
            self._run(f"Start {p.label} cluster {c.name}", run)

    def action_stop(self) -> None:
        if (target := self._target("stop")) is None:
            return
        c, p = target
        if (run := self._attempt("stop", lambda: p.stop(c.name))) is not None:
            self._run(f"Stop {p.label} cluster {c.name}", run)

    def action_add_node(self) -> None:
        if (target := self._target("add a node")) is None:
            return
        c, p = target
        if not p.can_add_node:
            self.app.notify(
                f"{p.label} cannot add a node to an existing cluster; choose a preset with more nodes when "
                "creating it",
                severity="warning",
            )
            return
        node = p.next_node_name(c)
        if (run := self._attempt("add a node", lambda: p.add_node(c.name, node))) is not None:
            self._run(f"Add node {node} to {p.label} cluster {c.name}", run)

    def action_delete(self) -> None:
        if (target := self._target("delete")) is None:
            return
        c, p = target

        def confirmed(ok: Any) -> None:
            if ok is True and (run := self._attempt("delete", lambda: p.delete(c.name))) is not None:
                self._run(f"Delete {p.label} cluster {c.name}", run)

        self.app.push_screen(DeleteClusterDialog(p.label, c.name), confirmed)

    def action_use(self) -> None:
        c = self.selected()
        if c is not None:
            session_row = c.name == SESSION_NAME and self.session_cluster is not None
            self.use_context(c.context, self.session_cluster if session_row else None)

    def _run(
        self, title: str, run: Run, provider: Provider | None = None, cluster: str | None = None
    ) -> None:
        def done(outcome: Any) -> None:
            if (
                isinstance(outcome, RunOutcome)
                and outcome.verification is not None
                and outcome.verification.ok
                and provider is not None
            ):
                self.use_context(outcome.verification.context)
            self.action_refresh()

        dialog = RunDialog(title, run, provider=provider, cluster=cluster, kubeconfig=self.kubeconfig)
        self.app.push_screen(dialog, done)

    def use_context(self, context: str, kubeconfig: Path | None = None) -> None:
        """Switch the app's session to ``context`` (of the kubeconfig the CLIs wrote, unless another is given)."""
        self.post_message(self.ContextSelected(context, kubeconfig or self.kubeconfig))
        self.app.notify(f"using context {context}")


def _tilde(path: Path) -> str:
    """``path`` as a person writes it: the home directory as ``~``."""
    home = Path.home()
    return f"~/{path.relative_to(home)}" if path.is_relative_to(home) else str(path)
