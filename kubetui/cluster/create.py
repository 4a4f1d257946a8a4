"""Creating workloads and Services the way ``kubectl create deployment`` and ``kubectl expose`` build them."""

from __future__ import annotations

import random
import string
from collections.abc import Mapping, Sequence
from typing import Any

from kubetui import kinds
from kubetui.cluster.connection import Connection
from kubetui.cluster.errors import Invalid
from kubetui.cluster.resources import resource_for
from kubetui.cluster.validation import FIELD_MANAGER, check_name, dry_run_query
from kubetui.kinds import objects

# --- create deployment / expose ----------------------------------------------------------------------


def container_name_for(image: str) -> str:
    """kubectl's container name for an image: last path part without tag or digest, ``_``/``.`` replaced."""
    name = image.split("/")[-1]
    name = name.split(":")[0]
    name = name.split("@")[0]
    if "_" in name or "." in name:
        # kubectl appends a random suffix here so two such images never collide.
        suffix = "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(5))
        name = f"{name.replace('_', '-').replace('.', '-')}-{suffix}"
    return name


def deployment_manifest(
    name: str,
    images: Sequence[str],
    replicas: int = 1,
    port: int | None = None,
    command: Sequence[str] | None = None,
) -> dict[str, Any]:
    """The object ``kubectl create deployment NAME --image=... [--replicas] [--port] -- CMD ARGS`` sends."""
    labels = {"app": name}
    containers: list[dict[str, Any]] = []
    for image in images:
        container: dict[str, Any] = {"name": container_name_for(image), "image": image}
        if command:
            container["command"] = list(command)
        container["resources"] = {}
        containers.append(container)
    if port is not None and containers:
        containers[0]["ports"] = [{"containerPort": port}]
    return {
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": {"name": name, "labels": dict(labels)},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {"containers": containers},
            },
            "strategy": {},
        },
        "status": {},
    }


async def create_deployment(
    conn: Connection,
    namespace: str,
    name: str,
    image: str | Sequence[str],
    replicas: int = 1,
    port: int | None = None,
    command: Sequence[str] | None = None,
    *,
    dry_run: bool = False,
) -> dict[str, Any]:
    """``kubectl create deployment NAME --image=I [--replicas=N] [--port=P] [-- CMD ARGS]``."""
    images = [image] if isinstance(image, str) else list(image)
    check_name("Deployment", name)
    if not images or not all(images):
        raise Invalid('error: required flag(s) "image" not set', 0)
    if command and len(images) > 1:
        raise Invalid("error: cannot specify multiple --image options and command", 0)
    if replicas < 0:
        raise Invalid(f"spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0", 0)
    if port is not None and not 1 <= port <= 65535:
        raise Invalid(f"spec.template.spec.containers[0].ports[0].containerPort: Invalid value: {port}", 0)
    body = deployment_manifest(name, images, replicas, port, command)
    result: dict[str, Any] = await conn.request(
        "POST",
        resource_for("deployments").path(namespace),
        query=dry_run_query(dry_run, fieldManager=FIELD_MANAGER),
        body=body,
    )
    return result


async def create_namespace(conn: Connection, name: str, *, dry_run: bool = False) -> dict[str, Any]:
    """``kubectl create namespace NAME``."""
    check_name("Namespace", name, "label")
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    result: dict[str, Any] = await conn.request(
        "POST",
        resource_for("namespaces").path(None),
        query=dry_run_query(dry_run, fieldManager=FIELD_MANAGER),
        body=body,
    )
    return result


def _map_selector(kind: str, obj: Mapping[str, Any]) -> dict[str, str]:
    """kubectl's ``MapBasedSelectorForObject``: the selector a Service can use, or an error."""
    what = kinds.BY_PLURAL.get(kind)
    if what is None or not what.selector:
        raise Invalid(f"error: cannot expose a {what.kind if what else kind}", 0)
    expressions = objects.match_expressions(what, obj)
    if expressions:
        raise Invalid(
            f'error: couldn\'t convert expressions - "{expressions}" to map-based selector format', 0
        )
    selector = objects.selector_map(what, obj)
    if not selector and what.selector == kinds.SELECTOR_LABELS:
        raise Invalid(f"error: the {what.singular_name} has no labels and cannot be exposed", 0)
    if not selector and what.selector == kinds.SELECTOR_MAP:
        raise Invalid(f"error: the {what.singular_name} has no pod selector set", 0)
    return selector


async def expose(
    conn: Connection,
    namespace: str,
    kind: str,
    name: str,
    type: str = "ClusterIP",
    port: int | None = None,
    target_port: int | str | None = None,
    node_port: int | None = None,
    service_name: str | None = None,
    *,
    external_name: str | None = None,
    protocol: str | None = None,
    dry_run: bool = False,
) -> dict[str, Any]:
    """``kubectl expose KIND NAME --type=T --port=P [--target-port=TP] [--name=S]``.

    Selector and labels come from the workload; without ``port`` its container ports are used. ``node_port``
    (not a kubectl flag) pins the NodePort; ``external_name`` is required for ExternalName services.
    """
    res = resource_for(kind)
    obj = await conn.request("GET", res.path(namespace, name))
    svc_name = service_name or name
    check_name("Service", svc_name, "dns1035")
    selector = _map_selector(res.plural, obj)
    known = objects.ports(res.plural, obj)
    numbers = [port] if port is not None else [number for number, _ in known]
    if not numbers:
        raise Invalid("error: couldn't find port via --port flag or introspection", 0)
    protocols: dict[int, list[str]] = {}
    for number, proto in known:
        protocols.setdefault(number, []).append(proto)
    service_ports: list[dict[str, Any]] = []
    for i, number in enumerate(numbers):
        port_name = f"port-{i + 1}" if len(numbers) > 1 else None
        found = protocols.get(number) or []
        if protocol:
            entries: list[tuple[str | None, str]] = [(port_name, protocol)]
        elif len(found) > 1:
            # A port served over several protocols becomes one Service port per protocol, as kubectl does.
            entries = [(f"port-{i + 1}-{p.lower()}", p) for p in found]
        else:
            entries = [(port_name, found[0] if found else "TCP")]
        for entry_name, proto in entries:
            entry: dict[str, Any] = {"protocol": proto, "port": number}
            if entry_name:
                entry = {"name": entry_name, **entry}
            entry["targetPort"] = target_port if target_port not in (None, "") else number
            if node_port is not None and not service_ports:
                entry["nodePort"] = node_port
            service_ports.append(entry)
    labels = (obj.get("metadata") or {}).get("labels") or {}
    metadata: dict[str, Any] = {"name": svc_name}
    if labels:
        metadata["labels"] = dict(labels)
    spec: dict[str, Any] = {"ports": service_ports, "selector": selector}
    if type and type != "ClusterIP":
        spec["type"] = type
    if type == "ExternalName":
        if not external_name:
            raise Invalid("spec.externalName: Required value", 0)
        spec["externalName"] = external_name
    body = {
        "kind": "Service",
        "apiVersion": "v1",
        "metadata": metadata,
        "spec": spec,
        "status": {"loadBalancer": {}},
    }
    result: dict[str, Any] = await conn.request(
        "POST",
        resource_for("services").path(namespace),
        query=dry_run_query(dry_run, fieldManager=FIELD_MANAGER),
        body=body,
    )
    return result
