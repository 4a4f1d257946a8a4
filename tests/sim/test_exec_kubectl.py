"""Real kubectl against the built-in cluster's exec, port-forward and metrics API: the protocols are the real ones."""

from __future__ import annotations

import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kubetui.sim.server import SimServer
from kubetui.sim.testing import running_sim_thread
from tests.journey_manifests import Kubectl

pytestmark = pytest.mark.kubectl


@pytest.fixture(scope="module")
def apps_sim() -> Iterator[SimServer]:
    with running_sim_thread(scenario="empty", nodes=2, seed=5, speed=100.0) as server:
        yield server


@pytest.fixture
def k(
    kubectl: Kubectl, apps_sim: SimServer, tmp_path: Path
) -> Callable[..., subprocess.CompletedProcess[str]]:
    config = apps_sim.write_kubeconfig(tmp_path / "kubeconfig")

    def run(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return kubectl(*args, kubeconfig=config, input=input)

    return run


def _wait_running(k: Callable[..., subprocess.CompletedProcess[str]], selector: str) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        out = k(
            "get", "pods", "-l", selector, "-o", "jsonpath={.items[*].status.phase} {.items[0].metadata.name}"
        )
        if out.stdout.startswith("Running"):
            return out.stdout.split()[-1]
        time.sleep(0.2)
    raise AssertionError(f"no running pod for {selector}")


@pytest.fixture(scope="module")
def hello(apps_sim: SimServer, kubectl: Kubectl, tmp_path_factory: pytest.TempPathFactory) -> str:
    config = apps_sim.write_kubeconfig(tmp_path_factory.mktemp("hello") / "kubeconfig")
    for args in (
        ("create", "deployment", "hello-node", "--image=registry.k8s.io/e2e-test-images/agnhost:2.39",
         "--", "/agnhost", "netexec", "--http-port=8080"),
        ("expose", "deployment", "hello-node", "--port=8080"),
        ("create", "deployment", "web", "--image=nginx:1.27", "--replicas=2"),
        ("set", "resources", "deployment", "web", "--requests=cpu=100m,memory=64Mi", "--limits=memory=128Mi"),
    ):  # fmt: skip
        out = kubectl(*args, kubeconfig=config)
        assert out.returncode == 0, out.stderr
    return _wait_running(lambda *a, **kw: kubectl(*a, kubeconfig=config, **kw), "app=hello-node")


@pytest.fixture(scope="module")
def kubectl(tmp_path_factory: pytest.TempPathFactory) -> Kubectl:  # module-scoped twin of the shared fixture
    import os
    import sys

    binary = str(Path(sys.executable).parent / "kubectl")
    home = tmp_path_factory.mktemp("kubectl-home")
    env = {key: value for key, value in os.environ.items() if not key.startswith("KUBE")}
    env.update(HOME=str(home), KUBECACHEDIR=str(home / "cache"))

    def run(
        *args: str, kubeconfig: object, input: str | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        argv = [binary, f"--kubeconfig={kubeconfig}", *args]
        return subprocess.run(
            argv, input=input, capture_output=True, text=True, env=env, timeout=timeout, check=False
        )

    return run


def test_exec_hostname_and_env(k: Callable[..., subprocess.CompletedProcess[str]], hello: str) -> None:
    out = k("exec", hello, "--", "hostname")
    assert (out.returncode, out.stdout) == (0, f"{hello}\n"), out.stderr
    env = dict(line.split("=", 1) for line in k("exec", hello, "--", "env").stdout.splitlines())
    assert env["HOSTNAME"] == hello
    assert env["KUBERNETES_SERVICE_HOST"] == "10.96.0.1"
    cluster_ip = k("get", "svc", "hello-node", "-o", "jsonpath={.spec.clusterIP}").stdout
    assert env["HELLO_NODE_SERVICE_HOST"] == cluster_ip


def test_exec_exit_status_and_missing_program(
    k: Callable[..., subprocess.CompletedProcess[str]], hello: str
) -> None:
    out = k("exec", hello, "--", "sh", "-c", "echo out; nosuch; exit 3")
    assert out.returncode == 3
    assert out.stdout == "out\n"
    assert "sh: nosuch: not found" in out.stderr
    out = k("exec", hello, "--", "nosuch")
    assert out.returncode == 1
    assert 'exec: "nosuch": executable file not found in $PATH' in out.stderr


def test_exec_wget_reaches_a_service_as_the_app_answers(
    k: Callable[..., subprocess.CompletedProcess[str]], hello: str
) -> None:
    out = k("exec", hello, "--", "wget", "-qO-", "http://hello-node:8080/hostname")
    assert out.returncode == 0, out.stderr
    names = k(
        "get", "pods", "-l", "app=hello-node", "-o", "jsonpath={.items[*].metadata.name}"
    ).stdout.split()
    assert out.stdout in names
    out = k("exec", hello, "--", "wget", "-qO-", "http://web:80/")
    assert out.returncode == 1
    assert out.stderr.startswith("wget: bad address 'web'\n")


def test_exec_interactive_shell_through_stdin(
    k: Callable[..., subprocess.CompletedProcess[str]], hello: str
) -> None:
    out = k("exec", "-i", hello, "--", "sh", input="cd /etc\npwd\ncat hostname\nexit 4\n")
    assert out.returncode == 4
    assert out.stdout == f"/etc\n{hello}\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> str:
    deadline = time.monotonic() + 15
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return resp.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_kubectl_port_forward_to_a_service_answers_as_the_app(
    apps_sim: SimServer, hello: str, tmp_path: Path
) -> None:
    import os
    import sys

    port = _free_port()
    config = apps_sim.write_kubeconfig(tmp_path / "kubeconfig")
    env = {key: value for key, value in os.environ.items() if not key.startswith("KUBE")}
    env["HOME"] = str(tmp_path)
    argv = [str(Path(sys.executable).parent / "kubectl"), f"--kubeconfig={config}", "port-forward",
            "svc/hello-node", f"{port}:8080"]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert _get(f"http://127.0.0.1:{port}/hostname") == hello
        assert _get(f"http://127.0.0.1:{port}/echo?msg=through") == "through"
        assert _get(f"http://127.0.0.1:{port}/clientip").startswith("127.0.0.1:")
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert f"Forwarding from 127.0.0.1:{port} -> 8080" in out, err


def test_kubectl_top_pods_and_nodes(k: Callable[..., subprocess.CompletedProcess[str]], hello: str) -> None:
    _wait_running(k, "app=web")
    out = k("top", "pods")
    assert out.returncode == 0, out.stderr
    rows = {line.split()[0]: line.split()[1:] for line in out.stdout.splitlines()[1:]}
    assert hello in rows
    for cpu, mem in rows.values():
        assert re.fullmatch(r"\d+m", cpu) and re.fullmatch(r"\d+Mi", mem)
    web = [v for name, v in rows.items() if name.startswith("web-")]
    # nginx idles at a few MiB; with 64Mi requested it uses a share of that, under its 128Mi limit.
    assert web and all(13 <= int(mem[:-2]) < 128 for _, mem in web)
    assert k("top", "pods").stdout == out.stdout  # stable between scrapes
    nodes = k("top", "nodes")
    assert nodes.returncode == 0, nodes.stderr
    assert nodes.stdout.split("\n")[0].split() == [
        "NAME",
        "CPU(cores)",
        "CPU(%)",
        "MEMORY(bytes)",
        "MEMORY(%)",
    ]
    assert len(nodes.stdout.strip().splitlines()) == 3
