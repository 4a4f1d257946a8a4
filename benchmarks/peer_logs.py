"""Logs side by side: stern and kubetui following every pod of one Deployment — 10 pods of the built-in
cluster's logger image writing 1,000 lines/s each — compared on lines delivered per second, CPU, and resident
memory once ``total`` lines have arrived.

stern writes to a pipe this script reads and counts (what it delivers); kubetui runs in tmux at 200x50 with the
Deployment's log view zoomed, and its count is read from the view's status line (lines shown plus those dropped
over the line budget). Each has the cluster to itself, started afresh.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import clusters
from tmux_driver import TerminalApp, cpu_seconds, rss_mb

PODS, RATE = 10, 1000
NAMESPACE = "logs"
WINDOW = 30.0  # seconds over which the delivery rate is measured, after a 5 s warm-up
COUNT = re.compile(r"([\d,]+) lines(?: │ dropped ([\d,]+))?")


def start_cluster(say: Callable[[str], None]) -> clusters.BenchCluster:
    cluster = clusters.builtin(0, scenario="empty")
    cluster.request("POST", "/api/v1/namespaces", {"metadata": {"name": NAMESPACE}})
    labels = {"app": "logger"}
    container = {"name": "logger", "image": "kubetui.test/logger:1",
                 "env": [{"name": "LINES_PER_SECOND", "value": str(RATE)}]}  # fmt: skip
    cluster.request("POST", f"/apis/apps/v1/namespaces/{NAMESPACE}/deployments", {
        "metadata": {"name": "logger"},
        "spec": {"replicas": PODS, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}}},
    })  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        pods = cluster.request("GET", f"/api/v1/namespaces/{NAMESPACE}/pods")["items"]
        if sum(1 for p in pods if p["status"].get("phase") == "Running") >= PODS:
            return cluster
        time.sleep(0.2)
    cluster.stop()
    raise SystemExit("logger pods did not start")


def follow(
    read: Callable[[], int], pid_cpu: Callable[[], float], pid_rss: Callable[[], float], total: int
) -> dict[str, float]:
    """Rate over WINDOW after a warm-up, CPU over that window, then RSS once ``total`` lines arrived."""
    time.sleep(5)
    start_lines, start_cpu, started = read(), pid_cpu(), time.monotonic()
    time.sleep(WINDOW)
    elapsed = time.monotonic() - started
    result = {
        "lines/s delivered": (read() - start_lines) / elapsed,
        "CPU (% of a core)": 100 * (pid_cpu() - start_cpu) / elapsed,
    }
    deadline = time.monotonic() + max(600.0, 3 * total / (PODS * RATE))
    while read() < total and time.monotonic() < deadline:
        time.sleep(1)
    result[f"RSS after {total:,} lines (MB)"] = pid_rss() if read() >= total else float("nan")
    return result


def run_stern(stern: str, total: int, say: Callable[[str], None]) -> dict[str, float]:
    cluster = start_cluster(say)
    try:
        proc = subprocess.Popen(
            [stern, "--kubeconfig", str(cluster.kubeconfig), "-n", NAMESPACE, "deployment/logger",
             "--since", "1s", "--output", "raw", "--color", "never"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        count = [0]

        def reader() -> None:
            assert proc.stdout is not None
            for chunk in iter(lambda: proc.stdout.read(1 << 16), b""):  # type: ignore[union-attr]
                count[0] += chunk.count(b"\n")

        threading.Thread(target=reader, daemon=True).start()
        try:
            return follow(lambda: count[0], lambda: cpu_seconds(proc.pid), lambda: rss_mb(proc.pid), total)
        finally:
            proc.kill()
            proc.wait()
    finally:
        cluster.stop()


def run_kubetui(kubetui: str, total: int, say: Callable[[str], None]) -> dict[str, float]:
    cluster = start_cluster(say)
    home = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    app = TerminalApp("bench-logs", [kubetui, "--kubeconfig", str(cluster.kubeconfig), "-n", NAMESPACE],
                      {"HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"), "TERM": "xterm-256color"},
                      200, 50, home / "tty.out")  # fmt: skip
    try:
        app.start()
        deadline = time.monotonic() + 60
        while "logger" not in app.screen() and time.monotonic() < deadline:
            time.sleep(0.1)
        for keys in ([":"], ["deploy", "Enter"], ["l"], ["z"]):
            time.sleep(0.5)
            app.send(*keys)
        last = [0]

        def read() -> int:
            match = COUNT.search(app.screen())
            if match:
                shown = int(match.group(1).replace(",", ""))
                dropped = int((match.group(2) or "0").replace(",", ""))
                last[0] = max(last[0], shown + dropped)
            return last[0]

        return follow(read, app.cpu_seconds, app.rss_mb, total)
    finally:
        app.stop()
        cluster.stop()
        shutil.rmtree(home, ignore_errors=True)


def run(kubetui: str, stern: str | None, total: int, say: Callable[[str], None]) -> str:
    say("== logs: 10 pods x 1,000 lines/s")
    mine = run_kubetui(kubetui, total, say)
    theirs = run_stern(stern, total, say) if stern else {}
    out = ["### Logs: every pod of a 10-pod Deployment, 10,000 lines/s in total", "",
           "| metric | kubetui | stern | kubetui/stern |", "|---|---|---|---|"]  # fmt: skip
    for metric, value in mine.items():
        other = theirs.get(metric)
        ratio = f"{value / other:.2f}×" if other else "—"
        out.append(f"| {metric} | {value:,.1f} | {'—' if other is None else f'{other:,.1f}'} | {ratio} |")
    if not stern:
        out.append("\nstern could not be built; see the build message above.")
    return "\n".join(out)


if __name__ == "__main__":
    print(run(str(Path(sys.executable).parent / "kubetui"), sys.argv[1] if len(sys.argv) > 1 else None,
              int(sys.argv[2]) if len(sys.argv) > 2 else 200_000, print))  # fmt: skip
