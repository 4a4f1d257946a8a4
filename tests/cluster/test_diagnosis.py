"""The plain-words diagnoses: which address fixes a certificate name mismatch, and what a 401 means."""

from __future__ import annotations

from pathlib import Path

from kubetui.cluster.diagnosis import credential_kind, name_mismatch_hint, tls_file_problem, unauthorized_hint


def test_mismatch_hint_prefers_loopback_then_an_address_then_a_name() -> None:
    names = ["kubernetes", "10.96.0.1", "127.0.0.1"]
    hint = name_mismatch_hint("https://host.docker.internal:54058", names)
    assert "valid for kubernetes, 10.96.0.1, 127.0.0.1 but not host.docker.internal" in hint
    assert "set the cluster's server to https://127.0.0.1:54058" in hint
    assert hint.endswith("or keep the address and add tls-server-name: kubernetes")
    assert "https://10.96.0.1:6443" in name_mismatch_hint("https://api:6443", ["api.internal", "10.96.0.1"])
    assert "https://[::1]:6443" in name_mismatch_hint("https://api:6443", ["::1"])
    assert "server to https://api.internal in your" in name_mismatch_hint("https://api", ["api.internal"])
    assert name_mismatch_hint("https://api:6443", []) == ""


def test_unauthorized_hint_follows_the_kind_of_credential() -> None:
    assert credential_kind({"exec": {"command": "aws"}}) == "exec"
    assert credential_kind({"tokenFile": "/t"}) == "token"
    assert credential_kind({"client-certificate-data": "x", "client-key-data": "y"}) == "client-certificate"
    assert credential_kind({}) == ""
    assert "log in again" in unauthorized_hint("exec", "sso")
    assert "expired or is not signed" in unauthorized_hint("client-certificate", "me")
    assert unauthorized_hint("", "me") == 'the kubeconfig gives no credentials for user "me"'


def test_tls_file_problem_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "ca.crt"
    bad.write_text("not pem\n")
    assert (
        tls_file_problem(str(bad), None, None)
        == f"the certificate authority file {bad} is not a PEM certificate"
    )
    missing = tmp_path / "nope.crt"
    assert "does not exist" in tls_file_problem(None, str(missing), str(missing))
    assert tls_file_problem(None, None, None) == ""
