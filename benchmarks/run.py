"""Runs one benchmark script from this folder by short name (``sim`` → ``bench_sim.py``), or lists them."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    if not argv or argv[0] not in scripts:
        print("benchmarks:", ", ".join(scripts) or "(none yet)")
        print("usage: python3 dev.py bench NAME [ARGS]")
        return 0 if not argv else 2
    sys.argv = [str(HERE / f"bench_{argv[0]}.py"), *argv[1:]]
    runpy.run_path(sys.argv[0], run_name="__main__")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
