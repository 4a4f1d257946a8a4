"""Log view under load: lines/s it sustains from 10 pods while key presses still repaint, and RSS after 1M lines.

Starts the built-in cluster in its own process (``kubetui sim serve``), creates a Deployment of ``--pods`` pods of
the logger image each writing ``--rate`` lines per second, and streams them over real HTTP into a LogView inside a
headless Textual app. Every ``--key-every`` seconds it presses ``t`` (timestamps on/off, which re-renders every
visible line) and times the press until the view has painted the change. Then it feeds the view lines until it has
seen 1,000,000 and reports the process's resident memory. Usage:

    python3 dev.py bench logs [--pods 10] [--rate 1000] [--seconds 30] [--total 1000000] [--budget 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from textual import events
from textual.app import App, ComposeResult

from kubetui.cluster.connection import Connection
from kubetui.cluster.logs import LogItem, RawLine
from kubetui.widgets.log_buffer import DEFAULT_BUDGET
from kubetui.widgets.log_view import LogView

NAMESPACE = "default"


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def start_sim(kubeconfig: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "kubetui", "sim", "serve", "--port", "0", "--kubeconfig", str(kubeconfig)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not kubeconfig.exists() and time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the built-in cluster did not start")
        time.sleep(0.1)
    time.sleep(0.3)
    return proc


async def make_pods(conn: Connection, pods: int, rate: float) -> list[str]:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "logger", "namespace": NAMESPACE},
        "spec": {
            "replicas": pods,
            "selector": {"matchLabels": {"app": "logger"}},
            "template": {
                "metadata": {"labels": {"app": "logger"}},
                "spec": {
                    "containers": [
                        {
                            "name": "logger",
                            "image": "kubetui.test/logger:1",
                            "env": [{"name": "LINES_PER_SECOND", "value": str(rate)}],
                        }
                    ]
                },
            },
        },
    }
    await conn.request("POST", f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments", body=deployment)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        listing = await conn.request(
            "GET", f"/api/v1/namespaces/{NAMESPACE}/pods", query={"labelSelector": "app=logger"}
        )
        running = [
            p["metadata"]["name"]
            for p in listing.get("items", [])
            if p.get("status", {}).get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")
        ]
        if len(running) >= pods:
            return sorted(running)[:pods]
        await asyncio.sleep(0.2)
    raise SystemExit("logger pods did not start")


class BenchApp(App[None]):
    def __init__(self, budget: int, reader_thread: bool = True) -> None:
        super().__init__()
        self.budget = budget
        self.reader_thread = reader_thread

    def compose(self) -> ComposeResult:
        yield LogView(budget=self.budget, tail_lines=0, reader_thread=self.reader_thread)


def seen(view: LogView) -> int:
    return len(view.buffer) + view.buffer.dropped


async def press_and_wait(app: BenchApp, view: LogView) -> float:
    """Seconds from a key press to the first paint that shows its effect."""
    body = view.lines
    want = not body.timestamps
    start = time.perf_counter()
    app.post_message(events.Key("t", "t"))
    while True:
        await body.next_paint()
        if body.timestamps == want:
            return time.perf_counter() - start


async def run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = Path(tmp) / "kubeconfig"
        sim = start_sim(kubeconfig)
        try:
            conn = await Connection.open(kubeconfig_path=str(kubeconfig))
            pods = await make_pods(conn, args.pods, args.rate)
            app = BenchApp(args.budget, reader_thread=not args.same_loop)
            async with app.run_test(size=(160, 50)) as pilot:
                view = app.query_one(LogView)
                view.lines.focus()
                await pilot.pause()
                if not args.no_freeze:
                    # As in kubetui itself (KubeApp.freeze_heap_soon, once the first sync is drawn): what start-up
                    # built is parked outside the cycle collector, so its full collections scan only what came
                    # after. Without this, each full collection also walks every imported module's objects.
                    gc.collect()
                    gc.freeze()
                base_rss = rss_mb()
                idle: list[float] = []
                for _ in range(20):
                    await asyncio.sleep(args.key_every / 2)
                    idle.append(await press_and_wait(app, view))
                view.show_pods(conn, NAMESPACE, pods, title="deployment/logger")
                # Let every stream open before measuring.
                while seen(view) < args.pods:
                    await asyncio.sleep(0.05)
                latencies: list[float] = []
                t0, n0, cpu0 = time.perf_counter(), seen(view), time.process_time()
                while time.perf_counter() - t0 < args.seconds:
                    await asyncio.sleep(args.key_every)
                    latencies.append(await press_and_wait(app, view))
                elapsed = time.perf_counter() - t0
                received = seen(view) - n0
                cpu = time.process_time() - cpu0
                load = os.getloadavg()[0]
                view.stop()
                await pilot.pause()
                offered = args.pods * args.rate
                lat = sorted(latencies)
                p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
                print(
                    f"pods: {args.pods}, offered: {offered:,.0f} lines/s over real HTTP for {elapsed:.1f} s"
                )
                print(f"sustained: {received / elapsed:,.0f} lines/s into the view ({received:,} lines)")
                p90 = lat[min(len(lat) - 1, int(len(lat) * 0.9))]
                idle.sort()
                print(
                    f"key press → repaint with no lines arriving: median {statistics.median(idle) * 1000:.1f} ms, "
                    f"max {idle[-1] * 1000:.1f} ms"
                )
                print(
                    f"key press → repaint ({len(lat)} presses): median {statistics.median(lat) * 1000:.1f} ms, "
                    f"p90 {p90 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, max {lat[-1] * 1000:.1f} ms"
                )
                print(
                    f"kubetui process CPU: {cpu / elapsed:.0%} of one core ({cpu / max(received, 1) * 1e6:.0f} µs a line); "
                    f"machine load average {load:.1f} on {os.cpu_count()} CPUs"
                )
                # Memory: the rest of the million lines, fed in the batches the streams deliver (500 lines
                # each), letting the view take each one as it would between two network reads.
                text = 'line {k} level=info msg="handled request" path=/api/getMessageCount latency_ms={ms}'
                remaining = max(0, args.total - seen(view))
                k = 0
                while k < remaining:
                    # As the streams deliver them: (pod, container, timestamp, text) tuples.
                    batch: list[LogItem | RawLine] = [
                        (
                            pods[(k + i) % len(pods)],
                            "logger",
                            f"2026-01-01T00:{(k + i) // 60_000 % 60:02d}:{(k + i) // 1000 % 60:02d}.{(k + i) % 1000:03d}"
                            f"{k % 1_000_000:06d}Z",
                            text.format(k=k + i, ms=(k + i) % 97),
                        )
                        for i in range(min(500, remaining - k))
                    ]
                    view.post_message(LogView.ItemsArrived(batch))
                    k += len(batch)
                    await asyncio.sleep(0)
                    if k % 20_000 == 0:
                        await pilot.pause()
                await pilot.pause(0.3)
                print(
                    f"after {seen(view):,} lines (budget {view.buffer.budget:,}, {len(view.buffer):,} kept): "
                    f"RSS {rss_mb():.0f} MB (view started at {base_rss:.0f} MB)"
                )
            await conn.close()
        finally:
            sim.terminate()
            sim.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=10)
    parser.add_argument("--rate", type=float, default=1000.0, help="lines per second per pod")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--key-every", type=float, default=0.2)
    parser.add_argument("--total", type=int, default=1_000_000)
    parser.add_argument("--budget", type=int, default=DEFAULT_BUDGET)
    parser.add_argument(
        "--same-loop",
        action="store_true",
        help="read the streams on the UI's event loop, not a thread of their own",
    )
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="leave start-up's objects in the cycle collector's reach (kubetui itself freezes them)",
    )
    args = parser.parse_args()
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
