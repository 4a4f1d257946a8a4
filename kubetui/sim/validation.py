"""Object validation as kube-apiserver does it: names, labels, required fields, ranges and immutable fields.

Each check returns (reason, field, message) causes worded like the real server; ``validate`` raises one 422
Invalid listing all of them, before anything is stored.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from kubetui.kinds.labels import selector_matches
from kubetui.sim import errors, validation_data, validation_pod
from kubetui.sim.resources import ResourceType

Obj = dict[str, Any]
Cause = tuple[str, str, str]

_DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")

SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1035_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
    "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for "
    "validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
)
LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)
SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
PROTOCOLS = ("SCTP", "TCP", "UDP")


def go_repr(value: Any) -> str:
    """A value as kube-apiserver prints it in validation messages: strings quoted, numbers bare, maps and lists
    as compact JSON."""
    if isinstance(value, str):
        return '"' + value.replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return orjson.dumps(value).decode()
    return str(value)


def _invalid(field: str, value: Any, detail: str) -> Cause:
    return ("FieldValueInvalid", field, f"Invalid value: {go_repr(value)}: {detail}")


def _required(field: str) -> Cause:
    return ("FieldValueRequired", field, "Required value")


def name_causes(rt: ResourceType, name: Any, field: str = "metadata.name") -> list[Cause]:
    if not isinstance(name, str) or not name:
        return [_required(field)]
    if rt.key in ("namespaces",):
        ok, msg, limit = bool(_DNS1123_LABEL.match(name)), LABEL_MSG, 63
    elif rt.key == "services":
        ok, msg, limit = bool(_DNS1035_LABEL.match(name)), DNS1035_MSG, 63
    else:
        ok, msg, limit = bool(_DNS1123_SUBDOMAIN.match(name)), SUBDOMAIN_MSG, 253
    out: list[Cause] = []
    if len(name) > limit:
        out.append(_invalid(field, name, f"must be no more than {limit} characters"))
    if not ok:
        out.append(_invalid(field, name, msg))
    return out


def dns_label_error(name: str) -> str | None:
    """The message a name that is not a DNS-1123 label gets, or None."""
    if _DNS1123_LABEL.match(name) and len(name) <= 63:
        return None
    return LABEL_MSG


def _label_causes(labels: Any, field: str) -> list[Cause]:
    if labels is None:
        return []
    if not isinstance(labels, dict):
        return [_invalid(field, labels, "must be a map of strings")]
    out: list[Cause] = []
    for k, v in labels.items():
        name = k.rsplit("/", 1)[-1]
        prefix = k.rsplit("/", 1)[0] if "/" in k else ""
        if (
            not name
            or len(name) > 63
            or not _QUALIFIED_NAME.match(name)
            or (prefix and not _DNS1123_SUBDOMAIN.match(prefix))
        ):
            out.append(
                _invalid(
                    field,
                    k,
                    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                    "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                    "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                )
            )
        if not isinstance(v, str) or len(v) > 63 or not _LABEL_VALUE.match(v):
            out.append(_invalid(field, v, LABEL_VALUE_MSG))
    return out


def _port_causes(value: Any, field: str) -> list[Cause]:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 65535:
        return [_invalid(field, value, "must be between 1 and 65535, inclusive")]
    return []


def pod_spec_causes(spec: Any, field: str) -> list[Cause]:
    if not isinstance(spec, dict):
        return [_required(field)]
    out: list[Cause] = []
    containers = spec.get("containers")
    if not containers:
        out.append(_required(f"{field}.containers"))
    seen: set[str] = set()
    for group in ("initContainers", "containers"):
        for i, c in enumerate(spec.get(group) or []):
            cf = f"{field}.{group}[{i}]"
            if not isinstance(c, dict):
                out.append(_invalid(cf, c, "must be an object"))
                continue
            name = c.get("name")
            if not name:
                out.append(_required(f"{cf}.name"))
            elif not _DNS1123_LABEL.match(str(name)):
                out.append(_invalid(f"{cf}.name", name, LABEL_MSG))
            elif name in seen:
                out.append(("FieldValueDuplicate", f"{cf}.name", f"Duplicate value: {go_repr(name)}"))
            else:
                seen.add(name)
            if not c.get("image"):
                out.append(_required(f"{cf}.image"))
            for j, p in enumerate(c.get("ports") or []):
                pf = f"{cf}.ports[{j}]"
                if not isinstance(p, dict):
                    continue
                out += _port_causes(p.get("containerPort"), f"{pf}.containerPort")
                if p.get("protocol") is not None and p["protocol"] not in PROTOCOLS:
                    out.append(_unsupported(f"{pf}.protocol", p["protocol"], PROTOCOLS))
    return out


def _unsupported(field: str, value: Any, allowed: tuple[str, ...]) -> Cause:
    values = ", ".join(go_repr(a) for a in allowed)
    return (
        "FieldValueNotSupported",
        field,
        f"Unsupported value: {go_repr(value)}: supported values: {values}",
    )


def _workload_causes(rt: ResourceType, obj: Obj) -> list[Cause]:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [_required("spec.selector"), _required("spec.template.spec.containers")]
    out: list[Cause] = []
    replicas = spec.get("replicas")
    if replicas is not None and (not isinstance(replicas, int) or replicas < 0):
        out.append(_invalid("spec.replicas", replicas, "must be greater than or equal to 0"))
    selector = spec.get("selector")
    template = spec.get("template") or {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    if not selector:
        out.append(_required("spec.selector"))
    elif not (selector.get("matchLabels") or selector.get("matchExpressions")):
        out.append(_invalid("spec.selector", "{}", f"empty selector is invalid for {rt.singular}"))
    elif not selector_matches(selector, labels):
        out.append(
            _invalid("spec.template.metadata.labels", labels, "`selector` does not match template `labels`")
        )
    out += _label_causes(labels, "spec.template.metadata.labels")
    out += pod_spec_causes(template.get("spec"), "spec.template.spec")
    policy = (template.get("spec") or {}).get("restartPolicy")
    if policy is not None and policy != "Always":
        out.append(_unsupported("spec.template.spec.restartPolicy", policy, ("Always",)))
    if rt.kind == "Deployment":
        out += _strategy_causes(spec.get("strategy"))
    return out


def _is_zero(value: Any) -> bool:
    return value in (0, "0", "0%")


def _strategy_causes(strategy: Any) -> list[Cause]:
    if not isinstance(strategy, dict):
        return []
    kind = strategy.get("type")
    rolling = strategy.get("rollingUpdate")
    if kind is not None and kind not in ("Recreate", "RollingUpdate"):
        # The Go struct, as %+v-ish JSON of the internal type, is what the real message shows.
        shown = orjson.dumps({"Type": kind, "RollingUpdate": rolling}).decode()
        return [
            (
                "FieldValueNotSupported",
                "spec.strategy",
                f'Unsupported value: {shown}: supported values: "Recreate", "RollingUpdate"',
            )
        ]
    if kind == "Recreate" and rolling is not None:
        return [
            (
                "FieldValueForbidden",
                "spec.strategy.rollingUpdate",
                "Forbidden: may not be specified when strategy `type` is 'Recreate'",
            )
        ]
    if not isinstance(rolling, dict):
        return []
    field = "spec.strategy.rollingUpdate"
    out = [
        *_int_or_percent_causes(rolling.get("maxUnavailable"), f"{field}.maxUnavailable"),
        *_int_or_percent_causes(rolling.get("maxSurge"), f"{field}.maxSurge"),
    ]
    if _is_zero(rolling.get("maxSurge")) and _is_zero(rolling.get("maxUnavailable")):
        out.append(
            _invalid(
                f"{field}.maxUnavailable", rolling.get("maxUnavailable"), "may not be 0 when `maxSurge` is 0"
            )
        )
    unavailable = rolling.get("maxUnavailable")
    if isinstance(unavailable, str) and _PERCENT.match(unavailable) and int(unavailable[:-1]) > 100:
        out.append(_invalid(f"{field}.maxUnavailable", unavailable, "must not be greater than 100%"))
    return out


_PERCENT = re.compile(r"^[0-9]+%$")
PERCENT_MSG = (
    "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex "
    "used for validation is '[0-9]+%')"
)


def _int_or_percent_causes(value: Any, field: str) -> list[Cause]:
    """maxSurge and maxUnavailable: a non-negative count, or a percentage written as digits and '%'."""
    if isinstance(value, str) and not _PERCENT.match(value):
        return [_invalid(field, value, PERCENT_MSG)]
    if isinstance(value, int) and not isinstance(value, bool) and value < 0:
        return [_invalid(field, value, "must be greater than or equal to 0")]
    return []


def _service_causes(obj: Obj) -> list[Cause]:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [_required("spec.ports")]
    out: list[Cause] = []
    stype = spec.get("type", "ClusterIP")
    if stype not in SERVICE_TYPES:
        out.append(_unsupported("spec.type", stype, SERVICE_TYPES))
    ports = spec.get("ports") or []
    if stype == "ExternalName":
        if not spec.get("externalName"):
            out.append(_required("spec.externalName"))
    elif not ports and spec.get("clusterIP") != "None":
        out.append(_required("spec.ports"))
    if spec.get("clusterIP") == "None" and stype in ("NodePort", "LoadBalancer"):
        out.append(_invalid("spec.clusterIPs[0]", "None", f"may not be set to 'None' for {stype} services"))
    names: set[str] = set()
    for i, p in enumerate(ports):
        pf = f"spec.ports[{i}]"
        if not isinstance(p, dict):
            continue
        out += _port_causes(p.get("port"), f"{pf}.port")
        if len(ports) > 1 and not p.get("name"):
            out.append(_required(f"{pf}.name"))
        if p.get("name"):
            if p["name"] in names:
                out.append(("FieldValueDuplicate", f"{pf}.name", f"Duplicate value: {go_repr(p['name'])}"))
            names.add(p["name"])
        if p.get("protocol") is not None and p["protocol"] not in PROTOCOLS:
            out.append(_unsupported(f"{pf}.protocol", p["protocol"], PROTOCOLS))
        tp = p.get("targetPort", p.get("port"))  # defaulted to the port before validation
        if isinstance(tp, int) and not isinstance(tp, bool):
            out += _port_causes(tp, f"{pf}.targetPort")
        node_port = p.get("nodePort")
        if node_port:
            if stype not in ("NodePort", "LoadBalancer"):
                out.append(
                    _invalid(f"{pf}.nodePort", node_port, "may not be used when `type` is 'ClusterIP'")
                )
            elif not isinstance(node_port, int) or not 30000 <= node_port <= 32767:
                out.append(
                    _invalid(
                        f"{pf}.nodePort",
                        node_port,
                        "provided port is not in the valid range. The range of valid ports is 30000-32767",
                    )
                )
    return out


def validate(rt: ResourceType, obj: Obj, old: Obj | None = None, *, subresource: str = "") -> None:
    """Raises 422 Invalid with every cause found; ``old`` is the stored object for updates, ``subresource``
    "status" for a write of the status (whose own rules apply then)."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        meta = {}
    name = meta.get("name", "")
    causes: list[Cause] = []
    causes += name_causes(rt, name)
    causes += _label_causes(meta.get("labels"), "metadata.labels")
    annotations = meta.get("annotations")
    if annotations is not None and (
        not isinstance(annotations, dict) or not all(isinstance(v, str) for v in annotations.values())
    ):
        causes.append(_invalid("metadata.annotations", annotations, "must be a map of strings"))
    if rt.key in ("deployments.apps", "replicasets.apps"):
        causes += _workload_causes(rt, obj)
    elif rt.key == "pods":
        causes += pod_spec_causes(obj.get("spec"), "spec")
        if isinstance(obj.get("spec"), dict):
            causes += validation_pod.spec_causes(obj["spec"])
    elif rt.key == "services":
        causes += _service_causes(obj)
    if rt.key in ("configmaps", "secrets"):
        # Updates check immutability before the content, as kube-apiserver orders the causes.
        if old is not None:
            causes += validation_data.immutable_causes(rt.kind, obj, old)
        causes += validation_data.config_causes(rt.kind, obj)
    elif rt.key == "pods":
        causes += _restart_policy_causes(obj.get("spec"))
    if old is not None:
        causes += _immutable_causes(rt, obj, old)
    if rt.key == "services" and subresource == "status":
        causes += _load_balancer_causes(obj)
    if causes:
        raise errors.invalid(rt.kind, str(name), causes, rt.group)


def _restart_policy_causes(spec: Any) -> list[Cause]:
    policy = spec.get("restartPolicy") if isinstance(spec, dict) else None
    if policy is not None and policy not in ("Always", "OnFailure", "Never"):
        return [_unsupported("spec.restartPolicy", policy, ("Always", "OnFailure", "Never"))]
    return []


def _load_balancer_causes(obj: Obj) -> list[Cause]:
    ingress = ((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress")
    if ingress and (obj.get("spec") or {}).get("type") != "LoadBalancer":
        return [
            (
                "FieldValueForbidden",
                "status.loadBalancer.ingress",
                "Forbidden: may only be used when `spec.type` is 'LoadBalancer'",
            )
        ]
    return []


def _immutable_causes(rt: ResourceType, obj: Obj, old: Obj) -> list[Cause]:
    out: list[Cause] = []
    spec, old_spec = obj.get("spec") or {}, old.get("spec") or {}
    if rt.key in ("deployments.apps", "replicasets.apps") and spec.get("selector") != old_spec.get(
        "selector"
    ):
        out.append(_invalid("spec.selector", spec.get("selector"), "field is immutable"))
    if rt.key == "services":
        old_ip, new_ip = old_spec.get("clusterIP"), spec.get("clusterIP")
        if old_ip and new_ip and old_ip != new_ip and spec.get("type") != "ExternalName":
            out.append(_invalid("spec.clusterIPs[0]", [new_ip], "may not change once set"))
    if rt.key == "pods" and old_spec.get("containers") and spec:
        out += validation_pod.update_causes(old_spec, spec)
    return out
