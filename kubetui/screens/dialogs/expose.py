"""The expose dialog (``x``): a Service for a workload, with its type and ports."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual import on
from textual.widget import Widget
from textual.widgets import Input, Select

from kubetui.screens.dialogs.base import FormDialog, field
from kubetui.screens.dialogs.requests import SERVICE_TYPES, ExposeRequest
from kubetui.screens.dialogs.validation import FieldError, check_name, parse_int, parse_port
from kubetui.widgets.line_input import LineInput

# NodePorts the API server hands out by default; a fixed one must lie in this range.
NODE_PORT_RANGE = (30000, 32767)


class ExposeDialog(FormDialog[ExposeRequest]):
    """Ask for a Service in front of ``kind/name``; ports default to the workload's first container port."""

    ok_label = "Expose"
    name_field = "service-name"
    server_fields = {
        "spec.ports[0].port": "port",
        "spec.ports[0].targetPort": "target-port",
        "spec.ports[0].nodePort": "node-port",
        "spec.externalName": "external-name",
    }

    def __init__(
        self, kind: str, name: str, container_ports: Sequence[int] = (), service_type: str = "ClusterIP"
    ) -> None:
        super().__init__()
        self.kind = kind
        self.object_name = name
        self.container_ports = list(container_ports)
        self.service_type = service_type
        self.title_text = f"Expose {kind} {name} as a Service"

    def compose_form(self) -> Iterable[Widget]:
        first = str(self.container_ports[0]) if self.container_ports else ""
        yield from field("Service name", LineInput(self.object_name, id="service-name"))
        yield from field(
            "Type",
            Select([(t, t) for t in SERVICE_TYPES], value=self.service_type, allow_blank=False, id="type"),
        )
        hint = ", ".join(str(p) for p in self.container_ports) or "none declared"
        yield from field("Port (the Service's own)", LineInput(first, placeholder="e.g. 8080", id="port"))
        yield from field(f"Target port (container ports: {hint})", LineInput(first, id="target-port"))
        yield from field("Node port (optional, 30000-32767)", LineInput("", id="node-port"))
        yield from field("External name (ExternalName only)", LineInput("", id="external-name"))

    def on_mount(self) -> None:
        self._show_fields_for(self.service_type)
        self.query_one("#type", Select).focus()

    @on(Select.Changed, "#type")
    def _type_changed(self, event: Select.Changed) -> None:
        self._show_fields_for(str(event.value))

    def _show_fields_for(self, service_type: str) -> None:
        # Only fields that mean something for the chosen type are enabled, so nothing is silently ignored.
        self.query_one("#node-port", Input).disabled = service_type not in ("NodePort", "LoadBalancer")
        self.query_one("#external-name", Input).disabled = service_type != "ExternalName"
        for id_ in ("#target-port",):
            self.query_one(id_, Input).disabled = service_type == "ExternalName"

    def collect(self) -> ExposeRequest:
        def value(id_: str) -> str:
            return self.query_one(f"#{id_}", Input).value

        service_name = check_name("service-name", value("service-name"), kind="Service")
        service_type = str(self.query_one("#type", Select).value)
        port = parse_port("port", value("port"), what="port")
        assert port is not None
        if service_type == "ExternalName":
            external = value("external-name").strip()
            if not external:
                raise FieldError("external-name", "an ExternalName Service needs an external name")
            return ExposeRequest(service_name, service_type, port, external_name=external)
        target = parse_port("target-port", value("target-port"), what="target port", required=False)
        node_port = None
        if service_type in ("NodePort", "LoadBalancer") and value("node-port").strip():
            low, high = NODE_PORT_RANGE
            node_port = parse_int(
                "node-port", value("node-port"), minimum=low, maximum=high, what="node port"
            )
        return ExposeRequest(service_name, service_type, port, target_port=target, node_port=node_port)
