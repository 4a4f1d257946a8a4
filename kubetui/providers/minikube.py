"""minikube: profiles listed with ``minikube profile list -o json``; started with explicit CPUs and memory."""

from __future__ import annotations

import json
from typing import Any

from kubetui.providers.base import ClusterInfo, ClusterSpec, NodeInfo, Preset, Provider, check_name
from kubetui.providers.process import CommandRun, capture

# minikube refuses to start with fewer than 2 CPUs and warns below about 2 GB: the journey's 2 CPU / 2 GB server.
DEFAULT = Preset(id="default", label="1 node, 2 CPUs, 2048 MB", servers=1, cpus=2, memory_mb=2048)
TWO_NODES = Preset(
    id="two-nodes", label="2 nodes, 2 CPUs and 2048 MB each", servers=1, agents=1, cpus=2, memory_mb=2048
)


class MinikubeProvider(Provider):
    name = "minikube"
    label = "minikube"
    executable = "minikube"
    presets = (DEFAULT, TWO_NODES)
    min_cpus = 2
    min_memory_mb = 2048
    can_add_node = True

    def context_name(self, cluster: str) -> str:
        return cluster

    def create_command(self, spec: ClusterSpec) -> list[str]:
        p = spec.preset
        argv = [
            "minikube",
            "start",
            "-p",
            spec.name,
            "--cpus",
            str(p.cpus or 2),
            "--memory",
            str(p.memory_mb or 2048),
        ]
        if p.servers + p.agents > 1:
            argv += ["--nodes", str(p.servers + p.agents)]
        return argv

    def start(self, name: str) -> CommandRun:
        return self.command(["minikube", "start", "-p", check_name(name)])

    def stop(self, name: str) -> CommandRun:
        return self.command(["minikube", "stop", "-p", check_name(name)])

    def delete(self, name: str) -> CommandRun:
        return self.command(["minikube", "delete", "-p", check_name(name)])

    def add_node_command(self, cluster: str, node: str) -> list[str]:
        # minikube names the node itself (PROFILE-m02, -m03 ...).
        return ["minikube", "node", "add", "-p", cluster]

    def next_node_name(self, cluster: ClusterInfo) -> str:
        return f"{cluster.name}-m{len(cluster.nodes) + 1:02d}"

    async def list_clusters(self) -> list[ClusterInfo]:
        result = await capture(["minikube", "profile", "list", "-o", "json"], env=self.env)
        # With no profiles minikube exits non-zero and prints an error object; that is an empty list.
        return parse_profile_list(result.stdout, self)


def parse_profile_list(text: str, provider: Provider) -> list[ClusterInfo]:
    try:
        data: Any = json.loads(text or "{}")
    except json.JSONDecodeError:
        return []
    clusters = []
    for profile in (data or {}).get("valid") or []:
        name = str(profile.get("Name", ""))
        status = str(profile.get("Status", ""))
        state = "running" if status in ("Running", "OK") else status.lower() or "unknown"
        config = profile.get("Config") or {}
        nodes = []
        for i, node in enumerate(config.get("Nodes") or []):
            # The primary node's Name is empty; minikube names it after the profile, the others PROFILE-m02 ...
            node_name = str(node.get("Name") or "")
            full = name if not node_name else f"{name}-{node_name}"
            role = "control-plane" if node.get("ControlPlane") else "worker"
            nodes.append(NodeInfo(full if i or node_name else name, role, state))
        clusters.append(
            ClusterInfo(provider.name, name, provider.context_name(name), nodes, state, seen_by={"cli"})
        )
    return clusters
