"""enter on a row of a kind's list: what the object is connected to, in the words a learner needs
(StatefulSet → its ordered pods, DaemonSet → a pod per node, CronJob → Jobs → pods, Ingress → Services →
pods, PVC → volume and pods, ConfigMap/Secret → the pods that use it)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from kubetui.cluster import relations, relations_kinds
from kubetui.cluster.errors import ClusterError
from kubetui.cluster.render import pod_status


def _pod_line(pod: dict[str, Any], indent: str = "  ") -> str:
    meta, spec = pod.get("metadata") or {}, pod.get("spec") or {}
    return f"{indent}pod {meta.get('name', '')}  {pod_status(pod)}  on {spec.get('nodeName') or '(not scheduled)'}"


Lines = list[str]


async def _ordered_pods(session: Any, obj: dict[str, Any]) -> Lines:
    pods = relations_kinds.owned_pods(session.store, obj)
    return [f"{len(pods)} pods, in order:", *(_pod_line(p) for p in pods)] if pods else ["no pods yet"]


async def _pod_per_node(session: Any, obj: dict[str, Any]) -> Lines:
    on = relations_kinds.pods_by_node(session.store, obj)
    pods = (f"  node {node} → {_pod_line(pod, '').strip()}" for node, pod in sorted(on.items()))
    return [f"one pod per node ({len(on)}):", *pods]


async def _jobs_and_pods(session: Any, obj: dict[str, Any]) -> Lines:
    # Jobs are not in the session's cache (only what a view watches is): one list, as describe reads events
    path = f"/apis/batch/v1/namespaces/{(obj.get('metadata') or {}).get('namespace', '')}/jobs"
    try:
        listed = await session.call(lambda conn: conn.request("GET", path))
    except ClusterError as exc:
        return [f"its Jobs could not be listed: {exc.message}"]
    jobs = relations_kinds.jobs_of(obj, listed.get("items") or [])
    lines = [f"{len(jobs)} Jobs:"] if jobs else ["no Jobs yet"]
    for job in jobs:
        lines.append(f"  job {(job.get('metadata') or {}).get('name', '')}")
        lines += [_pod_line(p, "    ") for p in relations_kinds.owned_pods(session.store, job)]
    return lines


async def _services_to_pods(session: Any, obj: dict[str, Any]) -> Lines:
    store, namespace = session.store, (obj.get("metadata") or {}).get("namespace", "")
    lines = []
    for host, path, service, port in relations_kinds.ingress_services(obj):
        lines.append(f"{host}{path if path != '*' else ''} → service {service}:{port}")
        svc = store.find("services", namespace, service)
        if svc is None:
            lines.append("  (no such Service)")
            continue
        for route in relations.traffic_path(store, svc).routes:
            lines += [f"  → pod {e.pod} {e}{'' if e.ready else ' (not ready)'}" for e in route.endpoints]
    return lines or ["no backends"]


async def _volume_and_pods(session: Any, obj: dict[str, Any]) -> Lines:
    volume = (obj.get("spec") or {}).get("volumeName") or "(not bound yet)"
    pods = relations_kinds.pods_using(session.store, obj)
    return [f"volume {volume}", f"mounted by {len(pods)} pods:", *(_pod_line(p) for p in pods)]


async def _users(session: Any, obj: dict[str, Any]) -> Lines:
    pods = relations_kinds.pods_using(session.store, obj)
    return [f"used by {len(pods)} pods:", *(_pod_line(p) for p in pods)]


# The relations each kind takes part in, by the objects' kind.
RELATED: dict[str, Callable[[Any, dict[str, Any]], Awaitable[Lines]]] = {
    "StatefulSet": _ordered_pods,
    "Job": _ordered_pods,
    "ReplicaSet": _ordered_pods,
    "DaemonSet": _pod_per_node,
    "CronJob": _jobs_and_pods,
    "Ingress": _services_to_pods,
    "PersistentVolumeClaim": _volume_and_pods,
    "ConfigMap": _users,
    "Secret": _users,
}


async def related_lines(session: Any, obj: dict[str, Any]) -> Lines:
    kind = str(obj.get("kind", ""))
    found = RELATED.get(kind)
    return await found(session, obj) if found is not None else [f"kubetui knows no relations of a {kind}"]


async def show_related(app: Any, obj: dict[str, Any]) -> None:
    from kubetui.screens.object_view import ObjectScreen

    meta = obj.get("metadata") or {}
    lines = await related_lines(app.session, obj)
    title = f"{obj.get('kind', '')} {meta.get('name', '')}: related"
    app.push_screen(ObjectScreen(title, "\n".join(lines), id="related"))
