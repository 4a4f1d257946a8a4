"""``launch(args)``: choose the cluster (a kubeconfig, or the built-in one in its own process), then run the app."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

SIM_CONTEXT = "kubetui-sim"
_URL = re.compile(r"https?://[\w.\-:\[\]]+")


class BuiltinClusterError(RuntimeError):
    """The built-in cluster's process did not come up."""


@contextlib.contextmanager
def builtin_cluster(
    scenario: str = "demo", timeout: float = 60.0, extra: list[str] | None = None
) -> Iterator[Path]:
    """Runs ``kubetui sim serve`` in its own process for the duration; yields the kubeconfig it wrote.

    Its output goes to a log file beside the kubeconfig, never to the terminal the app draws on.
    """
    with tempfile.TemporaryDirectory(prefix="kubetui-") as tmp:
        kubeconfig = Path(tmp) / "kubeconfig"
        log_path = Path(tmp) / "sim.log"
        argv = [
            sys.executable,
            "-m",
            "kubetui",
            "sim",
            "serve",
            "--scenario",
            scenario,
            "--port",
            "0",
            "--kubeconfig",
            str(kubeconfig),
            *(extra or []),
        ]
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
        try:
            _wait_ready(proc, kubeconfig, log_path, timeout)
            yield kubeconfig
        finally:
            _stop(proc)


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM when kubetui dies, even by a signal that skips cleanup
    (a closed SSH session sends SIGHUP), so the built-in cluster never outlives the app."""
    import ctypes

    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except OSError:
        pass


def _wait_ready(proc: subprocess.Popen[bytes], kubeconfig: Path, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:] if log_path.exists() else ""
            raise BuiltinClusterError(f"the built-in cluster exited with code {proc.returncode}\n{tail}")
        if kubeconfig.exists() and kubeconfig.stat().st_size > 0 and _served(kubeconfig, log_path):
            return
        time.sleep(0.05)
    raise BuiltinClusterError(f"the built-in cluster did not start within {timeout:.0f}s")


def _served(kubeconfig: Path, log_path: Path) -> bool:
    """Ready once the kubeconfig names a server (written after the port is bound)."""
    text = kubeconfig.read_text(errors="replace")
    return bool(_URL.search(text))


# This run's cluster keeps no state, so nothing is lost by not waiting: a busy or hung one must not hold up
# quitting (q exits within 2 s, whatever the cluster is doing).
STOP_GRACE = 1.0


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


def wants_builtin(args: argparse.Namespace) -> bool:
    """``--sim``, or no kubeconfig at all (neither --kubeconfig, KUBECONFIG nor ~/.kube/config)."""
    if getattr(args, "sim", False):
        return True
    if getattr(args, "kubeconfig", None):
        return False
    from kubetui.cluster.kubeconfig import load_kubeconfig

    return not load_kubeconfig(None).found


def launch(args: argparse.Namespace) -> int:
    """Runs kubetui until the person quits; returns the process exit code."""
    from kubetui.session import SessionConfig

    config = SessionConfig(
        kubeconfig=getattr(args, "kubeconfig", None),
        context=getattr(args, "context", None),
        namespace=getattr(args, "namespace", None),
        all_namespaces=bool(getattr(args, "all_namespaces", False)),
        readonly=bool(getattr(args, "readonly", False)),
    )
    if getattr(args, "kubeconfig", None) and not os.path.exists(os.path.expanduser(args.kubeconfig)):
        print(f"kubetui: stat {args.kubeconfig}: no such file or directory", file=sys.stderr)
        return 1
    if not wants_builtin(args):
        return _run(config, args)
    try:
        with builtin_cluster() as kubeconfig:
            config.kubeconfig = str(kubeconfig)
            config.context = SIM_CONTEXT
            config.builtin = True
            return _run(config, args)
    except BuiltinClusterError as exc:
        print(f"kubetui: {exc}", file=sys.stderr)
        return 1


def _run(config: object, args: argparse.Namespace) -> int:
    import logging

    from kubetui.app import KubeApp

    # The app owns the terminal: a log record with no handler of its own (a watch task's warning, asyncio's
    # "exception never retrieved" at exit) must not be printed across the screen or after it closes.
    if not logging.getLogger().handlers:
        logging.getLogger().addHandler(logging.NullHandler())

    app = KubeApp(config, theme_name=getattr(args, "theme", None))  # type: ignore[arg-type]
    app.run()
    return int(app.return_code or 0)
