"""Bytes kubetui writes to its terminal per second: idle, and while 100 pod events per second arrive.

Runs the built-in cluster (``kubetui sim serve --scenario scale:N``), starts kubetui on it inside a pseudo-terminal
of 80x24 (TERM=xterm-256color), waits for it to settle, then counts what it writes. Usage:

    python3 dev.py bench terminal [--pods 1000] [--seconds 10] [--frozen-ages]

With live ages, "idle" includes the AGE cells that really change: on a cluster this young every pod's age is in
seconds (kubectl prints "42s" up to 2 minutes and "5m30s" up to 10), so those rows are redrawn at each 5-second age
refresh. ``--frozen-ages`` stops ages, so idle output then measures only what is drawn although nothing changed.
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import urllib.request
from fcntl import ioctl
from pathlib import Path


def start_sim(pods: int, kubeconfig: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kubetui",
            "sim",
            "serve",
            "--scenario",
            f"scale:{pods}",
            "--port",
            "0",
            "--kubeconfig",
            str(kubeconfig),
            "--speed",
            "10",
        ],
        # Its log is not read: a pipe nobody drains would block the server once full.
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not kubeconfig.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    if not kubeconfig.exists():
        proc.kill()
        raise SystemExit("the built-in cluster did not start")
    return proc


def server_url(kubeconfig: Path) -> str:
    import yaml

    cfg = yaml.safe_load(kubeconfig.read_text())
    return str(cfg["clusters"][0]["cluster"]["server"])


def pod_names(url: str, limit: int) -> list[tuple[str, str]]:
    with urllib.request.urlopen(f"{url}/api/v1/pods?limit={limit}") as resp:
        items = json.load(resp)["items"]
    return [(p["metadata"]["namespace"], p["metadata"]["name"]) for p in items]


def churn(url: str, pods: list[tuple[str, str]], rate: float, stop: threading.Event) -> int:
    """Patches pod annotations at ``rate`` per second (each is one MODIFIED watch event)."""
    sent = 0
    start = time.monotonic()
    while not stop.is_set():
        ns, name = pods[sent % len(pods)]
        body = json.dumps({"metadata": {"annotations": {"bench/tick": str(sent)}}}).encode()
        req = urllib.request.Request(
            f"{url}/api/v1/namespaces/{ns}/pods/{name}",
            data=body,
            method="PATCH",
            headers={"Content-Type": "application/merge-patch+json"},
        )
        urllib.request.urlopen(req).close()
        sent += 1
        delay = start + sent / rate - time.monotonic()
        if delay > 0:
            stop.wait(delay)
    return sent


def count_bytes(fd: int, seconds: float, dump: list[bytes] | None = None) -> int:
    total = 0
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            total += len(chunk)
            if dump is not None:
                dump.append(chunk)
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--settle", type=float, default=8.0)
    parser.add_argument(
        "--frozen-ages",
        action="store_true",
        help="freeze ages (KUBETUI_FROZEN_AGES): idle then measures only redraws of cells that did not change",
    )
    parser.add_argument("--dump", type=Path, help="write what the app printed while idle to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = Path(tmp) / "kubeconfig"
        sim = start_sim(args.pods, kubeconfig)
        url = server_url(kubeconfig)
        pid, fd = pty.fork()
        if pid == 0:
            env = dict(os.environ, TERM="xterm-256color", XDG_CONFIG_HOME=tmp, XDG_STATE_HOME=tmp)
            env.pop("NO_COLOR", None)
            env.pop("KUBETUI_FROZEN_AGES", None)
            if args.frozen_ages:
                env["KUBETUI_FROZEN_AGES"] = "1"
            os.execvpe(
                sys.executable, [sys.executable, "-m", "kubetui", "--kubeconfig", str(kubeconfig), "-A"], env
            )
        ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        try:
            count_bytes(fd, args.settle)
            idle_output: list[bytes] = []
            idle = count_bytes(fd, args.seconds, idle_output)
            if args.dump:
                args.dump.write_bytes(b"".join(idle_output))
            stop = threading.Event()
            targets = pod_names(url, 200)
            result: list[int] = []
            worker = threading.Thread(target=lambda: result.append(churn(url, targets, 100.0, stop)))
            worker.start()
            busy = count_bytes(fd, args.seconds)
            stop.set()
            worker.join()
        finally:
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
            sim.terminate()
            sim.wait(10)
    sent = result[0] if result else 0
    print(f"pods in cluster          {args.pods}")
    print(f"ages                     {'frozen' if args.frozen_ages else 'live'}")
    print(f"idle                     {idle / args.seconds:10.1f} bytes/s   (target < 100)")
    print(
        f"100 pod events/s         {busy / args.seconds:10.1f} bytes/s   ({sent / args.seconds:.0f} events/s sent)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
