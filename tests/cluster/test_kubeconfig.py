"""kubeconfig selection and merging follow kubectl's rules."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from kubetui.cluster.kubeconfig import candidate_paths, load_kubeconfig


def _write(path: Path, *, current: str = "", clusters=(), users=(), contexts=()) -> Path:
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": n, "cluster": {"server": s}} for n, s in clusters],
        "users": [{"name": n, "user": u} for n, u in users],
        "contexts": [{"name": n, "context": c} for n, c in contexts],
    }
    if current:
        doc["current-context"] = current
    path.write_text(yaml.safe_dump(doc))
    return path


def test_explicit_file_only(tmp_path: Path) -> None:
    a = _write(
        tmp_path / "a", current="a", clusters=[("a", "https://a:1")], contexts=[("a", {"cluster": "a"})]
    )
    b = _write(
        tmp_path / "b", current="b", clusters=[("b", "https://b:1")], contexts=[("b", {"cluster": "b"})]
    )
    env = {"KUBECONFIG": f"{b}{os.pathsep}{a}"}
    config = load_kubeconfig(str(a), environ=env)
    assert config.loaded == [str(a)]
    assert [c.name for c in config.contexts] == ["a"]
    assert config.current_context == "a"


def test_kubeconfig_env_merges_first_wins(tmp_path: Path) -> None:
    first = _write(
        tmp_path / "first",
        clusters=[("shared", "https://first:6443")],
        users=[("u", {"token": "one"})],
        contexts=[("shared", {"cluster": "shared", "user": "u", "namespace": "team"})],
    )
    second = _write(
        tmp_path / "second",
        current="other",
        clusters=[("shared", "https://second:6443"), ("other", "https://other:6443")],
        users=[("u", {"token": "two"})],
        contexts=[("shared", {"cluster": "other"}), ("other", {"cluster": "other", "user": "u"})],
    )
    third = _write(tmp_path / "third", current="shared")
    missing = tmp_path / "missing"
    env = {"KUBECONFIG": os.pathsep.join([str(first), str(missing), "", str(second), str(third)])}
    config = load_kubeconfig(None, environ=env)
    assert config.loaded == [str(first), str(second), str(third)]
    assert config.error is None
    # first file without a current-context does not block the second's
    assert config.current_context == "other"
    assert config.clusters["shared"]["server"] == "https://first:6443"
    assert config.users["u"] == {"token": "one"}
    shared = config.context("shared")
    assert shared is not None
    assert (shared.cluster, shared.user, shared.namespace, shared.server) == (
        "shared",
        "u",
        "team",
        "https://first:6443",
    )
    assert config.default_namespace("shared") == "team"
    assert config.default_namespace() == "default"
    assert [c.name for c in config.contexts] == ["shared", "other"]


def test_default_path_when_env_unset(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert candidate_paths(None, environ={}) == [str(tmp_path / ".kube" / "config")]
    config = load_kubeconfig(None, environ={})
    assert not config.found and config.error is None and config.contexts == []
    (tmp_path / ".kube").mkdir()
    _write(
        tmp_path / ".kube" / "config",
        current="x",
        clusters=[("x", "https://x")],
        contexts=[("x", {"cluster": "x"})],
    )
    config = load_kubeconfig(None, environ={})
    assert config.found and config.current_context == "x"


def test_missing_explicit_file_is_a_typed_result(tmp_path: Path) -> None:
    config = load_kubeconfig(str(tmp_path / "nope"))
    assert not config.found
    assert config.error is not None and "no such file" in config.error


def test_invalid_yaml_is_reported_not_raised(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    bad.write_text("clusters: [\n")
    config = load_kubeconfig(str(bad))
    assert not config.found and config.error and "bad" in config.error


def test_relative_paths_resolve_against_their_file(tmp_path: Path) -> None:
    sub = tmp_path / "sub"
    sub.mkdir()
    path = sub / "config"
    path.write_text(
        yaml.safe_dump(
            {
                "clusters": [
                    {"name": "c", "cluster": {"server": "https://c", "certificate-authority": "ca.crt"}}
                ],
                "users": [
                    {
                        "name": "u",
                        "user": {
                            "client-certificate": "certs/u.crt",
                            "client-key": "/abs/u.key",
                            "tokenFile": "tok",
                            "exec": {"command": "./bin/login", "apiVersion": "v1"},
                        },
                    },
                    {"name": "v", "user": {"exec": {"command": "aws", "apiVersion": "v1"}}},
                ],
                "contexts": [{"name": "c", "context": {"cluster": "c", "user": "u"}}],
            }
        )
    )
    config = load_kubeconfig(str(path))
    assert config.clusters["c"]["certificate-authority"] == str(sub / "ca.crt")
    user = config.users["u"]
    assert user["client-certificate"] == str(sub / "certs/u.crt")
    assert user["client-key"] == "/abs/u.key"
    assert user["tokenFile"] == str(sub / "tok")
    assert user["exec"]["command"] == str(sub / "bin/login")
    assert config.users["v"]["exec"]["command"] == "aws"
