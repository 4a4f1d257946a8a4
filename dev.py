#!/usr/bin/env python3
"""Bootstrap for a fresh machine: keep .venv in step with pyproject.toml, then run the app or the tests.

    python3 dev.py kubetui [ARGS]   run kubetui (``--sim`` for the built-in cluster)
    python3 dev.py test [ARGS]      run the whole test suite (pytest ARGS)
    python3 dev.py bench [NAME]     run the benchmarks under benchmarks/
    python3 dev.py realk8s up|down|env|build
                                    the real control plane (etcd, kube-apiserver, controller-manager,
                                    scheduler, kwok) built from Go modules, on loopback
    python3 dev.py diff [--brief]   the built-in cluster measured against the real one (report by category)
    python3 dev.py shell            a shell with the venv first on PATH

Only the standard library is used here, so it runs on any python3 >= 3.11.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
STAMP = VENV / ".kubetui-installed"


def _fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_venv() -> None:
    """Create the venv and install kubetui with its test extras when pyproject.toml changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs before anything checks the version
        sys.exit(f"kubetui needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if not PY.exists():
        print("dev.py: creating .venv ...", file=sys.stderr)
        venv.EnvBuilder(with_pip=True).create(VENV)
    if STAMP.exists() and STAMP.read_text() == _fingerprint():
        return
    print("dev.py: installing kubetui and its test tools into .venv ...", file=sys.stderr)
    pip = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=False)
    subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(_fingerprint())


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(VENV)
    return env


def build_real_control_plane() -> None:
    """Where Go is installed, build (once, cached) the real control plane the real-backend tests start.

    Without Go those tests skip and say why; a failed build is reported here and again by each test.
    """
    if shutil.which("go") is None or os.environ.get("KUBETUI_REALK8S") == "0":
        return
    subprocess.run([str(PY), "-m", "tests.realk8s.build"], cwd=ROOT, stdout=subprocess.DEVNULL, check=False)


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("kubetui", ["--sim"])
    ensure_venv()
    os.chdir(ROOT)
    if command == "kubetui":
        args = [str(PY), "-m", "kubetui", *rest]
    elif command == "test":
        build_real_control_plane()
        args = [str(PY), "-m", "pytest", *rest]
    elif command == "bench":
        args = [str(PY), str(ROOT / "benchmarks" / "run.py"), *rest]
    elif command == "realk8s":
        args = [str(PY), "-m", "tests.realk8s.stack", *rest]
    elif command == "diff":
        build_real_control_plane()
        args = [str(PY), "-m", "tests.realk8s.diff.runner", *rest]
    elif command == "shell":
        args = [os.environ.get("SHELL", "/bin/sh")]
    else:
        print(__doc__, file=sys.stderr)
        return 2
    os.execve(args[0], args, _env())
    return 0  # not reached


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
