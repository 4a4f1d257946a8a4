"""How the built-in cluster and kubetui grow with the cluster: 1,000 to 100,000 pods.

    python3 dev.py bench growth [--pods 1000,10000,30000,100000] [--size 200x50]

For each size, in one run: the built-in cluster's start-up (process start to serving) and resident memory;
``kubectl get pods -A`` (kubectl's own 500-item pages); and kubetui in a real terminal (tmux) with ``-A`` and with
``-n`` on one namespace of 1,000 pods — launch to the first full screen of pods (and the CPU it used to get
there, which a loaded machine stretches less than the wall time), launch to all rows in (the Pods
pane's title counts every pod), launch to settled (then the process goes quiet), resident memory once settled, and
key to repaint (``j``/``k``, detected with ``capture-pane -e`` so a moved highlight counts). Prints a Markdown
table; the ratio columns compare each size with the one before, so growth that is worse than linear shows.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import clusters  # noqa: E402
from bench_peers import compile_kubetui, pod_rows, program_env  # noqa: E402
from tmux_driver import TerminalApp, key_latencies, rss_mb, tmux  # noqa: E402

Row = dict[str, float]


POD_COUNT = re.compile(r"Pods \([^)]*\) \[(\d+)\]")  # the Pods pane's title: "Pods (all namespaces) [N]"


def kubetui_in_terminal(
    cluster: clusters.BenchCluster, namespace: str | None, size: str, presses: int
) -> Row:
    width, height = (int(v) for v in size.split("x"))
    home = Path(tempfile.mkdtemp(prefix="bench-growth-"))
    kubetui = str(Path(sys.executable).parent / "kubetui")
    scope = ["-n", namespace] if namespace else ["-A"]
    argv = [kubetui, "--kubeconfig", str(cluster.kubeconfig), *scope]
    app = TerminalApp(
        "bench-growth", argv, program_env(home, cluster.kubeconfig), width, height, home / "tty"
    )
    want = namespace_pods(cluster, namespace) if namespace else cluster.pods
    started = app.start()
    samples: list[tuple[float, int, float]] = []  # (monotonic time, pod rows on screen, CPU seconds used)
    changed = time.monotonic()
    loaded: float | None = None  # when the Pods pane's title first counted every pod
    try:
        while time.monotonic() < started + 300:
            screen = app.screen()
            count = pod_rows(screen)
            now = time.monotonic()
            if loaded is None and _counted(screen) >= want:
                loaded = now
            if samples and count != samples[-1][1]:
                changed = now
            samples.append((now, count, app.cpu_seconds()))
            if count and now - changed >= 3:  # the same pod rows for 3 s: settled
                break
            time.sleep(0.02)
        # As in bench peers: the first moment the screen held as many pod rows as it settled on (a later
        # scroll bar or notice may take a row away again; that is not a later first screen).
        full = samples[-1][1] if samples else 0
        first = next(((t - started, cpu) for t, count, cpu in samples if full and count >= full), None)
        row: Row = {}
        if first is None or not app.alive():
            return row
        row["first screen (s)"] = first[0]
        # What it took of the CPU: on a loaded machine the wall time stretches with every other process.
        row["CPU to first screen (s)"] = first[1]
        # Seen while waiting for the screen to settle, or now: not 3 s of settling later.
        loaded = loaded or wait_for_count(app, want, started + 600)
        if loaded is None:
            return row  # the whole list never came in: no settled figures rather than early ones
        row["all rows in (s)"] = loaded - started
        row["settled (s)"] = settle(app) - started
        row["RSS (MB)"] = app.rss_mb()
        latencies = key_latencies(app, ("j", "k"), presses)
        if latencies:
            ordered = sorted(latencies)
            row["key p50 (ms)"] = 1000 * statistics.median(ordered)
            row["key p99 (ms)"] = 1000 * ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
        return row
    finally:
        app.stop()


def _counted(screen: str) -> int:
    found = POD_COUNT.search(screen)
    return int(found.group(1)) if found else 0


def wait_for_count(app: TerminalApp, want: int, deadline: float) -> float | None:
    """Waits until the Pods pane's title counts ``want`` rows (the whole list is in: at 100,000 pods the
    built-in cluster serves pages slowly enough that the program goes quiet between them); that monotonic
    time, or None."""
    while time.monotonic() < deadline:
        if _counted(app.screen()) >= want:
            return time.monotonic()
        if not app.alive():
            return None
        time.sleep(0.25)
    return None


def namespace_pods(cluster: clusters.BenchCluster, namespace: str) -> int:
    listed = cluster.request("GET", f"/api/v1/namespaces/{namespace}/pods?limit=1")
    return len(listed["items"]) + int(listed["metadata"].get("remainingItemCount") or 0)


def settle(app: TerminalApp, quiet: float = 0.1, window: float = 2.0, limit: float = 300.0) -> float:
    """Waits until the program uses under ``quiet`` of a core over ``window`` seconds (its lists are in and
    drawn); returns that monotonic time."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        before = app.cpu_seconds()
        time.sleep(window)
        if app.cpu_seconds() - before < quiet * window:
            break
    return time.monotonic() - window


def measure(pods: int, size: str, presses: int, say) -> Row:  # type: ignore[no-untyped-def]
    t0 = time.monotonic()
    cluster = clusters.builtin(pods)
    row: Row = {"server start (s)": time.monotonic() - t0}
    try:
        assert cluster._proc is not None
        row["kubectl get pods -A (s)"] = clusters.time_kubectl(cluster, "get", "pods", "-A")
        for label, namespace in (("-A", None), ("-n", cluster.namespace)):
            say(f"  kubetui {label}")
            for key, value in kubetui_in_terminal(cluster, namespace, size, presses).items():
                row[f"kubetui {label} {key}"] = value
        row["server RSS (MB)"] = rss_mb(cluster._proc.pid)
    finally:
        cluster.stop()
    return row


def table(results: dict[int, Row]) -> str:
    sizes = sorted(results)
    metrics: list[str] = []
    for row in results.values():
        metrics += [m for m in row if m not in metrics]
    head = "| metric | " + " | ".join(f"{n:,} pods" for n in sizes) + " |"
    out = [head, "|---|" + "---|" * len(sizes)]
    for metric in metrics:
        cells = []
        for i, n in enumerate(sizes):
            value = results[n].get(metric)
            cell = "—" if value is None else (f"{value:,.0f}" if value >= 100 else f"{value:.2f}")
            prev = results[sizes[i - 1]].get(metric) if i else None
            if value is not None and prev:
                cell += f" ({value / prev:.1f}× for {n / sizes[i - 1]:.0f}×)"
            cells.append(cell)
        out.append(f"| {metric} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dev.py bench growth", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pods", default="1000,10000,30000,100000")
    parser.add_argument("--size", default="200x50")
    parser.add_argument("--presses", type=int, default=40)
    args = parser.parse_args(argv)
    say = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    results: dict[int, Row] = {}
    compile_kubetui()  # as installed: bytecode written once, not compiled from source at every launch
    try:
        for n in (int(v) for v in args.pods.split(",") if v):
            say(f"== built-in cluster, {n:,} pods")
            results[n] = measure(n, args.size, args.presses, say)
            say(f"   {results[n]}")
    finally:
        tmux("kill-server", check=False)
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
