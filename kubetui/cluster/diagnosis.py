"""Plain-words diagnoses of why a cluster refuses a connection: the names a server certificate covers and the
address that would work, what a 401 means for each kind of credential, and which TLS file is unusable."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import ssl
from typing import Any
from urllib.parse import urlsplit


def credential_kind(user: dict[str, Any]) -> str:
    """How a kubeconfig user authenticates, in the order client-go tries: exec, token, certificate, basic."""
    if user.get("exec"):
        return "exec"
    if user.get("auth-provider"):
        return "auth-provider"
    if user.get("token") or user.get("tokenFile"):
        return "token"
    if user.get("client-certificate") or user.get("client-certificate-data"):
        return "client-certificate"
    if user.get("username"):
        return "basic"
    return ""


def unauthorized_hint(auth: str, user: str) -> str:
    """What a 401 means for this kind of credential, and what to do about it."""
    who = f'user "{user}"' if user else "this context's user"
    return {
        "exec": f"the API server refused the token the exec plugin of {who} gave; log in again with that tool",
        "auth-provider": f"the API server refused the auth-provider token of {who}; log in again",
        "token": f"the API server refused the bearer token of {who}: it is wrong, expired or revoked",
        "client-certificate": (
            f"the API server refused the client certificate of {who}: it has expired or is not signed by "
            "the cluster's CA"
        ),
        "basic": f"the API server refused the user name and password of {who}",
    }.get(auth, f"the kubeconfig gives no credentials for {who}")


async def certificate_names(server: str, cafile: str | None, timeout: float = 5.0) -> list[str]:
    """The DNS names and IP addresses the server's certificate covers (verified against ``cafile``, only the
    host name check left out); empty when it cannot be read."""
    parts = urlsplit(server)
    host, port = parts.hostname or "", parts.port or 443
    context = ssl.create_default_context(cafile=cafile)
    context.check_hostname = False
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=context, server_hostname=host), timeout
        )
    except (OSError, ssl.SSLError, TimeoutError, ValueError):
        return []
    try:
        cert = writer.get_extra_info("peercert") or {}
    finally:
        writer.close()
        with contextlib.suppress(OSError, ssl.SSLError, TimeoutError):
            await asyncio.wait_for(writer.wait_closed(), 1.0)
    return [
        str(value).strip() for kind, value in cert.get("subjectAltName", ()) if kind in ("DNS", "IP Address")
    ]


def name_mismatch_hint(server: str, names: list[str]) -> str:
    """The fix for a certificate that does not cover the server's host: an address it covers, or
    ``tls-server-name`` to keep the address. Empty when the certificate's names are unknown."""
    if not names:
        return ""
    parts = urlsplit(server)
    port = f":{parts.port}" if parts.port else ""
    ips = [n for n in names if _is_ip(n)]
    dns = [n for n in names if not _is_ip(n) and "*" not in n]
    pick = "127.0.0.1" if "127.0.0.1" in ips else (ips or dns or names)[0]
    shown = f"[{pick}]" if ":" in pick else pick
    hint = (
        f"the server's certificate is valid for {', '.join(names)} but not {parts.hostname}; "
        f"set the cluster's server to https://{shown}{port} in your kubeconfig"
    )
    if dns:
        hint += f", or keep the address and add tls-server-name: {dns[0]}"
    return hint


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def tls_file_problem(ca_file: str | None, cert_file: str | None, key_file: str | None) -> str:
    """Which certificate or key file cannot be used, in words (``ssl`` only says "PEM lib"); "" when all can."""
    files = (("certificate authority", ca_file, None), ("client certificate", cert_file, key_file))
    for label, path, key in files:
        if not path:
            continue
        try:
            # A bare client context: this only checks that the files load, and the default one reads the whole
            # system CA bundle first (0.6 s of wall time on a busy disk, at every start).
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            if key is None:
                context.load_verify_locations(cafile=path)
            else:
                context.load_cert_chain(path, key)
        except FileNotFoundError:
            return f"the {label} file {path} does not exist"
        except (ssl.SSLError, OSError, ValueError):
            if key is None:
                return f"the {label} file {path} is not a PEM certificate"
            return f"the {label} {path} or its key {key} is not valid PEM, or they do not belong together"
    return ""
