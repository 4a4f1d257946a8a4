"""Mutating admission: the defaults a real API server fills in, and Service IP and port allocation."""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING, Any

from kubetui.sim import errors
from kubetui.sim.images import parse_image

from .base import Obj

if TYPE_CHECKING:
    from kubetui.sim.cluster import SimCluster

SERVICE_CIDR = ipaddress.ip_network("10.96.0.0/12")
KUBERNETES_SERVICE_IP = "10.96.0.1"
NODE_PORT_RANGE = (30000, 32767)
LB_PREFIX = "172.18.255."


TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
_SUFFIX_CHARS = "bcdfghjklmnpqrstvwxz2456789"


def default_container(c: dict[str, Any]) -> None:
    ref = parse_image(c.get("image") or "")
    has_tag = ":" in (c.get("image") or "").rsplit("/", 1)[-1] or "@" in (c.get("image") or "")
    c.setdefault("imagePullPolicy", "Always" if ref.tag == "latest" or not has_tag else "IfNotPresent")
    c.setdefault("terminationMessagePath", "/dev/termination-log")
    c.setdefault("terminationMessagePolicy", "File")
    c.setdefault("resources", {})
    for port in c.get("ports") or []:
        port.setdefault("protocol", "TCP")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        p = c.get(probe)
        if isinstance(p, dict):
            p.setdefault("timeoutSeconds", 1)
            p.setdefault("periodSeconds", 10)
            p.setdefault("successThreshold", 1)
            p.setdefault("failureThreshold", 3)


def default_pod_spec(spec: dict[str, Any]) -> None:
    """Defaults shared by Pods and pod templates (what the API server's defaulting functions set)."""
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    for c in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        if isinstance(c, dict):
            default_container(c)


def default_template(template: dict[str, Any] | None) -> None:
    if not isinstance(template, dict):
        return
    template.setdefault("metadata", {})
    spec = template.setdefault("spec", {})
    if isinstance(spec, dict):
        default_pod_spec(spec)


def qos_class(spec: dict[str, Any]) -> str:
    containers = spec.get("containers") or []
    requests = [(c.get("resources") or {}).get("requests") or {} for c in containers]
    limits = [(c.get("resources") or {}).get("limits") or {} for c in containers]
    if not any(requests) and not any(limits):
        return "BestEffort"
    for req, lim in zip(requests, limits, strict=False):
        for res in ("cpu", "memory"):
            if res not in lim or req.get(res, lim[res]) != lim[res]:
                return "Burstable"
    return "Guaranteed"


class Admission:
    """``admit(rtype, obj, old)`` mutates ``obj`` in place before the API layer stores it."""

    def __init__(self, cluster: SimCluster):
        self.cluster = cluster

    def admit(self, rtype: str, obj: Obj, old: Obj | None) -> Obj:
        handler = getattr(self, "_" + rtype.split(".")[0], None)
        if handler is not None:
            handler(obj, old)
        return obj

    # -- per resource --------------------------------------------------------------------------------------

    def _pods(self, obj: Obj, old: Obj | None) -> None:
        spec = obj.setdefault("spec", {})
        default_pod_spec(spec)
        if old is None:
            spec.setdefault("serviceAccountName", spec.get("serviceAccount") or "default")
            spec.setdefault("serviceAccount", spec["serviceAccountName"])
            spec.setdefault("enableServiceLinks", True)
            spec.setdefault("priority", 0)
            spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
            tolerations = spec.setdefault("tolerations", [])
            keys = {t.get("key") for t in tolerations}
            for taint in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
                if taint not in keys:
                    tolerations.append(
                        {"key": taint, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
                    )
            self._service_account_token(obj, spec)
            status = obj.setdefault("status", {})
            status.setdefault("phase", "Pending")
            status["qosClass"] = qos_class(spec)

    def _service_account_token(self, obj: Obj, spec: dict[str, Any]) -> None:
        """The ServiceAccount admission plugin's projected token volume, mounted in every container."""
        if spec.get("automountServiceAccountToken") is False:
            return
        ns = (obj.get("metadata") or {}).get("namespace") or ""
        account = self.cluster.store.get("serviceaccounts", ns, spec.get("serviceAccountName") or "default")
        if account is not None and account.get("automountServiceAccountToken") is False:
            return
        containers = [c for c in spec.get("containers") or [] if isinstance(c, dict)]
        if any(m.get("mountPath") == TOKEN_PATH for c in containers for m in c.get("volumeMounts") or []):
            return
        rng = self.cluster.clock.rng("api-access")  # a stream of its own: other draws stay as they were
        name = "kube-api-access-" + "".join(rng.choice(_SUFFIX_CHARS) for _ in range(5))
        spec.setdefault("volumes", []).append(
            {
                "name": name,
                "projected": {
                    "sources": [
                        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                        {
                            "configMap": {
                                "name": "kube-root-ca.crt",
                                "items": [{"key": "ca.crt", "path": "ca.crt"}],
                            }
                        },
                        {
                            "downwardAPI": {
                                "items": [
                                    {
                                        "path": "namespace",
                                        "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"},
                                    }
                                ]
                            }
                        },
                    ],
                    "defaultMode": 420,
                },
            }
        )
        for c in [*containers, *(c for c in spec.get("initContainers") or [] if isinstance(c, dict))]:
            c.setdefault("volumeMounts", []).append({"name": name, "readOnly": True, "mountPath": TOKEN_PATH})

    def _deployments(self, obj: Obj, old: Obj | None) -> None:
        spec = obj.setdefault("spec", {})
        spec.setdefault("replicas", 1)
        strategy = spec.setdefault("strategy", {})
        strategy.setdefault("type", "RollingUpdate")
        if strategy["type"] == "RollingUpdate":
            ru = strategy.setdefault("rollingUpdate", {})
            ru.setdefault("maxSurge", "25%")
            ru.setdefault("maxUnavailable", "25%")
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
        default_template(spec.get("template"))

    def _replicasets(self, obj: Obj, old: Obj | None) -> None:
        spec = obj.setdefault("spec", {})
        spec.setdefault("replicas", 1)
        default_template(spec.get("template"))

    def _namespaces(self, obj: Obj, old: Obj | None) -> None:
        name = (obj.get("metadata") or {}).get("name", "")
        labels = obj.setdefault("metadata", {}).setdefault("labels", {})
        labels["kubernetes.io/metadata.name"] = name
        spec = obj.setdefault("spec", {})
        if old is None:
            spec.setdefault("finalizers", ["kubernetes"])
            obj["status"] = {"phase": "Active"}
        else:
            obj.setdefault("status", old.get("status") or {"phase": "Active"})

    def _secrets(self, obj: Obj, old: Obj | None) -> None:
        obj.setdefault("type", "Opaque")

    def _services(self, obj: Obj, old: Obj | None) -> None:
        name = (obj.get("metadata") or {}).get("name", "")
        spec = obj.setdefault("spec", {})
        spec.setdefault("type", "ClusterIP")
        svc_type = spec["type"]
        old_spec = (old or {}).get("spec") or {}
        if svc_type == "ExternalName":
            for key in ("clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"):
                spec.pop(key, None)
        else:
            spec.setdefault("sessionAffinity", "None")
            spec.setdefault("internalTrafficPolicy", "Cluster")
            self._cluster_ip(name, spec, old_spec)
            spec.setdefault("ipFamilies", ["IPv4"])
            spec.setdefault("ipFamilyPolicy", "SingleStack")
        for port in spec.get("ports") or []:
            port.setdefault("protocol", "TCP")
            if "port" in port:
                port.setdefault("targetPort", port["port"])
        if svc_type in ("NodePort", "LoadBalancer"):
            spec.setdefault("externalTrafficPolicy", "Cluster")
            self._node_ports(obj, spec, old_spec)
        else:
            for port in spec.get("ports") or []:
                port.pop("nodePort", None)
            spec.pop("externalTrafficPolicy", None)
        if svc_type == "LoadBalancer":
            spec.setdefault("allocateLoadBalancerNodePorts", True)
        elif spec.get("allocateLoadBalancerNodePorts") == old_spec.get("allocateLoadBalancerNodePorts"):
            # kube-apiserver drops what only a LoadBalancer uses when the type changes and the field did not.
            spec.pop("allocateLoadBalancerNodePorts", None)
        obj.setdefault("status", (old or {}).get("status") or {"loadBalancer": {}})
        if svc_type != "LoadBalancer":
            obj["status"] = {"loadBalancer": {}}

    # -- allocation ----------------------------------------------------------------------------------------

    def _cluster_ip(self, name: str, spec: dict[str, Any], old_spec: dict[str, Any]) -> None:
        wanted = spec.get("clusterIP") or (spec.get("clusterIPs") or [None])[0]
        previous = old_spec.get("clusterIP")
        if previous and previous != "None":
            if wanted and wanted != previous:
                raise errors.invalid(
                    "Service", name, [("FieldValueInvalid", "spec.clusterIPs[0]", "may not change once set")]
                )
            wanted = previous
        elif wanted and wanted != "None":
            try:
                ip = ipaddress.ip_address(wanted)
            except ValueError:
                raise errors.invalid(
                    "Service",
                    name,
                    [
                        (
                            "FieldValueInvalid",
                            "spec.clusterIPs[0]",
                            f'Invalid value: "{wanted}": must be a valid IP address',
                        )
                    ],
                ) from None
            if ip not in SERVICE_CIDR:
                raise errors.invalid(
                    "Service",
                    name,
                    [
                        (
                            "FieldValueInvalid",
                            "spec.clusterIPs",
                            f'Invalid value: []string{{"{wanted}"}}: failed to allocate IP {wanted}: '
                            f"the provided IP ({wanted}) is not in the valid range. The range of valid IPs is {SERVICE_CIDR}",
                        )
                    ],
                )
            if wanted in self._used_cluster_ips(name, spec):
                raise errors.invalid(
                    "Service",
                    name,
                    [
                        (
                            "FieldValueInvalid",
                            "spec.clusterIPs",
                            f'Invalid value: []string{{"{wanted}"}}: failed to allocate IP {wanted}: '
                            "provided IP is already allocated",
                        )
                    ],
                )
        elif not wanted:
            wanted = self._new_cluster_ip()
        spec["clusterIP"] = wanted
        spec["clusterIPs"] = [wanted]

    def _used_cluster_ips(self, name: str = "", spec: dict[str, Any] | None = None) -> set[str]:
        used = {KUBERNETES_SERVICE_IP}
        for svc in self.cluster.store.iter("services"):
            ip = (svc.get("spec") or {}).get("clusterIP")
            if ip and ip != "None":
                used.add(ip)
        return used

    def _new_cluster_ip(self) -> str:
        used = self._used_cluster_ips()
        rng = self.cluster.clock.rng("cluster-ip")
        base = int(SERVICE_CIDR.network_address)
        while True:
            ip = str(ipaddress.ip_address(base + rng.randrange(16, SERVICE_CIDR.num_addresses - 1)))
            if ip not in used:
                return ip

    def _node_ports(self, obj: Obj, spec: dict[str, Any], old_spec: dict[str, Any]) -> None:
        m = obj.get("metadata") or {}
        name, namespace = m.get("name", ""), m.get("namespace") or "default"
        used: set[int] = set()
        for svc in self.cluster.store.iter("services"):
            sm = svc.get("metadata") or {}
            if (sm.get("namespace"), sm.get("name")) == (namespace, name):
                continue
            for p in (svc.get("spec") or {}).get("ports") or []:
                if p.get("nodePort"):
                    used.add(int(p["nodePort"]))
        old_ports = {
            (p.get("port"), p.get("protocol", "TCP")): p.get("nodePort") for p in old_spec.get("ports") or []
        }
        rng = self.cluster.clock.rng("node-port")
        lo, hi = NODE_PORT_RANGE
        for i, port in enumerate(spec.get("ports") or []):
            np = port.get("nodePort") or old_ports.get((port.get("port"), port.get("protocol", "TCP")))
            if np:
                np = int(np)
                field = f"spec.ports[{i}].nodePort"
                if not lo <= np <= hi:
                    raise errors.invalid(
                        "Service",
                        name,
                        [
                            (
                                "FieldValueInvalid",
                                field,
                                f"Invalid value: {np}: provided port is not in the valid range. "
                                f"The range of valid ports is {lo}-{hi}",
                            )
                        ],
                    )
                if np in used:
                    raise errors.invalid(
                        "Service",
                        name,
                        [
                            (
                                "FieldValueInvalid",
                                field,
                                f"Invalid value: {np}: provided port is already allocated",
                            )
                        ],
                    )
            else:
                np = rng.randint(lo, hi)
                while np in used:
                    np = rng.randint(lo, hi)
            used.add(np)
            port["nodePort"] = np

    def load_balancer_ip(self) -> str:
        """The next free ingress address for a LoadBalancer Service (as metallb or klipper would hand out)."""
        used = set()
        for svc in self.cluster.store.iter("services"):
            for ing in ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []:
                used.add(ing.get("ip"))
        for n in range(1, 255):
            ip = f"{LB_PREFIX}{n}"
            if ip not in used:
                return ip
        raise errors.ApiError(500, "InternalError", "no load balancer addresses left")
