"""The main screen's ``:`` command mode, ``/`` filter, namespace and context switching."""

from __future__ import annotations

from typing import Any

from kubetui.widgets.command_line import CommandLine

# Command → pane it focuses (k9s aliases included).
PANE_COMMANDS = {
    "pods": "pods",
    "pod": "pods",
    "po": "pods",
    "deploy": "deployments",
    "deployments": "deployments",
    "deployment": "deployments",
    "dp": "deployments",
    "svc": "services",
    "services": "services",
    "service": "services",
    "nodes": "nodes",
    "node": "nodes",
    "no": "nodes",
    "logs": "logs",
}
LIST_COMMANDS = {
    "rs": "replicasets",
    "replicasets": "replicasets",
    "replicaset": "replicasets",
    "events": "events",
    "event": "events",
    "ev": "events",
}
NAMESPACE_COMMANDS = ("ns", "namespace", "namespaces")
CONTEXT_COMMANDS = ("ctx", "context", "contexts")


class CommandsMixin:
    """Mixed into MainScreen: everything typed after ``:`` or ``/``."""

    session: Any
    app: Any
    filters: dict[str, Any]

    def action_command(self) -> None:
        self.query_one(CommandLine).open(":")  # type: ignore[attr-defined]

    def action_filter(self) -> None:
        kind = self.focused_kind() or self.active  # type: ignore[attr-defined]
        current = self.filters.get(kind)
        self._filter_kind = kind
        self.query_one(CommandLine).open("/", current.text if current else "")  # type: ignore[attr-defined]

    def on_command_line_done(self, event: CommandLine.Done) -> None:
        event.stop()
        kind = getattr(self, "_filter_kind", None) or self.active  # type: ignore[attr-defined]
        self.focus_pane(kind if event.mode == "/" else self.active)  # type: ignore[attr-defined]
        if event.text is None:
            return
        if event.mode == "/":
            if kind in self.filters:
                self.set_filter(kind, event.text)  # type: ignore[attr-defined]
            return
        self.run_command(event.text)

    def run_command(self, text: str) -> None:
        """Runs one ``:`` command; unknown ones are reported, never fatal."""
        words = text.strip().lstrip(":").split()
        if not words:
            return
        command, args = words[0].lower(), words[1:]
        if command in ("q", "q!", "quit", "exit"):
            self.app.exit(0)
        elif command in PANE_COMMANDS:
            self.focus_pane(PANE_COMMANDS[command])  # type: ignore[attr-defined]
        elif command in LIST_COMMANDS:
            from kubetui.screens.resource_list import ResourceListScreen

            self.app.push_screen(ResourceListScreen(LIST_COMMANDS[command]))
        elif command in NAMESPACE_COMMANDS:
            if args:
                self.switch_namespace(args[0])
            else:
                self.action_namespaces()
        elif command in CONTEXT_COMMANDS:
            if args:
                self.switch_context(args[0])
            else:
                self.action_contexts()
        elif command in ("clusters", "cluster"):
            self.open_clusters()
        elif command in ("pf", "portforward", "port-forward", "forwards"):
            self.action_forwards()
        elif command == "help":
            self.app.action_help()
        elif command == "api-resources":
            from kubetui.screens.kind_open import open_api_resources

            self.app.run_worker(open_api_resources(self.app), group="kind-open")
        else:  # any kind the cluster serves, by kubectl's names for it
            from kubetui.screens.kind_open import open_kind

            self.app.run_worker(open_kind(self.app, words[0]), group="kind-open")

    def action_forwards(self) -> None:
        from kubetui.screens.forwards import ForwardsScreen

        self.app.push_screen(ForwardsScreen())

    # -- namespaces and contexts --------------------------------------------------------------------------

    def switch_namespace(self, namespace: str | None) -> None:
        if namespace in ("all", "*", "-A"):
            namespace = None
        if namespace is not None and self._namespace_missing(namespace):
            self.app.run_worker(self._offer_namespace(namespace), group="namespace", exclusive=True)
            return
        self.session.set_namespace(namespace)

    def _namespace_missing(self, namespace: str) -> bool:
        """True when the watched namespaces are known and ``namespace`` is not among them (an account that
        cannot list namespaces knows none: then the switch is simply made)."""
        names = {obj["metadata"]["name"] for obj in self.session.store.list("namespaces")}
        return bool(names) and namespace not in names

    async def _offer_namespace(self, namespace: str) -> None:
        """Say the namespace does not exist and offer to create it, as ``kubectl create namespace`` would."""
        from kubetui.cluster import ops
        from kubetui.screens.dialogs.confirm import ConfirmDialog
        from kubetui.screens.dialogs.flow import Cancelled, ask, run_op

        current = self.session.view_namespace or "all namespaces"
        if self.session.readonly:
            self.app.notify(
                f'namespace "{namespace}" does not exist; staying in {current} (read-only: creating is off)',
                severity="warning",
            )
            return
        dialog = ConfirmDialog(
            f'Namespace "{namespace}" does not exist',
            f'There is no namespace "{namespace}" in this cluster. Create it (kubectl create namespace '
            f"{namespace}) and switch to it? Cancel stays in {current}.",
            ok_label="Create and switch",
        )
        try:
            await ask(self.app, dialog)
        except Cancelled:
            self.app.notify(f'namespace "{namespace}" does not exist; staying in {current}', timeout=4)
            return
        try:
            await run_op(
                self.app, self.session, "create namespace", lambda conn: ops.create_namespace(conn, namespace)
            )
        except Exception:
            return
        self.app.notify(f"namespace/{namespace} created", title="Created")
        self.session.set_namespace(namespace)

    def action_retry(self) -> None:
        self.session.retry_now()
        self.app.notify("Reconnecting and listing everything again now", timeout=3)

    def action_all_namespaces(self) -> None:
        if self.session.all_namespaces:
            self.session.set_namespace(self.session.namespace)
        else:
            self.session.set_namespace(None)

    def action_namespaces(self) -> None:
        from kubetui.screens.pickers import PickerScreen

        names = sorted(obj["metadata"]["name"] for obj in self.session.store.list("namespaces"))
        current = self.session.view_namespace or "all"
        self.app.push_screen(
            PickerScreen("Namespace", ["all", *names], current),
            lambda chosen: self.switch_namespace(chosen) if chosen else None,
        )

    def action_contexts(self) -> None:
        from kubetui.cluster.kubeconfig import load_kubeconfig
        from kubetui.screens.pickers import PickerScreen

        config = load_kubeconfig(self.session.config.kubeconfig)
        names = [ctx.name for ctx in config.contexts]
        self.app.push_screen(
            PickerScreen("Context", names, self.session.context),
            lambda chosen: self.switch_context(chosen) if chosen else None,
        )

    def switch_context(self, name: str) -> None:
        from kubetui.cluster.kubeconfig import load_kubeconfig

        config = load_kubeconfig(self.session.config.kubeconfig)
        if config.context(name) is None:
            known = ", ".join(ctx.name for ctx in config.contexts) or "none"
            self.app.notify(f"no context {name!r} (known: {known})", severity="error")
            return
        self.app.switch_context(name)

    def open_clusters(self) -> None:
        from kubetui.screens.clusters import ClustersScreen  # imported on use: it brings the providers

        self.app.push_screen(ClustersScreen())
