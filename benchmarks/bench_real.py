"""kubetui on the real control plane at scale: 10,000 pods on 500 kwok nodes, beside kubectl on the same cluster.

Starts the real control plane (tests/realk8s/, built from Go modules) with ``--nodes`` kwok nodes, then creates
``--pods`` pods spread over the nodes and over namespaces of 1,000 (``bench-0`` ...). The pods are POSTed in
parallel with their node already chosen: the controller-manager's client is limited to 20 requests a second,
which would take ten minutes to make 10,000 pods through ReplicaSets, while kwok turns them Running as fast as
they arrive. Then, on the settled cluster:

- kubectl: ``kubectl get pods -A -o json`` (output discarded), best of ``--repeat``, and its peak RSS;
- store sync: Connection.open → the pods Watcher's paginated list → every pod in the Store, best of
  ``--repeat`` (and the whole WatchHub of every kind, for reference);
- first paint: in a fresh process, from creating the app to the first frame whose Pods pane holds every pod
  (headless, 160×48, all namespaces), and that process's resident memory then and at its peak.

Everything is reported as a ratio to kubectl (< 1: kubetui is faster or smaller). Usage:

    python3 dev.py bench real [--pods 10000] [--nodes 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_store  # noqa: E402
import clusters  # noqa: E402

PER_NAMESPACE = 1000


def pod(name: str, node: str, app: str) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "labels": {"app": app}},
        "spec": {
            "nodeName": node,
            "containers": [{"name": "main", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}],
            # On a loaded machine kwok may renew some of 500 node leases late; the node controller would
            # then taint the node and evict its pods, and bare pods are not replaced.
            "tolerations": [{"operator": "Exists"}],
        },
    }


def populate(cluster: clusters.BenchCluster, pods: int, nodes: int, log: Any = print) -> float:
    """``pods`` pods POSTed by 16 threads, round-robin over the nodes; the seconds until all of them ran."""
    started = time.monotonic()
    namespaces = [f"bench-{i}" for i in range((pods + PER_NAMESPACE - 1) // PER_NAMESPACE)]
    for ns in namespaces:
        cluster.request("POST", "/api/v1/namespaces", {"metadata": {"name": ns}})
        clusters._wait_service_account(cluster, ns)

    local = threading.local()
    host, port = cluster.server.removeprefix("https://").split(":")

    def post(path: str, body: dict[str, Any]) -> int:
        # One kept-alive TLS connection per thread: a handshake per pod would cost the API server more than
        # the create itself.
        if getattr(local, "conn", None) is None:
            local.conn = http.client.HTTPSConnection(host, int(port), context=cluster._ssl, timeout=60)
        try:
            local.conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
            response = local.conn.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            local.conn.close()
            local.conn = None
            return 0

    def create(index: int) -> None:
        ns = namespaces[index // PER_NAMESPACE]
        app = f"app-{index // 10:05d}"
        body = pod(f"{app}-{index % 10}", f"kwok-node-{index % nodes}", app)
        for attempt in range(10):
            status = post(f"/api/v1/namespaces/{ns}/pods", body)
            if status in (201, 409):
                return
            time.sleep(0.5 * (attempt + 1))
        raise SystemExit(f"could not create pod {index}: last status {status}")

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(create, range(pods)))
    log(f"real control plane: {pods:,} pods created in {time.monotonic() - started:.0f}s")
    while True:
        running = count_running(cluster)
        if running >= pods:
            break
        if time.monotonic() - started > 1800:
            raise SystemExit(f"only {running} of {pods} pods ran on the real control plane")
        time.sleep(2)
    elapsed = time.monotonic() - started
    log(f"real control plane: {pods:,} pods Running after {elapsed:.0f}s")
    return elapsed


def count_running(cluster: clusters.BenchCluster) -> int:
    # A field selector leaves out remainingItemCount, so the pages are counted.
    count, token = 0, ""
    while True:
        query = "fieldSelector=status.phase%3DRunning&limit=2000" + (f"&continue={token}" if token else "")
        page = cluster.request("GET", f"/api/v1/pods?{query}")
        count += len(page["items"])
        token = page["metadata"].get("continue") or ""
        if not token:
            return count


def time_kubectl(kubeconfig: Path, repeat: int) -> tuple[float, float]:
    """(best seconds, peak RSS in MB) of ``kubectl get pods -A -o json``."""
    best, peak = float("inf"), 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(
            [bench_store.kubectl_path(), "--kubeconfig", str(kubeconfig), "get", "pods", "-A", "-o", "json"],
            stdout=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"kubectl failed with exit code {proc.returncode}")
        best = min(best, time.perf_counter() - start)
        peak = max(peak, usage.ru_maxrss / 1024)  # kilobytes on Linux
    return best, peak


def first_paint(kubeconfig: Path, pods: int) -> dict[str, float]:
    """Runs ``--paint`` in a fresh interpreter, so its memory is the app's alone."""
    out = subprocess.run(
        [sys.executable, __file__, "--paint", str(kubeconfig), str(pods)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if out.returncode != 0:
        raise SystemExit(f"the first-paint run failed:\n{out.stderr[-2000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def _paint(kubeconfig: Path, pods: int) -> dict[str, float]:
    imports = time.perf_counter()
    from kubetui.app import KubeApp
    from kubetui.session import SessionConfig

    imports = time.perf_counter() - imports
    t_start = time.perf_counter()
    app = KubeApp(SessionConfig(kubeconfig=str(kubeconfig), all_namespaces=True), frozen_ages=True)
    original = app._display
    painted: list[float] = []

    def display(screen: Any, renderable: Any) -> None:
        original(screen, renderable)
        if renderable is None or painted:
            return
        try:
            table: Any = app.screen.query_one("#pods")
        except Exception:
            return
        if table.row_count >= pods:
            painted.append(time.perf_counter() - t_start)

    app._display = display  # type: ignore[method-assign]
    async with app.run_test(size=(160, 48), headless=True):
        deadline = time.monotonic() + 300
        while not painted and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await asyncio.sleep(2.0)  # settled: the watch caught up, the first burst of work is done
        rss = _status_mb("VmRSS")
    return {
        "first_paint_s": painted[0] if painted else float("nan"),
        "imports_s": imports,
        "rss_mb": rss,
        "peak_mb": _status_mb("VmHWM"),
    }


def bench(pods: int, nodes: int, repeat: int) -> dict[str, float]:
    cluster = clusters.real(pods, nodes, populate=lambda c, n, log: populate(c, n, nodes, log))
    if cluster is None:
        raise SystemExit("the real control plane could not be built on this machine")
    try:
        kubectl_s, kubectl_mb = time_kubectl(cluster.kubeconfig, repeat)
        store_s, count = asyncio.run(bench_store.time_store(cluster.kubeconfig, ("pods",), repeat))
        all_s, _ = asyncio.run(bench_store.time_store(cluster.kubeconfig, bench_store.KINDS, 1))
        paint = first_paint(cluster.kubeconfig, pods)
    finally:
        cluster.stop()
    return {
        "pods": float(count),
        "kubectl_s": kubectl_s,
        "kubectl_mb": kubectl_mb,
        "store_s": store_s,
        "all_s": all_s,
        **paint,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=10000)
    parser.add_argument("--nodes", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--paint", nargs=2, metavar=("KUBECONFIG", "PODS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    # A TERM stops the run through its ``finally``, so the control plane it started goes down with it.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.paint:
        print(json.dumps(asyncio.run(_paint(Path(args.paint[0]), int(args.paint[1])))))
        return 0
    r = bench(args.pods, args.nodes, args.repeat)
    k = r["kubectl_s"]
    print(f"\nmachine: {os.cpu_count()} CPUs, python {sys.version.split()[0]}")
    print(f"real control plane, {r['pods']:,.0f} pods on {args.nodes} kwok nodes")
    print(f"{'measure':<44} {'kubetui':>10} {'kubectl':>10} {'ratio':>7}")
    print(
        f"{'sync: pods in the store / get pods -A -o json':<44} {r['store_s']:>9.2f}s {k:>9.2f}s {r['store_s'] / k:>6.2f}x"
    )
    print(f"{'sync: every kind (8 watches)':<44} {r['all_s']:>9.2f}s {k:>9.2f}s {r['all_s'] / k:>6.2f}x")
    paint = r["first_paint_s"]
    print(f"{'first paint of all pods (+ imports)':<44} {paint:>9.2f}s {k:>9.2f}s {paint / k:>6.2f}x"
          f"   (+{r['imports_s']:.2f}s)")  # fmt: skip
    mb = r["kubectl_mb"]
    print(
        f"{'resident memory, settled / kubectl peak':<44} {r['rss_mb']:>8.0f}MB {mb:>8.0f}MB {r['rss_mb'] / mb:>6.2f}x"
    )
    print(f"{'resident memory, peak':<44} {r['peak_mb']:>8.0f}MB {mb:>8.0f}MB {r['peak_mb'] / mb:>6.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
