"""Soak: kubetui and the built-in cluster over a long run, with a Deployment scaled up and down every 2 s.

    python3 dev.py bench soak [--minutes 30] [--pods 2000] [--interval 2] [--warmup 5] [--size 160x50]

kubetui runs in a real terminal (tmux) with ``-A`` on ``scale:N``. Every ``--interval`` seconds one Deployment
goes up by 5 replicas and back, so pods are created and deleted all the time. Resident memory of kubetui and
of the built-in cluster is sampled every 10 s (``--samples FILE`` writes them out). After ``--warmup`` minutes
the plateau is the median; the figures say how far above and below it memory went, from when on every sample
stayed within 10 % of it, and the drift: the least-squares slope over the second half of the run, per hour,
so memory that fills towards a limit early on is not mistaken for a leak, and memory still rising at the end
is. Key-to-repaint (``j``/``k``) is sampled once a minute.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import clusters  # noqa: E402
from bench_peers import pod_rows, program_env  # noqa: E402
from tmux_driver import TerminalApp, key_latencies, rss_mb  # noqa: E402

SAMPLE_EVERY = 10.0
STEP = 5


def memory_figures(samples: list[tuple[float, float]], warmup: float) -> dict[str, float]:
    """Plateau (median after the warm-up), the highest and lowest sample after it against the plateau in %,
    the minute from which every sample stayed within 10 % of it, and the drift in MB per hour over the second
    half of the run."""
    after = [(t, mb) for t, mb in samples if t >= warmup]
    if len(after) < 4:
        return {}
    values = [mb for _, mb in after]
    plateau = statistics.median(values)
    settled = samples[-1][0]
    for t, mb in reversed(samples):
        if abs(mb - plateau) > 0.1 * plateau:
            break
        settled = t
    end = samples[-1][0]
    half = [(t, mb) for t, mb in after if t >= (after[0][0] + end) / 2]
    return {
        "plateau (MB)": plateau,
        "highest above (%)": 100 * (max(values) - plateau) / plateau,
        "lowest below (%)": 100 * (plateau - min(values)) / plateau,
        "within 10 % from (min)": settled / 60,
        "drift, 2nd half (MB/h)": 3600 * _slope(half),
    }


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of ``points`` (per second)."""
    mean_t = statistics.mean(t for t, _ in points)
    mean_v = statistics.mean(v for _, v in points)
    var = sum((t - mean_t) ** 2 for t, _ in points)
    return sum((t - mean_t) * (v - mean_v) for t, v in points) / var if var else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=None, help="minutes before the plateau (default: 5)")
    parser.add_argument("--pods", type=int, default=2000)
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--size", default="160x50")
    parser.add_argument(
        "--samples", type=Path, help="write every memory sample here (seconds, kubetui MB, cluster MB)"
    )
    args = parser.parse_args()
    warmup = 60 * (args.warmup if args.warmup is not None else min(5.0, args.minutes / 3))
    cluster = clusters.builtin(args.pods)
    app: TerminalApp | None = None
    try:
        deployment = cluster.request(
            "GET", f"/apis/apps/v1/namespaces/{cluster.namespace}/deployments?limit=1"
        )
        name = deployment["items"][0]["metadata"]["name"]
        base = int(deployment["items"][0]["spec"].get("replicas", 1))
        scale = f"/apis/apps/v1/namespaces/{cluster.namespace}/deployments/{name}/scale"
        width, height = (int(v) for v in args.size.split("x"))
        home = Path(tempfile.mkdtemp(prefix="bench-soak-"))
        kubetui = str(Path(sys.executable).parent / "kubetui")
        argv = [kubetui, "--kubeconfig", str(cluster.kubeconfig), "-A"]
        app = TerminalApp(
            "bench-soak", argv, program_env(home, cluster.kubeconfig), width, height, home / "tty"
        )
        started = app.start()
        while not pod_rows(app.screen()) and time.monotonic() < started + 300:
            time.sleep(0.2)
        print(
            f"kubetui showing pods after {time.monotonic() - started:.1f}s; soaking {args.minutes:g} min",
            flush=True,
        )
        ui: list[tuple[float, float]] = []
        server: list[tuple[float, float]] = []
        keys: list[float] = []
        t0 = time.monotonic()
        up, next_sample, next_keys = False, 0.0, 60.0
        assert cluster._proc is not None
        while (now := time.monotonic() - t0) < 60 * args.minutes:
            up = not up
            body = {"spec": {"replicas": base + STEP if up else base}}
            cluster.request("PATCH", scale, body, content_type="application/merge-patch+json")
            if now >= next_sample:
                ui.append((now, app.rss_mb()))
                server.append((now, rss_mb(cluster._proc.pid)))
                next_sample += SAMPLE_EVERY
                if not app.alive():
                    tail = (
                        app.output.read_bytes()[-3000:].decode(errors="replace")
                        if app.output.exists()
                        else ""
                    )
                    print(
                        f"kubetui exited {now:.0f}s into the soak; its last output:\n{tail}", file=sys.stderr
                    )
                    return 1
            if now >= next_keys:
                keys += key_latencies(app, ("j", "k"), 6)
                next_keys += 60.0
            time.sleep(max(0.0, args.interval - (time.monotonic() - t0 - now)))
        if args.samples:
            args.samples.write_text(
                "".join(f"{t:.0f} {a:.1f} {b:.1f}\n" for (t, a), (_, b) in zip(ui, server, strict=True))
            )
        header = list(memory_figures(ui, warmup)) or ["(run longer)"]
        print(f"\n| process | {' | '.join(header)} |")
        print("|---" * (len(header) + 1) + "|")
        for label, samples in (("kubetui", ui), ("built-in cluster", server)):
            figures = memory_figures(samples, warmup)
            print(f"| {label} | " + " | ".join(f"{v:.1f}" for v in figures.values()) + " |")
        if keys:
            ordered = sorted(keys)
            p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
            print(
                f"\nkey to repaint: median {1000 * statistics.median(ordered):.1f} ms, p99 {1000 * p99:.1f} ms"
            )
        print(
            f"{args.pods:,} pods, {args.minutes:g} min, warm-up {warmup / 60:g} min, scaled every {args.interval:g}s"
        )
        return 0
    finally:
        if app is not None:
            app.stop()
        cluster.stop()


if __name__ == "__main__":
    raise SystemExit(main())
