"""kwok: a real API server with fake nodes and no Docker. ``kwokctl create cluster --runtime binary`` runs
etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok as local processes, from binaries
found on this machine (``KUBETUI_KWOK_BIN_DIR``, else the ones kubetui's real control plane built), and
``kwokctl scale node`` adds as many fake nodes as the preset asks for."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from kubetui.providers.base import ClusterInfo, ClusterSpec, Finding, Preset, Provider, check_name
from kubetui.providers.process import CommandRun, Run, TaskRun, capture

BIN_DIR_ENV = "KUBETUI_KWOK_BIN_DIR"
# kwokctl's binary runtime flag for each control-plane binary kubetui hands it.
COMPONENTS = {
    "--etcd-binary": "etcd",
    "--kube-apiserver-binary": "kube-apiserver",
    "--kube-controller-manager-binary": "kube-controller-manager",
    "--kube-scheduler-binary": "kube-scheduler",
    "--kwok-controller-binary": "kwok",
}
NEEDED = (*COMPONENTS.values(), "kwokctl")
MAX_NODES = 5000

SMALL = Preset(id="small", label="3 fake nodes", servers=0, agents=3)
LAB = Preset(id="lab", label="10 fake nodes", servers=0, agents=10)
BIG = Preset(id="big", label="100 fake nodes", servers=0, agents=100)
HUGE = Preset(id="huge", label="1,000 fake nodes", servers=0, agents=1000)


def realk8s_cache() -> Path:
    """Where kubetui's test suite keeps the control plane it builds from Go modules."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kubetui" / "realk8s"


def find_bin_dir(environ: dict[str, str] | None = None) -> Path | None:
    """A folder holding every binary kwokctl needs: ``KUBETUI_KWOK_BIN_DIR`` when set, else the newest
    complete build in the cache (the same rule the tests use without Go). None when there is none."""
    env = os.environ if environ is None else environ
    explicit = env.get(BIN_DIR_ENV)
    candidates = [Path(explicit).expanduser()] if explicit else []
    if not explicit:
        root = realk8s_cache()
        if root.is_dir():
            candidates = sorted(root.glob("*/bin"), key=lambda p: p.stat().st_mtime, reverse=True)
    for folder in candidates:
        if all(os.access(folder / name, os.X_OK) for name in NEEDED):
            return folder
    return None


def log_line(raw: str) -> str:
    """kwokctl logs JSON when not on a terminal; a person reads its message (and how long it took)."""
    try:
        entry: Any = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(entry, dict) or "msg" not in entry:
        return raw
    text = str(entry["msg"])
    elapsed = (entry.get("elapsed") or {}).get("human") if isinstance(entry.get("elapsed"), dict) else None
    if elapsed:
        text += f" ({elapsed})"
    if entry.get("err"):
        text += f": {entry['err']}"
    return text


class KwokProvider(Provider):
    name = "kwok"
    label = "kwok"
    executable = "kwokctl"
    presets = (SMALL, LAB, BIG, HUGE)
    needs_docker = False
    can_add_node = False  # the preset says how many nodes; kwokctl scale sets a count, not one more

    def __init__(self, bin_dir: Path | None = None) -> None:
        self._bin_dir = bin_dir

    @property
    def bin_dir(self) -> Path | None:
        return self._bin_dir or find_bin_dir(self.env)

    def which(self) -> str | None:
        folder = self.bin_dir
        if folder is not None:
            return str(folder / "kwokctl")
        return shutil.which("kwokctl", path=(self.env or {}).get("PATH"))

    def check(self) -> list[Finding]:
        folder = self.bin_dir
        if folder is None:
            return [
                Finding(
                    "error",
                    "kwok needs kwokctl, etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok "
                    "as local binaries, and none were found",
                    f"Build them once with 'python3 dev.py realk8s build' in a kubetui checkout (needs Go), or "
                    f"set {BIN_DIR_ENV} to a folder holding all six. The built-in cluster needs nothing.",
                )
            ]
        return [Finding("ok", f"kwok runs its control plane from {folder}; no Docker needed")]

    def context_name(self, cluster: str) -> str:
        return f"kwok-{cluster}"

    def _kwokctl(self) -> str:
        return self.which() or "kwokctl"

    def _kubeconfig_args(self) -> list[str]:
        # kwokctl writes ~/.kube/config unless told; the clusters view sets KUBECONFIG for the tools it runs.
        value = (self.env or {}).get("KUBECONFIG", "")
        first = value.split(os.pathsep)[0] if value else ""
        return ["--kubeconfig", first] if first else []

    def create_command(self, spec: ClusterSpec) -> list[str]:
        argv = [self._kwokctl(), "create", "cluster", "--name", spec.name, "--runtime", "binary"]
        folder = self.bin_dir
        if folder is not None:
            for flag, binary in COMPONENTS.items():
                argv += [flag, str(folder / binary)]
        return [*argv, *self._kubeconfig_args(), "--wait", "120s"]

    def scale_command(self, name: str, nodes: int) -> list[str]:
        if not 0 <= nodes <= MAX_NODES:
            raise ValueError(f"a kwok cluster takes 0 to {MAX_NODES:,} fake nodes, not {nodes}")
        return [self._kwokctl(), "scale", "node", "--replicas", str(nodes), "--name", check_name(name)]

    def create(self, spec: ClusterSpec) -> Run:
        nodes = spec.preset.servers + spec.preset.agents
        steps = [self.create_command(spec), self.scale_command(spec.name, nodes)]

        async def body(emit: Any) -> int:
            for argv in steps:
                run = self.command(argv)
                try:
                    async for line in run.lines():
                        emit(log_line(line))
                finally:
                    if run.returncode is None:  # cancelled half-way: stop the command's whole process group
                        await run.cancel()
                if run.returncode != 0:
                    emit(f"error: {Path(argv[0]).name} {argv[1]} {argv[2]} failed ({run.returncode})")
                    return run.returncode or 1
            emit(
                f"kwok cluster {spec.name!r} has {nodes} fake node(s); context {self.context_name(spec.name)}"
            )
            return 0

        return TaskRun(steps[0], body)

    def start(self, name: str) -> CommandRun:
        return self.command([self._kwokctl(), "start", "cluster", "--name", check_name(name)])

    def stop(self, name: str) -> CommandRun:
        return self.command([self._kwokctl(), "stop", "cluster", "--name", check_name(name)])

    def delete(self, name: str) -> CommandRun:
        argv = [self._kwokctl(), "delete", "cluster", "--name", check_name(name)]
        return self.command([*argv, *self._kubeconfig_args()])

    async def list_clusters(self) -> list[ClusterInfo]:
        result = await capture([self._kwokctl(), "get", "clusters", "-o", "wide"], env=self.env)
        if result.returncode != 0:
            raise RuntimeError(result.stderr.strip() or f"kwokctl get clusters failed ({result.returncode})")
        return parse_cluster_list(result.stdout, self)


def parse_cluster_list(text: str, provider: Provider) -> list[ClusterInfo]:
    """``kwokctl get clusters -o wide``: NAME, READY (components up/all) and STATUS columns."""
    clusters = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 3:
            continue
        name, ready, status = fields[0], fields[1], fields[2]
        state = {"Ready": "running", "Stopped": "stopped"}.get(
            status, "partial" if ready[:1] != "0" else "stopped"
        )
        clusters.append(
            ClusterInfo(
                provider=provider.name,
                name=name,
                context=provider.context_name(name),
                state=state,
                detail=f"control plane {ready} up, as local processes",
                seen_by={"cli"},
            )
        )
    return clusters
