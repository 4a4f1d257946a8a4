"""k3d: k3s in Docker. Lists with ``k3d cluster list -o json``; creates the journey's lab preset."""

from __future__ import annotations

import json
from typing import Any

from kubetui.providers.base import (
    ClusterInfo,
    ClusterSpec,
    NodeInfo,
    Preset,
    Provider,
    check_name,
    summarise_state,
)
from kubetui.providers.process import CommandRun, capture

# The journey's cluster: one server, two agents, ports 80/443 through k3d's load balancer, traefik disabled so
# that the user's own LoadBalancer Service can take port 80.
LAB = Preset(
    id="lab",
    label="Lab: 1 server, 2 agents, LB ports 80 and 443, no traefik",
    servers=1,
    agents=2,
    ports=("80:80@loadbalancer", "443:443@loadbalancer"),
    k3s_args=("--disable=traefik@server:*",),
)
SINGLE = Preset(id="single", label="Single node: 1 server", servers=1, agents=0)

_ROLES = {"server": "server", "agent": "agent"}  # the load balancer and registry are helpers, not nodes


class K3dProvider(Provider):
    name = "k3d"
    label = "k3d"
    executable = "k3d"
    presets = (LAB, SINGLE)
    min_cpus = 1
    min_memory_mb = 1024
    can_add_node = True

    def context_name(self, cluster: str) -> str:
        return f"k3d-{cluster}"

    def create_command(self, spec: ClusterSpec) -> list[str]:
        p = spec.preset
        argv = ["k3d", "cluster", "create", spec.name, "--servers", str(p.servers), "--agents", str(p.agents)]
        for port in p.ports:
            argv += ["--port", port]
        for arg in p.k3s_args:
            argv += ["--k3s-arg", arg]
        return argv

    def start(self, name: str) -> CommandRun:
        return self.command(["k3d", "cluster", "start", check_name(name)])

    def stop(self, name: str) -> CommandRun:
        return self.command(["k3d", "cluster", "stop", check_name(name)])

    def delete(self, name: str) -> CommandRun:
        return self.command(["k3d", "cluster", "delete", check_name(name)])

    def add_node_command(self, cluster: str, node: str) -> list[str]:
        return ["k3d", "node", "create", node, "--cluster", cluster]

    def next_node_name(self, cluster: ClusterInfo) -> str:
        agents = sum(1 for n in cluster.nodes if n.role == "agent")
        return f"{cluster.name}-agent-{agents}"

    async def list_clusters(self) -> list[ClusterInfo]:
        result = await capture(["k3d", "cluster", "list", "-o", "json"], env=self.env)
        if result.returncode != 0:
            raise RuntimeError(result.stderr.strip() or f"k3d cluster list failed ({result.returncode})")
        return parse_cluster_list(result.stdout, self)


def parse_cluster_list(text: str, provider: Provider) -> list[ClusterInfo]:
    data: Any = json.loads(text or "[]") or []
    clusters = []
    for item in data:
        name = str(item.get("name", ""))
        nodes = []
        for node in item.get("nodes") or []:
            role = _ROLES.get(str(node.get("role", "")))
            if role is None:
                continue
            state = node.get("State") or {}
            running = bool(state.get("Running"))
            nodes.append(NodeInfo(str(node.get("name", "")), role, "running" if running else "stopped"))
        clusters.append(
            ClusterInfo(
                provider=provider.name,
                name=name,
                context=provider.context_name(name),
                nodes=nodes,
                state=summarise_state(nodes),
                seen_by={"cli"},
            )
        )
    return clusters
