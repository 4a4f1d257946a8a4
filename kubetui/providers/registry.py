"""All providers in one place: discovery across CLIs, Docker labels and kubetui's own; checks before create."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from kubetui.providers import kubeconfigs
from kubetui.providers.base import ClusterInfo, Finding, Provider
from kubetui.providers.builtin import BuiltinProvider
from kubetui.providers.docker_env import DockerStatus, probe, resource_findings
from kubetui.providers.k3d import K3dProvider
from kubetui.providers.kind import KindProvider
from kubetui.providers.kubeconfigs import Diagnosis, Verification
from kubetui.providers.kwok import KwokProvider
from kubetui.providers.minikube import MinikubeProvider


def default_providers(kubeconfig: Path | None = None) -> list[Provider]:
    return [
        K3dProvider(),
        KindProvider(),
        MinikubeProvider(),
        KwokProvider(),
        BuiltinProvider(kubeconfig=kubeconfig),
    ]


@dataclass(slots=True)
class Discovery:
    """Every local cluster found, and what went wrong finding them (shown, never fatal)."""

    clusters: list[ClusterInfo] = field(default_factory=list)
    docker: DockerStatus | None = None
    problems: list[str] = field(default_factory=list)
    current_context: str | None = None


async def discover(
    providers: list[Provider], kubeconfig: Path | None = None, docker_url: str | None = None
) -> Discovery:
    """List every provider's clusters (CLIs found on PATH only), merge in Docker's labelled containers."""
    result = Discovery()
    by_name = {p.name: p for p in providers}

    async def one(p: Provider) -> list[ClusterInfo]:
        if p.executable is not None and p.which() is None:
            return []
        try:
            return await p.list_clusters()
        except Exception as exc:  # one broken tool must not hide the others' clusters
            result.problems.append(f"{p.label}: {exc}")
            return []

    docker_task = asyncio.ensure_future(probe(docker_url, timeout=3.0))
    listed = await asyncio.gather(*(one(p) for p in providers))
    result.docker = await docker_task
    merged: dict[str, ClusterInfo] = {}
    for clusters in listed:
        for c in clusters:
            merged[c.key] = c
    for c in result.docker.clusters if result.docker.reachable else []:
        if c.provider not in by_name:
            continue
        known = merged.get(c.key)
        if known is None:
            merged[c.key] = c
            continue
        known.seen_by |= c.seen_by
        # The CLIs of kind (and minikube's profile status) say little about each node; containers do.
        states = {n.name: n.state for n in c.nodes}
        for node in known.nodes:
            if node.state in ("unknown", "") and node.name in states:
                node.state = states[node.name]
        if known.state == "unknown":
            known.state = c.state
    path = kubeconfig or kubeconfigs.user_kubeconfig_path()
    try:
        result.current_context = kubeconfigs.current_context(path)
    except (OSError, ValueError) as exc:
        result.problems.append(f"kubeconfig {path}: {exc}")
    for c in merged.values():
        c.current = c.context == result.current_context
    result.clusters = sorted(merged.values(), key=lambda c: (c.provider, c.name))
    return result


async def checks(provider: Provider, docker_url: str | None = None) -> list[Finding]:
    """The checks shown before create: CLI installed, engine reachable, enough CPUs and memory."""
    findings = provider.check()
    if provider.needs_docker:
        findings += resource_findings(provider, await probe(docker_url, timeout=3.0))
    return findings


def blocking(findings: list[Finding]) -> bool:
    return any(f.level == "error" for f in findings)


async def select_and_verify(provider: Provider, cluster: str, kubeconfig: Path | None = None) -> Verification:
    """After create/start: make the cluster's context current and connect with it as kubectl would."""
    path = kubeconfig or kubeconfigs.user_kubeconfig_path()
    context = provider.context_name(cluster)
    kubeconfigs.use_context(path, context)
    return await kubeconfigs.verify(path, context)


async def apply_fix(diagnosis: Diagnosis, context: str, kubeconfig: Path | None = None) -> Verification:
    """Rewrite the context's server as diagnosed (after the user confirmed), then connect again."""
    path = kubeconfig or kubeconfigs.user_kubeconfig_path()
    kubeconfigs.rewrite_server(path, context, diagnosis.fix_server)
    return await kubeconfigs.verify(path, context)
