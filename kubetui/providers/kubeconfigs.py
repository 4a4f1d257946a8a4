"""Edits to the user's kubeconfig after a provider runs: select, merge, remove, rewrite a server; verify it works."""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml

LOOPBACK = "127.0.0.1"
# Names that a container tool may write into a kubeconfig but that are not in the API server's certificate, or
# do not resolve from the host: the journey's first failure (host.docker.internal, then EOF).
DOCKER_HOST_NAMES = ("host.docker.internal", "host.k3d.internal", "host.containers.internal", "0.0.0.0")


def user_kubeconfig_path(environ: dict[str, str] | os._Environ[str] | None = None) -> Path:
    """Where the CLIs (k3d, kind, minikube) write: the first file in KUBECONFIG, else ~/.kube/config."""
    env = os.environ if environ is None else environ
    for part in env.get("KUBECONFIG", "").split(os.pathsep):
        if part:
            return Path(part).expanduser()
    return Path("~/.kube/config").expanduser()


def read(path: Path) -> dict[str, Any]:
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        doc = {}
    if not isinstance(doc, dict):
        raise ValueError(f"{path} is not a kubeconfig (a YAML mapping)")
    doc.setdefault("apiVersion", "v1")
    doc.setdefault("kind", "Config")
    for key in ("clusters", "contexts", "users"):
        if not isinstance(doc.get(key), list):
            doc[key] = []
    doc.setdefault("preferences", {})
    return doc


def write(path: Path, doc: dict[str, Any]) -> None:
    """Atomic replace, owner-only permissions (it holds credentials)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".kubeconfig-", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as fh:
            yaml.safe_dump(doc, fh, default_flow_style=False, sort_keys=False)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _named(entries: list[Any], name: str) -> dict[str, Any] | None:
    for entry in entries:
        if isinstance(entry, dict) and entry.get("name") == name:
            return entry
    return None


def current_context(path: Path) -> str | None:
    value = read(path).get("current-context")
    return str(value) if value else None


def context_names(path: Path) -> list[str]:
    return [str(c.get("name")) for c in read(path)["contexts"] if isinstance(c, dict)]


def use_context(path: Path, context: str) -> None:
    doc = read(path)
    if _named(doc["contexts"], context) is None:
        raise KeyError(f"no context {context!r} in {path}")
    doc["current-context"] = context
    write(path, doc)


def cluster_of(path: Path, context: str) -> tuple[str, dict[str, Any]] | None:
    """The (cluster name, cluster entry) a context points at."""
    doc = read(path)
    ctx = _named(doc["contexts"], context)
    if ctx is None:
        return None
    cname = (ctx.get("context") or {}).get("cluster")
    entry = _named(doc["clusters"], str(cname))
    if entry is None:
        return None
    return str(cname), entry.get("cluster") or {}


def server_of(path: Path, context: str) -> str | None:
    found = cluster_of(path, context)
    return str(found[1].get("server")) if found and found[1].get("server") else None


def merge_from(path: Path, source: Path, source_context: str, as_context: str, select: bool = True) -> None:
    """Copy ``source_context`` (with its cluster and user) from ``source`` into ``path`` as ``as_context``.

    Entries of the same name are replaced, everything else in the file is kept, as ``k3d``/``kind`` do.
    """
    src = read(source)
    ctx = _named(src["contexts"], source_context)
    if ctx is None:
        raise KeyError(f"no context {source_context!r} in {source}")
    body = dict(ctx.get("context") or {})
    cluster = _named(src["clusters"], str(body.get("cluster")))
    user = _named(src["users"], str(body.get("user")))
    doc = read(path)
    for key, entry, inner in (("clusters", cluster, "cluster"), ("users", user, "user")):
        if entry is None:
            continue
        doc[key] = [e for e in doc[key] if not (isinstance(e, dict) and e.get("name") == as_context)]
        doc[key].append({"name": as_context, inner: entry.get(inner) or {}})
    body["cluster"] = as_context
    if user is not None:
        body["user"] = as_context
    doc["contexts"] = [
        c for c in doc["contexts"] if not (isinstance(c, dict) and c.get("name") == as_context)
    ]
    doc["contexts"].append({"name": as_context, "context": body})
    if select:
        doc["current-context"] = as_context
    write(path, doc)


def remove_context(path: Path, context: str) -> bool:
    """Remove a context and the cluster/user entries of the same name (the names providers use)."""
    if not path.exists():
        return False
    doc = read(path)
    before = len(doc["contexts"])
    for key in ("contexts", "clusters", "users"):
        doc[key] = [e for e in doc[key] if not (isinstance(e, dict) and e.get("name") == context)]
    if doc.get("current-context") == context:
        doc["current-context"] = ""
    write(path, doc)
    return len(doc["contexts"]) != before


def rewrite_server(path: Path, context: str, new_server: str) -> str:
    """Point the context's cluster at ``new_server``; returns the old server URL."""
    doc = read(path)
    ctx = _named(doc["contexts"], context)
    if ctx is None:
        raise KeyError(f"no context {context!r} in {path}")
    entry = _named(doc["clusters"], str((ctx.get("context") or {}).get("cluster")))
    if entry is None:
        raise KeyError(f"context {context!r} names a cluster missing from {path}")
    cluster = entry.setdefault("cluster", {})
    old = str(cluster.get("server", ""))
    cluster["server"] = new_server
    write(path, doc)
    return old


@dataclass(frozen=True, slots=True)
class Diagnosis:
    """What is wrong with a kubeconfig entry and the server URL that fixes it."""

    problem: str
    explanation: str
    old_server: str
    fix_server: str


def loopback_server(server: str) -> str:
    """The same URL with its host replaced by 127.0.0.1 (scheme, port and path kept)."""
    parts = urlsplit(server)
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit((parts.scheme, f"{LOOPBACK}{port}", parts.path, parts.query, parts.fragment))


def diagnose(server: str, cause: str, message: str = "") -> Diagnosis | None:
    """Recognise the journey's failure: a local cluster's server named by a host the certificate lacks.

    ``cause`` is cluster-core's :class:`Unreachable` cause ("tls-name", "tls", "dns", "refused", "other" ...).
    A local cluster publishes its API port on the host's loopback, so ``https://127.0.0.1:PORT`` is both
    reachable and in the certificate (k3d, kind and minikube all sign for 127.0.0.1).
    """
    host = urlsplit(server).hostname or ""
    if not host or host == LOOPBACK:
        return None
    tls_name = cause == "tls-name"
    docker_name = host in DOCKER_HOST_NAMES
    if not (tls_name or (docker_name and cause in ("dns", "tls", "refused", "timeout", "other"))):
        return None
    if tls_name:
        problem = f"the API server's TLS certificate is not valid for {host}"
    elif cause == "dns":
        problem = f"{host} does not resolve on this machine"
    else:
        problem = f"the connection to {host} failed ({message or cause})"
    return Diagnosis(
        problem=problem,
        explanation=(
            f"The kubeconfig points at {server}. A local cluster publishes its API port on this machine's "
            f"loopback address, and its certificate is signed for {LOOPBACK}; use that address instead."
        ),
        old_server=server,
        fix_server=loopback_server(server),
    )


@dataclass(slots=True)
class Verification:
    """The outcome of connecting to a context: the server version, or the error and a diagnosis."""

    context: str
    server: str
    ok: bool
    version: str = ""
    error: str = ""
    cause: str = ""
    diagnosis: Diagnosis | None = None


async def verify(path: Path, context: str, timeout: float = 10.0) -> Verification:
    """Connect with the kubeconfig entry exactly as kubectl would use it, and diagnose a failure."""
    import asyncio

    from kubetui.cluster.connection import Connection
    from kubetui.cluster.errors import ClusterError, Unreachable

    server = server_of(path, context) or ""
    conn = None
    try:
        conn = await asyncio.wait_for(Connection.open(kubeconfig_path=str(path), context=context), timeout)
        info = await asyncio.wait_for(conn.version(), timeout)
        return Verification(context, server, True, version=str(info.get("gitVersion", "")))
    except TimeoutError:
        result = Verification(context, server, False, error="no answer in time", cause="timeout")
    except Unreachable as exc:
        result = Verification(context, server, False, error=exc.message, cause=exc.cause)
    except ClusterError as exc:
        result = Verification(context, server, False, error=exc.message, cause="other")
    finally:
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()
    result.diagnosis = diagnose(server, result.cause, result.error)
    return result
