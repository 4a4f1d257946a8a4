"""API discovery: every resource the cluster serves, and kubectl's rules for naming one (``:cm``, ``sts``,
``deployments.apps``, a CRD's plural). Kinds the registry (``kubetui.kinds``) does not know come from here."""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from kubetui import kinds
from kubetui.cluster.errors import ClusterError, NotFound
from kubetui.kinds import names


@dataclass(frozen=True)
class ApiResource:
    """One resource as discovery describes it (its preferred version)."""

    group: str
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def prefix(self) -> str:
        return f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"

    @property
    def qualified(self) -> str:
        """``deployments.apps``; ``pods`` for the core group."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def store_key(self) -> str:
        """The key the registry uses when it knows the kind (``pods``), else the qualified name."""
        known = kinds.BY_KIND.get((self.api_version, self.kind))
        return known.plural if known is not None else self.qualified

    def path(self, namespace: str | None = None, name: str | None = None) -> str:
        parts = [self.prefix]
        if self.namespaced and namespace:
            parts.append(f"namespaces/{quote(namespace, safe='')}")
        parts.append(self.plural)
        if name:
            parts.append(quote(name, safe=""))
        return "/".join(parts)

    def can(self, verb: str) -> bool:
        return not self.verbs or verb in self.verbs


class UnknownResource(ClusterError):
    """A name that matches no resource the server serves; the text is kubectl's."""

    reason = "NotFound"


def _resources(doc: dict[str, Any], group: str, version: str) -> list[ApiResource]:
    out = []
    for r in doc.get("resources") or []:
        name = str(r.get("name") or "")
        if not name or "/" in name:  # subresources (pods/log) are not listable kinds
            continue
        out.append(
            ApiResource(
                group=group,
                version=version,
                plural=name,
                singular=str(r.get("singularName") or "") or str(r.get("kind", "")).lower(),
                kind=str(r.get("kind") or ""),
                namespaced=bool(r.get("namespaced")),
                short_names=tuple(r.get("shortNames") or ()),
                verbs=tuple(r.get("verbs") or ()),
                categories=tuple(r.get("categories") or ()),
            )
        )
    return out


async def discover(conn: Any) -> list[ApiResource]:
    """Every resource of every group at its preferred version, core first (kubectl's priority order)."""
    core = await conn.request("GET", "/api/v1")
    found = _resources(core, "", "v1")
    groups = await conn.request("GET", "/apis")
    versions = []
    for g in groups.get("groups") or []:
        preferred = (g.get("preferredVersion") or {}).get("version") or next(
            (v.get("version") for v in g.get("versions") or []), None
        )
        if preferred:
            versions.append((str(g.get("name") or ""), str(preferred)))

    async def one(group: str, version: str) -> list[ApiResource]:
        try:
            doc = await conn.request("GET", f"/apis/{group}/{version}")
        except NotFound:  # a group going away (a CRD just deleted) is not an error
            return []
        return _resources(doc, group, version)

    for batch in await asyncio.gather(*(one(g, v) for g, v in versions)):
        found.extend(batch)
    return found


def resolve(resources: list[ApiResource], name: str) -> ApiResource:
    """The resource a kubectl-style name means: a short name, plural, singular or kind, optionally followed
    by ``.group`` or ``.version.group``. Ambiguous names go to the first group in discovery order, as
    kubectl's priority RESTMapper does (core before named groups)."""
    if not name.strip():
        raise UnknownResource("error: a resource type is required")
    found = names.resolve(resources, name)
    if found is None:
        raise UnknownResource(f'error: the server doesn\'t have a resource type "{name.strip()}"')
    return found


def api_resources_rows(resources: list[ApiResource]) -> list[tuple[str, str, str, str, str]]:
    """``kubectl api-resources``: NAME, SHORTNAMES, APIVERSION, NAMESPACED, KIND, sorted as kubectl does
    (by group, then name)."""
    ordered = sorted(resources, key=lambda r: (r.group, r.plural))
    return [
        (r.plural, ",".join(r.short_names), r.api_version, "true" if r.namespaced else "false", r.kind)
        for r in ordered
    ]


_cache: weakref.WeakKeyDictionary[Any, list[ApiResource]] = weakref.WeakKeyDictionary()


async def served(conn: Any, *, refresh: bool = False) -> list[ApiResource]:
    """What ``conn``'s cluster serves, discovered once per connection (``refresh`` asks again)."""
    found = None if refresh else _cache.get(conn)
    if found is None:
        found = _cache[conn] = await discover(conn)
    return found


async def find(conn: Any, name: str) -> ApiResource:
    """``resolve`` against the cached discovery, asking the server again on a miss (a CRD just created), as
    kubectl invalidates its discovery cache when a name is not found."""
    try:
        return resolve(await served(conn), name)
    except UnknownResource:
        return resolve(await served(conn, refresh=True), name)
