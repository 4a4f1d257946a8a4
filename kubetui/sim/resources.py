"""The resource types the built-in cluster serves, as its discovery documents describe them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResourceType:
    """One REST resource: where it lives in the API and what can be done with it."""

    group: str  # "" for the core group
    version: str
    plural: str
    singular: str
    kind: str
    namespaced: bool
    short_names: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    verbs: tuple[str, ...] = (
        "create",
        "delete",
        "deletecollection",
        "get",
        "list",
        "patch",
        "update",
        "watch",
    )
    # Whether the object has a spec whose changes bump metadata.generation.
    has_generation: bool = False
    # A custom resource's additionalPrinterColumns as (name, type, format, priority, description, jsonPath);
    # None for built-in types, whose Tables are in kubetui.sim.tables.
    printer_columns: tuple[tuple[str, str, str, int, str, str], ...] | None = None

    @property
    def key(self) -> str:
        """``pods`` for core resources, ``deployments.apps`` for grouped ones."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


_ALL = ("all",)

RESOURCE_TYPES: tuple[ResourceType, ...] = (
    ResourceType(
        "",
        "v1",
        "namespaces",
        "namespace",
        "Namespace",
        False,
        ("ns",),
        ("status",),
        verbs=("create", "delete", "get", "list", "patch", "update", "watch"),
    ),
    ResourceType("", "v1", "nodes", "node", "Node", False, ("no",), ("status",)),
    ResourceType(
        "",
        "v1",
        "pods",
        "pod",
        "Pod",
        True,
        ("po",),
        ("status", "log", "binding", "eviction"),
        _ALL,
        has_generation=True,
    ),
    ResourceType(
        "",
        "v1",
        "services",
        "service",
        "Service",
        True,
        ("svc",),
        ("status",),
        _ALL,
        verbs=("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"),
    ),
    ResourceType("", "v1", "endpoints", "endpoints", "Endpoints", True, ("ep",)),
    ResourceType("", "v1", "events", "event", "Event", True, ("ev",)),
    ResourceType("", "v1", "secrets", "secret", "Secret", True),
    ResourceType("", "v1", "configmaps", "configmap", "ConfigMap", True, ("cm",)),
    ResourceType("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", True, ("sa",)),
    ResourceType(
        "apps",
        "v1",
        "deployments",
        "deployment",
        "Deployment",
        True,
        ("deploy",),
        ("status", "scale"),
        _ALL,
        has_generation=True,
    ),
    ResourceType(
        "apps",
        "v1",
        "replicasets",
        "replicaset",
        "ReplicaSet",
        True,
        ("rs",),
        ("status", "scale"),
        _ALL,
        has_generation=True,
    ),
    ResourceType("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", True),
    # Stored and served (discovery, Tables); no controller acts on them yet.
    ResourceType(
        "apps",
        "v1",
        "statefulsets",
        "statefulset",
        "StatefulSet",
        True,
        ("sts",),
        ("status", "scale"),
        _ALL,
        has_generation=True,
    ),
    ResourceType(
        "apps",
        "v1",
        "daemonsets",
        "daemonset",
        "DaemonSet",
        True,
        ("ds",),
        ("status",),
        _ALL,
        has_generation=True,
    ),
    ResourceType("batch", "v1", "jobs", "job", "Job", True, (), ("status",), _ALL, has_generation=True),
    ResourceType(
        "batch", "v1", "cronjobs", "cronjob", "CronJob", True, ("cj",), ("status",), _ALL, has_generation=True
    ),
    ResourceType(
        "networking.k8s.io",
        "v1",
        "ingresses",
        "ingress",
        "Ingress",
        True,
        ("ing",),
        ("status",),
        has_generation=True,
    ),
    ResourceType(
        "networking.k8s.io",
        "v1",
        "networkpolicies",
        "networkpolicy",
        "NetworkPolicy",
        True,
        ("netpol",),
        (),
        has_generation=True,
    ),
    ResourceType(
        "",
        "v1",
        "persistentvolumeclaims",
        "persistentvolumeclaim",
        "PersistentVolumeClaim",
        True,
        ("pvc",),
        ("status",),
    ),
    ResourceType(
        "", "v1", "persistentvolumes", "persistentvolume", "PersistentVolume", False, ("pv",), ("status",)
    ),
    ResourceType(
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "customresourcedefinition",
        "CustomResourceDefinition",
        False,
        ("crd", "crds"),
        ("status",),
        ("api-extensions",),
        has_generation=True,
    ),
)

BY_KEY: dict[str, ResourceType] = {rt.key: rt for rt in RESOURCE_TYPES}
BY_KIND: dict[tuple[str, str], ResourceType] = {(rt.api_version, rt.kind): rt for rt in RESOURCE_TYPES}


def lookup(group: str, plural: str) -> ResourceType | None:
    """The resource type at ``/apis/{group}/v1/{plural}`` (group "" for ``/api/v1``)."""
    return BY_KEY.get(f"{plural}.{group}" if group else plural)


def by_kind(api_version: str, kind: str) -> ResourceType | None:
    return BY_KIND.get((api_version, kind))
