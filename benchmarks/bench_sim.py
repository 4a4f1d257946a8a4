"""Built-in cluster at scale: start-up of ``scale:N``, listing all pods (JSON, Table, kubectl), resident memory.

    python3 dev.py bench sim [PODS]      (default 10000)

Runs ``kubetui sim serve`` as its own process, so its memory is measured alone. Targets on a 2-core machine:
up in under 15 s, a 10,000-pod list served in under 1 s, under 600 MB resident.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident set size in MB, from /proc."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def timed_get(url: str, accept: str) -> tuple[float, int]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as resp:
        body = resp.read()
    return time.perf_counter() - start, len(body)


def main() -> int:
    pods = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    kubectl = Path(sys.executable).parent / "kubectl"
    with tempfile.TemporaryDirectory() as tmp:
        kubeconfig = Path(tmp) / "kubeconfig"
        argv = [
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
        ]
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        url = ""
        assert proc.stdout is not None
        for line in proc.stdout:
            if "serving at" in line:
                url = line.rsplit(" ", 1)[-1].strip()
                break
        startup = time.perf_counter() - start
        if not url:
            print("server did not start", file=sys.stderr)
            proc.kill()
            return 1
        try:
            print(f"scale:{pods} start-up (process start to serving): {startup:.2f} s")
            # Right after start-up the controllers are still pulling images and starting 10,000 pods on the
            # same event loop; later the cluster is quiet. Lists are timed in both states.
            for when, pause in (("while pods start", 2), ("once settled", 20)):
                time.sleep(pause)
                for label, accept in [("JSON", "application/json"), ("Table", TABLE)]:
                    times, size = [], 0
                    for _ in range(3):
                        seconds, size = timed_get(f"{url}/api/v1/pods", accept)
                        times.append(seconds)
                    print(
                        f"list all pods as {label} {when}: first {times[0]:.3f} s, best {min(times):.3f} s "
                        f"({size / 1e6:.1f} MB)"
                    )
            seconds, _ = timed_get(f"{url}/api/v1/pods?limit=500", TABLE)
            print(f"one 500-pod Table page (as kubectl asks): {seconds:.3f} s")
            if kubectl.exists():
                env = {**os.environ, "KUBECACHEDIR": str(Path(tmp) / "cache")}
                for attempt in ("cold discovery", "warm"):
                    t0 = time.perf_counter()
                    out = subprocess.run(
                        [str(kubectl), f"--kubeconfig={kubeconfig}", "get", "pods", "-A"],
                        capture_output=True,
                        text=True,
                        env=env,
                        check=True,
                    ).stdout
                    print(
                        f"kubectl get pods -A ({attempt}): {time.perf_counter() - t0:.2f} s, "
                        f"{len(out.splitlines()) - 1} rows"
                    )
            current, peak = rss_mb(proc.pid)
            print(f"server resident memory: {current:.0f} MB (peak {peak:.0f} MB)")
        finally:
            proc.terminate()
            proc.wait(30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
