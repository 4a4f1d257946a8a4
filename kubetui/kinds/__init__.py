"""The registry of kinds: one frozen description per kind kubetui knows without asking the cluster.

Each ``KindSpec`` says where the kind lives in the API (group, version, plural), how kubectl names it
(singular, short names), whether it is namespaced, which columns and status column its pane shows, its title
and command aliases, the actions it allows, the store indexes it needs and the views that redraw when it
changes. Kinds it does not know are described at run time from discovery (``kubetui.cluster.discovery``).
No UI imports here: the cluster layer and the built-in cluster read it too.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from kubetui.kinds import names

# Views that redraw when objects of a kind change (MainScreen maps each to one refresh).
VIEW_REVISIONS = "revisions"  # the Deployment pane's ReplicaSet revisions
VIEW_POD_SCOPE = "pod-scope"  # the Pods pane scoped to a Deployment
VIEW_TRAFFIC = "traffic"  # the Service traffic path
VIEW_LOGS = "logs"  # the Logs pane's pod set

# How an object of a kind yields its pods (``relations.pods_of`` and the pod scopes read it).
PODS_SELF = "self"  # a Pod is its own
PODS_REVISIONS = "revisions"  # the pods of its ReplicaSets, every revision (a Deployment)
PODS_OWNED = "owned"  # the pods it owns (ReplicaSet, StatefulSet, DaemonSet, Job)
PODS_SELECTED = "selected"  # the pods its selector picks, else its endpoints' pods (a Service)
PODS_ON_NODE = "on-node"  # the pods scheduled on it (a Node)
PODS_USING = "using"  # the pods that mount or reference it (ConfigMap, Secret, PersistentVolumeClaim)

# What selecting one in its main-screen pane does to the Pods pane.
NARROW = "narrow"  # the Pods pane shows only its pods (esc shows all again)
MARK = "mark"  # its pods are marked in the Pods pane

# Where a kind's label selector is (kubectl's MapBasedSelectorForObject).
SELECTOR_LABELS = "labels"  # the object's own labels (a Pod)
SELECTOR_MAP = "map"  # spec.selector, a plain map (a Service)
SELECTOR_MATCH = "match"  # spec.selector, a LabelSelector whose matchLabels are usable (workloads)

# Where a kind's ports are (kubectl's PortsForObject).
PORTS_SERVICE = "service"  # spec.ports[].port
PORTS_CONTAINERS = "containers"  # the containerPorts of its pod spec

POD_TEMPLATE = ("spec", "template", "spec")
LAST_SEEN = "last-seen"  # a row order: newest last-seen first, as kubectl get events sorts

LOOK = frozenset({"describe", "yaml"})
EDIT = frozenset({"edit", "delete"})


@dataclass(frozen=True)
class KindSpec:
    """What kubetui knows of one kind."""

    plural: str  # the store key and URL segment: "pods"
    kind: str  # the objects' ``kind``: "Pod"
    group: str  # "" for the core group
    version: str
    namespaced: bool
    singular: str = ""
    short_names: tuple[str, ...] = ()
    title: str = ""
    aliases: tuple[str, ...] = ()  # command-line names beyond kubectl's (k9s habits: "dp")
    columns: tuple[str, ...] = ()  # the pane's columns, picked from kubectl's wide output
    status_column: str | None = None  # the column carrying the status colour
    actions: frozenset[str] = LOOK | EDIT  # action ids that apply to this kind
    indexes: tuple[str, ...] = ()  # store indexes beyond namespace/name/owner/label: "node", "involved"
    feeds: tuple[str, ...] = ()  # views that redraw when an object of this kind changes
    watched: bool = False  # watched for the whole session (the main screen needs it); else on demand
    pods: str = ""  # how an object yields its pods: PODS_*; "" for none
    pod_spec: tuple[str, ...] = ()  # the path from an object to its pod spec; () when it has none
    selector: str = ""  # where its label selector is: SELECTOR_*
    ports: str = ""  # where its ports are: PORTS_*
    pod_view: str = ""  # what selecting one in its pane does to the Pods pane: NARROW, MARK or nothing
    detail: str = ""  # the main-screen view that shows the selected object's details (VIEW_*)
    follows_rollout: bool = False  # changes to it are followed to the end of the rollout they start
    name_rule: str = "subdomain"  # the API server's rule for its names: subdomain, dns1035 or label
    row_order: str = "name"  # its lists' order: by name, or LAST_SEEN (Events)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def prefix(self) -> str:
        """``/api/v1`` or ``/apis/<group>/<version>``."""
        return f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"

    @property
    def qualified(self) -> str:
        """``deployments.apps`` for grouped kinds, ``pods`` for core ones (kubectl's fully specified name)."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def singular_name(self) -> str:
        """``deployment``: the kind in a sentence."""
        return self.singular or self.kind.lower()

    @property
    def names(self) -> tuple[str, ...]:
        """Every name kubectl (and the command line) accepts for this kind, lower case."""
        singular = self.singular or self.kind.lower()
        names = [self.plural, singular, *self.short_names, self.kind.lower(), *self.aliases]
        if self.group:
            names += [f"{self.plural}.{self.group}", f"{singular}.{self.group}"]
        return tuple(dict.fromkeys(names))


_WORKLOAD = LOOK | EDIT | {"logs"}

KINDS: tuple[KindSpec, ...] = (
    KindSpec(
        "nodes",
        "Node",
        "",
        "v1",
        False,
        short_names=("no",),
        title="Nodes",
        columns=("NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP"),
        status_column="STATUS",
        actions=LOOK | {"new"},
        feeds=(VIEW_TRAFFIC,),
        watched=True,
        pods=PODS_ON_NODE,
        pod_view=NARROW,
    ),
    KindSpec(
        "namespaces",
        "Namespace",
        "",
        "v1",
        False,
        short_names=("ns",),
        title="Namespaces",
        columns=("NAME", "STATUS", "AGE"),
        status_column="STATUS",
        actions=LOOK | {"new"},
        watched=True,
        name_rule="label",
    ),
    KindSpec(
        "deployments",
        "Deployment",
        "apps",
        "v1",
        True,
        short_names=("deploy",),
        title="Deployments",
        aliases=("dp",),
        columns=("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "IMAGES"),
        status_column="READY",
        actions=_WORKLOAD
        | {"new", "expose", "scale", "scale_up", "scale_down", "set_image", "undo", "restart", "pull_secret"}
        | {"port_forward"},
        feeds=(VIEW_REVISIONS,),
        watched=True,
        pods=PODS_REVISIONS,
        pod_spec=POD_TEMPLATE,
        selector=SELECTOR_MATCH,
        ports=PORTS_CONTAINERS,
        pod_view=NARROW,
        detail=VIEW_REVISIONS,
        follows_rollout=True,
    ),
    KindSpec(
        "replicasets",
        "ReplicaSet",
        "apps",
        "v1",
        True,
        short_names=("rs",),
        title="ReplicaSets",
        columns=("NAME", "DESIRED", "CURRENT", "READY", "AGE", "IMAGES"),
        status_column="READY",
        actions=_WORKLOAD | {"new", "expose", "scale"},
        feeds=(VIEW_REVISIONS, VIEW_POD_SCOPE),
        watched=True,
        pods=PODS_OWNED,
        pod_spec=POD_TEMPLATE,
        selector=SELECTOR_MATCH,
        ports=PORTS_CONTAINERS,
    ),
    KindSpec(
        "pods",
        "Pod",
        "",
        "v1",
        True,
        short_names=("po",),
        title="Pods",
        columns=("NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE"),
        status_column="STATUS",
        actions=_WORKLOAD | {"new", "expose", "pull_secret", "shell", "shell_command", "port_forward"},
        indexes=("node",),
        feeds=(VIEW_LOGS, VIEW_POD_SCOPE, VIEW_TRAFFIC),
        watched=True,
        pods=PODS_SELF,
        pod_spec=("spec",),
        selector=SELECTOR_LABELS,
        ports=PORTS_CONTAINERS,
    ),
    KindSpec(
        "services",
        "Service",
        "",
        "v1",
        True,
        short_names=("svc",),
        title="Services",
        columns=("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"),
        status_column="EXTERNAL-IP",
        actions=_WORKLOAD | {"new", "expose", "port_forward"},
        feeds=(VIEW_TRAFFIC,),
        watched=True,
        pods=PODS_SELECTED,
        selector=SELECTOR_MAP,
        ports=PORTS_SERVICE,
        pod_view=MARK,
        detail=VIEW_TRAFFIC,
        name_rule="dns1035",
    ),
    KindSpec(
        "endpointslices",
        "EndpointSlice",
        "discovery.k8s.io",
        "v1",
        True,
        title="EndpointSlices",
        feeds=(VIEW_TRAFFIC,),
        watched=True,
    ),
    KindSpec(
        "events",
        "Event",
        "",
        "v1",
        True,
        short_names=("ev",),
        title="Events",
        columns=("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"),
        status_column="TYPE",
        actions=LOOK | {"new"},
        indexes=("involved",),
        watched=True,
        row_order=LAST_SEEN,
    ),
    # Kinds watched only while a view of them is open.
    KindSpec("endpoints", "Endpoints", "", "v1", True, short_names=("ep",), title="Endpoints"),
    KindSpec(
        "configmaps", "ConfigMap", "", "v1", True, short_names=("cm",), title="ConfigMaps", pods=PODS_USING
    ),
    KindSpec("secrets", "Secret", "", "v1", True, title="Secrets", pods=PODS_USING),
    KindSpec(
        "serviceaccounts", "ServiceAccount", "", "v1", True, short_names=("sa",), title="ServiceAccounts"
    ),
    KindSpec(
        "persistentvolumeclaims",
        "PersistentVolumeClaim",
        "",
        "v1",
        True,
        short_names=("pvc",),
        title="PersistentVolumeClaims",
        pods=PODS_USING,
    ),
    KindSpec(
        "persistentvolumes",
        "PersistentVolume",
        "",
        "v1",
        False,
        short_names=("pv",),
        title="PersistentVolumes",
    ),
    KindSpec(
        "statefulsets",
        "StatefulSet",
        "apps",
        "v1",
        True,
        short_names=("sts",),
        title="StatefulSets",
        actions=LOOK | EDIT | {"scale", "restart"},  # a scale subresource and a pod template
        pods=PODS_OWNED,
        pod_spec=POD_TEMPLATE,
        selector=SELECTOR_MATCH,
        ports=PORTS_CONTAINERS,
    ),
    KindSpec(
        "daemonsets",
        "DaemonSet",
        "apps",
        "v1",
        True,
        short_names=("ds",),
        title="DaemonSets",
        actions=LOOK | EDIT | {"restart"},  # a pod template
        pods=PODS_OWNED,
        pod_spec=POD_TEMPLATE,
        selector=SELECTOR_MATCH,
        ports=PORTS_CONTAINERS,
    ),
    KindSpec(
        "jobs",
        "Job",
        "batch",
        "v1",
        True,
        title="Jobs",
        pods=PODS_OWNED,
        pod_spec=POD_TEMPLATE,
        selector=SELECTOR_MATCH,
        ports=PORTS_CONTAINERS,
    ),
    KindSpec(
        "cronjobs",
        "CronJob",
        "batch",
        "v1",
        True,
        short_names=("cj",),
        title="CronJobs",
        pod_spec=("spec", "jobTemplate", "spec", "template", "spec"),
        ports=PORTS_CONTAINERS,
    ),
    KindSpec(
        "ingresses", "Ingress", "networking.k8s.io", "v1", True, short_names=("ing",), title="Ingresses"
    ),
    KindSpec(
        "customresourcedefinitions",
        "CustomResourceDefinition",
        "apiextensions.k8s.io",
        "v1",
        False,
        short_names=("crd", "crds"),
        title="CustomResourceDefinitions",
    ),
)

BY_PLURAL: dict[str, KindSpec] = {k.plural: k for k in KINDS}
BY_KIND: dict[tuple[str, str], KindSpec] = {(k.api_version, k.kind): k for k in KINDS}
_BY_KIND_NAME: dict[str, KindSpec] = {k.kind: k for k in KINDS}

POD: KindSpec = next(k for k in KINDS if k.pods == PODS_SELF)  # the kind every pod relation yields
NAMESPACED: frozenset[str] = frozenset(k.plural for k in KINDS if k.namespaced)
WATCHED: tuple[str, ...] = tuple(k.plural for k in KINDS if k.watched)


def spec(plural: str) -> KindSpec:
    """The registry entry for a store key (``pods``); KeyError for kinds only discovery knows."""
    return BY_PLURAL[plural]


def of(obj: dict[str, Any]) -> KindSpec | None:
    """The registry entry of an object, by its ``apiVersion`` and ``kind`` (or its kind alone when a list
    left the apiVersion out)."""
    kind = str(obj.get("kind") or "")
    api_version = obj.get("apiVersion")
    if api_version:
        return BY_KIND.get((str(api_version), kind))
    return _BY_KIND_NAME.get(kind)


def showing(view: str) -> str:
    """The kind whose selected object ``view`` shows (the revisions of a Deployment, a Service's traffic)."""
    return next(k.plural for k in KINDS if k.detail == view)


def lookup(name: str) -> KindSpec | None:
    """The built-in kind a kubectl-style name means (``deploy``, ``Deployment``, ``deployments.apps``), by
    kubectl's rules (``kinds.names``), the same ones discovery resolves with."""
    return _resolve(name)


@functools.lru_cache(maxsize=512)
def _resolve(name: str) -> KindSpec | None:
    return names.resolve(KINDS, name)


def feeding(view: str) -> frozenset[str]:
    """The kinds whose changes redraw ``view``."""
    return frozenset(k.plural for k in KINDS if view in k.feeds)


def views_fed_by(plural: str) -> tuple[str, ...]:
    found = BY_PLURAL.get(plural)
    return found.feeds if found is not None else ()


def applies(action_id: str) -> frozenset[str]:
    """The kinds an action applies to, read from each kind's allowed actions."""
    return frozenset(k.plural for k in KINDS if action_id in k.actions)
