"""Command-line parsing (kubectl-style flags), then hand-off to the app or to ``kubetui sim``."""

from __future__ import annotations

import argparse
import sys

from kubetui import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kubetui",
        description="A full-screen terminal app for exploring and operating Kubernetes clusters.",
        epilog="With no kubeconfig, or with --sim, kubetui starts its built-in cluster. "
        "'kubetui sim serve --help' runs the built-in cluster on its own for kubectl.",
    )
    parser.add_argument("--version", action="version", version=f"kubetui {__version__}")
    parser.add_argument(
        "--kubeconfig", metavar="PATH", help="use this kubeconfig file only (as kubectl does)"
    )
    parser.add_argument("--context", metavar="NAME", help="the kubeconfig context to use")
    parser.add_argument("-n", "--namespace", metavar="NAME", help="the namespace to show")
    parser.add_argument("-A", "--all-namespaces", action="store_true", help="show all namespaces")
    parser.add_argument("--sim", action="store_true", help="run on the built-in cluster (demo scenario)")
    parser.add_argument("--readonly", action="store_true", help="refuse every change to the cluster")
    parser.add_argument(
        "--theme",
        metavar="NAME",
        help="colour theme (kubetui-dark, kubetui-light, kubetui-high-contrast, kubetui-16, kubetui-mono, or your own)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sim = sub.add_parser("sim", help="the built-in cluster")
    sim_sub = sim.add_subparsers(dest="sim_command", metavar="SUBCOMMAND", required=True)
    serve = sim_sub.add_parser("serve", help="run the built-in cluster's API server until interrupted")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (loopback only)")
    serve.add_argument("--port", type=int, default=0, help="port to listen on; 0 picks a free one")
    serve.add_argument(
        "--kubeconfig",
        dest="sim_kubeconfig",
        metavar="PATH",
        help="write a kubeconfig (context kubetui-sim) here",
    )
    serve.add_argument("--nodes", type=int, default=None, help="number of nodes (default: the scenario's)")
    serve.add_argument("--scenario", default="empty", help="empty, demo or scale:N")
    serve.add_argument("--seed", type=int, default=1, help="seed for names and timings (deterministic runs)")
    serve.add_argument(
        "--speed", type=float, default=1.0, help="how much faster than real time things happen"
    )
    serve.add_argument("--state", metavar="FILE", help="keep every object in FILE across restarts")
    serve.add_argument(
        "--token-file",
        metavar="FILE",
        help="require the bearer token in FILE on every request (401 otherwise); the kubeconfig carries it",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "sim":
        from kubetui.sim.serve import serve_main

        return serve_main(args)
    from kubetui.launch import launch

    return launch(args)


if __name__ == "__main__":
    sys.exit(main())
