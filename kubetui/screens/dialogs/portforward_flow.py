"""The port-forward action (``F``): ask the ports, find the pod as kubectl does, start the local listener.

A Service forwards to one of its ready pods (its port mapped to the pod's targetPort), a Deployment to one of
its ready pods. Forwards listen on 127.0.0.1 unless another address is typed. ``ctrl+f`` lists them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.widget import Widget
from textual.widgets import Input

from kubetui import kinds
from kubetui.actions import Target, handler
from kubetui.cluster.portforward import PortForward, pick_pod, service_target_port
from kubetui.kinds import objects
from kubetui.screens.dialogs.base import FormDialog, field
from kubetui.screens.dialogs.flow import Cancelled, ask, error_text
from kubetui.screens.dialogs.validation import FieldError
from kubetui.screens.forwards import forwards_of, watch_forwards
from kubetui.widgets.line_input import LineInput

App_ = App[Any]
SHORT = {"pods": "pod", "services": "svc", "deployments": "deploy"}


@dataclass(frozen=True)
class ForwardRequest:
    local_port: int
    remote_port: int
    address: str


def _port(field_id: str, text: str, *, allow_zero: bool = False) -> int:
    text = text.strip()
    if not text.isdigit() or not (0 if allow_zero else 1) <= int(text) <= 65535:
        raise FieldError(field_id, f"a port is a number from {0 if allow_zero else 1} to 65535, not {text!r}")
    return int(text)


class PortForwardDialog(FormDialog[ForwardRequest]):
    """Local port, remote port and listen address; 0 as local port picks a free one."""

    ok_label = "Forward"

    def __init__(self, what: str, remote: int | None) -> None:
        super().__init__()
        self.title_text = f"Port-forward to {what}"
        self.remote = remote

    def compose_form(self) -> Iterable[Widget]:
        remote = str(self.remote or "")
        yield from field("Remote port (on the pod, or the Service's port)", LineInput(remote, id="remote"))
        yield from field("Local port (0: any free port)", LineInput(remote, id="local"))
        yield from field(
            "Listen address (127.0.0.1 keeps it on this machine)", LineInput("127.0.0.1", id="address")
        )

    def on_mount(self) -> None:
        remote = self.query_one("#remote", Input)
        (remote if not remote.value else self.query_one("#local", Input)).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "remote" and self.remote is None:
            self.query_one("#local", Input).value = event.value  # the same port locally, as kubectl's PORT

    def collect(self) -> ForwardRequest:
        remote = _port("remote", self.query_one("#remote", Input).value)
        local = _port("local", self.query_one("#local", Input).value, allow_zero=True)
        address = self.query_one("#address", Input).value.strip() or "127.0.0.1"
        return ForwardRequest(local, remote, address)


def default_remote(kind: str, obj: dict[str, Any]) -> int | None:
    """The port offered first: a Service's first port, else the first declared container port."""
    ports = objects.port_numbers(kind, obj)
    return ports[0] if ports else None


def selector_of(kind: str, obj: dict[str, Any]) -> dict[str, str]:
    """The selector that picks a pod to forward to; {} for a pod, which is its own target."""
    return {} if kinds.spec(kind).pods == kinds.PODS_SELF else objects.selector_map(kind, obj)


@handler("port_forward")
async def handle_port_forward(app: App_, target: Target) -> None:
    obj = target.obj
    if obj is None:
        app.notify(f"Select one of the {target.kind} first", severity="warning", timeout=4)
        return
    what = f"{SHORT.get(target.kind, target.kind)}/{target.name}"
    try:
        request = await ask(app, PortForwardDialog(what, default_remote(target.kind, obj)))
    except Cancelled:
        return
    namespace = target.namespace
    selector = selector_of(target.kind, obj)
    pod: dict[str, Any] | None = obj
    pod_port = request.remote_port
    what_kind = kinds.spec(target.kind)
    via_service = what_kind.ports == kinds.PORTS_SERVICE
    if what_kind.pods != kinds.PODS_SELF:
        pod = pick_pod(target.session.store.list("pods", namespace), selector)
    if pod is None:
        app.notify(f"no ready pod behind {what} to forward to", title="Port-forward", severity="error")
        return
    if via_service:  # a Service port is forwarded to the port it targets on the pod
        pod_port = service_target_port(obj, request.remote_port, pod)
    forward = PortForward(
        target.session.conn,
        namespace,
        pod["metadata"]["name"],
        pod_port,
        request.local_port,
        request.address,
        target=what,
        selector=selector,
        service_port=request.remote_port if via_service else 0,
    )
    try:
        await target.session.call(lambda conn: _start(forward, conn))
    except Exception as err:
        app.notify(error_text(err), title="Port-forward failed", severity="error", timeout=10)
        return
    forwards_of(app).add(forward)
    watch_forwards(app)
    app.notify(f"Forwarding {forward.describe()} via pod {forward.pod}; ctrl+f lists forwards", timeout=6)


async def _start(forward: PortForward, conn: Any) -> None:
    forward.conn = conn
    await forward.start()
