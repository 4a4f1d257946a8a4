"""kubetui side by side with k9s (and kdash, and the Rust kubetui, where they build), and its log view with
stern: each run in tmux in turn against the same cluster, at 200x50 and 80x24, with kubectl as the baseline.

    python3 dev.py bench peers [--pods 1000,10000] [--real-pods 1000] [--sizes 200x50,80x24]
                               [--peers k9s,kdash,kubetui-rs] [--idle 60] [--load 30] [--presses 40]
                               [--log-lines 1000000] [--quick] [--logs-only]

Per cluster, size and program: launch to the first full screen of pods (the pod rows a program shows once
settled, first all on screen), resident memory settled in all namespaces and in one namespace of 1,000 pods, CPU
over the idle period, CPU and bytes written to the terminal while 100 pod events/s arrive (annotation patches),
and key to repaint (j/k, detected with ``capture-pane -e``: a moved highlight changes only colours). Then logs:
stern and kubetui following a 10-pod Deployment writing 10,000 lines/s in total — lines delivered per second,
CPU, and memory once 1,000,000 lines have arrived. The table gives kubetui's ratio to each peer (< 1: kubetui
uses less / is faster). Peers are built once into the user cache (benchmarks/peers_build.py).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import clusters
import peer_logs
import peers_build
from tmux_driver import TerminalApp, key_latencies, tmux

# A pod of the benchmark's Deployments, also when a narrow column cut its name short (kdash at 80x24 shows
# "app-00000-69c7d8f8ff-"); a ReplicaSet's name (no pod suffix) does not count, nor does a log line that starts
# with its pod's name (kubetui's Logs pane fills after the pods and would move "first screen" to when it did):
# a pod row has its READY cell ("1/1") soon after the name.
POD_ROW = re.compile(
    r"app-\d{5}-[a-z0-9]+-(?:[a-z0-9]{5}\b|[a-z0-9]{0,4}(?:…|\s|$))(?=.{0,40}?(?<!\S)\d+/\d+\s)"
)
Result = dict[str, float]


def program_argv(name: str, binary: str, kubeconfig: Path, namespace: str | None) -> list[str]:
    if name == "kubetui":
        return [binary, "--kubeconfig", str(kubeconfig), *(["-n", namespace] if namespace else ["-A"])]
    if name == "k9s":
        return [binary, "--kubeconfig", str(kubeconfig), "-c", "pods",
                *(["-n", namespace] if namespace else ["-A"]), "--logoless", "--crumbsless"]  # fmt: skip
    if name == "kdash":  # all namespaces unless one is picked; it reads KUBECONFIG
        return [binary, *(["-n", namespace] if namespace else [])]
    # The Rust kubetui (its -A takes no value, and it reads KUBECONFIG); it opens on its pods tab.
    return [binary, *(["-n", namespace] if namespace else ["-A"])]


def program_env(home: Path, kubeconfig: Path) -> dict[str, str]:
    # Each program gets an empty home and config dirs, so no earlier run's settings or caches count.
    return {
        "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"), "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"), "XDG_DATA_HOME": str(home / "data"),
        "KUBECONFIG": str(kubeconfig), "TERM": "xterm-256color",
    }  # fmt: skip


def pod_rows(text: str) -> int:
    return sum(1 for line in text.splitlines() if POD_ROW.search(line))


def measure(
    name: str, binary: str, cluster: clusters.BenchCluster, size: str, args: argparse.Namespace
) -> Result | str:
    """The figures of one program at one size, or why it has none."""
    width, height = (int(v) for v in size.split("x"))
    home = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    app = TerminalApp(f"bench-{name}", program_argv(name, binary, cluster.kubeconfig, None),
                      program_env(home, cluster.kubeconfig), width, height, home / "tty.out")  # fmt: skip
    result: Result = {}
    started = app.start()
    samples: list[tuple[float, int, float]] = []  # (seconds since start, pod rows, CPU seconds used)
    changed = 0.0
    while time.monotonic() < started + 120:
        now = time.monotonic() - started
        samples.append((now, pod_rows(app.screen()), app.cpu_seconds()))
        if len(samples) > 1 and samples[-1][1] != samples[-2][1]:
            changed = now
        if samples[-1][1] and now - changed >= 3:  # settled: the same pod rows for 3 s
            break
        time.sleep(0.02 if now < 10 else 0.1)
    full = samples[-1][1]
    if not full or not app.alive():
        last = [line.strip() for line in app.screen().splitlines() if line.strip()]
        app.stop()
        seen = f"; its screen ended with: {last[-1][:100]!r}" if last else ""
        return f"showed no pod rows within 120 s at {size}{seen}"
    first = next(sample for sample in samples if sample[1] >= full)
    result["first screen (s)"] = first[0]
    # The CPU it took to get there: on a loaded machine the wall time above stretches with every other
    # process, this much less.
    result["CPU to first screen (s)"] = first[2]
    time.sleep(args.settle)
    result["RSS all namespaces (MB)"] = app.rss_mb()
    before_cpu, before_bytes = app.cpu_seconds(), app.bytes_written()
    time.sleep(args.idle)
    result["CPU idle (% of a core)"] = 100 * (app.cpu_seconds() - before_cpu) / args.idle
    result["bytes/s idle"] = (app.bytes_written() - before_bytes) / args.idle
    stop = threading.Event()
    targets = cluster.pod_names(200)
    sender = threading.Thread(target=churn, args=(cluster, targets, 100.0, stop), daemon=True)
    before_cpu, before_bytes = app.cpu_seconds(), app.bytes_written()
    sender.start()
    time.sleep(args.load)
    result["CPU at 100 events/s (% of a core)"] = 100 * (app.cpu_seconds() - before_cpu) / args.load
    result["bytes/s at 100 events/s"] = (app.bytes_written() - before_bytes) / args.load
    latencies = key_latencies(app, ("j", "k"), args.presses)
    stop.set()
    sender.join()
    if latencies:
        result["key to repaint p50 (ms)"] = 1000 * statistics.median(latencies)
        result["key to repaint p99 (ms)"] = 1000 * _p99(latencies)
    app.stop()
    # The same program on one namespace of 1,000 pods: memory that follows what is viewed.
    app = TerminalApp(f"bench-{name}-ns", program_argv(name, binary, cluster.kubeconfig, cluster.namespace),
                      program_env(home, cluster.kubeconfig), width, height, home / "tty-ns.out")  # fmt: skip
    app.start()
    time.sleep(args.settle + 5)
    result["RSS one namespace (MB)"] = app.rss_mb()
    app.stop()
    return result


def compile_kubetui() -> None:
    """Writes kubetui's bytecode once, as installing a package does. A checkout run with
    PYTHONDONTWRITEBYTECODE set (common in containers and CI) would otherwise compile every module from
    source at every start, which showed as a second or more of each launch on a loaded machine."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    package = Path(__file__).resolve().parents[1] / "kubetui"
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], env=env, check=False)


def churn(
    cluster: clusters.BenchCluster, pods: list[tuple[str, str]], rate: float, stop: threading.Event
) -> None:
    sent, start = 0, time.monotonic()
    while not stop.is_set():
        ns, name = pods[sent % len(pods)]
        try:
            cluster.request("PATCH", f"/api/v1/namespaces/{ns}/pods/{name}",
                            {"metadata": {"annotations": {"bench/tick": str(sent)}}},
                            content_type="application/merge-patch+json")  # fmt: skip
        except OSError:
            pass
        sent += 1
        delay = start + sent / rate - time.monotonic()
        if delay > 0:
            stop.wait(delay)


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def ratio_table(
    title: str,
    rows: dict[str, dict[str, Result]],
    peers: list[str],
    baseline: dict[str, float],
    notes: Sequence[str] = (),
) -> str:
    """Markdown: for each metric, kubetui's value, each peer's, and kubetui/peer; then why a column is empty."""
    out = [f"### {title}", "", "| size | metric | kubetui | " + " | ".join(f"{p} | kubetui/{p}" for p in peers) + " |",
           "|---|---|---|" + "---|---|" * len(peers)]  # fmt: skip
    for size, by_program in rows.items():
        mine = by_program.get("kubetui", {})
        for metric, value in mine.items():
            cells = [size, metric, _fmt(value)]
            for peer in peers:
                theirs = by_program.get(peer, {}).get(metric)
                cells += [_fmt(theirs), _ratio(value, theirs)]
            out.append("| " + " | ".join(cells) + " |")
    for label, seconds in baseline.items():
        out.append(f"| | {label} | {seconds:.2f} s |" + " |" * (2 * len(peers)))
    if notes:
        out += ["", *(f"- {note}" for note in notes)]
    return "\n".join(out)


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"


def _ratio(mine: float | None, theirs: float | None) -> str:
    if mine is None or theirs is None:
        return "—"
    if theirs == 0:
        return "=" if mine == 0 else "∞"
    return f"{mine / theirs:.2f}×"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dev.py bench peers", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pods", default="1000,10000", help="built-in cluster sizes, comma separated")
    parser.add_argument(
        "--real-pods", type=int, default=1000, help="pods on the real control plane (0: skip)"
    )
    parser.add_argument("--real-nodes", type=int, default=50)
    parser.add_argument("--sizes", default="200x50,80x24")
    parser.add_argument("--peers", default="k9s,kdash,kubetui-rs")
    parser.add_argument("--settle", type=float, default=10.0)
    parser.add_argument("--idle", type=float, default=60.0)
    parser.add_argument("--load", type=float, default=30.0)
    parser.add_argument("--presses", type=int, default=40)
    parser.add_argument("--log-lines", type=int, default=1_000_000, help="0: leave the logs comparison out")
    parser.add_argument("--quick", action="store_true", help="short periods, one size, no 10,000 pods")
    parser.add_argument(
        "--logs-only", action="store_true", help="only the logs comparison with stern (no clusters of pods)"
    )
    args = parser.parse_args(argv)
    if args.logs_only:
        args.pods, args.real_pods, args.peers = "", 0, ""
        args.log_lines = args.log_lines or 1_000_000
    if args.quick:
        args.pods, args.sizes, args.idle, args.load, args.presses, args.settle = (
            "1000",
            "80x24",
            10,
            10,
            15,
            5,
        )
        args.log_lines = min(args.log_lines, 200_000)
        args.real_pods = min(args.real_pods, 200)
    say = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    peers = [p for p in args.peers.split(",") if p]
    built = peers_build.build_all([*peers, "stern"], say)
    for name, (path, reason) in built.items():
        if path is None:
            say(f"{name} left out: {reason}")
    available = [p for p in peers if built[p][0] is not None]
    skipped = [f"{peers_build.PEERS[p].label} left out: {built[p][1]}" for p in peers if built[p][0] is None]
    kubetui = str(Path(sys.executable).parent / "kubetui")
    compile_kubetui()
    sections: list[str] = []
    targets: list[tuple[str, int]] = [("builtin", int(n)) for n in args.pods.split(",") if n]
    if args.real_pods:
        targets.append(("real", args.real_pods))
    try:
        for kind, pods in targets:
            cluster = (
                clusters.builtin(pods) if kind == "builtin" else clusters.real(pods, args.real_nodes, say)
            )
            if cluster is None:
                continue
            try:
                say(f"== {cluster.name}")
                baseline = {"kubectl get pods -A": clusters.time_kubectl(cluster, "get", "pods", "-A")}
                rows: dict[str, dict[str, Result]] = {}
                notes = list(skipped)
                for size in args.sizes.split(","):
                    rows[size] = {}
                    for name in ["kubetui", *available]:
                        say(f"  {size} {name}")
                        binary = kubetui if name == "kubetui" else str(built[name][0])
                        figures = measure(name, binary, cluster, size, args)
                        if isinstance(figures, str):
                            say(f"  {name}: {figures}")
                            notes.append(f"{name}: {figures}")
                            figures = {}
                        rows[size][name] = figures
                sections.append(ratio_table(cluster.name, rows, available, baseline, notes))
                print(sections[-1] + "\n", flush=True)  # each table as soon as it is measured
            finally:
                cluster.stop()
        if args.log_lines > 0:
            stern = built["stern"][0]
            sections.append(peer_logs.run(kubetui, str(stern) if stern else None, args.log_lines, say))
            print(sections[-1], flush=True)
    finally:
        tmux("kill-server", check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
