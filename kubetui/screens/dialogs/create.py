"""The new-Deployment dialog (``n``): name, image, replicas, container port, command."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget
from textual.widgets import Input

from kubetui.screens.dialogs.base import FormDialog, field
from kubetui.screens.dialogs.requests import NewDeployment
from kubetui.screens.dialogs.validation import (
    check_image,
    check_name,
    parse_command,
    parse_port,
    parse_replicas,
)
from kubetui.widgets.line_input import LineInput


class NewDeploymentDialog(FormDialog[NewDeployment]):
    """Ask for a Deployment as ``kubectl create deployment`` would make it; names checked before sending."""

    title_text = "New Deployment"
    ok_label = "Create"
    name_field = "name"
    server_fields = {
        "spec.replicas": "replicas",
        "spec.template.spec.containers[0].image": "image",
        "spec.template.spec.containers[0].ports": "port",
        "spec.template.spec.containers[0].command": "command",
        "spec.template.spec.containers[0].args": "command",
    }

    def __init__(self, namespace: str, name: str = "", image: str = "") -> None:
        super().__init__()
        self.namespace = namespace
        self._name = name
        self._image = image
        self.title_text = f"New Deployment in namespace {namespace}"

    def compose_form(self) -> Iterable[Widget]:
        yield from field("Name", LineInput(self._name, placeholder="e.g. hello-node", id="name"))
        yield from field(
            "Image",
            LineInput(
                self._image, placeholder="e.g. registry.k8s.io/e2e-test-images/agnhost:2.39", id="image"
            ),
        )
        yield from field("Replicas", LineInput("1", id="replicas"))
        yield from field("Container port (optional)", LineInput("", placeholder="e.g. 8080", id="port"))
        yield from field(
            "Command and arguments (optional)",
            LineInput("", placeholder="e.g. /agnhost netexec --http-port=8080", id="command"),
        )

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    def collect(self) -> NewDeployment:
        def value(id_: str) -> str:
            return self.query_one(f"#{id_}", Input).value

        name = check_name("name", value("name"))
        image = check_image("image", value("image"))
        replicas = parse_replicas("replicas", value("replicas"))
        port = parse_port("port", value("port"), what="container port", required=False)
        command = parse_command("command", value("command"))
        return NewDeployment(name=name, image=image, replicas=replicas, port=port, command=command)
