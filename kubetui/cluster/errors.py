"""Typed cluster errors with kubectl-like messages, built from API ``Status`` bodies or transport failures."""

from __future__ import annotations

import re
from typing import Any, Literal

UnreachableCause = Literal["dns", "refused", "tls-name", "tls", "timeout", "other"]


class ClusterError(Exception):
    """Any failure talking to a cluster. ``message`` is what kubectl would print; ``code`` the HTTP status."""

    reason = "Unknown"
    hint = ""  # what to do about it, in plain words (set where the cause is known)

    def __init__(self, message: str, code: int = 0, *, status: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status: dict[str, Any] = status or {}

    @property
    def server_message(self) -> str:
        """The API server's own message (without kubectl's ``Error from server`` prefix)."""
        return str(self.status.get("message") or self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code})"


class ConfigError(ClusterError):
    """The kubeconfig is missing, unreadable, or names a context/cluster/user that does not exist."""

    reason = "ConfigError"


class Unreachable(ClusterError):
    """The API server could not be reached; ``cause`` says why and ``hint`` what to try."""

    reason = "Unreachable"

    def __init__(self, message: str, cause: UnreachableCause = "other", hint: str = "") -> None:
        super().__init__(message, 0)
        self.cause: UnreachableCause = cause
        self.hint = hint


class OutcomeUnknown(Unreachable):
    """A write reached the server (or may have) but no answer came back: the change may or may not be made.

    ``read_path`` is the object the write was about, to read back once the server answers again.
    """

    reason = "OutcomeUnknown"

    def __init__(self, message: str, *, target: str, read_path: str, hint: str = "") -> None:
        super().__init__(message, "timeout", hint)
        self.target = target
        self.read_path = read_path


def outcome_unknown(error: Unreachable, method: str, path: str, body: Any) -> OutcomeUnknown:
    """The error for a write that got no answer: says the outcome is unknown, never that it failed."""
    verb, resource, name, _ = describe_request(method, path)
    parts = path.split("?", 1)[0].rstrip("/").split("/")
    if not name and isinstance(body, dict):
        name = str((body.get("metadata") or {}).get("name") or "")
        if name:
            parts.append(name)
    elif "/" in resource:
        parts = parts[:-1]  # a subresource (scale, status): read the object itself
    kind = resource.split("/")[0]
    target = f"{kind}/{name}" if name else kind
    return OutcomeUnknown(
        f"{verb} {target}: the server did not answer, so whether the change was made is unknown "
        f"({error.message})",
        target=target,
        read_path="/".join(parts) if name else "",
        hint="kubetui reads the object again to find out",
    )


class Unauthorized(ClusterError):
    reason = "Unauthorized"


class Forbidden(ClusterError):
    reason = "Forbidden"

    def __init__(
        self,
        message: str,
        code: int = 403,
        *,
        verb: str = "",
        resource: str = "",
        namespace: str = "",
        status: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code, status=status)
        self.verb = verb
        self.resource = resource
        self.namespace = namespace


class NotFound(ClusterError):
    reason = "NotFound"


class AlreadyExists(ClusterError):
    reason = "AlreadyExists"


class Conflict(ClusterError):
    reason = "Conflict"


class Invalid(ClusterError):
    reason = "Invalid"

    def __init__(
        self,
        message: str,
        code: int = 422,
        *,
        causes: list[dict[str, Any]] | None = None,
        status: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code, status=status)
        self.causes: list[dict[str, Any]] = causes or []


class BadRequest(ClusterError):
    reason = "BadRequest"


class Expired(ClusterError):
    """410 Gone: the resourceVersion asked for is older than the server keeps; list again."""

    reason = "Expired"


class ReadOnlyError(ClusterError):
    """A mutation was refused locally because the connection is read-only."""

    reason = "ReadOnly"


_BY_REASON: dict[str, type[ClusterError]] = {
    "Unauthorized": Unauthorized,
    "Forbidden": Forbidden,
    "NotFound": NotFound,
    "AlreadyExists": AlreadyExists,
    "Conflict": Conflict,
    "Invalid": Invalid,
    "BadRequest": BadRequest,
    "Expired": Expired,
    "Gone": Expired,
}
_BY_CODE: dict[int, type[ClusterError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    410: Expired,
    422: Invalid,
}


def from_status(
    code: int,
    status: dict[str, Any] | None,
    *,
    verb: str = "",
    resource: str = "",
    namespace: str = "",
) -> ClusterError:
    """Turn an HTTP error code and its ``Status`` body into the matching typed error, worded like kubectl.

    ``verb``/``resource``/``namespace`` describe the request, so a Forbidden without details still says what
    was refused.
    """
    status = status if isinstance(status, dict) else {}
    reason = str(status.get("reason") or "")
    code = int(status.get("code") or code)
    cls = _BY_REASON.get(reason) or _BY_CODE.get(code)
    if cls is None:
        cls = Conflict if code == 409 else ClusterError
    server_message = str(status.get("message") or "")
    if cls is Unauthorized:
        # kubectl hides the server text here; it is usually just "Unauthorized".
        return Unauthorized("error: You must be logged in to the server (Unauthorized)", code, status=status)
    label = reason or {404: "NotFound", 409: "Conflict", 500: "InternalError"}.get(code, "")
    if not server_message:
        server_message = _default_text(code, verb, resource, namespace)
    message = (
        f"Error from server ({label}): {server_message}" if label else f"Error from server: {server_message}"
    )
    details = status.get("details") or {}
    if cls is Forbidden:
        forbidden = Forbidden(
            message,
            code,
            verb=verb,
            resource=resource or str(details.get("kind") or ""),
            namespace=namespace,
            status=status,
        )
        forbidden.hint = forbidden_hint(server_message)
        return forbidden
    if cls is Invalid:
        return Invalid(message, code, causes=list(details.get("causes") or []), status=status)
    return cls(message, code, status=status)


_RBAC_REFUSAL = re.compile(
    r'User "(?P<user>[^"]+)" cannot (?P<verb>\S+) resource "(?P<resource>[^"]+)"'
    r'(?: in API group "(?P<group>[^"]*)")?(?: in the namespace "(?P<namespace>[^"]+)")?'
)


def forbidden_hint(server_message: str) -> str:
    """RBAC's refusal in plain words: who may not do what where, and who can change that."""
    found = _RBAC_REFUSAL.search(server_message)
    if found is None:
        return ""
    resource = found["resource"]
    if found["group"]:
        base, _, sub = resource.partition("/")
        resource = f"{base}.{found['group']}" + (f"/{sub}" if sub else "")
    namespace = found["namespace"]
    where = f'in namespace "{namespace}"' if namespace else "across the cluster"
    grant = "a Role and RoleBinding" if namespace else "a ClusterRole and ClusterRoleBinding"
    return f'user "{found["user"]}" may not {found["verb"]} {resource} {where} (RBAC); an admin can grant it with {grant}'


def _default_text(code: int, verb: str, resource: str, namespace: str) -> str:
    if code == 403 and resource:
        where = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
        return f"{resource} is forbidden: cannot {verb or 'access'} resource {resource!r}{where}"
    if code == 404:
        return "the server could not find the requested resource"
    return f"the server responded with HTTP {code}"


def from_transport(exc: BaseException, server: str) -> Unreachable:
    """Classify a failure to reach ``server`` (an https://host:port URL) the way kubectl words it."""
    import asyncio
    import socket
    import ssl
    from urllib.parse import urlsplit

    import aiohttp

    parts = urlsplit(server)
    host = parts.hostname or server
    port = parts.port or (443 if parts.scheme == "https" else 80)
    hostport = f"{host}:{port}"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        cert_error = exc.certificate_error
        verify_code = getattr(cert_error, "verify_code", None)
        detail = str(getattr(cert_error, "verify_message", "") or cert_error)
        # 62: hostname mismatch, 64: IP address mismatch (OpenSSL X509_V_ERR_*).
        if verify_code in (62, 64) or "mismatch" in detail.lower():
            if host != "127.0.0.1":
                hint = (
                    f"the server's certificate is not valid for {host}; "
                    f"use https://127.0.0.1:{port} in your kubeconfig"
                )
            else:
                hint = (
                    f"the server's certificate is not valid for {host}; use a name the certificate covers "
                    "or set tls-server-name in your kubeconfig"
                )
            return Unreachable(
                "Unable to connect to the server: tls: failed to verify certificate: "
                f"x509: certificate is not valid for {host}",
                "tls-name",
                hint,
            )
        return Unreachable(
            f"Unable to connect to the server: tls: failed to verify certificate: x509: {detail}",
            "tls",
            "check certificate-authority(-data) in your kubeconfig",
        )
    if isinstance(exc, aiohttp.ClientConnectorSSLError | ssl.SSLError):
        return Unreachable(f"Unable to connect to the server: tls: {exc}", "tls", "")
    dns_error = getattr(aiohttp, "ClientConnectorDNSError", socket.gaierror)  # aiohttp >= 3.10
    if isinstance(exc, dns_error) or isinstance(getattr(exc, "os_error", None) or exc, socket.gaierror):
        return Unreachable(
            f"Unable to connect to the server: dial tcp: lookup {host}: no such host",
            "dns",
            f"check the server address {server} in your kubeconfig",
        )
    if isinstance(exc, aiohttp.ClientConnectorError) and isinstance(exc.os_error, ConnectionRefusedError):
        return Unreachable(
            f"The connection to the server {hostport} was refused - did you specify the right host or port?",
            "refused",
            "is the cluster running? start it, or pick another context",
        )
    if isinstance(exc, ConnectionRefusedError):
        return Unreachable(
            f"The connection to the server {hostport} was refused - did you specify the right host or port?",
            "refused",
            "is the cluster running? start it, or pick another context",
        )
    if isinstance(exc, asyncio.TimeoutError | aiohttp.ServerTimeoutError | TimeoutError):
        return Unreachable(
            f"Unable to connect to the server: dial tcp {hostport}: i/o timeout",
            "timeout",
            "is the server up?",
        )
    if isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        return Unreachable("Unable to connect to the server: EOF", "other", "")
    return Unreachable(f"Unable to connect to the server: {exc}", "other", "")


def describe_request(
    method: str, path: str, query: dict[str, Any] | None = None
) -> tuple[str, str, str, str]:
    """(verb, resource, name, namespace) of an API request path, as RBAC would name them."""
    parts = [p for p in path.split("?", 1)[0].split("/") if p]
    if parts[:1] == ["api"]:
        rest = parts[2:]
    elif parts[:1] == ["apis"]:
        rest = parts[3:]
    else:
        rest = parts
    namespace = ""
    if len(rest) >= 3 and rest[0] == "namespaces":
        namespace, rest = rest[1], rest[2:]
    resource = rest[0] if rest else ""
    name = rest[1] if len(rest) > 1 else ""
    if len(rest) > 2:
        resource = f"{resource}/{rest[2]}"
    method = method.upper()
    watching = str((query or {}).get("watch", "")).lower() in ("true", "1")
    verb = {
        "GET": "watch" if watching else ("get" if name else "list"),
        "POST": "create",
        "PUT": "update",
        "PATCH": "patch",
        "DELETE": "delete" if name else "deletecollection",
    }.get(method, method.lower())
    return verb, resource, name, namespace
