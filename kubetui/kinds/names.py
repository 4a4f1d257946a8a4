"""kubectl's rules for what a resource name means, in one place for the registry and for discovery.

A name is a short name, a plural, a singular or a kind, optionally followed by ``.group`` or
``.version.group`` (``cm``, ``deployments``, ``deployment.apps``, ``deploy.v1.apps``, ``Ingress``). Short names
are expanded first, as kubectl's shortcut expander does; then plural, singular and kind are matched in the order
the resources are given, which for discovery is kubectl's priority order (core before named groups).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar


class Named(Protocol):
    """What name resolution reads of a resource: a registry entry or a discovered resource."""

    @property
    def group(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def plural(self) -> str: ...
    @property
    def singular(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def short_names(self) -> tuple[str, ...]: ...


R = TypeVar("R", bound=Named)


def _shortcuts(resource: Named) -> tuple[str, ...]:
    # The registry's command aliases (k9s habits such as "dp") count as short names.
    return (*resource.short_names, *getattr(resource, "aliases", ()))


def resolve(resources: Iterable[R], name: str) -> R | None:
    """The resource ``name`` means, or None."""
    text = name.strip().lower()
    if not text:
        return None
    listed = list(resources)
    for r in listed:
        if text in _shortcuts(r):
            return r
    base, _, rest = text.partition(".")
    candidates: list[tuple[str, str | None, str | None]] = [(text, None, None)]
    if rest:
        candidates.append((base, rest, None))
        in_version, _, in_group = rest.partition(".")
        if in_group:
            candidates.append((base, in_group, in_version))
    for word, group, version in candidates:
        for r in listed:
            if group is not None and r.group != group:
                continue
            if version is not None and r.version != version:
                continue
            singular = r.singular or r.kind.lower()
            if word in (r.plural, singular, r.kind.lower()) or (group is not None and word in _shortcuts(r)):
                return r
    return None
