"""Clusters for the benchmarks: the built-in one at N pods in its own process, and the real control plane
(tests/realk8s/) with pods made through real Deployments on kwok nodes. Both give a kubeconfig and a way to
send requests, so a benchmark can treat them alike."""

from __future__ import annotations

import json
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class BenchCluster:
    name: str  # as the tables show it, e.g. "built-in 10,000 pods"
    kubeconfig: Path
    server: str
    pods: int
    namespace: str  # a namespace holding many of the pods, for the one-namespace figures
    _proc: subprocess.Popen[bytes] | None = None
    _stack: Any = None
    _ssl: ssl.SSLContext | None = None
    _tmp: Any = field(default=None, repr=False)

    def request(
        self, method: str, path: str, body: Any = None, content_type: str = "application/json"
    ) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.server + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", content_type)
        with urllib.request.urlopen(req, context=self._ssl, timeout=60) as resp:
            raw = resp.read()
        return json.loads(raw) if raw else None

    def pod_names(self, limit: int, namespace: str | None = None) -> list[tuple[str, str]]:
        path = f"/api/v1/namespaces/{namespace}/pods" if namespace else "/api/v1/pods"
        items = self.request("GET", f"{path}?limit={limit}")["items"]
        return [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in items]

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        if self._stack is not None:
            self._stack.down()
        if self._tmp is not None:
            self._tmp.cleanup()


def builtin(pods: int, speed: float = 1.0, scenario: str | None = None) -> BenchCluster:
    tmp = tempfile.TemporaryDirectory(prefix="kubetui-bench-")
    kubeconfig = Path(tmp.name) / "kubeconfig"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubetui", "sim", "serve", "--scenario", scenario or f"scale:{pods}", "--port", "0",
         "--kubeconfig", str(kubeconfig), "--speed", str(speed)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 600
    while not kubeconfig.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("the built-in cluster did not start")
        time.sleep(0.1)
    import yaml

    server = yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
    return BenchCluster(f"built-in {pods:,} pods", kubeconfig, server, pods, "scale-0", _proc=proc, _tmp=tmp)


def real(pods: int, nodes: int, log: Any = print, populate: Any = None) -> BenchCluster | None:
    """The real control plane with ``pods`` Running pods in Deployments of 10 over ``nodes`` kwok nodes (or
    made by ``populate(cluster, pods, log)``); None (with the reason logged) when its binaries cannot be had."""
    sys.path.insert(0, str(ROOT))
    from tests.realk8s import build
    from tests.realk8s.stack import Stack

    try:
        bin_dir = build.ensure_built(log)
    except build.BuildError as exc:
        log(f"real control plane skipped: {exc}")
        return None
    tmp = tempfile.TemporaryDirectory(prefix="kubetui-bench-real-")
    stack = Stack(Path(tmp.name) / "stack", nodes=nodes, bin_dir=bin_dir)
    stack.up(timeout=300, log=log)
    context = ssl.create_default_context(cafile=str(stack.ca_file))
    context.load_cert_chain(stack.pki_dir / "admin.crt", stack.pki_dir / "admin.key")
    cluster = BenchCluster(
        f"real {pods:,} pods / {nodes} nodes", stack.kubeconfig, stack.server, pods, "bench-0",
        _stack=stack, _ssl=context, _tmp=tmp,
    )  # fmt: skip
    try:
        (populate or populate_real)(cluster, pods, log)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def populate_real(cluster: BenchCluster, pods: int, log: Any = print, per_namespace: int = 1000) -> float:
    """Deployments of 10 pods (1,000 pods a namespace, as the built-in scale scenario), created through the
    real controllers; returns the seconds until all pods ran."""
    started = time.monotonic()
    deployments = (pods + 9) // 10
    for d in range(deployments):
        ns = f"bench-{d * 10 // per_namespace}"
        if d * 10 % per_namespace == 0:
            cluster.request("POST", "/api/v1/namespaces", {"metadata": {"name": ns}})
            _wait_service_account(cluster, ns)
        replicas = min(10, pods - d * 10)
        labels = {"app": f"app-{d:05d}"}
        cluster.request("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", {
            "metadata": {"name": f"app-{d:05d}"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "main", "image": "nginx:1.27"}]}}},
        })  # fmt: skip
    while True:
        running = len(cluster.request("GET", "/api/v1/pods?fieldSelector=status.phase%3DRunning")["items"])
        if running >= pods:
            break
        if time.monotonic() - started > 1800:
            raise SystemExit(f"only {running} of {pods} pods ran on the real control plane")
        time.sleep(3)
    elapsed = time.monotonic() - started
    log(f"real control plane: {pods:,} pods Running after {elapsed:.0f}s")
    return elapsed


def _wait_service_account(cluster: BenchCluster, ns: str) -> None:
    for _ in range(300):
        try:
            cluster.request("GET", f"/api/v1/namespaces/{ns}/serviceaccounts/default")
            return
        except urllib.error.HTTPError:
            time.sleep(0.1)


def kubectl_binary() -> str:
    local = Path(sys.executable).parent / "kubectl"
    return str(local) if local.exists() else "kubectl"


def time_kubectl(cluster: BenchCluster, *args: str) -> float:
    started = time.monotonic()
    subprocess.run(
        [kubectl_binary(), f"--kubeconfig={cluster.kubeconfig}", *args],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
    )  # fmt: skip
    return time.monotonic() - started
