"""Launch → first painted Pods pane, and key-press → repaint latency while 100 pod events/s arrive.

The built-in cluster runs in its own process (``kubetui sim serve --scenario scale:N``), and a second process
patches pods at a steady rate (each patch is one MODIFIED watch event), so the app's process does only what it
does in real use: watch, store, render. The app runs headless (``App.run_test``) at 160×48; a "repaint" is the
moment Textual hands a composited frame to the driver (``App._display``), i.e. after layout and rendering.

Measured per pod count:
- first paint: from creating the app to the first frame in which the Pods pane holds every pod;
- key latency: ``j``/``k`` in the Pods pane posted as the terminal driver posts keys, until the first frame
  showing the moved cursor; median and p99 over the presses.

Targets at 10,000 pods: first paint ≤ 3 s, median < 30 ms, p99 < 100 ms. Usage:

    python3 dev.py bench ui [--pods 1000 10000] [--presses 200] [--rate 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml
from textual import events

from kubetui.launch import builtin_cluster


def _server(kubeconfig: Path) -> str:
    config = yaml.safe_load(kubeconfig.read_text())
    return str(config["clusters"][0]["cluster"]["server"])


def _churn(server: str, rate: float, stop: Any) -> None:
    """Patches pods round-robin at ``rate`` per second until ``stop`` is set (runs in its own process)."""
    with urllib.request.urlopen(f"{server}/api/v1/pods?limit=500") as response:
        pods = [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in json.load(response)["items"]]
    if not pods:
        return
    interval, n, start = 1.0 / rate, 0, time.monotonic()
    while not stop.is_set():
        namespace, name = pods[n % len(pods)]
        body = json.dumps({"metadata": {"annotations": {"bench/tick": str(n)}}}).encode()
        request = urllib.request.Request(
            f"{server}/api/v1/namespaces/{namespace}/pods/{name}",
            data=body,
            method="PATCH",
            headers={"Content-Type": "application/merge-patch+json"},
        )
        try:
            urllib.request.urlopen(request).read()
        except OSError:
            pass
        n += 1
        delay = start + n * interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


async def _measure(kubeconfig: Path, pods: int, presses: int, rate: float) -> dict[str, float]:
    from kubetui.app import KubeApp
    from kubetui.session import SessionConfig

    # (time, cursor row of the Pods pane) of every frame handed to the driver
    frames: list[tuple[float, int]] = []
    t_start = time.perf_counter()
    app = KubeApp(SessionConfig(kubeconfig=str(kubeconfig), all_namespaces=True), frozen_ages=True)
    original = app._display
    first_paint: float | None = None

    def display(screen: Any, renderable: Any) -> None:
        nonlocal first_paint
        original(screen, renderable)
        if renderable is None:
            return
        now = time.perf_counter()
        try:
            table: Any = app.screen.query_one("#pods")
        except Exception:
            return
        frames.append((now, table.cursor_row))
        if first_paint is None and table.row_count >= pods:
            first_paint = now - t_start

    app._display = display  # type: ignore[method-assign]
    pod_events = [0]
    on_deltas = app.session._on_deltas

    def count(generation: int, kind: str, deltas: list[Any]) -> None:
        if kind == "pods":
            pod_events[0] += len(deltas)
        on_deltas(generation, kind, deltas)

    app.session._on_deltas = count  # type: ignore[method-assign]
    result: dict[str, float] = {}
    async with app.run_test(size=(160, 48), headless=True):
        deadline = time.monotonic() + 120
        while first_paint is None and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        result["first_paint_s"] = first_paint if first_paint is not None else float("nan")
        stop = multiprocessing.Event()
        churn = multiprocessing.Process(target=_churn, args=(_server(kubeconfig), rate, stop), daemon=True)
        churn.start()
        await asyncio.sleep(2.0)  # let the event stream reach its steady rate
        latencies: list[float] = []
        events_before, t_events = pod_events[0], time.perf_counter()
        table: Any = app.screen.query_one("#pods")
        table.focus()
        await asyncio.sleep(0.1)
        for i in range(presses):
            key = "j" if (i // 20) % 2 == 0 else "k"
            target = table.cursor_row + (1 if key == "j" else -1)
            seen = len(frames)
            t0 = time.perf_counter()
            # As a terminal driver delivers a key: posted to the app, not awaited (Pilot.press would also
            # wait until the app is idle, which it seldom is while events stream in).
            app.post_message(events.Key(key, key))
            latency = None
            while time.perf_counter() - t0 < 5:
                hit = next((t for t, row in frames[seen:] if row == target), None)
                if hit is not None:
                    latency = (hit - t0) * 1000
                    break
                await asyncio.sleep(0.0005)
            latencies.append(latency if latency is not None else 5000.0)
            await asyncio.sleep(0.05)  # a person presses keys at a human pace
        events_per_s = (pod_events[0] - events_before) / (time.perf_counter() - t_events)
        stop.set()
        churn.join(timeout=5)
        if os.environ.get("KUBETUI_BENCH_DEBUG"):
            print("latencies", [round(x) for x in latencies])
        result.update(
            key_median_ms=statistics.median(latencies),
            key_p99_ms=_percentile(latencies, 0.99),
            key_max_ms=max(latencies),
            frames=float(len(frames)),
            events_per_s=events_per_s,
        )
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument("--rate", type=float, default=100.0, help="pod events per second")
    args = parser.parse_args(argv)
    print(f"{'pods':>7} {'first paint':>12} {'key median':>11} {'key p99':>9} {'key max':>9} {'events/s':>9}")
    for count in args.pods:
        t0 = time.perf_counter()
        with builtin_cluster(scenario=f"scale:{count}", timeout=300) as kubeconfig:
            sim_ready = time.perf_counter() - t0
            r = asyncio.run(_measure(kubeconfig, count, args.presses, args.rate))
        print(
            f"{count:>7} {r['first_paint_s']:>10.2f} s {r['key_median_ms']:>8.1f} ms {r['key_p99_ms']:>6.1f} ms"
            f" {r['key_max_ms']:>6.1f} ms {r['events_per_s']:>9.0f}   (built-in cluster ready in {sim_ready:.1f} s)"
        )
    print("targets at 10,000 pods: first paint <= 3 s, key median < 30 ms, key p99 < 100 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
