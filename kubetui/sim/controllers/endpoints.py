"""Services' Endpoints and EndpointSlices from the pods their selector matches, and load-balancer addresses."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Any

from kubetui.sim.errors import ApiError
from kubetui.sim.store import DELETED, Event

from .base import Controller, Key, Obj, key_of, map_matches, meta, owner_ref
from .replicaset import pod_is_ready

SLICES = "endpointslices.discovery.k8s.io"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY = "endpointslice.kubernetes.io/managed-by"


def _resolve_port(port: dict[str, Any], pod: Obj) -> int | None:
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    for c in (pod.get("spec") or {}).get("containers") or []:
        for cp in c.get("ports") or []:
            if cp.get("name") == target and cp.get("protocol", "TCP") == port.get("protocol", "TCP"):
                return int(cp["containerPort"])
    return None


class EndpointsController(Controller):
    name = "endpoint-controller"
    rtypes = ("services", "pods")

    def keys_for(self, event: Event) -> Iterable[Key]:
        if event.rtype == "services":
            if event.type == DELETED:
                self.clock.forget(_slice_stream(*key_of(event.obj)))
            return [key_of(event.obj)]
        ns = meta(event.obj).get("namespace") or ""
        keys = []
        labels = [meta(o).get("labels") for o in (event.obj, event.old) if o]
        for svc in self.store.iter("services"):
            if meta(svc).get("namespace") != ns:
                continue
            selector = (svc.get("spec") or {}).get("selector")
            if any(map_matches(selector, lab) for lab in labels):
                keys.append(key_of(svc))
        return keys

    def resync(self) -> None:
        for svc in self.store.iter("services"):
            self.enqueue(key_of(svc))
        # Endpoints left behind by a Service deleted while the cluster was down.
        for ep in self.store.iter("endpoints"):
            if self.store.get("services", *key_of(ep)) is None:
                self.enqueue(key_of(ep))

    def reconcile(self, key: Key) -> None:
        ns, name = key
        svc = self.store.get("services", ns, name)
        if svc is None:
            for rtype in ("endpoints",):
                with contextlib.suppress(ApiError):
                    self.store.delete(rtype, ns, name)
            return
        spec = svc.get("spec") or {}
        if spec.get("type") == "LoadBalancer":
            svc = self._load_balancer(svc)
        elif ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress"):
            # No longer a LoadBalancer: the address goes, as a cloud's service controller releases it.
            svc = self.store.update(
                "services", {**svc, "status": {"loadBalancer": {}}}, check_version=False, subresource="status"
            )
        selector = spec.get("selector")
        if not selector or spec.get("type") == "ExternalName":
            return  # endpoints of selector-less Services are managed by hand
        pods = [
            p
            for p in self.store.list("pods", ns)
            if map_matches(selector, meta(p).get("labels"))
            and (p.get("status") or {}).get("podIP")
            and (p.get("status") or {}).get("phase") not in ("Succeeded", "Failed")
        ]
        self._endpoints(svc, pods)
        self._slice(svc, pods)

    def _load_balancer(self, svc: Obj) -> Obj:
        ingress = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress")
        if ingress:
            return svc
        ip = self.cluster.admission.load_balancer_ip()
        status = {"loadBalancer": {"ingress": [{"ip": ip, "ipMode": "VIP"}]}}
        return self.store.update(
            "services", {**svc, "status": status}, check_version=False, subresource="status"
        )

    @staticmethod
    def _address(pod: Obj) -> dict[str, Any]:
        m = meta(pod)
        return {
            "ip": pod["status"]["podIP"],
            "nodeName": (pod.get("spec") or {}).get("nodeName", ""),
            "targetRef": {"kind": "Pod", "namespace": m.get("namespace"), "name": m["name"], "uid": m["uid"]},
        }

    def _endpoints(self, svc: Obj, pods: list[Obj]) -> None:
        ns, name = key_of(svc)
        ports = (svc.get("spec") or {}).get("ports") or []
        # Pods whose named ports resolve differently land in different subsets, as in Kubernetes.
        groups: dict[tuple, dict[str, list]] = {}
        for pod in pods:
            if meta(pod).get("deletionTimestamp"):
                continue
            resolved = []
            for p in ports:
                num = _resolve_port(p, pod)
                if num is not None:
                    entry = {"port": num, "protocol": p.get("protocol", "TCP")}
                    if p.get("name"):
                        entry["name"] = p["name"]
                    resolved.append(entry)
            sig = tuple((e.get("name", ""), e["port"], e["protocol"]) for e in resolved)
            group = groups.setdefault(sig, {"addresses": [], "notReadyAddresses": [], "ports": resolved})
            group["addresses" if pod_is_ready(pod) else "notReadyAddresses"].append(self._address(pod))
        subsets = []
        for group in groups.values():
            subset: dict[str, Any] = {}
            for k in ("addresses", "notReadyAddresses"):
                if group[k]:
                    subset[k] = sorted(group[k], key=lambda a: a["ip"])
            if group["ports"]:
                subset["ports"] = group["ports"]
            subsets.append(subset)
        labels = dict(meta(svc).get("labels") or {})
        existing = self.store.get("endpoints", ns, name)
        obj: dict[str, Any] = {"metadata": {"name": name, "namespace": ns, "labels": labels}}
        if subsets:
            obj["subsets"] = subsets
        if existing is None:
            self.store.create("endpoints", obj)
        elif existing.get("subsets") != obj.get("subsets") or (meta(existing).get("labels") or {}) != labels:
            self.store.update(
                "endpoints",
                {**existing, "metadata": {**meta(existing), "labels": labels}, "subsets": subsets},
                check_version=False,
            )

    def _slice(self, svc: Obj, pods: list[Obj]) -> None:
        ns, name = key_of(svc)
        ports = (svc.get("spec") or {}).get("ports") or []
        endpoints = []
        slice_ports: list[dict[str, Any]] = []
        for pod in sorted(pods, key=lambda p: p["status"]["podIP"]):
            terminating = bool(meta(pod).get("deletionTimestamp"))
            ready = pod_is_ready(pod)
            addr = self._address(pod)
            endpoints.append(
                {
                    "addresses": [addr["ip"]],
                    "conditions": {
                        "ready": ready and not terminating,
                        "serving": ready,
                        "terminating": terminating,
                    },
                    "nodeName": addr["nodeName"],
                    "targetRef": addr["targetRef"],
                }
            )
            if not slice_ports:
                for p in ports:
                    num = _resolve_port(p, pod)
                    if num is not None:
                        slice_ports.append(
                            {"name": p.get("name", ""), "port": num, "protocol": p.get("protocol", "TCP")}
                        )
        current = [
            s
            for s in self.store.iter(SLICES)
            if meta(s).get("namespace") == ns
            and (meta(s).get("labels") or {}).get(SERVICE_NAME_LABEL) == name
        ]
        labels = {
            **(meta(svc).get("labels") or {}),
            SERVICE_NAME_LABEL: name,
            MANAGED_BY: "endpointslice-controller.k8s.io",
        }
        body = {"addressType": "IPv4", "endpoints": endpoints, "ports": slice_ports if endpoints else []}
        if not current:
            obj = {
                "metadata": {
                    "name": f"{name}-{self.clock.suffix(_slice_stream(ns, name))}",
                    "namespace": ns,
                    "labels": labels,
                    "ownerReferences": [owner_ref(svc)],
                    "generateName": f"{name}-",
                },
                **body,
            }
            with contextlib.suppress(ApiError):
                self.store.create(SLICES, obj)
            return
        first, extra = current[0], current[1:]
        if any(first.get(k) != v for k, v in body.items()) or meta(first).get("labels") != labels:
            self.store.update(
                SLICES, {**first, **body, "metadata": {**meta(first), "labels": labels}}, check_version=False
            )
        for s in extra:
            with contextlib.suppress(ApiError):
                self.store.delete(SLICES, ns, meta(s)["name"])


def _slice_stream(namespace: str, service: str) -> str:
    """The random stream a Service's EndpointSlice names are drawn from."""
    return f"endpointslices/{namespace}/{service}"
