"""``kubetui sim serve``: runs the built-in cluster until SIGINT/SIGTERM and tells the user how to reach it."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from pathlib import Path

from kubetui.sim.kubeconfig import CONTEXT
from kubetui.sim.server import SimServer, is_loopback

DEFAULT_KUBECONFIG = Path("~/.kube/kubetui-sim.yaml")


async def _serve(args: argparse.Namespace) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    server = SimServer(
        scenario=args.scenario,
        seed=args.seed,
        speed=args.speed,
        nodes=args.nodes,
        state=args.state,
        host=args.host,
        port=args.port,
        token=_read_token(getattr(args, "token_file", None)),
    )
    async with server as sim:
        path = sim.write_kubeconfig(Path(args.sim_kubeconfig or DEFAULT_KUBECONFIG).expanduser())
        print(f"kubetui built-in cluster ({args.scenario}) serving at {sim.url}", flush=True)
        print(f"kubeconfig written to {path} (context {CONTEXT})", flush=True)
        print(f"try:  KUBECONFIG={path} kubectl get nodes", flush=True)
        if args.state:
            print(f"state is kept in {args.state}", flush=True)
        print("press Ctrl-C to stop", flush=True)
        await stop.wait()
        print("stopping ...", flush=True)
    return 0


def _read_token(path: str | None) -> str | None:
    """The token from a file (never from the command line, where other users' ``ps`` would show it)."""
    if not path:
        return None
    token = Path(path).expanduser().read_text().strip()
    if not token:
        raise OSError(f"the token file {path} is empty")
    return token


def serve_main(args: argparse.Namespace) -> int:
    if not is_loopback(args.host):
        print(
            f"kubetui sim serve: refusing to listen on {args.host}: the built-in cluster has no "
            "authentication, so it listens on loopback only (127.0.0.1 or ::1)",
            file=sys.stderr,
        )
        return 2
    try:
        return asyncio.run(_serve(args))
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        print(f"kubetui sim serve: {exc}", file=sys.stderr)
        return 1
