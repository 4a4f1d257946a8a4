"""Aggregated discovery (``apidiscovery.k8s.io/v2`` ``APIGroupDiscoveryList``): every resource of every group in
one answer to ``/api`` or ``/apis``, which kubectl and client-go ask for before the per-group documents."""

from __future__ import annotations

from typing import Any

from kubetui.sim.resources import RESOURCE_TYPES, ResourceType

CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
# kube-apiserver lists its groups in this order (by their priority); others follow.
GROUP_ORDER = (
    "apiregistration.k8s.io",
    "apps",
    "events.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "networking.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "node.k8s.io",
    "discovery.k8s.io",
)


def wanted(accept: str) -> bool:
    """Whether the Accept header asks for the aggregated v2 form (clients list it before plain JSON)."""
    for part in accept.split(","):
        params = {p.strip() for p in part.split(";")}
        if {"g=apidiscovery.k8s.io", "v=v2", "as=APIGroupDiscoveryList"} <= params:
            return True
    return False


def _kind(group: str, version: str, kind: str) -> dict[str, str]:
    return {"group": group, "version": version, "kind": kind}


def _subresource(rt: ResourceType, sub: str) -> dict[str, Any]:
    if sub == "scale":
        return {
            "subresource": sub,
            "responseKind": _kind("autoscaling", "v1", "Scale"),
            "verbs": ["get", "patch", "update"],
        }
    if sub == "eviction":
        return {"subresource": sub, "responseKind": _kind("policy", "v1", "Eviction"), "verbs": ["create"]}
    if sub == "binding":
        return {"subresource": sub, "responseKind": _kind("", "", "Binding"), "verbs": ["create"]}
    if sub == "log":
        return {"subresource": sub, "responseKind": _kind("", "", rt.kind), "verbs": ["get"]}
    return {"subresource": sub, "responseKind": _kind("", "", rt.kind), "verbs": ["get", "patch", "update"]}


def _resource(rt: ResourceType) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resource": rt.plural,
        "responseKind": _kind("", "", rt.kind),
        "scope": "Namespaced" if rt.namespaced else "Cluster",
        "singularResource": rt.singular,
        "verbs": list(rt.verbs),
    }
    if rt.short_names:
        out["shortNames"] = list(rt.short_names)
    if rt.categories:
        out["categories"] = list(rt.categories)
    if rt.subresources:
        out["subresources"] = [_subresource(rt, s) for s in sorted(rt.subresources)]
    return out


def group_list(core: bool) -> dict[str, Any]:
    """``/api`` (core=True) or ``/apis`` in the aggregated form."""
    groups: dict[str, list[ResourceType]] = {}
    for rt in RESOURCE_TYPES:
        if (rt.group == "") == core:
            groups.setdefault(rt.group, []).append(rt)
    items = []
    rank = {g: i for i, g in enumerate(GROUP_ORDER)}
    for group, types in sorted(groups.items(), key=lambda kv: rank.get(kv[0], len(rank))):
        version = {
            "version": "v1",
            "resources": [_resource(rt) for rt in sorted(types, key=lambda r: r.plural)],
            "freshness": "Current",
        }
        items.append({"metadata": {"name": group} if group else {}, "versions": [version]})
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": items,
    }


def from_resource_list(group: str, resource_list: dict[str, Any]) -> dict[str, Any]:
    """A group served beside the built-in kinds (metrics.k8s.io), from its APIResourceList, in the aggregated
    form."""
    return {"metadata": {"name": group}, "versions": [version_from_resource_list(resource_list)]}


def version_from_resource_list(resource_list: dict[str, Any]) -> dict[str, Any]:
    """One version of a group (metrics.k8s.io, a CustomResourceDefinition's) in the aggregated form."""
    version = str(resource_list.get("groupVersion", "")).rpartition("/")[2]
    resources: dict[str, dict[str, Any]] = {}
    for r in resource_list.get("resources") or []:
        name, _, sub = str(r["name"]).partition("/")
        if not sub:
            entry: dict[str, Any] = {
                "resource": name,
                "responseKind": _kind("", "", r["kind"]),
                "scope": "Namespaced" if r.get("namespaced") else "Cluster",
                "singularResource": r.get("singularName", ""),
                "verbs": list(r.get("verbs") or []),
            }
            for key in ("shortNames", "categories"):
                if r.get(key):
                    entry[key] = list(r[key])
            resources[name] = entry
        elif name in resources:
            sub_entry = {
                "subresource": sub,
                "responseKind": _kind("", "", r["kind"]),
                "verbs": list(r.get("verbs") or []),
            }
            resources[name].setdefault("subresources", []).append(sub_entry)
    return {"version": version, "resources": list(resources.values()), "freshness": "Current"}
