"""The port-forwards of this session (``ctrl+f`` or ``:pf``): each with its pod, state and traffic.

``x`` stops the selected forward (its port closes at once), ``r`` sends a Service's or Deployment's forward
to another ready pod after its pod went away. The forwards live on the app and all stop when it quits; a
timer notices a forward's pod going away and says so once.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from kubetui.cluster.portforward import Forwards, PortForward, pick_pod, service_target_port
from kubetui.widgets.keyed_rows import cursor_key

App_ = App[Any]
COLUMNS = ("LOCAL", "TARGET", "POD", "REMOTE", "STATE", "CONNS", "IN", "OUT", "LAST ERROR")


def forwards_of(app: App_) -> Forwards:
    found = getattr(app, "_kubetui_forwards", None)
    if found is None:
        found = Forwards()
        app._kubetui_forwards = found  # type: ignore[attr-defined]
    return found


async def stop_forwards(app: App_) -> None:
    found = getattr(app, "_kubetui_forwards", None)
    if found is not None:
        await found.stop_all()


def human_bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n}{unit}" if unit == "B" else f"{n:.1f}{unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _pod_alive(app: App_, forward: PortForward) -> bool:
    session: Any = getattr(app, "session", None)
    if session is None:
        return True
    for pod in session.store.list("pods", forward.namespace):
        meta = pod.get("metadata") or {}
        if meta.get("name") == forward.pod:
            return not meta.get("deletionTimestamp")
    return False


def replacement(app: App_, forward: PortForward) -> dict[str, Any] | None:
    """Another ready pod for a Service's or Deployment's forward, or None."""
    session: Any = getattr(app, "session", None)
    if session is None or not forward.selector:
        return None
    return pick_pod(session.store.list("pods", forward.namespace), forward.selector, exclude=forward.pod)


def check_pods(app: App_) -> None:
    """Marks forwards whose pod went away, and says so once per forward."""
    for forward in forwards_of(app).items.values():
        if not forward.running or forward.state == "pod gone" or _pod_alive(app, forward):
            continue
        forward.pod_gone()
        other = replacement(app, forward)
        offer = f"; press r in Forwards (ctrl+f) to use pod {other['metadata']['name']}" if other else ""
        app.notify(
            f"{forward.describe()}: pod {forward.pod} went away{offer}", severity="warning", timeout=10
        )


def watch_forwards(app: App_) -> None:
    if not getattr(app, "_kubetui_forward_timer", None):
        app._kubetui_forward_timer = app.set_interval(1.0, lambda: check_pods(app))  # type: ignore[attr-defined]


class ForwardsScreen(Screen[None]):
    """The list of forwards, refreshed every second."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Back"),
        Binding("x", "stop", "Stop"),
        Binding("r", "retarget", "Re-target"),
    ]

    DEFAULT_CSS = """
    ForwardsScreen #forwards-title { padding: 0 1; text-style: bold; }
    ForwardsScreen #forwards-empty { padding: 1 2; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Static("Port-forwards", id="forwards-title")
        yield DataTable(id="forwards", cursor_type="row", zebra_stripes=False)
        yield Static("", id="forwards-empty")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for name in COLUMNS:
            table.add_column(name, key=name)
        self.refresh_rows()
        self.set_interval(1.0, self.refresh_rows)
        table.focus()

    def _cells(self, f: PortForward) -> tuple[str, ...]:
        state = f.state if f.running or f.state != "listening" else "stopped"
        host = "localhost" if f.address == "127.0.0.1" else f.address  # what a person types into curl
        return (
            f"{host}:{f.local_port}",
            f.target or f"pod/{f.pod}",
            f.pod,
            str(f.service_port or f.remote_port),
            state,
            str(f.connections),
            human_bytes(f.bytes_in),
            human_bytes(f.bytes_out),
            f.last_error[:60],
        )

    def refresh_rows(self) -> None:
        table = self.query_one(DataTable)
        items = forwards_of(self.app).items
        for row_key in [k for k in table.rows if str(k.value) not in items]:
            table.remove_row(row_key)
        shown = {str(k.value) for k in table.rows}
        for key, forward in items.items():
            cells = self._cells(forward)
            if key in shown:
                for name, value in zip(COLUMNS, cells, strict=True):
                    table.update_cell(key, name, value)
            else:
                table.add_row(*cells, key=key)
        empty = "No port-forwards. Press F on a pod, Service or Deployment to start one." if not items else ""
        self.query_one("#forwards-empty", Static).update(empty)

    def _selected(self) -> PortForward | None:
        key = cursor_key(self.query_one(DataTable))
        return forwards_of(self.app).items.get(key) if key is not None else None

    async def action_stop(self) -> None:
        forward = self._selected()
        if forward is None:
            return
        await forward.stop()
        self.notify(f"stopped {forward.describe()}", timeout=4)
        self.refresh_rows()

    async def action_retarget(self) -> None:
        forward = self._selected()
        if forward is None:
            return
        if not forward.selector:
            self.notify(
                "only a Service's or Deployment's forward can move to another pod", severity="warning"
            )
            return
        other = replacement(self.app, forward)
        if other is None:
            self.notify(f"no other ready pod behind {forward.target}", severity="warning")
            return
        if forward.service_port and forward.target.startswith("svc/"):
            session: Any = getattr(self.app, "session", None)
            name = forward.target.split("/", 1)[1]
            service = next(
                (
                    s
                    for s in session.store.list("services", forward.namespace)
                    if s["metadata"]["name"] == name
                ),
                None,
            )
            if service is not None:  # a named targetPort may be another number on the new pod
                forward.remote_port = service_target_port(service, forward.service_port, other)
        await forward.retarget(other["metadata"]["name"])
        self.notify(f"{forward.describe()} now goes to pod {forward.pod}", timeout=5)
        self.refresh_rows()

    def action_close(self) -> None:
        self.dismiss()
