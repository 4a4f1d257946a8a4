"""Relations the UI draws, computed from the Store: Deployment → ReplicaSets → Pods, Node → Pods,
Service → Pods with its full traffic path (load balancer → NodePort → ClusterIP → pod IP:port), events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kubetui import kinds
from kubetui.cluster.relations_kinds import pods_using
from kubetui.cluster.store import Obj, Store
from kubetui.kinds import labels

REVISION = "deployment.kubernetes.io/revision"


def _meta(obj: Obj) -> dict[str, Any]:
    return obj.get("metadata") or {}


def revision_or_none(obj: Obj) -> int | None:
    """The ``deployment.kubernetes.io/revision`` annotation of a ReplicaSet or Deployment; None when absent or
    malformed. The one place kubetui reads it."""
    value = (_meta(obj).get("annotations") or {}).get(REVISION)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def revision(obj: Obj) -> int:
    """The revision as an int; 0 when absent or malformed (sorts first, as kubectl's history does)."""
    return revision_or_none(obj) or 0


def replicasets_of(store: Store, deployment: Obj) -> list[Obj]:
    """The Deployment's ReplicaSets, newest revision first (the active one is normally first)."""
    owned = store.owned_by("replicasets", _meta(deployment).get("uid", ""))
    return sorted(
        owned, key=lambda rs: (revision(rs), _meta(rs).get("creationTimestamp") or ""), reverse=True
    )


def pods_on_node(store: Store, node: Obj | str) -> list[Obj]:
    name = node if isinstance(node, str) else _meta(node).get("name", "")
    return store.pods_on_node(name)


def selector_pods(store: Store, namespace: str, selector: dict[str, str] | None) -> list[Obj]:
    """Pods a Service-style selector picks; a missing or empty selector picks none (as for Services)."""
    if not selector:
        return []
    return store.by_label("pods", selector, namespace)


def _pods_via_revisions(store: Store, deployment: Obj) -> list[Obj]:
    pods: list[Obj] = []
    for rs in replicasets_of(store, deployment):
        pods.extend(store.owned_by("pods", _meta(rs).get("uid", "")))
    return sorted(pods, key=lambda p: _meta(p).get("name", ""))


def _pods_selected(store: Store, service: Obj) -> list[Obj]:
    meta = _meta(service)
    selector = (service.get("spec") or {}).get("selector")
    if selector:
        return selector_pods(store, meta.get("namespace", ""), selector)
    found: dict[str, Obj] = {}
    for ep in _slice_endpoints(store, service):
        pod = _pod_of_endpoint(store, meta.get("namespace", ""), ep)
        if pod is not None:
            found[_meta(pod)["uid"]] = pod
    return sorted(found.values(), key=lambda p: _meta(p).get("name", ""))


# How each way a kind yields its pods (the registry's ``pods``) is computed; the one place for each.
_PODS: dict[str, Callable[[Store, Obj], list[Obj]]] = {
    kinds.PODS_SELF: lambda store, pod: [pod],
    kinds.PODS_REVISIONS: _pods_via_revisions,
    kinds.PODS_OWNED: lambda store, owner: store.owned_by("pods", _meta(owner).get("uid", "")),
    kinds.PODS_SELECTED: _pods_selected,
    kinds.PODS_ON_NODE: lambda store, node: store.pods_on_node(_meta(node).get("name", "")),
    kinds.PODS_USING: pods_using,
}


def _kind_of(obj: Obj, kind: str | None) -> kinds.KindSpec | None:
    return kinds.BY_PLURAL.get(kind) if kind else kinds.of(dict(obj))


def pods_of(store: Store, owner: Obj, kind: str | None = None) -> list[Obj]:
    """The pods that belong to ``owner`` as its kind's registry entry says: a Deployment's through its
    ReplicaSets, a ReplicaSet's, StatefulSet's, DaemonSet's or Job's own, a Service's by selector (else by its
    endpoints), a Node's scheduled there, a ConfigMap's, Secret's or PVC's users; a Pod is its own.
    ``kind`` is the store key when the caller knows it; otherwise the object's ``kind`` says."""
    found = _kind_of(owner, kind)
    how = _PODS.get(found.pods) if found is not None else None
    return how(store, owner) if how is not None else []


def pod_test(store: Store, owner: Obj, kind: str | None = None) -> Callable[[Obj], bool]:
    """A test that tells whether a pod belongs to ``owner`` (the same pods as ``pods_of``), cheap enough to
    run on every pod the watch delivers: the Pods pane narrowed to a Deployment or Node, or marked for a
    Service."""
    found = _kind_of(owner, kind)
    how = found.pods if found is not None else ""
    meta = _meta(owner)
    if how == kinds.PODS_REVISIONS:  # all revisions, so a rollout shows old and new pods
        rs_uids = {_meta(rs).get("uid") for rs in replicasets_of(store, owner)}
        return lambda pod: bool(_owner_uids(pod) & rs_uids)
    if how == kinds.PODS_OWNED:
        return lambda pod: meta.get("uid") in _owner_uids(pod)
    if how == kinds.PODS_ON_NODE:
        return lambda pod: (pod.get("spec") or {}).get("nodeName") == meta.get("name")
    if how == kinds.PODS_SELECTED:
        selector = (owner.get("spec") or {}).get("selector") or {}
        namespace = meta.get("namespace")

        def selected(pod: Obj) -> bool:
            pod_meta = _meta(pod)
            return pod_meta.get("namespace") == namespace and labels.map_matches(
                selector, pod_meta.get("labels")
            )

        return selected
    uids = {_meta(p).get("uid") for p in pods_of(store, owner, kind)}
    return lambda pod: _meta(pod).get("uid") in uids


def _owner_uids(obj: Obj) -> set[str]:
    return {ref.get("uid", "") for ref in _meta(obj).get("ownerReferences") or []}


def owner_chain(store: Store, obj: Obj) -> list[Obj]:
    """The controllers above ``obj`` that are in the store: for a Pod, [ReplicaSet, Deployment]."""
    chain: list[Obj] = []
    current = obj
    for _ in range(4):
        ref = next((r for r in _meta(current).get("ownerReferences") or () if r.get("controller")), None)
        if ref is None:
            break
        found = kinds.of(ref)
        parent = store.get(found.plural, ref.get("uid", "")) if found is not None else None
        if parent is None:
            break
        chain.append(parent)
        current = parent
    return chain


def events_for(store: Store, obj: Obj) -> list[Obj]:
    """Events about ``obj``, oldest first (like ``kubectl describe``)."""
    events = store.events_for_uid(_meta(obj).get("uid", ""))
    return sorted(events, key=_event_time)


def _event_time(event: Obj) -> str:
    return str(
        event.get("lastTimestamp")
        or event.get("eventTime")
        or event.get("firstTimestamp")
        or _meta(event).get("creationTimestamp")
        or ""
    )


# --- Service traffic path -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Hop:
    """One address:port the traffic passes through, with what it is (e.g. "node-1 InternalIP")."""

    address: str
    port: int
    label: str = ""

    def __str__(self) -> str:
        return f"{self.address}:{self.port}"


@dataclass(frozen=True)
class EndpointHop:
    """The last hop: one pod's IP and the container port the Service's targetPort resolves to there."""

    pod: str
    node: str
    ip: str
    port: int | None  # None when a named targetPort does not exist in that pod
    ready: bool
    container: str = ""
    target_kind: str = "Pod"
    """What the endpoint stands for: its targetRef's kind, '' when it has none (the API server's own
    addresses behind the ``kubernetes`` Service, or addresses written by hand)."""

    @property
    def is_pod(self) -> bool:
        return self.target_kind == kinds.POD.kind

    def __str__(self) -> str:
        return f"{self.ip}:{self.port if self.port is not None else '?'}"


@dataclass(frozen=True)
class PortRoute:
    """The path of one Service port: ingress → node ports → cluster IP → endpoints."""

    name: str
    protocol: str
    port: int
    target_port: int | str
    node_port: int | None
    load_balancers: tuple[Hop, ...]
    nodes: tuple[Hop, ...]
    cluster_ip: Hop | None
    endpoints: tuple[EndpointHop, ...]


@dataclass(frozen=True)
class TrafficPath:
    service: str
    namespace: str
    type: str
    cluster_ip: str
    external_name: str
    routes: tuple[PortRoute, ...]

    @property
    def ready_endpoints(self) -> int:
        return len({e.pod for r in self.routes for e in r.endpoints if e.ready})


def node_addresses(node: Obj) -> list[tuple[str, str]]:
    """(type, address) of a node's InternalIP and ExternalIP addresses, internal first."""
    addresses = (node.get("status") or {}).get("addresses") or []
    out = [(a["type"], a["address"]) for a in addresses if a.get("type") == "InternalIP" and a.get("address")]
    out += [
        (a["type"], a["address"]) for a in addresses if a.get("type") == "ExternalIP" and a.get("address")
    ]
    return out


def resolve_target_port(pod: Obj, target: int | str) -> tuple[int | None, str]:
    """(container port, container name) a targetPort means in ``pod``: numbers as is, names looked up."""
    containers = (pod.get("spec") or {}).get("containers") or []
    if isinstance(target, int) or (isinstance(target, str) and target.isdigit()):
        number = int(target)
        for c in containers:
            if any(p.get("containerPort") == number for p in c.get("ports") or ()):
                return number, c.get("name", "")
        return number, ""
    for c in containers:
        for p in c.get("ports") or ():
            if p.get("name") == target:
                return int(p["containerPort"]), c.get("name", "")
    return None, ""


def pod_ready(pod: Obj) -> bool:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def _slices_of(store: Store, service: Obj) -> list[Obj]:
    meta = _meta(service)
    return store.by_label(
        "endpointslices", {"kubernetes.io/service-name": meta.get("name", "")}, meta.get("namespace", "")
    )


def _slice_endpoints(store: Store, service: Obj) -> list[dict[str, Any]]:
    return [ep for s in _slices_of(store, service) for ep in s.get("endpoints") or ()]


def _pod_of_endpoint(store: Store, namespace: str, endpoint: dict[str, Any]) -> Obj | None:
    ref = endpoint.get("targetRef") or {}
    if ref.get("kind") != "Pod":
        return None
    pod = store.get("pods", ref.get("uid", "")) if ref.get("uid") else None
    return pod or store.find("pods", ref.get("namespace") or namespace, ref.get("name", ""))


def traffic_path(store: Store, service: Obj) -> TrafficPath:
    """Every hop of every port of ``service``, from its load balancer ingress down to each pod."""
    meta, spec = _meta(service), service.get("spec") or {}
    namespace = meta.get("namespace", "")
    stype = spec.get("type") or "ClusterIP"
    cluster_ip = spec.get("clusterIP") or ""
    ingress = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    nodes = store.list("nodes")
    pods = selector_pods(store, namespace, spec.get("selector"))
    slices = _slices_of(store, service)
    routes: list[PortRoute] = []
    for sp in spec.get("ports") or ():
        port = int(sp.get("port") or 0)
        target: int | str = sp.get("targetPort", port) or port
        node_port = sp.get("nodePort") if stype in ("NodePort", "LoadBalancer") else None
        lbs = tuple(
            Hop(i.get("ip") or i.get("hostname") or "", port, "load balancer")
            for i in ingress
            if i.get("ip") or i.get("hostname")
        )
        node_hops = (
            tuple(
                Hop(addr, int(node_port), f"{_meta(n).get('name', '')} {atype}")
                for n in nodes
                for atype, addr in node_addresses(n)
            )
            if node_port
            else ()
        )
        cip = Hop(cluster_ip, port, "cluster IP") if cluster_ip and cluster_ip != "None" else None
        endpoints = _endpoints_from_slices(store, namespace, slices, sp) if slices else ()
        if not endpoints:
            endpoints = tuple(
                _endpoint_from_pod(p, target) for p in pods if (p.get("status") or {}).get("podIP")
            )
        routes.append(
            PortRoute(
                name=sp.get("name") or "",
                protocol=sp.get("protocol") or "TCP",
                port=port,
                target_port=target,
                node_port=int(node_port) if node_port else None,
                load_balancers=lbs,
                nodes=node_hops,
                cluster_ip=cip,
                endpoints=endpoints,
            )
        )
    return TrafficPath(
        service=meta.get("name", ""),
        namespace=namespace,
        type=stype,
        cluster_ip=cluster_ip,
        external_name=spec.get("externalName") or "",
        routes=tuple(routes),
    )


def _endpoint_from_pod(pod: Obj, target: int | str) -> EndpointHop:
    number, container = resolve_target_port(pod, target)
    return EndpointHop(
        pod=_meta(pod).get("name", ""),
        node=(pod.get("spec") or {}).get("nodeName") or "",
        ip=(pod.get("status") or {}).get("podIP") or "",
        port=number,
        ready=pod_ready(pod),
        container=container,
    )


def _endpoints_from_slices(
    store: Store, namespace: str, slices: list[Obj], service_port: dict[str, Any]
) -> tuple[EndpointHop, ...]:
    name = service_port.get("name") or ""
    target: int | str = service_port.get("targetPort", service_port.get("port")) or 0
    out: dict[tuple[str, str], EndpointHop] = {}
    for s in slices:
        # The slice already carries the resolved number for each named service port.
        number = next((p.get("port") for p in s.get("ports") or () if (p.get("name") or "") == name), None)
        for ep in s.get("endpoints") or ():
            pod = _pod_of_endpoint(store, namespace, ep)
            container = ""
            port = number
            if pod is not None:
                resolved, container = resolve_target_port(pod, target)
                port = port if port is not None else resolved
            ready = (ep.get("conditions") or {}).get("ready")
            for ip in ep.get("addresses") or ():
                hop = EndpointHop(
                    pod=(ep.get("targetRef") or {}).get("name")
                    or (_meta(pod).get("name", "") if pod else ""),
                    node=ep.get("nodeName") or ((pod.get("spec") or {}).get("nodeName", "") if pod else ""),
                    ip=ip,
                    port=port,
                    ready=bool(ready) if ready is not None else True,
                    container=container,
                    target_kind=(ep.get("targetRef") or {}).get("kind") or ("Pod" if pod else ""),
                )
                out[(ip, hop.pod)] = hop
    return tuple(sorted(out.values(), key=lambda e: e.pod))
