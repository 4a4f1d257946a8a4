"""Private-registry help: create a docker-registry Secret and add it to a Deployment's imagePullSecrets."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.widget import Widget
from textual.widgets import Input, Label

from kubetui.screens.dialogs.base import FormDialog, field
from kubetui.screens.dialogs.requests import RegistrySecret
from kubetui.screens.dialogs.validation import FieldError, check_name
from kubetui.widgets.line_input import LineInput


def registry_of(image: str) -> str:
    """The registry host of an image reference, as the container runtime reads it (Docker Hub by default)."""
    first, _, rest = image.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return first
    return "docker.io"


class RegistrySecretDialog(FormDialog[RegistrySecret]):
    """Ask for registry credentials; the password field is masked and never echoed elsewhere."""

    ok_label = "Create Secret"

    def __init__(
        self,
        deployment: str,
        image: str,
        reason: str,
        secret_name: str = "",
        existing: Sequence[str] = (),
        namespace: str = "",
    ) -> None:
        super().__init__()
        self.deployment = deployment
        self.namespace = namespace
        self.image = image
        self.reason = reason
        self.secret_name = secret_name or "regcred"
        self.existing = list(existing)
        where = f"{namespace}/{deployment}" if namespace else deployment
        self.title_text = f"Pull secret for Deployment {where}"

    def compose_form(self) -> Iterable[Widget]:
        registry = registry_of(self.image)
        why = (
            f"Pods of Deployment {self.deployment} are in {self.reason}: the registry {registry} wants "
            "credentials."
            if self.reason
            else f"Credentials for the registry {registry}, used by Deployment {self.deployment}."
        )
        yield Label(
            f"{why} kubetui creates a docker-registry Secret and adds it to the imagePullSecrets of "
            f"Deployment {self.deployment}, to pull {self.image or 'its images'}.",
            id="explain",
        )
        yield from field("Secret name", LineInput(self.secret_name, id="secret-name"))
        yield from field("Registry server", LineInput(registry_of(self.image), id="server"))
        yield from field("Username", LineInput("", id="username"))
        yield from field("Password or token", LineInput("", password=True, id="password"))
        yield from field("Email (optional)", LineInput("", id="email"))

    def on_mount(self) -> None:
        self.query_one("#username", Input).focus()

    def collect(self) -> RegistrySecret:
        def value(id_: str) -> str:
            return self.query_one(f"#{id_}", Input).value.strip()

        name = check_name("secret-name", value("secret-name"), kind="Secret")
        if name in self.existing:
            raise FieldError("secret-name", f"a Secret named {name} already exists; choose another name")
        server = value("server")
        if not server:
            raise FieldError("server", "the registry server is required")
        if not value("username"):
            raise FieldError("username", "a username is required")
        if not self.query_one("#password", Input).value:
            raise FieldError("password", "a password or token is required")
        return RegistrySecret(
            name=name,
            server=server,
            username=value("username"),
            password=self.query_one("#password", Input).value,
            email=value("email") or None,
        )
