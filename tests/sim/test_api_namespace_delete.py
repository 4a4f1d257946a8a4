"""``kubectl delete ns`` on a namespace with a Deployment finishes, and everything in it is gone, as in Kubernetes."""

from __future__ import annotations

import time
from collections.abc import Callable
from subprocess import CompletedProcess

from kubetui.sim.server import SimServer

Kubectl = Callable[..., CompletedProcess[str]]


def test_deleting_a_namespace_with_a_deployment_finishes(sim_thread: SimServer, kubectl: Kubectl) -> None:
    def run(*args: str) -> CompletedProcess[str]:
        return kubectl(*args, kubeconfig=sim_thread, timeout=60)

    assert run("create", "ns", "x").returncode == 0
    assert run("-n", "x", "create", "deployment", "d", "--image=nginx", "--replicas=2").returncode == 0
    assert run("-n", "x", "expose", "deployment", "d", "--port=80").returncode == 0
    deadline = time.monotonic() + 20
    while "2/2" not in run("-n", "x", "get", "deployment", "d").stdout:
        assert time.monotonic() < deadline, "the deployment never became ready"
        time.sleep(0.1)

    deleted = run("delete", "ns", "x", "--timeout=30s")  # kubectl waits until the namespace is gone
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout.strip() == 'namespace "x" deleted'
    gone = run("get", "ns", "x")
    assert gone.returncode == 1 and 'namespaces "x" not found' in gone.stderr
    store = sim_thread.store
    for rtype in store._objects:
        assert store.list(rtype, "x") == [], rtype
    assert "No resources found in x namespace." in run("get", "all,events,configmaps", "-n", "x").stderr
