"""What each dialog returns: plain values describing the change the person asked for."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
PROPAGATION_POLICIES = ("Background", "Foreground", "Orphan")


@dataclass(frozen=True)
class NewDeployment:
    """``kubectl create deployment NAME --image=IMAGE --replicas=N --port=P -- COMMAND...``."""

    name: str
    image: str
    replicas: int = 1
    port: int | None = None
    command: list[str] | None = None


@dataclass(frozen=True)
class ExposeRequest:
    """``kubectl expose KIND NAME --type=TYPE --port=P --target-port=T`` plus a fixed nodePort."""

    service_name: str
    type: str
    port: int
    target_port: int | None = None
    node_port: int | None = None
    external_name: str | None = None


@dataclass(frozen=True)
class ImageChange:
    """New images by container name; only containers whose image changes are listed."""

    images: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ManifestChoice:
    """A manifest file picked for apply, with its text as read when picked."""

    path: Path
    text: str


@dataclass(frozen=True)
class RegistrySecret:
    """``kubectl create secret docker-registry NAME --docker-server=... --docker-username=...``."""

    name: str
    server: str
    username: str
    password: str
    email: str | None = None
