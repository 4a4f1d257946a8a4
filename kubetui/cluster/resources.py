"""Paths of the kinds the registry (``kubetui.kinds``) knows, and lookup by kubectl's names for them."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from kubetui import kinds


@dataclass(frozen=True)
class Resource:
    """One REST resource: its plural key, API prefix and Kind."""

    plural: str
    prefix: str  # "/api/v1" or "/apis/<group>/<version>"
    kind: str
    namespaced: bool
    aliases: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return self.prefix.removeprefix("/apis/").removeprefix("/api/")

    def path(self, namespace: str | None = None, name: str | None = None, sub: str | None = None) -> str:
        """The collection or object path, e.g. ``/apis/apps/v1/namespaces/ns/deployments/x/scale``."""
        parts = [self.prefix]
        if self.namespaced and namespace:
            parts.append(f"namespaces/{quote(namespace, safe='')}")
        parts.append(self.plural)
        if name:
            parts.append(quote(name, safe=""))
            if sub:
                parts.append(sub)
        return "/".join(parts)


RESOURCES: tuple[Resource, ...] = tuple(
    Resource(k.plural, k.prefix, k.kind, k.namespaced, k.names) for k in kinds.KINDS
)

_BY_PLURAL: dict[str, Resource] = {r.plural: r for r in RESOURCES}
_BY_KIND: dict[tuple[str, str], Resource] = {(r.api_version, r.kind): r for r in RESOURCES}


def resource_for(kind: str) -> Resource:
    """Look a kind up the way kubectl accepts it: ``deployments``, ``deployment``, ``deploy``, ``Deployment``."""
    known = kinds.lookup(kind)
    found = _BY_PLURAL.get(known.plural) if known is not None else None
    if found is None:
        raise KeyError(f'error: the server doesn\'t have a resource type "{kind}"')
    return found


def resource_for_kind(api_version: str, kind: str) -> Resource | None:
    """The built-in resource for a manifest's ``apiVersion``/``kind``, if kubetui knows it without discovery."""
    return _BY_KIND.get((api_version, kind))
