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
        argv = [tool, "install", "--locked", "--root", str(root), f"{peer.source}@{peer.version}"]
    log(f"peers: building {peer.label} ({' '.join(argv[1:])}); this happens once per version")
    started = time.monotonic()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0 or not target.is_file():
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-8:])
        return None, f"{' '.join(argv[:2])} {argv[-1]} failed: {tail}"
    log(f"peers: {peer.label} built in {time.monotonic() - started:.0f}s")
    return target, ""


def build_all(names: list[str], log: Callable[[str], None] = print) -> dict[str, tuple[Path | None, str]]:
    return {name: build(PEERS[name], log) for name in names}


if __name__ == "__main__":
    for name, (path, reason) in build_all(list(PEERS)).items():
        print(f"{name}: {path or 'skipped: ' + reason}")
