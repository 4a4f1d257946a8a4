"""The provider interface: local-cluster records, checks, create specs, name validation."""

from __future__ import annotations

import functools
import re
import shutil
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kubetui.cluster.gate import check_write
from kubetui.providers.process import CommandRun, Run

MAX_NAME = 32
# A lowercase RFC 1123 label: letters, digits and inner dashes. Providers prefix it ("k3d-", "kind-") to make
# container and context names, which is why the limit is 32, not 63.
_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")

Level = Literal["ok", "warn", "error"]


def validate_cluster_name(name: str) -> str | None:
    """Why ``name`` cannot name a cluster, or None when it can. Checked before any command is built."""
    if not name:
        return "a cluster name is required"
    if len(name) > MAX_NAME:
        return f"a cluster name must be at most {MAX_NAME} characters (this one has {len(name)})"
    if not name.isascii() or _LABEL.fullmatch(name) is None:
        return (
            "a cluster name must be a lowercase DNS-1123 label: letters a-z, digits and '-', "
            "starting and ending with a letter or digit"
        )
    return None


def check_node_name(name: str) -> str:
    """Node names are DNS-1123 labels too, up to 63 characters (they carry the cluster name as prefix)."""
    if len(name) > 63 or not name.isascii() or _LABEL.fullmatch(name) is None:
        raise InvalidName(
            f"{name!r}: a node name must be a lowercase DNS-1123 label of at most 63 characters"
        )
    return name


class InvalidName(ValueError):
    """A cluster name was refused before anything ran."""


def check_name(name: str) -> str:
    problem = validate_cluster_name(name)
    if problem:
        raise InvalidName(f"{name!r}: {problem}")
    return name


@dataclass(frozen=True, slots=True)
class Finding:
    """One result of a provider's checks, in plain words with what to do about it."""

    level: Level
    message: str
    advice: str = ""


@dataclass(slots=True)
class NodeInfo:
    name: str
    role: str  # "control-plane", "worker", "server", "agent", "loadbalancer"
    state: str  # "running", "stopped", "created", "exited", "unknown"


@dataclass(slots=True)
class ClusterInfo:
    """A local cluster as a provider (or Docker's labels) reports it."""

    provider: str
    name: str
    context: str
    nodes: list[NodeInfo] = field(default_factory=list)
    state: str = "unknown"  # "running", "stopped", "partial", "unknown"
    current: bool = False  # the kubeconfig's current context points at it
    detail: str = ""  # e.g. where the built-in one keeps its state, or how to reach it
    seen_by: set[str] = field(default_factory=set)  # "cli", "docker", "kubetui"

    @property
    def key(self) -> str:
        return f"{self.provider}/{self.name}"

    def nodes_summary(self) -> str:
        if not self.nodes:
            return "-"
        running = sum(1 for n in self.nodes if n.state == "running")
        return f"{running}/{len(self.nodes)} running"


@dataclass(frozen=True, slots=True)
class Preset:
    """A named shape of cluster a provider can create."""

    id: str
    label: str
    servers: int = 1
    agents: int = 0
    ports: tuple[str, ...] = ()  # k3d "--port" values
    k3s_args: tuple[str, ...] = ()
    cpus: int | None = None
    memory_mb: int | None = None


@dataclass(frozen=True, slots=True)
class ClusterSpec:
    """What to create: a validated name and a preset."""

    name: str
    preset: Preset

    def __post_init__(self) -> None:
        check_name(self.name)


def summarise_state(nodes: list[NodeInfo]) -> str:
    if not nodes:
        return "unknown"
    running = sum(1 for n in nodes if n.state == "running")
    if running == len(nodes):
        return "running"
    return "stopped" if running == 0 else "partial"


# Every provider operation that changes something (a cluster, its nodes, the kubeconfig), with what it does.
MUTATIONS = {
    "create": "create a cluster",
    "start": "start cluster",
    "stop": "stop cluster",
    "delete": "delete cluster",
    "add_node": "add a node to cluster",
}


def _gated(op: str, method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` behind the read-only gate: refused before it builds anything to run."""

    @functools.wraps(method)
    def gated(self: Provider, *args: Any, **kwargs: Any) -> Any:
        first = args[0] if args else ""
        target = first.name if isinstance(first, ClusterSpec) else str(first)
        check_write(self.readonly, MUTATIONS[op], target)
        return method(self, *args, **kwargs)

    gated.__kubetui_gated__ = True  # type: ignore[attr-defined]
    return gated


class Provider(ABC):
    """One way of running a local cluster. Every mutating call returns a :class:`CommandRun` to stream.

    The mutating calls (``MUTATIONS``) pass the read-only gate whoever calls them: every subclass's own
    definitions are wrapped when the subclass is created.
    """

    name: str = ""
    label: str = ""
    executable: str | None = None  # the CLI it drives, if any
    presets: tuple[Preset, ...] = ()
    min_cpus: int = 1
    min_memory_mb: int = 0
    can_add_node: bool = False
    can_stop: bool = True
    needs_docker: bool = True
    # Environment for the CLIs (None: kubetui's own). The clusters view sets KUBECONFIG here so the tools write
    # the kubeconfig kubetui reads.
    env: dict[str, str] | None = None
    # Set from the app's --readonly (and the context's readonly setting) by the clusters view.
    readonly: bool = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for op in MUTATIONS:
            method = cls.__dict__.get(op)
            if callable(method) and not getattr(method, "__kubetui_gated__", False):
                setattr(cls, op, _gated(op, method))

    def which(self) -> str | None:
        if not self.executable:
            return None
        return shutil.which(self.executable, path=(self.env or {}).get("PATH"))

    def check(self) -> list[Finding]:
        """The provider's own checks (CLI installed). Docker checks live in :mod:`kubetui.providers.checks`."""
        if self.executable is None:
            return [Finding("ok", f"{self.label} needs nothing installed")]
        path = self.which()
        if path is None:
            return [
                Finding(
                    "error",
                    f"{self.executable} is not installed (not found on PATH)",
                    f"Install {self.label} and make sure '{self.executable}' is on PATH, "
                    "or use the built-in cluster, which needs neither Docker nor any download.",
                )
            ]
        return [Finding("ok", f"{self.executable} found at {path}")]

    def preset(self, preset_id: str) -> Preset:
        for p in self.presets:
            if p.id == preset_id:
                return p
        raise KeyError(f"{self.name} has no preset {preset_id!r}")

    @abstractmethod
    def context_name(self, cluster: str) -> str:
        """The kubeconfig context the provider writes for ``cluster``."""

    @abstractmethod
    async def list_clusters(self) -> list[ClusterInfo]: ...

    @abstractmethod
    def create_command(self, spec: ClusterSpec) -> list[str]:
        """The exact argv :meth:`create` runs; shown to the user before it runs."""

    def create_files(self, spec: ClusterSpec) -> dict[Path, str]:
        """Files :meth:`create` writes before running (shown with the command)."""
        return {}

    def command(self, argv: list[str]) -> CommandRun:
        return CommandRun(argv, env=self.env)

    def create(self, spec: ClusterSpec) -> Run:
        return self.command(self.create_command(spec))

    @abstractmethod
    def start(self, name: str) -> Run: ...

    @abstractmethod
    def stop(self, name: str) -> Run: ...

    @abstractmethod
    def delete(self, name: str) -> Run: ...

    def add_node_command(self, cluster: str, node: str) -> list[str]:
        raise NotImplementedError(f"{self.label} cannot add a node to a running cluster")

    def add_node(self, cluster: str, node: str) -> Run:
        return self.command(self.add_node_command(check_name(cluster), check_node_name(node)))

    def next_node_name(self, cluster: ClusterInfo) -> str:
        """A free name for one more worker node."""
        return f"{cluster.name}-node-{len(cluster.nodes) + 1}"


for _op in MUTATIONS:
    setattr(Provider, _op, _gated(_op, getattr(Provider, _op)))
