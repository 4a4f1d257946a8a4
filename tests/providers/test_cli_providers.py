"""k3d, kind and minikube driven through stand-in executables: exact argv, streamed output, failures, cancel."""

from __future__ import annotations

import asyncio
import signal

import pytest
import yaml

from kubetui.providers import kubeconfigs
from kubetui.providers.base import ClusterSpec, InvalidName, validate_cluster_name
from kubetui.providers.k3d import K3dProvider
from kubetui.providers.kind import KindProvider
from kubetui.providers.minikube import MinikubeProvider
from kubetui.providers.process import CommandRun
from tests.processes import alive

from .conftest import Standins

HOSTILE = ["-rf", "a;b", "$(x)", "x" * 64, "clüster", "Upper", "a b", "", "a/b", "-", "a-", "../etc", "a\nb"]

JOURNEY_K3D = [
    "cluster", "create", "mykubecluster", "--servers", "1", "--agents", "2",
    "--port", "80:80@loadbalancer", "--port", "443:443@loadbalancer",
    "--k3s-arg", "--disable=traefik@server:*",
]  # fmt: skip


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_refused_before_anything_runs(name: str, standins: Standins) -> None:
    assert validate_cluster_name(name) is not None
    for provider in (K3dProvider(), KindProvider(), MinikubeProvider()):
        with pytest.raises(InvalidName):
            ClusterSpec(name, provider.presets[0])
        for op in (provider.delete, provider.stop, provider.start):
            try:
                with pytest.raises(InvalidName):
                    op(name)
            except NotImplementedError:
                pass  # kind has no start/stop at all
    with pytest.raises(InvalidName):
        K3dProvider().add_node("lab", name if name else "-")
    assert standins.calls() == []


def test_good_names_pass() -> None:
    for name in ("mykubecluster", "a", "lab-2", "x" * 32, "0abc"):
        assert validate_cluster_name(name) is None, name
    assert "at most 32" in (validate_cluster_name("x" * 33) or "")


async def _collect(run: CommandRun) -> list[str]:
    return [line async for line in run.lines()]


async def test_k3d_journey_create_streams_output_and_switches_context(standins: Standins) -> None:
    k3d = K3dProvider()
    spec = ClusterSpec("mykubecluster", k3d.preset("lab"))
    assert k3d.create_command(spec) == ["k3d", *JOURNEY_K3D]
    run = k3d.create(spec)
    lines = await _collect(run)
    assert run.returncode == 0 and run.ok
    assert standins.calls("k3d") == [JOURNEY_K3D]
    assert lines[1] == "INFO[0000] Prep: Network"
    assert "INFO[0022] Cluster 'mykubecluster' created successfully!" in lines
    assert lines[-1] == "kubectl cluster-info"
    assert kubeconfigs.current_context(standins.kubeconfig) == "k3d-mykubecluster"

    [cluster] = await k3d.list_clusters()
    assert (cluster.name, cluster.context, cluster.state) == ("mykubecluster", "k3d-mykubecluster", "running")
    assert [(n.name, n.role) for n in cluster.nodes] == [
        ("k3d-mykubecluster-server-0", "server"),
        ("k3d-mykubecluster-agent-0", "agent"),
        ("k3d-mykubecluster-agent-1", "agent"),
    ]
    # The journey's open question: how to add more nodes.
    node = k3d.next_node_name(cluster)
    assert node == "mykubecluster-agent-2"
    assert await k3d.add_node("mykubecluster", node).wait() == 0
    assert standins.calls("k3d")[-1] == [
        "node",
        "create",
        "mykubecluster-agent-2",
        "--cluster",
        "mykubecluster",
    ]
    [cluster] = await k3d.list_clusters()
    assert len(cluster.nodes) == 4

    assert await k3d.stop("mykubecluster").wait() == 0
    [cluster] = await k3d.list_clusters()
    assert cluster.state == "stopped" and {n.state for n in cluster.nodes} == {"stopped"}
    assert await k3d.start("mykubecluster").wait() == 0
    run = k3d.delete("mykubecluster")
    lines = await _collect(run)
    assert lines[-1] == "INFO[0000] Successfully deleted cluster mykubecluster!"
    assert standins.calls("k3d")[-4:] == [
        ["cluster", "stop", "mykubecluster"],
        ["cluster", "list", "-o", "json"],
        ["cluster", "start", "mykubecluster"],
        ["cluster", "delete", "mykubecluster"],
    ]
    assert await k3d.list_clusters() == []
    assert "k3d-mykubecluster" not in kubeconfigs.context_names(standins.kubeconfig)


async def test_k3d_failures_are_reported_with_the_tools_words(standins: Standins, monkeypatch) -> None:
    k3d = K3dProvider()
    monkeypatch.setenv("STANDIN_FAIL", "create")
    run = k3d.create(ClusterSpec("broken", k3d.preset("single")))
    lines = await _collect(run)
    assert run.returncode == 1 and not run.ok
    assert lines[-1] == "FATA[0000] Cluster creation FAILED, all changes have been rolled back!"
    monkeypatch.delenv("STANDIN_FAIL")
    assert await k3d.create(ClusterSpec("twice", k3d.preset("single"))).wait() == 0
    again = k3d.create(ClusterSpec("twice", k3d.preset("single")))
    assert await again.wait() == 1
    assert again.output == [
        "FATA[0000] Failed to create cluster 'twice' because a cluster with that name already exists"
    ]


@pytest.mark.parametrize("mode", ["1", "stubborn"])
async def test_cancel_stops_the_command_and_its_children(standins: Standins, monkeypatch, mode: str) -> None:
    """SIGTERM to the process group; what ignores it is killed after the grace period."""
    monkeypatch.setenv("STANDIN_HANG", mode)
    k3d = K3dProvider()
    run = k3d.create(ClusterSpec("slow", k3d.preset("lab")))
    seen: list[str] = []

    async def consume() -> None:
        async for line in run.lines():
            seen.append(line)

    task = asyncio.create_task(consume())
    for _ in range(200):
        if seen and seen[-1] == "waiting for the node containers ...":
            break
        await asyncio.sleep(0.05)
    assert seen[-1] == "waiting for the node containers ..."
    pids = standins.hang_pids()
    assert alive(pids["pid"]) and alive(pids["child"])
    await run.cancel(grace=0.5)
    await asyncio.wait_for(task, 5)
    assert run.cancelled and not run.ok
    # The group leader's fate says which signal ended it: TERM normally, KILL after the grace period.
    assert run.returncode == (-signal.SIGKILL if mode == "stubborn" else -signal.SIGTERM)
    for _ in range(50):
        if not alive(pids["child"]):
            break
        await asyncio.sleep(0.05)
    assert not alive(pids["pid"]) and not alive(pids["child"])
    assert run.elapsed > 0


async def test_kind_lab_writes_a_config_and_lists_nodes(standins: Standins) -> None:
    kind = KindProvider()
    assert await kind.list_clusters() == []
    spec = ClusterSpec("lab", kind.preset("lab"))
    config = standins.data / "kubetui" / "kind" / "lab.yaml"
    assert kind.create_command(spec) == [
        "kind",
        "create",
        "cluster",
        "--name",
        "lab",
        "--config",
        str(config),
    ]
    run = kind.create(spec)
    lines = await _collect(run)
    assert run.returncode == 0
    assert yaml.safe_load(config.read_text())["nodes"] == [
        {"role": "control-plane"},
        {"role": "worker"},
        {"role": "worker"},
    ]
    assert lines[0] == 'Creating cluster "lab" ...'
    assert 'Set kubectl context to "kind-lab"' in lines
    assert kubeconfigs.current_context(standins.kubeconfig) == "kind-lab"
    [cluster] = await kind.list_clusters()
    assert [n.name for n in cluster.nodes] == ["lab-control-plane", "lab-worker", "lab-worker2"]
    assert cluster.nodes[0].role == "control-plane"
    single = ClusterSpec("solo", kind.preset("single"))
    assert kind.create_command(single) == ["kind", "create", "cluster", "--name", "solo"]
    assert await kind.delete("lab").wait() == 0
    assert standins.calls("kind")[-1] == ["delete", "cluster", "--name", "lab"]
    assert await kind.list_clusters() == []
    with pytest.raises(NotImplementedError):
        kind.stop("lab")


async def test_minikube_profile_lifecycle(standins: Standins, monkeypatch) -> None:
    mk = MinikubeProvider()
    assert await mk.list_clusters() == []  # minikube's "no profiles" error object is an empty list
    spec = ClusterSpec("dev", mk.preset("default"))
    assert mk.create_command(spec) == ["minikube", "start", "-p", "dev", "--cpus", "2", "--memory", "2048"]

    monkeypatch.setenv("STANDIN_FAIL", "start")
    failed = mk.create(spec)
    assert await failed.wait() == 29
    assert any("RSRC_INSUFFICIENT_CORES" in line for line in failed.output)
    monkeypatch.delenv("STANDIN_FAIL")

    run = mk.create(spec)
    lines = await _collect(run)
    assert run.returncode == 0
    assert (
        lines[-1]
        == '🏄  Done! kubectl is now configured to use "dev" cluster and "default" namespace by default'
    )
    assert kubeconfigs.current_context(standins.kubeconfig) == "dev"
    [cluster] = await mk.list_clusters()
    assert (cluster.name, cluster.state, [n.name for n in cluster.nodes]) == ("dev", "running", ["dev"])

    assert await mk.add_node("dev", mk.next_node_name(cluster)).wait() == 0
    assert await mk.stop("dev").wait() == 0
    [cluster] = await mk.list_clusters()
    assert cluster.state == "stopped"
    assert [n.name for n in cluster.nodes] == ["dev", "dev-m02"]
    assert await mk.delete("dev").wait() == 0
    assert standins.calls("minikube")[-4:] == [
        ["node", "add", "-p", "dev"],
        ["stop", "-p", "dev"],
        ["profile", "list", "-o", "json"],
        ["delete", "-p", "dev"],
    ]
    assert "dev" not in kubeconfigs.context_names(standins.kubeconfig)


async def test_missing_tool_is_a_finding_with_advice(standins: Standins, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(standins.dir))
    [finding] = K3dProvider().check()
    assert finding.level == "error"
    assert "k3d is not installed" in finding.message and "built-in cluster" in finding.advice
    run = CommandRun(["k3d", "version"])
    assert await run.wait() == 127
    assert run.output == ["cannot run k3d: No such file or directory"]
