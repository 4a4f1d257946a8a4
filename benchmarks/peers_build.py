"""Builds the peers kubetui is compared with — k9s and stern from the Go module proxy, kdash and the Rust TUI
also named kubetui from crates.io — once per pinned version, into the user cache directory.

A peer that cannot be built (no Go or cargo, or a refused download or build) is skipped with the reason; the
benchmark then leaves its column out. Nothing of the peers is kept in this repository but their names and
versions.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Peer:
    name: str  # how the tables name it
    toolchain: str  # "go" or "cargo"
    source: str  # Go module path or crate name
    version: str
    binary: str  # the executable it installs

    @property
    def label(self) -> str:
        return f"{self.name} {self.version}"


PEERS: dict[str, Peer] = {
    "k9s": Peer("k9s", "go", "github.com/derailed/k9s", "v0.50.16", "k9s"),
    "stern": Peer("stern", "go", "github.com/stern/stern", "v1.33.0", "stern"),
    "kdash": Peer("kdash", "cargo", "kdash", "2.1.1", "kdash"),
    "kubetui-rs": Peer("kubetui-rs", "cargo", "kubetui", "1.14.0", "kubetui"),
}


FAILED = "build-failed"  # left in a peer's cache dir when its build failed, with the reason


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kubetui" / "peers"


def installed(peer: Peer) -> Path:
    return cache_dir() / f"{peer.name}-{peer.version}" / "bin" / peer.binary


def build(peer: Peer, log: Callable[[str], None] = print) -> tuple[Path | None, str]:
    """The peer's executable, building it if needed; (None, reason) when it cannot be had."""
    target = installed(peer)
    if target.is_file():
        return target, ""
    failed = target.parent.parent / FAILED
    if failed.is_file():  # a version that failed once fails again; delete the file to retry
        return None, failed.read_text().strip() + f" (cached; delete {FAILED} in its cache dir to retry)"
    tool = shutil.which(peer.toolchain)
    if tool is None:
        return None, f"{peer.toolchain} is not installed"
    root = target.parent.parent
    root.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if peer.toolchain == "go":
        env["GOBIN"] = str(target.parent)
        env["CGO_ENABLED"] = "0"
        argv = [tool, "install", f"{peer.source}@{peer.version}"]
    else:
        # One compile job: a cargo build takes every core otherwise, and these machines are shared.
        env.setdefault("CARGO_BUILD_JOBS", "1")
        argv = [tool, "install", "--locked", "--version", peer.version, "--root", str(root), peer.source]
    log(f"peers: building {peer.label} ({' '.join(argv[1:])}); this happens once per version")
    started = time.monotonic()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not target.is_file():
        reason = f"{' '.join(argv[:2])} {peer.source} {peer.version} failed: {_error_line(proc)}"
        failed.write_text(reason + "\n")
        return None, reason
    log(f"peers: {peer.label} built in {time.monotonic() - started:.0f}s")
    return target, ""


def _error_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The line that says why a build failed: the first ``error`` line of cargo or go, else the last line."""
    lines = [line.strip() for line in (proc.stderr or proc.stdout or "").splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith(("error", "go: "))]
    return (errors or lines or [f"exit status {proc.returncode}"])[0 if errors else -1]


def build_all(names: list[str], log: Callable[[str], None] = print) -> dict[str, tuple[Path | None, str]]:
    return {name: build(PEERS[name], log) for name in names}


if __name__ == "__main__":
    for name, (path, reason) in build_all(list(PEERS)).items():
        print(f"{name}: {path or 'skipped: ' + reason}")
