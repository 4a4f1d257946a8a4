"""The Docker engine through the docker SDK: reachable?, CPUs and memory, and local clusters found by label."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from kubetui.providers.base import ClusterInfo, Finding, NodeInfo, Provider, summarise_state

MIB = 1024 * 1024
API_VERSION = "1.41"

# The label each tool puts on its node containers, naming the cluster; and the one naming the node's role.
CLUSTER_LABELS = {
    "k3d": ("k3d.cluster", "k3d.role"),
    "kind": ("io.x-k8s.kind.cluster", "io.x-k8s.kind.role"),
    "minikube": ("name.minikube.sigs.k8s.io", ""),
}
CONTEXT_PREFIX = {"k3d": "k3d-", "kind": "kind-", "minikube": ""}


@dataclass(slots=True)
class DockerStatus:
    """What the engine said, or why it could not be asked."""

    reachable: bool
    error: str = ""
    cpus: int = 0
    memory_bytes: int = 0
    server_version: str = ""
    name: str = ""  # "Docker", "podman" ... from the version's components
    clusters: list[ClusterInfo] = field(default_factory=list)

    @property
    def memory_mb(self) -> int:
        return self.memory_bytes // MIB


def _client(base_url: str | None, timeout: float) -> Any:
    import docker

    # A fixed API version skips the SDK's negotiation round trip; 1.41 is served by Docker 20.10+ and podman 3+.
    if base_url:
        return docker.DockerClient(base_url=base_url, timeout=int(timeout), version=API_VERSION)
    return docker.from_env(timeout=int(timeout), version=API_VERSION)


def probe_sync(base_url: str | None = None, timeout: float = 5.0) -> DockerStatus:
    """Ask the engine (DOCKER_HOST, or the default socket) for its resources and labelled containers."""
    try:
        client = _client(base_url, timeout)
    except Exception as exc:  # the SDK raises DockerException subclasses, or OSError-ish ones from requests
        return DockerStatus(False, error=_short(exc))
    try:
        client.ping()
        info = client.info()
        version = client.version()
        containers = client.containers.list(all=True)
        clusters = clusters_from_containers([(c.name, c.status, dict(c.labels or {})) for c in containers])
    except Exception as exc:
        return DockerStatus(False, error=_short(exc))
    finally:
        client.close()
    components = version.get("Components") or [{}]
    return DockerStatus(
        True,
        cpus=int(info.get("NCPU") or 0),
        memory_bytes=int(info.get("MemTotal") or 0),
        server_version=str(version.get("Version", "")),
        name=str(components[0].get("Name", "") or "Docker"),
        clusters=clusters,
    )


async def probe(base_url: str | None = None, timeout: float = 5.0) -> DockerStatus:
    """:func:`probe_sync` off the event loop (the SDK is blocking)."""
    return await asyncio.to_thread(probe_sync, base_url, timeout)


def clusters_from_containers(containers: list[tuple[str, str, dict[str, str]]]) -> list[ClusterInfo]:
    """Group (name, status, labels) of containers into clusters by each tool's label."""
    found: dict[tuple[str, str], ClusterInfo] = {}
    for cname, status, labels in sorted(containers):
        for provider, (cluster_label, role_label) in CLUSTER_LABELS.items():
            cluster = labels.get(cluster_label)
            if not cluster:
                continue
            role = labels.get(role_label, "") if role_label else ""
            if provider == "k3d" and role not in ("server", "agent"):
                continue  # k3d's load balancer, tools and registry containers are not nodes
            if provider == "minikube":
                role = "control-plane" if cname == cluster else "worker"
            info = found.setdefault(
                (provider, cluster),
                ClusterInfo(provider, cluster, CONTEXT_PREFIX[provider] + cluster, seen_by={"docker"}),
            )
            info.nodes.append(NodeInfo(cname, role or "node", "running" if status == "running" else status))
    for info in found.values():
        info.state = summarise_state(info.nodes)
    return list(found.values())


def resource_findings(provider: Provider, status: DockerStatus) -> list[Finding]:
    """Plain advice on the engine and on whether it has what ``provider`` needs."""
    if not provider.needs_docker:
        return []
    if not status.reachable:
        return [
            Finding(
                "error",
                f"The Docker engine is not reachable: {status.error}",
                f"{provider.label} runs its nodes as containers. Start Docker (or set DOCKER_HOST to a "
                "running engine), or use the built-in cluster, which needs no Docker.",
            )
        ]
    engine = status.name or "Docker"
    out = [Finding("ok", f"{engine} {status.server_version} is reachable")]
    if status.cpus < provider.min_cpus:
        out.append(
            Finding(
                "error",
                f"{engine} has {status.cpus} CPU(s); {provider.label} needs at least {provider.min_cpus}",
                "Give the engine more CPUs (Docker Desktop: Settings → Resources), or use the built-in "
                "cluster, which runs on 1 CPU.",
            )
        )
    else:
        out.append(Finding("ok", f"{status.cpus} CPUs available (needs {provider.min_cpus})"))
    if status.memory_mb < provider.min_memory_mb:
        out.append(
            Finding(
                "error",
                f"{engine} has {status.memory_mb} MB of memory; {provider.label} needs at least "
                f"{provider.min_memory_mb} MB",
                "Give the engine more memory, or use the built-in cluster, which fits in a few hundred MB.",
            )
        )
    else:
        out.append(Finding("ok", f"{status.memory_mb} MB memory available (needs {provider.min_memory_mb})"))
    return out


def _short(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    # requests wraps the socket error several levels deep; the last clause is the useful one.
    if "Connection refused" in text:
        return "connection refused (is the engine running?)"
    if "No such file or directory" in text or "FileNotFoundError" in text:
        return "no engine socket found (is Docker installed and running?)"
    return text if len(text) < 200 else text[:197] + "..."
