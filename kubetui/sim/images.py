"""The container images the built-in cluster knows: where they live, how they pull, how they behave, what they log.

The catalogue is plain data (``CATALOGUE``); add an ``ImageSpec`` to make another image exist. A container's
log is a pure function of its start time and a ``LogScript`` (start-up lines, then one line every ``every``
simulated seconds), so logs cost no memory until read and come out the same for the same seed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kubetui.sim.image_scripts import (
    LineFn,
    LogContext,
    LogScript,
    agnhost,
    bootcamp,
    busybox,
    busybox_script,
    coredns,
    crash,
    hello_world,
    logger,
    myapp,
    nginx,
)

__all__ = [
    "CATALOGUE",
    "ImageRef",
    "ImageSpec",
    "LineFn",
    "LogContext",
    "LogScript",
    "busybox_script",
    "lookup",
]


@dataclass(frozen=True)
class ImageRef:
    """A parsed image reference, normalised as containerd does (``nginx`` → ``docker.io/library/nginx:latest``)."""

    registry: str
    repository: str
    tag: str

    @property
    def full(self) -> str:
        return f"{self.registry}/{self.repository}:{self.tag}"

    @property
    def name(self) -> str:
        return f"{self.registry}/{self.repository}"


def parse_image(image: str) -> ImageRef:
    ref = image.split("@", 1)[0]
    first, _, rest = ref.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, path = first, rest
    else:
        registry, path = "docker.io", ref
    if registry == "docker.io" and "/" not in path:
        path = f"library/{path}"
    repo, sep, tag = path.rpartition(":")
    if not sep or "/" in tag:
        repo, tag = path, "latest"
    return ImageRef(registry, repo, tag)


@dataclass(frozen=True)
class ImageSpec:
    """One image (a repository, for the listed tags or any tag) and how its containers behave."""

    name: str  # registry/repository
    # The tags that exist: a tuple of names, a regular expression (full match), or None for every tag.
    tags: tuple[str, ...] | str | None = None
    private: bool = False  # pulls only with an imagePullSecret holding an auth for the registry
    pull_seconds: float = 3.0
    size_bytes: int = 20_000_000
    stop_seconds: float = 0.5  # how long the process takes to exit on SIGTERM (capped by the grace period)
    script: Callable[[LogContext], LogScript] = lambda ctx: LogScript()


_MB = 1_000_000
# nginx's published tags: channels, 1.x versions up to 1.29, with their variants.
_NGINX_TAGS = (
    r"(latest|stable|mainline|alpine|perl|bookworm|alpine-slim|1(\.(1?\d|2\d)(\.\d{1,2})?)?)"
    r"(-(alpine|perl|bookworm|alpine-slim|alpine-perl))?"
)

CATALOGUE: tuple[ImageSpec, ...] = (
    ImageSpec(
        "registry.k8s.io/e2e-test-images/agnhost",
        r"2\.\d{1,2}",
        pull_seconds=4.0,
        size_bytes=51 * _MB,
        script=agnhost,
    ),
    ImageSpec("docker.io/library/nginx", _NGINX_TAGS, pull_seconds=5.0, size_bytes=72 * _MB, script=nginx),
    ImageSpec(
        "gcr.io/google-samples/kubernetes-bootcamp",
        ("v1",),
        pull_seconds=8.0,
        size_bytes=80 * _MB,
        script=bootcamp,
    ),
    ImageSpec(
        "docker.io/jocatalin/kubernetes-bootcamp",
        ("v1", "v2"),
        pull_seconds=8.0,
        size_bytes=80 * _MB,
        script=bootcamp,
    ),
    ImageSpec(
        "docker.io/library/busybox",
        r"(latest|stable|musl|glibc|uclibc|1(\.3[0-7](\.\d)?)?)(-(musl|glibc|uclibc))?",
        pull_seconds=2.0,
        size_bytes=2 * _MB,
        stop_seconds=30.0,
        script=busybox,
    ),
    ImageSpec(
        "docker.io/library/hello-world",
        ("latest", "linux"),
        pull_seconds=1.0,
        size_bytes=10_000,
        script=hello_world,
    ),
    ImageSpec("registry.k8s.io/pause", r"3\.\d{1,2}", pull_seconds=1.0, size_bytes=300_000),
    ImageSpec(
        "registry.k8s.io/coredns/coredns",
        r"v1\.\d{1,2}\.\d{1,2}",
        pull_seconds=3.0,
        size_bytes=18 * _MB,
        script=coredns,
    ),
    ImageSpec(
        "registry.example.com/team/myapp",
        ("001", "002"),
        private=True,
        pull_seconds=4.0,
        size_bytes=35 * _MB,
        script=myapp,
    ),
    ImageSpec("kubetui.test/crash", None, pull_seconds=1.0, size_bytes=5 * _MB, script=crash),
    ImageSpec("kubetui.test/logger", None, pull_seconds=1.0, size_bytes=5 * _MB, script=logger),
)

_BY_NAME = {spec.name: spec for spec in CATALOGUE}


def lookup(image: str) -> ImageSpec | None:
    """The catalogue entry for an image reference, or None if no registry has it."""
    ref = parse_image(image)
    spec = _BY_NAME.get(ref.name)
    if spec is None:
        return None
    if isinstance(spec.tags, str):
        return spec if re.fullmatch(spec.tags, ref.tag) else None
    if spec.tags is not None and ref.tag not in spec.tags:
        return None
    return spec


def not_found_message(image: str) -> str:
    ref = parse_image(image).full
    return f'failed to pull and unpack image "{ref}": failed to resolve reference "{ref}": {ref}: not found'


def unauthorized_message(image: str) -> str:
    ref = parse_image(image)
    return (
        f'failed to pull and unpack image "{ref.full}": failed to resolve reference "{ref.full}": '
        f"pull access denied, repository does not exist or may require authorization: "
        f"authorization failed: no basic auth credentials for {ref.registry}"
    )


def registry_of(image: str) -> str:
    return parse_image(image).registry


def describe(spec: ImageSpec) -> dict[str, Any]:
    """A summary for listings and docs."""
    return {"name": spec.name, "tags": spec.tags, "private": spec.private, "pullSeconds": spec.pull_seconds}
