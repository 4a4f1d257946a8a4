"""Bytes kubetui writes to its terminal per second: idle, and while 100 pod events per second arrive.

Runs the built-in cluster (``kubetui sim serve --scenario scale:N``), starts kubetui on it inside a pseudo-terminal
of 80x24 (TERM=xterm-256color), waits for it to settle, then counts what it writes. Usage:

    python3 dev.py bench terminal [--pods 1000] [--seconds 10] [--frozen-ages] [--aged-hours H]

With live ages, "idle" includes the AGE cells that really change: on a cluster this young every pod's age is in
seconds (kubectl prints "42s" up to 2 minutes and "5m30s" up to 10), so those rows are redrawn at each 5-second age
refresh. ``--frozen-ages`` stops ages, so idle output then measures only what is drawn although nothing changed.
``--aged-hours H`` makes every object H hours old (the cluster is stopped, its saved state backdated, and started
again), as on a cluster that has been running a while: ages then change once a minute or less.

Two kinds of load are measured: annotation patches (events that change nothing on screen) and pod deletions that
the ReplicaSets replace (Terminating, new pods going Pending → ContainerCreating → Running: changes that are shown
where the rows are visible). Pod events per second are counted by a watch of our own.
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import random
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


def start_sim(pods: int, kubeconfig: Path, state: Path) -> subprocess.Popen[bytes]:
    kubeconfig.unlink(missing_ok=True)
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
            "--state",
            str(state),
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


def backdate(state: Path, hours: float) -> None:
    """Moves every object's creationTimestamp ``hours`` into the past in a saved (stopped) cluster's state."""
    data = json.loads(state.read_text())
    past = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - hours * 3600))
    for items in data["objects"].values():
        for obj in items:
            obj["metadata"]["creationTimestamp"] = past
    state.write_text(json.dumps(data))


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


def delete_pods(url: str, pods: list[tuple[str, str]], rate: float, stop: threading.Event) -> int:
    """Deletes pods at ``rate`` per second; their ReplicaSets replace them (several events per deletion)."""
    sent = 0
    start = time.monotonic()
    while not stop.is_set() and sent < len(pods):
        ns, name = pods[sent]
        req = urllib.request.Request(f"{url}/api/v1/namespaces/{ns}/pods/{name}", method="DELETE")
        try:
            urllib.request.urlopen(req).close()
        except OSError:
            pass
        sent += 1
        delay = start + sent / rate - time.monotonic()
        if delay > 0:
            stop.wait(delay)
    return sent


def count_events(url: str, stop: threading.Event, counted: list[int]) -> None:
    """Counts pod watch events from now until ``stop`` (what kubetui's own pod watch receives)."""
    with urllib.request.urlopen(f"{url}/api/v1/pods?limit=1") as resp:
        rv = json.load(resp)["metadata"]["resourceVersion"]
    counted.append(0)
    with urllib.request.urlopen(f"{url}/api/v1/pods?watch=1&resourceVersion={rv}", timeout=60) as resp:
        while not stop.is_set():
            line = resp.readline()
            if not line:
                break
            counted[0] += 1


def measure_load(
    fd: int,
    seconds: float,
    load: threading.Thread,
    url: str,
    stop: threading.Event,
    dump: list[bytes] | None = None,
) -> tuple[int, int]:
    counted: list[int] = []
    counter = threading.Thread(target=count_events, args=(url, stop, counted), daemon=True)
    counter.start()
    while not counted:
        time.sleep(0.01)
    load.start()
    written = count_bytes(fd, seconds, dump)
    events = counted[0]
    stop.set()
    load.join()
    return written, events


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
    parser.add_argument("--aged-hours", type=float, default=0.0, help="make every object this many hours old")
    parser.add_argument(
        "--dump",
        type=Path,
        help="write what the app printed (idle, then while pods are replaced) to FILE and FILE.load",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = Path(tmp) / "kubeconfig"
        state = Path(tmp) / "state.json"
        sim = start_sim(args.pods, kubeconfig, state)
        if args.aged_hours:
            sim.send_signal(signal.SIGTERM)
            sim.wait(60)
            backdate(state, args.aged_hours)
            sim = start_sim(args.pods, kubeconfig, state)
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
            targets = pod_names(url, 1000)
            # Pods from all over the list (a fixed shuffle), not only the first rows, which are the ones on screen.
            random.Random(1).shuffle(targets)
            stop = threading.Event()
            patches = threading.Thread(target=churn, args=(url, targets[:200], 100.0, stop))
            patch_bytes, patch_events = measure_load(fd, args.seconds, patches, url, stop)
            count_bytes(fd, 2.0)
            stop = threading.Event()
            deletions = threading.Thread(target=delete_pods, args=(url, targets, 16.0, stop))
            load_output: list[bytes] = []
            delete_bytes, delete_events = measure_load(fd, args.seconds, deletions, url, stop, load_output)
            if args.dump:
                args.dump.with_name(args.dump.name + ".load").write_bytes(b"".join(load_output))
        finally:
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
            sim.terminate()
            sim.wait(10)
    per_s = args.seconds
    print(f"pods in cluster             {args.pods}")
    print(
        f"ages                        {'frozen' if args.frozen_ages else 'live'}, objects {args.aged_hours:g} h old"
    )
    print(f"idle                        {idle / per_s:10.1f} bytes/s   (target < 100)")
    print(
        f"annotation patches          {patch_bytes / per_s:10.1f} bytes/s   ({patch_events / per_s:.0f} pod events/s)"
    )
    print(
        f"pods deleted and replaced   {delete_bytes / per_s:10.1f} bytes/s   ({delete_events / per_s:.0f} pod events/s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
