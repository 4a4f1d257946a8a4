"""Time to live again after each fault, at the issue's full durations (the tests run shorter ones).

    python3 dev.py bench faults [--pods 0] [--only kill5,kill60,stop30,wipe]

The built-in cluster runs as its own process. kubetui's session (connection, watches, liveness probe) follows
it while it is killed for 5 s and for 60 s and restarted with its state, stopped with SIGSTOP for 30 s, and
restarted with its state wiped. For each: how long until kubetui showed the outage, and from the server being
back until kubetui was live again with every object the server has.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kubetui.cluster import ops  # noqa: E402
from kubetui.cluster.connection import Connection  # noqa: E402
from kubetui.session import ClusterSession, SessionConfig  # noqa: E402
from tests.faults.served import ServedSim  # noqa: E402

FAULTS = {"kill5": ("kill", 5.0), "kill60": ("kill", 60.0), "stop30": ("stop", 30.0), "wipe": ("wipe", 0.0)}


async def until(check, limit: float = 120.0) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > limit:
            return float("nan")
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def uids(server: ServedSim) -> set[str]:
    async with await Connection.open(str(server.kubeconfig)) as conn:
        items = (await conn.request("GET", "/apis/apps/v1/deployments"))["items"]
    return {o["metadata"]["uid"] for o in items}


async def one(name: str, scenario: str, tmp: Path) -> tuple[float, float]:
    how, seconds = FAULTS[name]
    server = ServedSim(tmp / name, scenario=scenario)
    server.start()
    session = ClusterSession(SessionConfig(kubeconfig=str(server.kubeconfig)), lambda m: None)
    session.start()
    try:
        await until(lambda: session.connection_state()[0] == "live")
        async with await Connection.open(str(server.kubeconfig)) as conn:
            await ops.create_deployment(conn, "default", "before", "registry.k8s.io/pause:3.9")
        began = time.monotonic()
        if how == "stop":
            server.pause()
        else:
            server.stop()
        noticed = await until(lambda: session.connection_state()[0] != "live", 60)
        await asyncio.sleep(max(0.0, seconds - (time.monotonic() - began)))
        if how == "stop":
            server.resume()
        else:
            if how == "wipe":
                server.wipe()
            server.start()
        back = time.monotonic()
        await until(lambda: session.connection_state()[0] == "live")
        want = await uids(server)
        await until(lambda: {o["metadata"]["uid"] for o in session.store.list("deployments")} == want)
        return noticed, time.monotonic() - back
    finally:
        await session.close()
        server.close()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=0, help="scale:N instead of an empty cluster")
    parser.add_argument("--only", default=",".join(FAULTS))
    args = parser.parse_args()
    import tempfile

    scenario = f"scale:{args.pods}" if args.pods else "empty"
    print("| fault | outage shown after (s) | live with every object after the server is back (s) |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="bench-faults-") as tmp:
        for name in args.only.split(","):
            noticed, live = await one(name, scenario, Path(tmp))
            print(f"| {name} | {noticed:.1f} | {live:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
