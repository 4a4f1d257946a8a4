"""The cluster network as a simulated container sees it: Service names and IPs, pod IPs, and ``wget``/``curl``.

A Service name resolves as the cluster DNS would (``svc``, ``svc.ns``, ``svc.ns.svc.cluster.local``); a
connection to its port goes to one of its ready pods, taking turns as kube-proxy spreads connections, and that
pod's app answers (see ``apps``). The messages on failure are the ones busybox ``wget`` and ``curl`` print.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from kubetui.sim import apps

if TYPE_CHECKING:
    from kubetui.sim.store import ObjectStore

Obj = dict[str, Any]

_turns = itertools.count()


class NetError(Exception):
    """``kind`` is "dns" (no such host) or "refused" (nothing listens, or no ready pod behind a Service)."""

    def __init__(self, kind: str, host: str, ip: str = "") -> None:
        super().__init__(kind)
        self.kind, self.host, self.ip = kind, host, ip


@dataclass(frozen=True)
class Reply:
    status: int
    reason: str
    body: bytes


def ready(pod: Obj) -> bool:
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    conds = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conds)


def selects(selector: dict[str, str], pod: Obj) -> bool:
    labels = (pod.get("metadata") or {}).get("labels") or {}
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def target_port(pod: Obj, target: Any) -> int | None:
    """A Service port's targetPort on this pod: a number, or a container port found by name."""
    if isinstance(target, int) or (isinstance(target, str) and target.isdigit()):
        return int(target)
    for c in (pod.get("spec") or {}).get("containers") or []:
        for p in c.get("ports") or []:
            if p.get("name") == target:
                return int(p.get("containerPort"))
    return None


def service_backends(store: ObjectStore, svc: Obj, port: int) -> list[tuple[Obj, int]]:
    """The ready pods behind ``svc``'s ``port``, each with the pod port the connection lands on."""
    spec = svc.get("spec") or {}
    sport = next((p for p in spec.get("ports") or [] if int(p.get("port") or 0) == port), None)
    if sport is None:
        return []
    ns = svc["metadata"].get("namespace") or "default"
    out = []
    for pod in store.list("pods", ns):
        if selects(spec.get("selector") or {}, pod) and ready(pod):
            tp = target_port(pod, sport.get("targetPort", sport.get("port")))
            if tp is not None:
                out.append((pod, tp))
    return sorted(out, key=lambda pt: str(pt[0]["metadata"]["name"]))


def _service_by_name(store: ObjectStore, host: str, namespace: str) -> Obj | None:
    name = host.lower()
    for suffix in (".svc.cluster.local", ".svc", ".cluster.local"):
        name = name.removesuffix(suffix)
    svc_name, _, ns = name.partition(".")
    return store.get("services", ns or namespace, svc_name)


def connect(store: ObjectStore, own: Obj, host: str, port: int) -> tuple[apps.Listener, str]:
    """The app a connection from pod ``own`` to ``host:port`` reaches, and the client address it sees."""
    client_ip = str((own.get("status") or {}).get("podIP") or "127.0.0.1")
    namespace = str(own["metadata"].get("namespace") or "default")
    client = f"{client_ip}:{40000 + next(_turns) % 20000}"
    if host in ("localhost", "127.0.0.1", "::1", own["metadata"]["name"]):
        found = apps.listener(own, port)
        if found is None:
            raise NetError("refused", host, "127.0.0.1")
        return found, f"127.0.0.1:{client.rsplit(':', 1)[1]}"
    svc = _service_by_name(store, host, namespace)
    if svc is None:
        svc = next(
            (s for s in store.iter("services") if (s.get("spec") or {}).get("clusterIP") == host), None
        )
    if svc is not None:
        ip = str((svc.get("spec") or {}).get("clusterIP") or host)
        backends = service_backends(store, svc, port)
        if not backends:
            raise NetError("refused", host, ip)
        pod, pod_port = backends[next(_turns) % len(backends)]
        found = apps.listener(pod, pod_port)
        if found is None:
            raise NetError("refused", host, ip)
        return found, client
    by_ip: Obj | None = next(
        (p for p in store.iter("pods") if (p.get("status") or {}).get("podIP") == host), None
    )
    if by_ip is None:
        raise NetError("dns", host)
    pod = by_ip
    found = apps.listener(pod, port)
    if found is None:
        raise NetError("refused", host, host)
    return found, client


def http_get(store: ObjectStore, own: Obj, url: str) -> Reply:
    """One GET of ``url`` from inside pod ``own``."""
    if "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    app, client = connect(store, own, host, port)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    resp = apps.answer(app, "GET", target, client)
    return Reply(resp.status, resp.reason, resp.body)


def wget(store: ObjectStore, own: Obj, url: str) -> tuple[bytes, bytes, int]:
    """busybox ``wget -qO- URL``: (stdout, stderr, exit code)."""
    try:
        reply = http_get(store, own, url)
    except NetError as err:
        if err.kind == "dns":
            return b"", f"wget: bad address '{err.host}'\n".encode(), 1
        return b"", f"wget: can't connect to remote host ({err.ip}): Connection refused\n".encode(), 1
    if reply.status >= 400:
        return b"", f"wget: server returned error: HTTP/1.1 {reply.status} {reply.reason}\n".encode(), 1
    return reply.body, b"", 0


def curl(store: ObjectStore, own: Obj, url: str) -> tuple[bytes, bytes, int]:
    """``curl URL``: (stdout, stderr, exit code); an HTTP error status still prints the body, as curl does."""
    try:
        reply = http_get(store, own, url)
    except NetError as err:
        if err.kind == "dns":
            return b"", f"curl: (6) Could not resolve host: {err.host}\n".encode(), 6
        port = urlsplit(url if "://" in url else "http://" + url).port or 80
        msg = (
            f"curl: (7) Failed to connect to {err.host} port {port} after 0 ms: Couldn't connect to server\n"
        )
        return b"", msg.encode(), 7
    return reply.body, b"", 0
