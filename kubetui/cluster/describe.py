"""``kubectl describe``-like text for pods, deployments, replicasets, services, nodes and secrets.

The ``describe_*`` functions are pure (object + related objects + events → text); ``describe`` fetches
what they need over a Connection. Secret values are never shown, only their sizes, as kubectl does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kubetui.cluster.connection import Connection
from kubetui.cluster.describe_cluster import describe_node, describe_secret
from kubetui.cluster.describe_text import (
    DescribeWriter,
    controlled_by,
    format_node_selector,
    meta,
    rfc1123z,
    write_annotations,
    write_conditions,
    write_container,
    write_events,
    write_map,
    write_pod_template,
    write_tolerations,
    write_volumes,
)
from kubetui.cluster.errors import ClusterError
from kubetui.cluster.render import format_label_selector, format_labels, service_external_ip
from kubetui.cluster.render_net import format_endpoints
from kubetui.cluster.resources import resource_for

Obj = Mapping[str, Any]


def describe_pod(pod: Obj, events: Sequence[Obj] | None = None, now: float | None = None) -> str:
    now = time.time() if now is None else now
    w = DescribeWriter()
    m, spec, status = meta(pod), pod.get("spec") or {}, pod.get("status") or {}
    w.line(0, "Name:", m.get("name", ""))
    w.line(0, "Namespace:", m.get("namespace", ""))
    if spec.get("priority") is not None:
        w.line(0, "Priority:", spec["priority"])
    if spec.get("priorityClassName"):
        w.line(0, "Priority Class Name:", spec["priorityClassName"])
    w.line(0, "Service Account:", spec.get("serviceAccountName", ""))
    node = spec.get("nodeName")
    w.line(0, "Node:", f"{node}/{status.get('hostIP', '')}" if node else "<none>")
    if status.get("startTime"):
        w.line(0, "Start Time:", rfc1123z(status["startTime"]))
    write_map(w, "Labels", m.get("labels"))
    write_annotations(w, m.get("annotations"))
    if m.get("deletionTimestamp"):
        w.line(0, "Status:", f"Terminating (lasts {_since(m['deletionTimestamp'], now)})")
        w.line(0, "Termination Grace Period:", f"{m.get('deletionGracePeriodSeconds', 30)}s")
    else:
        w.line(0, "Status:", status.get("phase", ""))
    if status.get("reason"):
        w.line(0, "Reason:", status["reason"])
    if status.get("message"):
        w.line(0, "Message:", status["message"])
    w.line(0, "IP:", status.get("podIP", ""))
    ips = status.get("podIPs") or []
    if not ips:
        w.line(0, "IPs:", "<none>")
    else:
        w.write(0, "IPs:")
        for ip in ips:
            w.line(1, "IP:", ip.get("ip", ""))
    owner = controlled_by(pod)
    if owner:
        w.line(0, "Controlled By:", owner)
    for field, status_field, title in (
        ("initContainers", "initContainerStatuses", "Init Containers"),
        ("containers", "containerStatuses", "Containers"),
    ):
        containers = spec.get(field) or []
        if not containers:
            continue
        statuses = {s.get("name"): s for s in status.get(status_field) or []}
        w.write(0, f"{title}:")
        for container in containers:
            write_container(w, container, statuses.get(container.get("name"), {}), 1, template=False)
    write_conditions(w, status.get("conditions") or [], with_reason=False)
    write_volumes(w, spec.get("volumes") or [])
    w.line(0, "QoS Class:", status.get("qosClass", ""))
    w.line(0, "Node-Selectors:", format_node_selector(spec.get("nodeSelector")))
    write_tolerations(w, spec.get("tolerations") or [])
    write_events(w, events if events is not None else [], now)
    return w.text()


def _since(value: Any, now: float) -> str:
    from kubetui.cluster.render_time import timestamp_since

    return timestamp_since(value, now)


def describe_deployment(
    deployment: Obj,
    replicasets: Sequence[Obj] | None = None,
    events: Sequence[Obj] | None = None,
    now: float | None = None,
) -> str:
    now = time.time() if now is None else now
    w = DescribeWriter()
    m, spec, status = meta(deployment), deployment.get("spec") or {}, deployment.get("status") or {}
    w.line(0, "Name:", m.get("name", ""))
    w.line(0, "Namespace:", m.get("namespace", ""))
    w.line(0, "CreationTimestamp:", rfc1123z(m.get("creationTimestamp")))
    write_map(w, "Labels", m.get("labels"))
    write_annotations(w, m.get("annotations"))
    w.line(0, "Selector:", format_label_selector(spec.get("selector")))
    w.line(
        0,
        "Replicas:",
        f"{spec.get('replicas', 1)} desired | {status.get('updatedReplicas', 0)} updated | "
        f"{status.get('replicas', 0)} total | {status.get('availableReplicas', 0)} available | "
        f"{status.get('unavailableReplicas', 0)} unavailable",
    )
    strategy = spec.get("strategy") or {}
    w.line(0, "StrategyType:", strategy.get("type", "RollingUpdate"))
    w.line(0, "MinReadySeconds:", spec.get("minReadySeconds", 0))
    rolling = strategy.get("rollingUpdate")
    if rolling:
        w.line(
            0,
            "RollingUpdateStrategy:",
            f"{rolling.get('maxUnavailable', '25%')} max unavailable, {rolling.get('maxSurge', '25%')} max surge",
        )
    if spec.get("paused"):
        w.line(0, "Paused:", "true")
    write_pod_template(w, spec.get("template") or {})
    write_conditions(w, status.get("conditions") or [], with_reason=True)
    if replicasets is not None:
        template = spec.get("template") or {}
        from kubetui.cluster.rollout import templates_equal

        new = [
            rs
            for rs in replicasets
            if templates_equal((rs.get("spec") or {}).get("template") or {}, template)
        ]
        old = [
            rs for rs in replicasets if rs not in new and ((rs.get("spec") or {}).get("replicas") or 0) > 0
        ]
        w.line(0, "OldReplicaSets:", ", ".join(_rs_summary(rs) for rs in old) or "<none>")
        w.line(0, "NewReplicaSet:", _rs_summary(new[0]) if new else "<none>")
    write_events(w, events if events is not None else [], now)
    return w.text()


def _rs_summary(rs: Obj) -> str:
    return f"{meta(rs).get('name')} ({(rs.get('status') or {}).get('replicas', 0)}/{(rs.get('spec') or {}).get('replicas', 0)} replicas created)"


def describe_replicaset(
    rs: Obj, pods: Sequence[Obj] | None = None, events: Sequence[Obj] | None = None, now: float | None = None
) -> str:
    now = time.time() if now is None else now
    w = DescribeWriter()
    m, spec, status = meta(rs), rs.get("spec") or {}, rs.get("status") or {}
    w.line(0, "Name:", m.get("name", ""))
    w.line(0, "Namespace:", m.get("namespace", ""))
    w.line(0, "Selector:", format_label_selector(spec.get("selector")))
    write_map(w, "Labels", m.get("labels"))
    write_annotations(w, m.get("annotations"))
    owner = controlled_by(rs)
    if owner:
        w.line(0, "Controlled By:", owner)
    w.line(0, "Replicas:", f"{status.get('replicas', 0)} current / {spec.get('replicas', 1)} desired")
    phases = [(p.get("status") or {}).get("phase") for p in pods or []]
    w.line(
        0,
        "Pods Status:",
        f"{phases.count('Running')} Running / {phases.count('Pending')} Waiting / "
        f"{phases.count('Succeeded')} Succeeded / {phases.count('Failed')} Failed",
    )
    write_pod_template(w, spec.get("template") or {})
    write_conditions(w, status.get("conditions") or [], with_reason=True)
    write_events(w, events if events is not None else [], now)
    return w.text()


def describe_service(
    service: Obj, endpoints: Obj | None = None, events: Sequence[Obj] | None = None, now: float | None = None
) -> str:
    now = time.time() if now is None else now
    w = DescribeWriter()
    m, spec = meta(service), service.get("spec") or {}
    w.line(0, "Name:", m.get("name", ""))
    w.line(0, "Namespace:", m.get("namespace", ""))
    write_map(w, "Labels", m.get("labels"))
    write_annotations(w, m.get("annotations"))
    w.line(0, "Selector:", format_labels(spec.get("selector")))
    svc_type = spec.get("type") or "ClusterIP"
    w.line(0, "Type:", svc_type)
    if spec.get("ipFamilyPolicy"):
        w.line(0, "IP Family Policy:", spec["ipFamilyPolicy"])
    if spec.get("ipFamilies"):
        w.line(0, "IP Families:", ",".join(spec["ipFamilies"]))
    if svc_type == "ExternalName":
        w.line(0, "External Name:", spec.get("externalName", ""))
    else:
        w.line(0, "IP:", spec.get("clusterIP", ""))
        w.line(0, "IPs:", ",".join(spec.get("clusterIPs") or [spec.get("clusterIP", "")]))
    if spec.get("externalIPs"):
        w.line(0, "External IPs:", ",".join(spec["externalIPs"]))
    if svc_type == "LoadBalancer":
        ingress = service_external_ip(service, wide=True)
        if ingress not in ("<pending>", ""):
            w.line(0, "LoadBalancer Ingress:", ingress)
    for port in spec.get("ports") or []:
        name = port.get("name") or "<unset>"
        proto = port.get("protocol") or "TCP"
        w.line(0, "Port:", f"{name}  {port.get('port')}/{proto}")
        target = port.get("targetPort", port.get("port"))
        w.line(0, "TargetPort:", f"{target}/{proto}")
        if port.get("nodePort"):
            w.line(0, "NodePort:", f"{name}  {port['nodePort']}/{proto}")
        if endpoints is not None:
            w.line(0, "Endpoints:", _endpoints_for_port(endpoints, port))
    w.line(0, "Session Affinity:", spec.get("sessionAffinity", "None"))
    if svc_type in ("NodePort", "LoadBalancer"):
        w.line(0, "External Traffic Policy:", spec.get("externalTrafficPolicy", "Cluster"))
    if spec.get("internalTrafficPolicy"):
        w.line(0, "Internal Traffic Policy:", spec["internalTrafficPolicy"])
    write_events(w, events if events is not None else [], now)
    return w.text()


def _endpoints_for_port(endpoints: Obj, port: Obj) -> str:
    subsets = []
    for subset in endpoints.get("subsets") or []:
        ports = [p for p in subset.get("ports") or [] if (p.get("name") or "") == (port.get("name") or "")]
        if ports:
            subsets.append({**subset, "ports": ports})
    text = format_endpoints({"subsets": subsets})
    return "" if text == "<none>" else text


async def describe(
    conn: Connection, kind: str, namespace: str, name: str, *, now: float | None = None
) -> str:
    """Fetch ``kind/name`` and what its description needs (owned objects, events) and describe it."""
    from kubetui.cluster.ops import events_for

    res = resource_for(kind)
    obj = await conn.request("GET", res.path(namespace, name))
    obj.setdefault("kind", res.kind)
    if res.plural == "secrets":
        return describe_secret(obj)
    events = await events_for(conn, obj)
    if res.plural == "pods":
        return describe_pod(obj, events, now)
    if res.plural == "deployments":
        listed = await conn.request("GET", resource_for("replicasets").path(namespace))
        uid = meta(obj).get("uid")
        owned = [rs for rs in listed.get("items") or [] if _owned_by(rs, uid)]
        return describe_deployment(obj, owned, events, now)
    if res.plural == "replicasets":
        listed = await conn.request("GET", resource_for("pods").path(namespace))
        pods = [p for p in listed.get("items") or [] if _owned_by(p, meta(obj).get("uid"))]
        return describe_replicaset(obj, pods, events, now)
    if res.plural == "services":
        try:
            endpoints = await conn.request("GET", resource_for("endpoints").path(namespace, name))
        except Exception:
            endpoints = {}
        return describe_service(obj, endpoints, events, now)
    if res.plural == "nodes":
        selector = f"spec.nodeName={name},status.phase!=Failed,status.phase!=Succeeded"
        listed = await conn.request("GET", "/api/v1/pods", query={"fieldSelector": selector})
        pods = [p for p in listed.get("items") or [] if (p.get("spec") or {}).get("nodeName") == name]
        lease: dict[str, Any] | None = None
        lease_error: str | None = None
        try:
            lease = await conn.request(
                "GET", f"/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/{name}"
            )
        except ClusterError as exc:
            lease_error = exc.server_message
        return describe_node(obj, pods, events, now, lease=lease, lease_error=lease_error)
    raise KeyError(f"kubetui cannot describe {res.plural} yet")


def _owned_by(obj: Obj, uid: Any) -> bool:
    return any(
        ref.get("uid") == uid and ref.get("controller") for ref in meta(obj).get("ownerReferences") or []
    )


DESCRIBERS: dict[str, Callable[..., str]] = {
    "pods": describe_pod,
    "deployments": describe_deployment,
    "replicasets": describe_replicaset,
    "services": describe_service,
    "nodes": describe_node,
    "secrets": describe_secret,
}
