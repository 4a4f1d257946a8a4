"""TLS and authentication against the real API server: client certificates and a CA, bearer tokens, an exec
credential plugin run again when its token expires, a certificate that does not cover the host name used, and
credentials that are expired or garbage, each failing at once with a message that says what to do."""

from __future__ import annotations

import asyncio
import datetime
import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from kubetui.cluster.connection import Connection
from kubetui.cluster.errors import ConfigError, Forbidden, Unauthorized, Unreachable
from kubetui.cluster.watch import Watcher, WatchState
from tests.realk8s.kubeconfigs import exec_credentials, write_kubeconfig
from tests.realk8s.tls_relay import TLSRelay

pytestmark = [pytest.mark.realk8s]

REVIEW = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
PROMPT = 10.0  # seconds: a refused credential is an answer, never a wait


async def whoami(conn: Connection) -> dict[str, Any]:
    """The user the API server sees (what ``kubectl auth whoami`` asks)."""
    review = await conn.request("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", body=REVIEW)
    return dict(review["status"]["userInfo"])


async def opened(path: Path) -> Connection:
    return await Connection.open(kubeconfig_path=str(path))


class ExecPlugin:
    """A stand-in credential plugin: prints an ExecCredential with the token and lifetime the test sets, and
    counts its runs."""

    def __init__(self, folder: Path) -> None:
        self.state = folder / "plugin-state.json"
        self.runs = folder / "plugin-runs"
        self.command = folder / "credential-plugin"
        self.runs.write_text("")
        self.command.write_text(
            f"#!{sys.executable}\n"
            "import datetime, json, pathlib, sys\n"
            f"state = json.loads(pathlib.Path({str(self.state)!r}).read_text())\n"
            f"with open({str(self.runs)!r}, 'a') as runs:\n"
            "    runs.write('run\\n')\n"
            "expiry = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=state['lifetime'])\n"
            "status = {'token': state['token'], 'expirationTimestamp': expiry.strftime('%Y-%m-%dT%H:%M:%SZ')}\n"
            "json.dump({'apiVersion': 'client.authentication.k8s.io/v1', 'kind': 'ExecCredential',\n"
            "           'status': status}, sys.stdout)\n"
        )
        self.command.chmod(0o700)

    def give(self, token: str, lifetime: float) -> None:
        self.state.write_text(json.dumps({"token": token, "lifetime": lifetime}))

    @property
    def run_count(self) -> int:
        return self.runs.read_text().count("run")


async def test_client_certificate_and_ca(realk8s: Any, tmp_path: Path) -> None:
    async with await opened(realk8s.kubeconfig) as conn:
        me = await whoami(conn)
        assert me["username"] == "kubetui-admin" and "system:masters" in me["groups"]
    # A certificate of the same CA for a user RBAC knows nothing of: authenticated, then refused by name.
    async with await opened(realk8s.cert_kubeconfig("alice", "alice")) as conn:
        assert (await whoami(conn))["username"] == "alice"
        with pytest.raises(Forbidden) as refused:
            await conn.request("GET", "/api/v1/namespaces/default/pods")
        assert 'User "alice" cannot list resource "pods"' in refused.value.message
    # Trusting another CA: the server's certificate is not accepted, and the message says where to look.
    from tests.realk8s import pki

    other = pki.Authority(tmp_path / "other-ca")
    path = write_kubeconfig(tmp_path / "wrong-ca", realk8s.server, other.cert_path, "x", {"token": "t"})
    async with await opened(path) as conn:
        with pytest.raises(Unreachable) as unknown_ca:
            await asyncio.wait_for(conn.version(), PROMPT)
    assert unknown_ca.value.cause == "tls"
    assert "certificate-authority" in unknown_ca.value.hint


async def test_bearer_token(realk8s: Any) -> None:
    async with await opened(realk8s.token_kubeconfig("token-viewer")) as conn:
        assert (await whoami(conn))["username"] == "token-viewer"
        listing = await conn.request("GET", "/api/v1/namespaces/kube-system/pods")
        assert listing["kind"] == "PodList"
        with pytest.raises(Forbidden):
            await conn.request("GET", "/api/v1/namespaces/kube-system/secrets")


async def test_exec_plugin_runs_again_when_its_token_expires(realk8s: Any, tmp_path: Path) -> None:
    plugin = ExecPlugin(tmp_path)
    path = write_kubeconfig(
        tmp_path / "kubeconfig",
        realk8s.server,
        realk8s.ca_file,
        "sso-user",
        exec_credentials(str(plugin.command)),
    )
    plugin.give(realk8s.tokens["token-viewer"], lifetime=3)
    async with await opened(path) as conn:
        assert plugin.run_count == 1
        assert (await whoami(conn))["username"] == "token-viewer"
        # The plugin would now hand out another user's token, but the first is still valid: no new run.
        plugin.give(realk8s.tokens["token-admin"], lifetime=3600)
        assert (await whoami(conn))["username"] == "token-viewer"
        assert plugin.run_count == 1
        await asyncio.sleep(3.5)
        # Expired: the next request runs the plugin again and sends the token it printed.
        assert (await whoami(conn))["username"] == "token-admin"
        assert plugin.run_count == 2


async def test_exec_plugin_runs_again_after_a_401(realk8s: Any, tmp_path: Path) -> None:
    plugin = ExecPlugin(tmp_path)
    path = write_kubeconfig(
        tmp_path / "kubeconfig",
        realk8s.server,
        realk8s.ca_file,
        "sso-user",
        exec_credentials(str(plugin.command)),
    )
    plugin.give("revoked-by-the-server", lifetime=3600)
    async with await opened(path) as conn:
        plugin.give(realk8s.tokens["token-viewer"], lifetime=3600)
        # Not expired by its own clock, but refused: one more run, and the request succeeds on its retry.
        assert (await whoami(conn))["username"] == "token-viewer"
        assert plugin.run_count == 2
        # A plugin that keeps printing a refused token: a clear 401 naming the plugin, not a loop.
        plugin.give("still-wrong", lifetime=3600)
        conn._loader.exec_plugin_expiry = datetime.datetime.now(datetime.UTC)  # type: ignore[union-attr]
        with pytest.raises(Unauthorized) as refused:
            await asyncio.wait_for(whoami(conn), PROMPT)
        assert "exec plugin" in refused.value.hint


async def test_certificate_without_the_host_name_is_diagnosed_with_the_fix(
    realk8s: Any, tmp_path: Path
) -> None:
    token = {"token": realk8s.tokens["token-admin"]}
    name = "relay.kubetui.test"  # in the certificate, resolvable nowhere: only tls-server-name can use it
    async with TLSRelay(realk8s.pki_dir, realk8s.ports["apiserver"], dns=(name,)) as relay:
        by_name = f"https://localhost:{relay.port}"
        wrong = write_kubeconfig(tmp_path / "by-name", by_name, realk8s.ca_file, "u", token)
        async with await opened(wrong) as conn:
            started = time.monotonic()
            with pytest.raises(Unreachable) as mismatch:
                await asyncio.wait_for(conn.version(), PROMPT)
            assert time.monotonic() - started < PROMPT
        assert mismatch.value.cause == "tls-name"
        assert "certificate is not valid for localhost" in mismatch.value.message
        fix = f"https://127.0.0.1:{relay.port}"
        assert f"valid for {name}, 127.0.0.1 but not localhost" in mismatch.value.hint
        assert f"set the cluster's server to {fix}" in mismatch.value.hint
        assert f"tls-server-name: {name}" in mismatch.value.hint
        # Both remedies work, with the same credentials: the address the certificate names ...
        fixed = write_kubeconfig(tmp_path / "by-address", fix, realk8s.ca_file, "u", token)
        async with await opened(fixed) as conn:
            assert (await whoami(conn))["username"] == "token-admin"
        # ... or the same address with the name the certificate has.
        named = write_kubeconfig(
            tmp_path / "named", by_name, realk8s.ca_file, "u", token, cluster_extra={"tls-server-name": name}
        )
        async with await opened(named) as conn:
            assert (await whoami(conn))["username"] == "token-admin"


@pytest.mark.parametrize("credential", ["garbage token", "expired certificate"])
async def test_refused_credentials_fail_at_once_with_a_reason(realk8s: Any, credential: str) -> None:
    if credential == "garbage token":
        path = realk8s.token_kubeconfig("nobody", token="not-a-token-the-server-knows")
        words = "bearer token"
    else:
        expired = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)
        path = realk8s.cert_kubeconfig("expired", "expired-user", not_after=expired)
        words = "client certificate"
    async with await opened(path) as conn:
        started = time.monotonic()
        with pytest.raises(Unauthorized) as refused:
            await asyncio.wait_for(conn.request("GET", "/api/v1/namespaces"), PROMPT)
        assert time.monotonic() - started < PROMPT
        assert refused.value.message == "error: You must be logged in to the server (Unauthorized)"
        assert words in refused.value.hint
        # A watcher says "unauthorized" (not "reconnecting" to a server that answers) and keeps the reason.
        states: list[WatchState] = []
        watcher = Watcher(conn, "pods", None, lambda kind, deltas: None, states.append)
        task = asyncio.create_task(watcher.run())
        try:
            for _ in range(int(PROMPT / 0.05)):
                if states and states[-1].phase == "unauthorized":
                    break
                await asyncio.sleep(0.05)
        finally:
            watcher.stop()
            await asyncio.gather(task, return_exceptions=True)
        assert states[-1].phase == "unauthorized" and words in states[-1].hint


async def test_unreadable_client_certificate_is_named(realk8s: Any) -> None:
    path = realk8s.cert_kubeconfig("broken", "broken-user")
    (realk8s.pki_dir / "broken.crt").write_text("this is not a certificate\n")
    with pytest.raises(ConfigError) as bad:
        await opened(path)
    assert str(realk8s.pki_dir / "broken.crt") in bad.value.message
    assert "not valid PEM" in bad.value.message
