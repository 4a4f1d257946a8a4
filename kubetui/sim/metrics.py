"""``metrics.k8s.io/v1beta1`` of the built-in cluster: what metrics-server would report for its pods and nodes.

Usage is plausible and stable: each running container uses its image's idle footprint plus a steady share of
what it requests (the share fixed per container by a hash of its name), never more than its limit. A node
uses what its pods use plus the system's own share. Pods and nodes that metrics-server could not scrape (not
running, not ready) are absent, as they are from the real API. Figures refresh at ``RESOLUTION``.
"""

from __future__ import annotations

import time
import zlib
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web

from kubetui.cluster.quantity import parse_quantity
from kubetui.sim import errors
from kubetui.sim.images import parse_image
from kubetui.sim.selectors import make_filter

if TYPE_CHECKING:
    from kubetui.sim.api import Api

Obj = dict[str, Any]

GROUP = "metrics.k8s.io"
VERSION = "v1beta1"
GROUP_VERSION = f"{GROUP}/{VERSION}"
RESOLUTION = 15  # seconds, metrics-server's default --metric-resolution

_MI = 1024 * 1024
# Idle footprint per image: (millicores, MiB).
_IDLE: dict[str, tuple[float, float]] = {
    "registry.k8s.io/e2e-test-images/agnhost": (1.0, 9.0),
    "docker.io/library/nginx": (0.0, 3.5),
    "gcr.io/google-samples/kubernetes-bootcamp": (1.0, 17.0),
    "docker.io/jocatalin/kubernetes-bootcamp": (1.0, 17.0),
    "docker.io/library/busybox": (0.0, 0.4),
    "registry.k8s.io/coredns/coredns": (3.0, 14.0),
    "registry.k8s.io/pause": (0.0, 0.3),
    "registry.example.com/team/myapp": (6.0, 58.0),
    "kubetui.test/logger": (12.0, 6.0),
}
_UNKNOWN = (2.0, 12.0)


def _q(text: str) -> float:
    try:
        return float(parse_quantity(text).value)
    except ValueError:
        return 0.0


def _share(*parts: object) -> float:
    """A stable number in [0, 1) for these parts."""
    return (zlib.crc32(":".join(str(p) for p in parts).encode()) % 10_000) / 10_000


def container_usage(namespace: str, pod: str, container: Obj) -> tuple[int, int]:
    """(nanocores, bytes) one running container uses."""
    cpu_m, mem_mi = _IDLE.get(parse_image(str(container.get("image") or "")).name, _UNKNOWN)
    res = container.get("resources") or {}
    req, lim = res.get("requests") or {}, res.get("limits") or {}
    name = container.get("name")
    h = _share(namespace, pod, name)
    cpu = cpu_m * 1e6 * (0.8 + 0.4 * h)
    mem = mem_mi * _MI * (0.9 + 0.2 * h)
    if "cpu" in req:
        cpu += _q(str(req["cpu"])) * 1e9 * (0.05 + 0.3 * _share(pod, name, "cpu"))
    if "memory" in req:
        mem += _q(str(req["memory"])) * (0.2 + 0.4 * _share(pod, name, "mem"))
    if "cpu" in lim:
        cpu = min(cpu, _q(str(lim["cpu"])) * 1e9 * 0.95)
    if "memory" in lim:
        mem = min(mem, _q(str(lim["memory"])) * 0.95)
    return int(cpu), int(mem) // 1024 * 1024


def _running_containers(pod: Obj) -> set[str]:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return {str(s.get("name")) for s in statuses if "running" in (s.get("state") or {})}


def pod_usage(pod: Obj) -> list[tuple[str, int, int]] | None:
    """(container, nanocores, bytes) per container, or None if metrics-server would have nothing yet."""
    status = pod.get("status") or {}
    if status.get("phase") != "Running" or not (pod.get("spec") or {}).get("nodeName"):
        return None
    running = _running_containers(pod)
    if not running:
        return None
    meta = pod["metadata"]
    out = []
    for c in (pod.get("spec") or {}).get("containers") or []:
        if c.get("name") in running:
            cpu, mem = container_usage(meta.get("namespace") or "", meta["name"], c)
            out.append((str(c.get("name")), cpu, mem))
    return out


def _node_ready(node: Obj) -> bool:
    conds = (node.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conds)


def pods_usage_by_node(pods: list[Obj]) -> dict[str, tuple[int, int]]:
    """(nanocores, bytes) the pods on each node use, summed once for a whole request."""
    sums: dict[str, tuple[int, int]] = {}
    for pod in pods:
        node = str((pod.get("spec") or {}).get("nodeName") or "")
        for _, c, m in (pod_usage(pod) or []) if node else []:
            cpu, mem = sums.get(node, (0, 0))
            sums[node] = (cpu + c, mem + m)
    return sums


def node_usage(node: Obj, pods: list[Obj] | dict[str, tuple[int, int]]) -> tuple[int, int] | None:
    """A node's usage: the system's share plus its pods' (``pods`` a list, or sums from pods_usage_by_node)."""
    if not _node_ready(node):
        return None
    cap = (node.get("status") or {}).get("capacity") or {}
    cores = _q(str(cap.get("cpu", "2")))
    mem_total = _q(str(cap.get("memory", "2Gi")))
    name = node["metadata"]["name"]
    h = _share("node", name)
    cpu = cores * 1e9 * (0.02 + 0.02 * h)  # kubelet, the container runtime, the system
    mem = min(mem_total * 0.08, 600 * _MI) * (0.8 + 0.4 * h)
    sums = pods if isinstance(pods, dict) else pods_usage_by_node(pods)
    pod_cpu, pod_mem = sums.get(name, (0, 0))
    return int(cpu + pod_cpu), int(mem + pod_mem) // 1024 * 1024


def _stamp(api: Api) -> tuple[str, str]:
    """(timestamp, window) of the latest scrape: the start of the current resolution period."""
    now = time.time()
    t = now - now % RESOLUTION
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)), f"{RESOLUTION}s"


def _cpu(n: int) -> str:
    return f"{n}n"


def _mem(b: int) -> str:
    return f"{b // 1024}Ki"


def pod_metrics(api: Api, pod: Obj) -> Obj | None:
    usage = pod_usage(pod)
    if usage is None:
        return None
    meta = pod["metadata"]
    ts, window = _stamp(api)
    return {
        "metadata": {
            "name": meta["name"],
            "namespace": meta.get("namespace"),
            "creationTimestamp": ts,
            "labels": meta.get("labels") or {},
        },
        "timestamp": ts,
        "window": window,
        "containers": [{"name": n, "usage": {"cpu": _cpu(c), "memory": _mem(m)}} for n, c, m in usage],
    }


def node_metrics(api: Api, node: Obj, pods: list[Obj] | dict[str, tuple[int, int]]) -> Obj | None:
    usage = node_usage(node, pods)
    if usage is None:
        return None
    ts, window = _stamp(api)
    meta = node["metadata"]
    return {
        "metadata": {"name": meta["name"], "creationTimestamp": ts, "labels": meta.get("labels") or {}},
        "timestamp": ts,
        "window": window,
        "usage": {"cpu": _cpu(usage[0]), "memory": _mem(usage[1])},
    }


def group_doc() -> Obj:
    gv = {"groupVersion": GROUP_VERSION, "version": VERSION}
    return {"name": GROUP, "versions": [gv], "preferredVersion": gv}


def with_group(group_list: Obj) -> Obj:
    """The ``/apis`` document with this group added, as the aggregator lists metrics-server's APIService."""
    return {**group_list, "groups": [*group_list.get("groups", []), group_doc()]}


def resource_list() -> Obj:
    def entry(name: str, kind: str, namespaced: bool) -> Obj:
        return {
            "name": name,
            "singularName": "",
            "namespaced": namespaced,
            "kind": kind,
            "verbs": ["get", "list"],
        }

    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": GROUP_VERSION,
        "resources": [entry("nodes", "NodeMetrics", False), entry("pods", "PodMetrics", True)],
    }


def _json(data: Any) -> web.Response:
    return web.Response(body=orjson.dumps(data), content_type="application/json")


def _not_found(kind: str, name: str) -> errors.ApiError:
    return errors.ApiError(404, "NotFound", f'{kind}.{GROUP} "{name}" not found')


async def handle(api: Api, request: web.Request, parts: list[str]) -> web.StreamResponse:
    """Serves ``/apis/metrics.k8s.io/...`` (``parts`` are the path's segments)."""
    if request.method != "GET":
        raise errors.method_not_allowed()
    if len(parts) == 2:
        return _json({"kind": "APIGroup", "apiVersion": "v1", **group_doc()})
    if parts[2] != VERSION:
        raise errors.ApiError(404, "NotFound", "the server could not find the requested resource")
    rest = parts[3:]
    if not rest:
        return _json(resource_list())
    namespace: str | None = None
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    if rest[0] not in ("pods", "nodes") or len(rest) > 2 or (rest[0] == "nodes" and namespace):
        raise errors.ApiError(404, "NotFound", "the server could not find the requested resource")
    kind = "PodMetrics" if rest[0] == "pods" else "NodeMetrics"
    store = api.store
    pods = store.list("pods")
    sums = pods_usage_by_node(pods) if rest[0] == "nodes" else {}
    filt = make_filter(request.query.get("labelSelector"), None, rest[0])
    if rest[0] == "pods":
        objs = [p for p in pods if namespace is None or (p["metadata"].get("namespace") or "") == namespace]
    else:
        objs = store.list("nodes")
    if len(rest) == 2:
        obj = next((o for o in objs if o["metadata"]["name"] == rest[1]), None)
        item = None
        if obj is not None:
            item = pod_metrics(api, obj) if kind == "PodMetrics" else node_metrics(api, obj, sums)
        if item is None:
            raise _not_found(rest[0], rest[1])
        return _json({"kind": kind, "apiVersion": GROUP_VERSION, **item})
    if filt is not None:
        objs = [o for o in objs if filt(o)]
    items = [pod_metrics(api, o) if kind == "PodMetrics" else node_metrics(api, o, sums) for o in objs]
    return _json(
        {
            "kind": f"{kind}List",
            "apiVersion": GROUP_VERSION,
            "metadata": {},
            "items": [i for i in items if i is not None],
        }
    )
