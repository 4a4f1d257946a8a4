"""Builds the real control plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok) from
the Go modules pinned beside this file, once per machine, into the user cache directory.

    python3 -m tests.realk8s.build          build if needed, print the directory holding the binaries

The cache key is a hash of every go.mod/go.sum here, the build flags and the Go version, so a change of any
pin builds again and an unchanged tree reuses what is there. Nothing but the standard library is used.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
KUBERNETES_VERSION = "v1.37.2"
# kube binaries report this version (kubectl version, /version); without it they say v0.0.0-master.
KUBE_LDFLAGS = " ".join(
    [
        "-s -w",
        f"-X k8s.io/component-base/version.gitVersion={KUBERNETES_VERSION}",
        "-X k8s.io/component-base/version.gitMajor=1",
        "-X k8s.io/component-base/version.gitMinor=37",
        "-X k8s.io/component-base/version.gitTreeState=clean",
    ]
)


@dataclass(frozen=True)
class Binary:
    name: str
    module_dir: str  # folder under tests/realk8s/ holding the go.mod that pins it
    package: str
    ldflags: str = "-s -w"


BINARIES: tuple[Binary, ...] = (
    Binary("etcd", "etcd", "./cmd/etcd"),
    Binary("kube-apiserver", "kube", "k8s.io/kubernetes/cmd/kube-apiserver", KUBE_LDFLAGS),
    Binary("kube-controller-manager", "kube", "k8s.io/kubernetes/cmd/kube-controller-manager", KUBE_LDFLAGS),
    Binary("kube-scheduler", "kube", "k8s.io/kubernetes/cmd/kube-scheduler", KUBE_LDFLAGS),
    Binary("kwok", "kwok", "sigs.k8s.io/kwok/cmd/kwok"),
    Binary("kwokctl", "kwok", "sigs.k8s.io/kwok/cmd/kwokctl"),
)
NAMES = tuple(b.name for b in BINARIES)


class BuildError(RuntimeError):
    """The Go toolchain is missing or refused something; the message carries go's own words."""


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kubetui" / "realk8s"


def go_binary() -> str | None:
    return shutil.which("go")


def _go_version(go: str) -> str:
    out = subprocess.run([go, "env", "GOVERSION"], capture_output=True, text=True, check=False)
    return out.stdout.strip() or "unknown"


def build_key(go: str | None = None) -> str:
    """A hash of the pins, flags and Go version: equal keys mean the same binaries."""
    digest = hashlib.sha256()
    for path in sorted(HERE.glob("*/go.*")) + sorted(HERE.glob("*/cmd/*/*.go")):
        digest.update(str(path.relative_to(HERE)).encode())
        digest.update(path.read_bytes())
    for binary in BINARIES:
        digest.update(repr(binary).encode())
    digest.update(_go_version(go).encode() if go else b"no-go")
    return digest.hexdigest()[:16]


def bin_dir(key: str | None = None) -> Path:
    return cache_root() / (key or build_key(go_binary())) / "bin"


def built(directory: Path) -> bool:
    return all((directory / name).is_file() for name in NAMES)


def find_built() -> Path | None:
    """The binaries for the current pins, if they are built (needs ``go`` only to compute the key)."""
    go = go_binary()
    if go is not None:
        directory = bin_dir(build_key(go))
        return directory if built(directory) else None
    # Without Go the key cannot name the Go version; any complete build of these pins will do.
    root = cache_root()
    if root.is_dir():
        for candidate in sorted(root.glob("*/bin"), key=lambda p: p.stat().st_mtime, reverse=True):
            if built(candidate):
                return candidate
    return None


def last_error() -> str | None:
    """What the last failed build said (kept so that tests can report it), or None after a success."""
    path = cache_root() / "build-error.txt"
    return path.read_text() if path.exists() else None


def ensure_built(log=print) -> Path:  # type: ignore[no-untyped-def]
    """Build whatever is missing and return the folder of binaries. Raises BuildError with go's message."""
    error_file = cache_root() / "build-error.txt"
    try:
        directory = _ensure_built(log)
    except BuildError as exc:
        error_file.parent.mkdir(parents=True, exist_ok=True)
        error_file.write_text(str(exc))
        raise
    error_file.unlink(missing_ok=True)
    return directory


def _ensure_built(log) -> Path:  # type: ignore[no-untyped-def]
    go = go_binary()
    if go is None:
        found = find_built()
        if found is not None:
            return found
        raise BuildError(
            "Go is not installed (https://go.dev/dl/): the real control plane is built from Go modules"
        )
    key = build_key(go)
    directory = bin_dir(key)
    if built(directory):
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["CGO_ENABLED"] = "0"
    missing = [b for b in BINARIES if not (directory / b.name).is_file()]
    log(
        f"realk8s: building {len(missing)} binaries into {directory} (Kubernetes {KUBERNETES_VERSION}; "
        "the first build takes 15-25 minutes on 2 cores, later runs reuse it)"
    )
    for index, binary in enumerate(missing, 1):
        started = time.monotonic()
        log(f"realk8s: [{index}/{len(missing)}] go build {binary.package} ...")
        partial = directory / f".{binary.name}.partial"
        argv = [go, "build", "-ldflags", binary.ldflags, "-o", str(partial), binary.package]
        proc = subprocess.run(
            argv, cwd=HERE / binary.module_dir, env=env, capture_output=True, text=True, check=False
        )
        if proc.returncode != 0:
            partial.unlink(missing_ok=True)
            raise BuildError(
                f"go build {binary.package} failed (in tests/realk8s/{binary.module_dir}):\n"
                + (proc.stderr.strip() or proc.stdout.strip())
            )
        partial.replace(directory / binary.name)
        log(f"realk8s: [{index}/{len(missing)}] {binary.name} built in {time.monotonic() - started:.0f}s")
    return directory


def main() -> int:
    try:
        directory = ensure_built(lambda line: print(line, file=sys.stderr, flush=True))
    except BuildError as exc:
        print(f"realk8s: {exc}", file=sys.stderr)
        return 1
    print(directory)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
