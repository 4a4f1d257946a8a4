"""Flood: 1,000 pod events a second for 60 s at kubetui in a real terminal (tmux).

    python3 dev.py bench flood [--source builtin|fast] [--pods 1000] [--rate 1000] [--seconds 60] [--warmup 40] [--settle 60] [--rounds 1] [--size 160x50]

The built-in cluster (``scale:N``) runs in this process, on a thread of its own; the flood is made in its store
(see tests/faults/flood.py: changes, creates and deletes of pods; at the end the pods it made are deleted, so
the cluster holds what it held before). kubetui runs
with ``-A`` in tmux. Before the flood its resident memory settles (the plateau: the median of the last 20 s);
during the flood ``j``/``k`` are pressed over and over and the time from each key to the first changed screen
(``capture-pane -e``) is recorded; after it memory is sampled again for ``--settle`` seconds. With
``--rounds 2`` or more, memory after each round tells growth that goes on (a leak) from a high-water mark that
Python keeps (the same after every round).

``--source fast`` floods from a fake API server instead (tests/faults/fast_watch.py): it only lists and watches
pods, but sends MODIFIED events at the full rate, which the built-in cluster cannot reach on a loaded machine.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import contextlib
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from bench_peers import pod_rows, program_env  # noqa: E402
from tmux_driver import TerminalApp, key_latencies  # noqa: E402

from kubetui.sim.testing import running_sim_thread  # noqa: E402
from tests.faults.fast_watch import FastWatchServer  # noqa: E402
from tests.faults.flood import flood_store  # noqa: E402


class FastSource:
    """A FastWatchServer on an event loop of its own thread, shaped like the built-in cluster's handle."""

    def __init__(self, pods: int) -> None:
        self.server = FastWatchServer(pods)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fast-watch", daemon=True)

    def __enter__(self) -> FastSource:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.__aenter__(), self.loop).result(30)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.__aexit__(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()

    def write_kubeconfig(self, path: Path) -> Path:
        return self.server.kubeconfig(path)

    def flood(self, seconds: float, rate: float) -> concurrent.futures.Future[Any]:
        return asyncio.run_coroutine_threadsafe(self.server.flood(seconds, rate), self.loop)


ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def styles_only(screen: str) -> str:
    """The colour and highlight escapes of each line without its text: the cursor moving changes them, a pod's
    restart count going from 3 to 4 does not (the flood changes rows on screen all the time)."""
    return "\n".join("".join(ESCAPE.findall(line)) for line in screen.splitlines())


def sample(app: TerminalApp, seconds: float, every: float = 1.0) -> list[float]:
    out = []
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        out.append(app.rss_mb())
        time.sleep(every)
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=("builtin", "fast"), default="builtin")
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=1000.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--warmup", type=float, default=40.0, help="seconds to settle before the flood")
    parser.add_argument("--settle", type=float, default=60.0, help="seconds to sample after it")
    parser.add_argument("--rounds", type=int, default=1, help="floods in a row (memory after each one)")
    parser.add_argument("--size", default="160x50")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))
    home = Path(tempfile.mkdtemp(prefix="bench-flood-"))
    source: contextlib.AbstractContextManager[Any] = (
        FastSource(args.pods) if args.source == "fast" else running_sim_thread(scenario=f"scale:{args.pods}")
    )
    with source as sim:
        kubeconfig = sim.write_kubeconfig(home / "kubeconfig")
        kubetui = str(Path(sys.executable).parent / "kubetui")
        argv = [kubetui, "--kubeconfig", str(kubeconfig), "-A"]
        app = TerminalApp("bench-flood", argv, program_env(home, kubeconfig), width, height, home / "tty")
        try:
            started = app.start()
            while not pod_rows(app.screen()) and time.monotonic() < started + 300:
                time.sleep(0.2)
            print(f"kubetui showing pods after {time.monotonic() - started:.1f}s; settling", flush=True)
            before = sample(app, args.warmup)
            plateau = statistics.median(before[-20:])
            keys: list[float] = []
            during: list[float] = []
            rounds = []
            for _ in range(args.rounds):
                if args.source == "fast":
                    future = sim.flood(args.seconds, args.rate)
                else:
                    future = asyncio.run_coroutine_threadsafe(
                        flood_store(sim.cluster, seconds=args.seconds, rate=args.rate, clean_up=True),
                        sim.loop,
                    )
                while not future.done():
                    keys += key_latencies(app, ("j", "k"), 10, view=styles_only)
                    during.append(app.rss_mb())
                result = future.result()
                after = sample(app, args.settle)
                rounds.append((result, statistics.median(after[-20:])))
            alive = app.alive()
        finally:
            app.stop()
    for i, (result, settled) in enumerate(rounds, 1):
        made = f"; {result.created:,} created, {result.deleted:,} deleted" if args.source == "builtin" else ""
        print(f"\nflood {i} ({args.source}): {result.events:,} pod events in {result.seconds:.1f}s "
              f"({result.rate:,.0f}/s{made}), {args.pods:,} pods before and after; "
              f"kubetui {settled:.1f} MB {args.settle:g}s after ({100 * (settled - plateau) / plateau:+.1f} %)")  # fmt: skip
    print(f"kubetui alive after the floods: {alive}")
    if keys:
        print(f"key to repaint during the floods ({len(keys)} keys): median {1000 * statistics.median(keys):.0f} ms, "
              f"p99 {1000 * percentile(keys, 0.99):.0f} ms, max {1000 * max(keys):.0f} ms")  # fmt: skip
    print(f"resident memory: plateau before {plateau:.1f} MB, highest during {max(during or [0]):.1f} MB")
    return 0 if alive else 1


if __name__ == "__main__":
    raise SystemExit(main())
