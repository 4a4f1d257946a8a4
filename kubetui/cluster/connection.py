"""``Connection``: one authenticated client to one context's API server, speaking raw JSON dicts.

Auth (client certs, CA data/files, bearer tokens, token files, exec plugins, insecure-skip-tls-verify) comes
from kubernetes_asyncio's ``KubeConfigLoader``; requests go through an aiohttp session set up as its
``Configuration`` says (``http_session``) and are decoded with orjson, never into generated models. Every
mutation passes ``request`` so the read-only rule lives in one place.
"""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import AsyncGenerator
from typing import Any

import orjson

from kubetui.cluster.aio import aiohttp
from kubetui.cluster.diagnosis import (
    certificate_names,
    credential_kind,
    name_mismatch_hint,
    tls_file_problem,
    unauthorized_hint,
)
from kubetui.cluster.errors import (
    ClusterError,
    ConfigError,
    Unauthorized,
    Unreachable,
    describe_request,
    from_status,
    from_transport,
    outcome_unknown,
)
from kubetui.cluster.exec_plugin import BoundedExecProvider, install
from kubetui.cluster.gate import check_write
from kubetui.cluster.http_session import client_session
from kubetui.cluster.k8s_client import Configuration, KubeConfigLoader
from kubetui.cluster.kubeconfig import KubeConfig, load_kubeconfig

install()  # exec plugins run bounded, off the app's terminal

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
PATCH_TYPES = frozenset({JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH})
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})

CONNECT_TIMEOUT = 10.0
# A request with no explicit timeout may still list 10,000 pods; only a silent socket is an error.
DEFAULT_READ_TIMEOUT = 60.0
# The last resort around loading credentials: the exec plugin itself is stopped after its own timeout
# (BoundedExecProvider.timeout), with what it said; this catches anything else that hangs.
EXEC_TIMEOUT = BoundedExecProvider.timeout + 5.0
# A write answers quickly or not at all; a person is waiting for it.
WRITE_READ_TIMEOUT = 20.0


class Connection:
    """A client for one context. Open with ``await Connection.open(...)``; close with ``await conn.close()``.

    Switching context means opening a new Connection and closing the old one: both are cheap.
    """

    # The longest line ``stream`` accepts. One watch event is one object, and the API server keeps objects
    # far smaller (etcd's request limit is 1.5 MiB); a longer line is a broken or hostile stream.
    max_line = 8 * 2**20

    def __init__(
        self,
        *,
        context: str,
        server: str,
        namespace: str,
        readonly: bool,
        configuration: Configuration,
        loader: KubeConfigLoader | None = None,
        has_exec: bool = False,
        user: str = "",
        auth: str = "",
    ) -> None:
        self.context = context
        self.server = server.rstrip("/")
        self.namespace = namespace
        self.readonly = readonly
        self._configuration = configuration
        self._loader = loader
        self._has_exec = has_exec
        self._session: aiohttp.ClientSession = client_session(configuration, self.server)
        self._server_hostname: str | None = configuration.tls_server_name or None
        self._proxy: str | None = configuration.proxy or None  # the cluster's proxy-url
        self._refresh_lock = asyncio.Lock()
        self.user = user  # the kubeconfig's user entry, for messages
        self.auth = auth or ("exec" if has_exec else "")  # how it authenticates (see ``credential_kind``)
        self._certificate_names: list[str] | None = None

    def __repr__(self) -> str:
        # Deliberately no credentials here: reprs end up in logs and tracebacks.
        mode = ", readonly" if self.readonly else ""
        return f"Connection(context={self.context!r}, server={self.server!r}, namespace={self.namespace!r}{mode})"

    @classmethod
    async def open(
        cls,
        kubeconfig_path: str | None = None,
        context: str | None = None,
        namespace: str | None = None,
        readonly: bool = False,
        *,
        kubeconfig: KubeConfig | None = None,
    ) -> Connection:
        """Load the kubeconfig (kubectl's rules) and build a client for ``context`` (default: current).

        Raises ConfigError when there is no kubeconfig, no such context, or its credentials cannot be loaded.
        No network I/O happens here except an exec plugin run.
        """
        config = kubeconfig or load_kubeconfig(kubeconfig_path)
        if config.error and not config.found:
            raise ConfigError(f"error: {config.error}")
        if not config.found:
            raise ConfigError(f"error: no kubeconfig found (looked in {', '.join(config.paths)})")
        name = context or config.current_context
        if not name:
            raise ConfigError("error: current-context is not set and no context was given")
        ctx = config.context(name)
        if ctx is None:
            raise ConfigError(f'error: context "{name}" does not exist')
        if ctx.cluster not in config.clusters:
            raise ConfigError(f'error: cluster "{ctx.cluster}" of context "{name}" does not exist')
        if not ctx.server:
            raise ConfigError(f'error: cluster "{ctx.cluster}" has no server address')
        user = config.users.get(ctx.user) or {}
        configuration = Configuration()
        # base path "" : kubeconfig.py has already made every file reference absolute.
        loader = KubeConfigLoader(config_dict=config.as_dict(), active_context=name, config_base_path="")
        try:
            await asyncio.wait_for(loader.load_and_set(configuration), EXEC_TIMEOUT)
        except TimeoutError:
            command = ((user.get("exec") or {}) if isinstance(user, dict) else {}).get("command", "?")
            raise ConfigError(
                f'error: the exec plugin "{command}" of context "{name}" did not finish within '
                f"{EXEC_TIMEOUT:.0f}s (it may be waiting for a login in a browser or a terminal)"
            ) from None
        except Exception as exc:  # the loader raises many kinds (ConfigException, OSError, ValueError...)
            raise ConfigError(f'error: cannot load credentials of context "{name}": {_scrub(exc)}') from None
        problem = tls_file_problem(configuration.ssl_ca_cert, configuration.cert_file, configuration.key_file)
        if problem:
            raise ConfigError(f'error: invalid TLS settings in context "{name}": {problem}')
        try:
            return cls(
                context=name,
                server=ctx.server,
                namespace=namespace or ctx.namespace or "default",
                readonly=readonly,
                configuration=configuration,
                loader=loader,
                has_exec="exec" in user,
                user=ctx.user,
                auth=credential_kind(user),
            )
        except (OSError, ValueError) as exc:  # bad CA or client certificate files
            raise ConfigError(f'error: invalid TLS settings in context "{name}": {_scrub(exc)}') from None

    async def close(self) -> None:
        await self._session.close()

    async def __aenter__(self) -> Connection:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- requests -------------------------------------------------------------------------------------

    def check_mutation(self, method: str, path: str, query: dict[str, Any] | None = None) -> None:
        """Raise ReadOnlyError for a mutating request on a read-only connection (dry runs are allowed)."""
        if method.upper() not in MUTATING:
            return
        dry_run = (query or {}).get("dryRun")
        if dry_run == "All" or (isinstance(dry_run, list | tuple) and "All" in dry_run):
            return
        verb, resource, name, _ = describe_request(method, path, query)
        check_write(self.readonly, verb, f"{resource.split('/')[0]}/{name}" if name else resource)

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        body: Any = None,
        content_type: str | None = None,
        timeout: float | None = None,
        accept: str | None = None,
    ) -> Any:
        """Send one request and return the decoded JSON (a dict), or raise a ClusterError subclass.

        PATCH needs an explicit ``content_type`` (one of PATCH_TYPES): the API treats each differently.
        """
        method = method.upper()
        self.check_mutation(method, path, query)
        if method == "PATCH" and content_type not in PATCH_TYPES:
            raise ValueError(f"PATCH needs an explicit patch content type, one of {sorted(PATCH_TYPES)}")
        data: bytes | None = None
        if body is not None:
            if isinstance(body, bytes):
                data = body
            elif isinstance(body, str):
                data = body.encode()
            else:
                data = orjson.dumps(body)
            content_type = content_type or "application/json"
        read_timeout = WRITE_READ_TIMEOUT if method in MUTATING else DEFAULT_READ_TIMEOUT
        client_timeout = aiohttp.ClientTimeout(
            total=timeout, sock_connect=CONNECT_TIMEOUT, sock_read=None if timeout else read_timeout
        )
        for attempt in range(2):
            try:
                async with self._session.request(
                    method,
                    self.server + path,
                    params=_params(query),
                    data=data,
                    headers=await self._headers(content_type, accept),
                    timeout=client_timeout,
                    **self._tls_args(),
                ) as resp:
                    raw = await resp.read()
                    if 200 <= resp.status < 300:
                        return _decode(raw, method, path)
                    error = self._error(resp.status, raw, method, path, query)
            except ClusterError:
                raise
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                unreachable = await self._unreachable(exc)
                if method in MUTATING and _maybe_sent(exc):
                    raise outcome_unknown(unreachable, method, path, body) from None
                raise unreachable from None
            if isinstance(error, Unauthorized) and attempt == 0 and await self._reauthenticate():
                continue
            raise error
        raise AssertionError("unreachable")

    async def stream(
        self,
        method: str,
        path: str,
        *,
        query: dict[str, Any] | None = None,
        timeout: float | None = None,
        accept: str | None = None,
    ) -> AsyncGenerator[bytes, None]:
        """Yield the response body line by line (without the newline) for watches and logs.

        ``timeout`` is the longest silence tolerated between bytes, so a half-open socket ends the stream
        with Unreachable(cause="timeout") instead of hanging. Close the iterator (``aclose()``) when done.
        """
        method = method.upper()
        self.check_mutation(method, path, query)
        client_timeout = aiohttp.ClientTimeout(total=None, sock_connect=CONNECT_TIMEOUT, sock_read=timeout)
        for attempt in range(2):
            try:
                resp = await self._session.request(
                    method,
                    self.server + path,
                    params=_params(query),
                    headers=await self._headers(None, accept),
                    timeout=client_timeout,
                    **self._tls_args(),
                )
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                raise await self._unreachable(exc) from None
            if 200 <= resp.status < 300:
                break
            try:
                raw = await resp.read()
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                raise from_transport(exc, self.server) from None
            finally:
                resp.release()
            error = self._error(resp.status, raw, method, path, query)
            if isinstance(error, Unauthorized) and attempt == 0 and await self._reauthenticate():
                continue
            raise error
        try:
            buffer = bytearray()
            while True:
                try:
                    chunk = await resp.content.readany()
                except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                    raise from_transport(exc, self.server) from None
                if not chunk:
                    break
                buffer += chunk
                if b"\n" not in chunk:
                    if len(buffer) > self.max_line:
                        raise _line_too_long(self.max_line, path)
                    continue
                *lines, rest = buffer.split(b"\n")
                buffer = bytearray(rest)
                for line in lines:
                    if len(line) > self.max_line:
                        raise _line_too_long(self.max_line, path)
                    yield bytes(line)
                if len(buffer) > self.max_line:
                    raise _line_too_long(self.max_line, path)
            if buffer:
                yield bytes(buffer)
        finally:
            # close, not release: an unfinished watch must not be drained first.
            resp.close()

    async def websocket(
        self, path: str, *, query: dict[str, Any], protocols: tuple[str, ...], write: tuple[str, str]
    ) -> aiohttp.ClientWebSocketResponse:
        """Open a WebSocket (exec, port-forward) after the read-only gate; ``write`` is (verb, target) for it.

        A refused upgrade is read again as a plain request so the error is the API's own (403, 404, 400).
        """
        check_write(self.readonly, *write)
        headers = await self._headers(None)
        # No Accept: the kubelet behind the proxy negotiates content types and refuses application/json (406).
        headers.pop("Accept", None)
        try:
            return await self._session.ws_connect(
                self.server + path,
                params=_params(query),
                protocols=protocols,
                headers=headers,
                timeout=aiohttp.ClientWSTimeout(ws_close=5.0),
                max_msg_size=0,
                **self._tls_args(),
            )
        except aiohttp.WSServerHandshakeError as exc:
            upgrade = ClusterError(f"unable to upgrade connection: {exc.status} {exc.message}", exc.status)
            try:
                await self.request("GET", path, query=query, timeout=15)
            except ClusterError as err:
                if "Upgrade request required" not in err.server_message:
                    raise
            raise upgrade from None
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise from_transport(exc, self.server) from None

    async def version(self) -> dict[str, Any]:
        result = await self.request("GET", "/version", timeout=15)
        return result if isinstance(result, dict) else {}

    # --- internals ------------------------------------------------------------------------------------

    def _tls_args(self) -> dict[str, Any]:
        """Per-request transport options from the kubeconfig: tls-server-name and proxy-url."""
        args: dict[str, Any] = {}
        if self._server_hostname:
            args["server_hostname"] = self._server_hostname
        if self._proxy:
            args["proxy"] = self._proxy
        return args

    async def _unreachable(self, exc: BaseException) -> Unreachable:
        """The transport failure as kubectl words it; a certificate that lacks the host name gets the names
        it does cover, and the server address (or tls-server-name) that would work."""
        error = from_transport(exc, self.server)
        if error.cause != "tls-name":
            return error
        if self._certificate_names is None:
            self._certificate_names = await certificate_names(
                self.server, self._configuration.ssl_ca_cert or None
            )
        hint = name_mismatch_hint(self.server, self._certificate_names)
        if hint:
            error.hint = hint
        return error

    async def _headers(self, content_type: str | None, accept: str | None = None) -> dict[str, str]:
        if self._has_exec and self._exec_expired():
            await self._reauthenticate()
        headers = {"Accept": accept or "application/json"}
        # Token files often end in a newline; kubectl trims them, and a raw newline would break the header.
        token = str(self._configuration.api_key.get("BearerToken") or "").strip()
        if token:
            headers["Authorization"] = token
        if content_type:
            headers["Content-Type"] = content_type
        return headers

    def _exec_expired(self) -> bool:
        expiry = getattr(self._loader, "exec_plugin_expiry", None)
        if not isinstance(expiry, datetime.datetime):
            return False
        now = datetime.datetime.now(tz=expiry.tzinfo or datetime.UTC)
        return expiry <= now

    async def _reauthenticate(self) -> bool:
        """Run the exec plugin again (after a 401 or expiry). False when there is nothing to refresh."""
        if not self._has_exec or self._loader is None:
            return False
        async with self._refresh_lock:
            if hasattr(self._loader, "exec_plugin_expiry"):
                del self._loader.exec_plugin_expiry
            try:
                await self._loader.load_and_set(self._configuration)
            except Exception:
                return False
        return True

    def _error(
        self, code: int, raw: bytes, method: str, path: str, query: dict[str, Any] | None
    ) -> ClusterError:
        try:
            status = orjson.loads(raw) if raw else {}
        except orjson.JSONDecodeError:
            status = {"message": raw.decode(errors="replace").strip()[:500]}
        verb, resource, _, namespace = describe_request(method, path, query)
        error = from_status(
            code,
            status if isinstance(status, dict) else {},
            verb=verb,
            resource=resource,
            namespace=namespace,
        )
        if isinstance(error, Unauthorized):
            error.hint = unauthorized_hint(self.auth, self.user)
        return error


def _params(query: dict[str, Any] | None) -> list[tuple[str, str]] | None:
    if not query:
        return None
    out: list[tuple[str, str]] = []
    for key, value in query.items():
        if value is None:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        for v in values:
            out.append((key, ("true" if v else "false") if isinstance(v, bool) else str(v)))
    return out


def _decode(raw: bytes, method: str, path: str) -> Any:
    """A successful answer's JSON; anything else (a proxy's HTML page, garbage) is said to be that."""
    if not raw:
        return {}
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        shown = raw[:60].decode(errors="replace")
        raise ClusterError(
            f"the server answered {method} {path.split('?')[0]} with something that is not JSON: {shown!r}", 0
        ) from None


def _line_too_long(limit: int, path: str) -> Unreachable:
    return Unreachable(
        f"the server sent a line of over {limit // 2**20} MiB on {path.split('?')[0]} without ending it; "
        "the stream is treated as broken",
        "other",
        "a proxy or server in between may be misbehaving",
    )


def _maybe_sent(exc: BaseException) -> bool:
    """The request may have reached the server: the answer timed out or the connection dropped after connecting."""
    if isinstance(exc, aiohttp.ConnectionTimeoutError | aiohttp.ClientConnectorError):
        return False
    return isinstance(exc, TimeoutError | aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError)


def _scrub(exc: BaseException) -> str:
    """An exception's text with anything token-like removed (exec plugins may echo credentials)."""
    text = str(exc)
    for marker in ("Bearer ", "token", "Token"):
        if marker in text:
            return f"{type(exc).__name__} (details withheld: they may contain credentials)"
    return text[:300]
