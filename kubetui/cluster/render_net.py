"""Rows for Services, Endpoints and EndpointSlices as kubectl prints them (ports, external IPs, selectors)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kubetui.cluster.render_time import timestamp_since

Obj = Mapping[str, Any]


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))


def _age(obj: Obj, now: float) -> str:
    return timestamp_since((obj.get("metadata") or {}).get("creationTimestamp"), now)


def format_labels(labels: Mapping[str, str] | None) -> str:
    """``labels.FormatLabels``: ``k=v,k2=v2`` sorted by key, ``<none>`` when empty."""
    if not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def _load_balancer_ips(status: Obj) -> str:
    # kubectl's client-side printer would shorten a long list in the narrow view, but `kubectl get` prints the
    # server's Table, and kube-apiserver always builds Tables in wide form: the list is printed whole.
    found: set[str] = set()
    for ingress in ((status.get("loadBalancer") or {}).get("ingress")) or []:
        if ingress.get("ip"):
            found.add(ingress["ip"])
        elif ingress.get("hostname"):
            found.add(ingress["hostname"])
    return ",".join(sorted(found))


def service_external_ip(obj: Obj, wide: bool = False) -> str:
    """The EXTERNAL-IP cell: ``<none>``, ``<pending>``, load balancer ingress, or the external name."""
    spec = obj.get("spec") or {}
    external = list(spec.get("externalIPs") or [])
    svc_type = spec.get("type") or "ClusterIP"
    if svc_type in ("ClusterIP", "NodePort"):
        return ",".join(external) if external else "<none>"
    if svc_type == "LoadBalancer":
        lb = _load_balancer_ips(obj.get("status") or {})
        if external:
            return ",".join([*(lb.split(",") if lb else []), *external])
        return lb or "<pending>"
    if svc_type == "ExternalName":
        return str(spec.get("externalName", ""))
    return "<unknown>"


def service_ports(ports: Iterable[Obj]) -> str:
    """``80/TCP`` or ``80:31234/TCP`` per port, comma separated."""
    pieces = []
    for port in ports:
        protocol = port.get("protocol") or "TCP"
        if port.get("nodePort"):
            pieces.append(f"{port.get('port')}:{port['nodePort']}/{protocol}")
        else:
            pieces.append(f"{port.get('port')}/{protocol}")
    return ",".join(pieces)


def service_cells(obj: Obj, now: float, wide: bool) -> tuple[str, ...]:
    spec = obj.get("spec") or {}
    cluster_ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    cells = (
        _name(obj),
        spec.get("type") or "ClusterIP",
        cluster_ips[0] if cluster_ips else "<none>",
        service_external_ip(obj, wide),
        service_ports(spec.get("ports") or []) or "<none>",
        _age(obj, now),
    )
    return (*cells, format_labels(spec.get("selector"))) if wide else cells


def format_endpoints(obj: Obj, limit: int = 3) -> str:
    """The ENDPOINTS cell: up to three ``ip:port`` then ``+ N more...``; ``<none>`` without subsets."""
    subsets = obj.get("subsets") or []
    if not subsets:
        return "<none>"
    shown: list[str] = []
    count = 0
    more = False
    for subset in subsets:
        addresses = subset.get("addresses") or []
        ports = subset.get("ports") or []
        if not ports:
            count += len(addresses)
            for address in addresses:
                if len(shown) == limit:
                    more = True
                    break
                shown.append(address.get("ip", ""))
            continue
        for port in ports:
            count += len(addresses)
            for address in addresses:
                if len(shown) == limit:
                    more = True
                    break
                ip = address.get("ip", "")
                host = f"[{ip}]" if ":" in ip else ip
                shown.append(f"{host}:{port.get('port')}")
    text = ",".join(shown)
    return f"{text} + {count - limit} more..." if more else text


def endpoints_cells(obj: Obj, now: float, wide: bool) -> tuple[str, ...]:
    return (_name(obj), format_endpoints(obj), _age(obj, now))


def _more(items: list[str], count: int, limit: int = 3) -> str:
    """kubectl's ``listWithMoreString``: the first three, ``+ N more...``, ``<unset>`` when empty."""
    text = ",".join(items[:limit])
    if count > limit:
        return f"{text} + {count - limit} more..."
    return text or "<unset>"


def endpointslice_cells(obj: Obj, now: float, wide: bool) -> tuple[str, ...]:
    """NAME ADDRESSTYPE PORTS ENDPOINTS AGE; a port without a number shows its name, or ``*``."""
    ports = [
        str(p["port"]) if p.get("port") is not None else (p.get("name") or "*")
        for p in obj.get("ports") or []
    ]
    addresses = [a for ep in obj.get("endpoints") or [] for a in ep.get("addresses") or []]
    return (
        _name(obj),
        str(obj.get("addressType", "")),
        _more(ports, len(ports)),
        _more(addresses, len(addresses)),
        _age(obj, now),
    )
