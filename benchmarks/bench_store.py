"""Connect → synced Store at 1,000 and 10,000 pods, and the Store's memory, beside ``kubectl get pods -A -o json``.

Starts the built-in cluster in its own process (``kubetui sim serve --scenario scale:N``) so neither client shares
a process with the server, then times on the same cluster:

- kubectl: ``kubectl get pods -A -o json`` (output discarded), best of ``--repeat`` runs;
- store (pods): Connection.open → a pods Watcher's paginated list → every pod in the Store, best of ``--repeat``;
- store (all kinds): the same with the whole WatchHub (8 kinds), for reference;
- memory: Python heap held by the Store and watcher after sync (tracemalloc), and the RSS growth.

Targets: store (pods) at most 1.5x kubectl's time; 10,000 pods under 200 MB. Usage:

    python3 dev.py bench store [--pods 1000 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from kubetui.cluster.connection import Connection
from kubetui.cluster.store import Store
from kubetui.cluster.watch import KINDS, Delta, WatchHub


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def kubectl_path() -> str:
    local = Path(sys.executable).parent / "kubectl"
    found = str(local) if local.exists() else shutil.which("kubectl")
    if not found:
        raise SystemExit("kubectl not found")
    return found


def start_sim(pods: int, kubeconfig: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "kubetui", "sim", "serve", "--port", "0",
            "--scenario", f"scale:{pods}", "--kubeconfig", str(kubeconfig),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while not kubeconfig.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the built-in cluster did not start")
        time.sleep(0.1)
    return proc


async def wait_for_pods(kubeconfig: Path, want: int) -> None:
    """Until the server lists ``want`` pods (the scenario may create them in the background)."""
    deadline = time.monotonic() + 300
    while True:
        try:
            async with await Connection.open(str(kubeconfig)) as conn:
                count = 0
                token = ""
                while True:
                    query = {"limit": 500, **({"continue": token} if token else {})}
                    page = await conn.request("GET", "/api/v1/pods", query=query)
                    count += len(page.get("items") or [])
                    token = (page.get("metadata") or {}).get("continue") or ""
                    if not token:
                        break
            if count >= want:
                return
        except Exception as exc:  # the server may still be starting
            count = -1
            error = exc
        if time.monotonic() > deadline:
            raise SystemExit(f"cluster has {count} pods, wanted {want} ({error if count < 0 else ''})")
        await asyncio.sleep(0.5)


def time_kubectl(kubeconfig: Path, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            [kubectl_path(), "--kubeconfig", str(kubeconfig), "get", "pods", "-A", "-o", "json"],
            stdout=subprocess.DEVNULL,
            check=True,
        )
        best = min(best, time.perf_counter() - start)
    return best


async def sync_once(kubeconfig: Path, kinds: tuple[str, ...]) -> tuple[float, Store, WatchHub, Connection]:
    store = Store()

    def on_deltas(kind: str, deltas: list[Delta]) -> None:
        store.apply(kind, deltas)

    start = time.perf_counter()
    conn = await Connection.open(str(kubeconfig))
    hub = WatchHub(conn, None, on_deltas, lambda state: None, kinds=kinds)
    hub.start()
    if not await hub.wait_synced(300):
        raise SystemExit(f"not synced: {hub.states}")
    return time.perf_counter() - start, store, hub, conn


async def time_store(kubeconfig: Path, kinds: tuple[str, ...], repeat: int) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(repeat):
        elapsed, store, hub, conn = await sync_once(kubeconfig, kinds)
        count = store.count("pods")
        await hub.stop()
        await conn.close()
        best = min(best, elapsed)
    return best, count


async def store_memory(kubeconfig: Path) -> tuple[float, float]:
    """(MB of Python heap still held after sync, MB of RSS growth) for a pods-only Store."""
    gc.collect()
    rss_before = rss_mb()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    _, store, hub, conn = await sync_once(kubeconfig, ("pods",))
    gc.collect()
    held = (tracemalloc.get_traced_memory()[0] - base) / 1024 / 1024
    tracemalloc.stop()
    rss = rss_mb() - rss_before
    await hub.stop()
    await conn.close()
    del store
    return held, rss


async def bench(pods: int, repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = Path(tmp) / "config"
        proc = start_sim(pods, kubeconfig)
        try:
            await wait_for_pods(kubeconfig, pods)
            kubectl = time_kubectl(kubeconfig, repeat)
            store_pods, count = await time_store(kubeconfig, ("pods",), repeat)
            store_all, _ = await time_store(kubeconfig, KINDS, repeat)
            held, rss = await store_memory(kubeconfig)
        finally:
            proc.terminate()
            proc.wait(10)
    return {
        "pods": count,
        "kubectl": kubectl,
        "store": store_pods,
        "all": store_all,
        "ratio": store_pods / kubectl,
        "heap": held,
        "rss": rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = [asyncio.run(bench(n, args.repeat)) for n in args.pods]
    print(f"\nmachine: {os.cpu_count()} CPUs, python {sys.version.split()[0]}")
    head = f"{'pods':>7} {'kubectl -o json':>16} {'store (pods)':>13} {'ratio':>6} {'store (8 kinds)':>16} "
    head += f"{'heap MB':>8} {'RSS +MB':>8}"
    print(head)
    for r in rows:
        print(
            f"{r['pods']:>7.0f} {r['kubectl']:>15.2f}s {r['store']:>12.2f}s {r['ratio']:>5.2f}x "
            f"{r['all']:>15.2f}s {r['heap']:>8.1f} {r['rss']:>8.1f}"
        )
    print("targets: ratio <= 1.5x; 10,000-pod store < 200 MB")


if __name__ == "__main__":
    main()
