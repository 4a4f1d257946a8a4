"""Connection: auth, typed errors, read-only refusal, streams and unreachable diagnoses over real sockets."""

from __future__ import annotations

import asyncio
import socket
import stat
import sys
from pathlib import Path

import pytest
from aiohttp import web

from kubetui.cluster import errors
from kubetui.cluster.connection import MERGE_PATCH, STRATEGIC_MERGE_PATCH, Connection
from tests.cluster.stubs import kubeconfig, self_signed, serve, server_ssl, status

TOKEN = "s3cr3t-token-value"
SEEN = web.AppKey("seen", list)


def _api() -> web.Application:
    seen: list[dict[str, str]] = []

    async def version(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return status(401, "Unauthorized", "Unauthorized")
        return web.json_response({"major": "1", "minor": "31", "gitVersion": "v1.31.0"})

    async def pods(request: web.Request) -> web.Response:
        return status(
            403,
            "Forbidden",
            'pods is forbidden: User "dev" cannot list resource "pods" in API group "" in the namespace "kube-system"',
            kind="pods",
        )

    async def deployment(request: web.Request) -> web.Response:
        seen.append({"method": request.method, "ctype": request.headers.get("Content-Type", "")})
        name = request.match_info["name"]
        if name == "missing":
            return status(
                404, "NotFound", f'deployments.apps "{name}" not found', name=name, kind="deployments"
            )
        if name == "stale":
            return status(409, "Conflict", f'Operation cannot be fulfilled on deployments.apps "{name}"')
        if name == "bad":
            return status(
                422,
                "Invalid",
                'Deployment.apps "bad" is invalid: spec.replicas: Invalid value: -1: must be >= 0',
                causes=[{"reason": "FieldValueInvalid", "field": "spec.replicas", "message": "must be >= 0"}],
            )
        body = await request.read()
        return web.json_response({"kind": "Deployment", "echo": body.decode(), "query": dict(request.query)})

    async def watch(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        await resp.write(b'{"type":"ADDED","object":{"n":1}}\n{"type":"MOD')
        await resp.write(b'IFIED","object":{"n":2}}\n')
        if request.query.get("stall"):
            await asyncio.sleep(1.5)
        await resp.write(b'{"type":"DELETED"}')
        return resp

    app = web.Application()
    app[SEEN] = seen
    app.router.add_get("/version", version)
    app.router.add_get("/api/v1/namespaces/kube-system/pods", pods)
    app.router.add_route("*", "/apis/apps/v1/namespaces/default/deployments/{name}", deployment)
    app.router.add_get("/api/v1/pods", watch)
    return app


@pytest.fixture
async def api(tmp_path: Path):
    app = _api()
    async with serve(app) as port:
        path = kubeconfig(
            tmp_path / "config", f"http://127.0.0.1:{port}", user={"token": TOKEN}, namespace="team"
        )
        conn = await Connection.open(str(path))
        yield conn, app
        await conn.close()


async def test_open_reads_context_and_namespace(api) -> None:
    conn, _ = api
    assert conn.context == "c" and conn.namespace == "team" and not conn.readonly
    assert (await conn.version())["gitVersion"] == "v1.31.0"
    assert TOKEN not in repr(conn)


async def test_typed_errors_carry_kubectl_messages(api) -> None:
    conn, _ = api
    with pytest.raises(errors.Forbidden) as forbidden:
        await conn.request("GET", "/api/v1/namespaces/kube-system/pods")
    assert forbidden.value.verb == "list" and forbidden.value.resource == "pods"
    assert forbidden.value.namespace == "kube-system"
    assert forbidden.value.message.startswith('Error from server (Forbidden): pods is forbidden: User "dev"')
    base = "/apis/apps/v1/namespaces/default/deployments"
    with pytest.raises(errors.NotFound, match=r'deployments\.apps "missing" not found'):
        await conn.request("GET", f"{base}/missing")
    with pytest.raises(errors.Conflict):
        await conn.request("PUT", f"{base}/stale", body={})
    with pytest.raises(errors.Invalid) as invalid:
        await conn.request("PATCH", f"{base}/bad", body={}, content_type=MERGE_PATCH)
    assert invalid.value.causes[0]["field"] == "spec.replicas"


async def test_patch_content_type_is_explicit_and_sent(api) -> None:
    conn, app = api
    base = "/apis/apps/v1/namespaces/default/deployments"
    with pytest.raises(ValueError):
        await conn.request("PATCH", f"{base}/web", body={"spec": {}})
    out = await conn.request(
        "PATCH", f"{base}/web", body={"spec": {"replicas": 2}}, content_type=STRATEGIC_MERGE_PATCH
    )
    assert out["echo"] == '{"spec":{"replicas":2}}'
    assert app[SEEN][-1]["ctype"] == STRATEGIC_MERGE_PATCH


async def test_readonly_refuses_mutations_but_allows_dry_run(tmp_path: Path) -> None:
    app = _api()
    async with serve(app) as port:
        path = kubeconfig(tmp_path / "config", f"http://127.0.0.1:{port}", user={"token": TOKEN})
        async with await Connection.open(str(path), readonly=True) as conn:
            base = "/apis/apps/v1/namespaces/default/deployments"
            with pytest.raises(
                errors.ReadOnlyError, match="kubetui is read-only: refusing to patch deployments/web"
            ):
                await conn.request("PATCH", f"{base}/web", body={}, content_type=MERGE_PATCH)
            with pytest.raises(errors.ReadOnlyError, match="refusing to delete deployments/web"):
                await conn.request("DELETE", f"{base}/web")
            assert app[SEEN] == []  # nothing reached the server
            out = await conn.request(
                "PATCH", f"{base}/web", query={"dryRun": "All"}, body={}, content_type=MERGE_PATCH
            )
            assert out["query"] == {"dryRun": "All"}
            assert (await conn.version())["major"] == "1"


async def test_unauthorized_hides_token(tmp_path: Path) -> None:
    async with serve(_api()) as port:
        path = kubeconfig(tmp_path / "config", f"http://127.0.0.1:{port}", user={"token": "wrong-" + TOKEN})
        async with await Connection.open(str(path)) as conn:
            with pytest.raises(errors.Unauthorized) as exc:
                await conn.version()
    assert exc.value.message == "error: You must be logged in to the server (Unauthorized)"
    assert TOKEN not in str(exc.value) and TOKEN not in repr(exc.value)


async def test_token_file_is_read(tmp_path: Path) -> None:
    (tmp_path / "token").write_text(TOKEN + "\n")
    async with serve(_api()) as port:
        path = kubeconfig(tmp_path / "config", f"http://127.0.0.1:{port}", user={"tokenFile": "token"})
        async with await Connection.open(str(path)) as conn:
            assert (await conn.version())["minor"] == "31"


async def test_exec_plugin_rerun_once_on_401(tmp_path: Path) -> None:
    counter = tmp_path / "runs"
    plugin = tmp_path / "plugin.py"
    # First run hands out a token the server rejects; the re-run after the 401 hands out the good one.
    plugin.write_text(
        "import json, pathlib\n"
        f"p = pathlib.Path({str(counter)!r})\n"
        "n = int(p.read_text()) + 1 if p.exists() else 1\n"
        "p.write_text(str(n))\n"
        f"token = 'stale' if n == 1 else {TOKEN!r}\n"
        "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1', 'kind': 'ExecCredential',"
        " 'status': {'token': token}}))\n"
    )
    plugin.chmod(plugin.stat().st_mode | stat.S_IEXEC)
    user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": sys.executable,
            "args": [str(plugin)],
            "interactiveMode": "Never",
        }
    }
    async with serve(_api()) as port:
        path = kubeconfig(tmp_path / "config", f"http://127.0.0.1:{port}", user=user)
        async with await Connection.open(str(path)) as conn:
            assert (await conn.version())["major"] == "1"
    assert counter.read_text() == "2"


async def test_stream_yields_lines_across_chunks(api) -> None:
    conn, _ = api
    lines = [line async for line in conn.stream("GET", "/api/v1/pods", query={"watch": "true"}, timeout=5)]
    assert lines == [
        b'{"type":"ADDED","object":{"n":1}}',
        b'{"type":"MODIFIED","object":{"n":2}}',
        b'{"type":"DELETED"}',
    ]


async def test_stream_read_timeout_ends_a_silent_stream(api) -> None:
    conn, _ = api
    got: list[bytes] = []
    with pytest.raises(errors.Unreachable) as exc:
        async for line in conn.stream("GET", "/api/v1/pods", query={"stall": "1"}, timeout=0.3):
            got.append(line)
    assert len(got) == 2 and exc.value.cause == "timeout"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_refused(tmp_path: Path) -> None:
    port = _free_port()
    path = kubeconfig(tmp_path / "config", f"https://127.0.0.1:{port}")
    async with await Connection.open(str(path)) as conn:
        with pytest.raises(errors.Unreachable) as exc:
            await conn.version()
    assert exc.value.cause == "refused"
    assert exc.value.message == (
        f"The connection to the server 127.0.0.1:{port} was refused - did you specify the right host or port?"
    )


async def test_dns_failure(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "config", "https://nonexistent.invalid:6443")
    async with await Connection.open(str(path)) as conn:
        with pytest.raises(errors.Unreachable) as exc:
            await conn.version()
    assert exc.value.cause == "dns"
    assert "lookup nonexistent.invalid: no such host" in exc.value.message


async def test_tls_name_mismatch_and_trusted_ca(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path, "IP:127.0.0.1")
    async with serve(_api(), server_ssl(cert, key)) as port:
        good = kubeconfig(
            tmp_path / "good",
            f"https://127.0.0.1:{port}",
            cluster={"certificate-authority": str(cert)},
            user={"token": TOKEN},
        )
        async with await Connection.open(str(good)) as conn:
            assert (await conn.version())["major"] == "1"
        wrong_name = kubeconfig(
            tmp_path / "wrong", f"https://localhost:{port}", cluster={"certificate-authority": str(cert)}
        )
        async with await Connection.open(str(wrong_name)) as conn:
            with pytest.raises(errors.Unreachable) as exc:
                await conn.version()
        assert exc.value.cause == "tls-name"
        # The names come from the certificate itself, read in a second handshake without the name check.
        assert exc.value.hint == (
            "the server's certificate is valid for 127.0.0.1 but not localhost; "
            f"set the cluster's server to https://127.0.0.1:{port} in your kubeconfig"
        )
        untrusted = kubeconfig(tmp_path / "untrusted", f"https://127.0.0.1:{port}")
        async with await Connection.open(str(untrusted)) as conn:
            with pytest.raises(errors.Unreachable) as exc:
                await conn.version()
        assert exc.value.cause == "tls"
        skip = kubeconfig(
            tmp_path / "skip",
            f"https://localhost:{port}",
            cluster={"insecure-skip-tls-verify": True},
            user={"token": TOKEN},
        )
        async with await Connection.open(str(skip)) as conn:
            assert (await conn.version())["major"] == "1"


async def test_config_errors_are_typed(tmp_path: Path) -> None:
    with pytest.raises(errors.ConfigError, match="no such file"):
        await Connection.open(str(tmp_path / "none"))
    path = kubeconfig(tmp_path / "config", "https://127.0.0.1:1")
    with pytest.raises(errors.ConfigError, match='context "other" does not exist'):
        await Connection.open(str(path), context="other")


def test_from_status_without_details_names_the_request() -> None:
    err = errors.from_status(403, {}, verb="watch", resource="secrets", namespace="prod")
    assert isinstance(err, errors.Forbidden)
    assert "secrets" in err.message and '"prod"' in err.message
    assert isinstance(errors.from_status(410, {"reason": "Expired", "message": "too old"}), errors.Expired)
    assert isinstance(errors.from_status(409, {"reason": "AlreadyExists"}), errors.AlreadyExists)


async def test_client_certificate_and_ca_data(tmp_path: Path) -> None:
    """Embedded *-data fields work as kubectl's do: the server demands a client certificate it trusts."""
    import base64
    import ssl

    server_dir, client_dir = tmp_path / "server", tmp_path / "client"
    server_dir.mkdir()
    client_dir.mkdir()
    server_cert, server_key = self_signed(server_dir, "IP:127.0.0.1")
    client_cert, client_key = self_signed(client_dir, "DNS:kubetui-user")
    ctx = server_ssl(server_cert, server_key)
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(str(client_cert))

    def b64(path: Path) -> str:
        return base64.b64encode(path.read_bytes()).decode()

    async with serve(_api(), ctx) as port:
        with_cert = kubeconfig(
            tmp_path / "config",
            f"https://127.0.0.1:{port}",
            cluster={"certificate-authority-data": b64(server_cert)},
            user={
                "client-certificate-data": b64(client_cert),
                "client-key-data": b64(client_key),
                "token": TOKEN,
            },
        )
        async with await Connection.open(str(with_cert)) as conn:
            assert (await conn.version())["major"] == "1"
        without = kubeconfig(
            tmp_path / "nocert",
            f"https://127.0.0.1:{port}",
            cluster={"certificate-authority-data": b64(server_cert)},
            user={"token": TOKEN},
        )
        async with await Connection.open(str(without)) as conn:
            with pytest.raises(errors.Unreachable):
                await conn.version()


async def test_tls_server_name_is_used_for_verification(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path, "DNS:kubernetes.default")
    async with serve(_api(), server_ssl(cert, key)) as port:
        named = kubeconfig(
            tmp_path / "named",
            f"https://127.0.0.1:{port}",
            cluster={"certificate-authority": str(cert), "tls-server-name": "kubernetes.default"},
            user={"token": TOKEN},
        )
        async with await Connection.open(str(named)) as conn:
            assert (await conn.version())["major"] == "1"
        unnamed = kubeconfig(
            tmp_path / "unnamed", f"https://127.0.0.1:{port}", cluster={"certificate-authority": str(cert)}
        )
        async with await Connection.open(str(unnamed)) as conn:
            with pytest.raises(errors.Unreachable) as exc:
                await conn.version()
        assert exc.value.cause == "tls-name"
        assert "tls-server-name" in exc.value.hint
