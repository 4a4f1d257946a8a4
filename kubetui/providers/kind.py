"""kind: Kubernetes in Docker. Lists with ``kind get clusters``/``kind get nodes``; extra nodes via a config file."""

from __future__ import annotations

from pathlib import Path

from kubetui.providers.base import ClusterInfo, ClusterSpec, NodeInfo, Preset, Provider, check_name
from kubetui.providers.paths import data_dir
from kubetui.providers.process import CommandRun, Run, capture

SINGLE = Preset(id="single", label="Single node: 1 control plane", servers=1, agents=0)
LAB = Preset(id="lab", label="Lab: 1 control plane, 2 workers", servers=1, agents=2)


class KindProvider(Provider):
    name = "kind"
    label = "kind"
    executable = "kind"
    presets = (SINGLE, LAB)
    min_cpus = 1
    min_memory_mb = 2048
    # kind fixes its nodes when the cluster is created: more workers come from the create preset.
    can_add_node = False
    can_stop = False

    def context_name(self, cluster: str) -> str:
        return f"kind-{cluster}"

    def config_path(self, name: str) -> Path:
        return data_dir() / "kind" / f"{check_name(name)}.yaml"

    def config_text(self, spec: ClusterSpec) -> str | None:
        """The kind Cluster config for presets with more than one node (None: kind's default single node)."""
        p = spec.preset
        if p.servers <= 1 and p.agents == 0:
            return None
        roles = ["control-plane"] * p.servers + ["worker"] * p.agents
        lines = ["kind: Cluster", "apiVersion: kind.x-k8s.io/v1alpha4", "nodes:"]
        lines += [f"- role: {role}" for role in roles]
        return "\n".join(lines) + "\n"

    def create_command(self, spec: ClusterSpec) -> list[str]:
        argv = ["kind", "create", "cluster", "--name", spec.name]
        if self.config_text(spec) is not None:
            argv += ["--config", str(self.config_path(spec.name))]
        return argv

    def create_files(self, spec: ClusterSpec) -> dict[Path, str]:
        text = self.config_text(spec)
        return {} if text is None else {self.config_path(spec.name): text}

    def create(self, spec: ClusterSpec) -> Run:
        for path, text in self.create_files(spec).items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        return super().create(spec)

    def start(self, name: str) -> CommandRun:
        raise NotImplementedError("kind has no start command: its node containers start with Docker")

    def stop(self, name: str) -> CommandRun:
        raise NotImplementedError("kind has no stop command: stop its node containers with Docker")

    def delete(self, name: str) -> CommandRun:
        return self.command(["kind", "delete", "cluster", "--name", check_name(name)])

    async def list_clusters(self) -> list[ClusterInfo]:
        result = await capture(["kind", "get", "clusters"], env=self.env)
        if result.returncode != 0:
            raise RuntimeError(result.stderr.strip() or f"kind get clusters failed ({result.returncode})")
        clusters = []
        for name in parse_names(result.stdout):
            nodes_out = await capture(["kind", "get", "nodes", "--name", name], env=self.env)
            nodes = [
                NodeInfo(n, "control-plane" if n.endswith("control-plane") else "worker", "unknown")
                for n in parse_names(nodes_out.stdout)
            ]
            clusters.append(
                ClusterInfo(self.name, name, self.context_name(name), nodes, "unknown", seen_by={"cli"})
            )
        return clusters


def parse_names(text: str) -> list[str]:
    """One name a line; kind says "No kind clusters found." (on stderr) when there are none."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("No kind ")]
