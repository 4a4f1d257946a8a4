"""After create: the context is selected, the entry is checked by connecting, the journey's TLS trap is fixed."""

from __future__ import annotations

from pathlib import Path

import yaml

from kubetui.providers import kubeconfigs
from kubetui.providers.base import ClusterSpec
from kubetui.providers.k3d import K3dProvider
from kubetui.providers.kubeconfigs import diagnose, loopback_server
from kubetui.providers.registry import apply_fix, select_and_verify

from .api_stub import api_server
from .conftest import Standins


async def test_create_selects_context_and_connects(standins: Standins, tmp_path: Path, monkeypatch) -> None:
    async with api_server(tmp_path) as (port, ca):
        monkeypatch.setenv("STANDIN_SERVER", f"https://127.0.0.1:{port}")
        monkeypatch.setenv("STANDIN_CA", str(ca))
        k3d = K3dProvider()
        assert await k3d.create(ClusterSpec("good", k3d.preset("single"))).wait() == 0
        # Something else changed the current context meanwhile; after create kubetui selects the new one.
        doc = yaml.safe_load(standins.kubeconfig.read_text())
        doc["current-context"] = ""
        standins.kubeconfig.write_text(yaml.safe_dump(doc))
        result = await select_and_verify(k3d, "good")
        assert kubeconfigs.current_context(standins.kubeconfig) == "k3d-good"
        assert result.ok, result.error
        assert result.version == "v1.31.0+k3s1"
        assert result.diagnosis is None


async def test_tls_name_mismatch_is_diagnosed_and_fixed(
    standins: Standins, tmp_path: Path, monkeypatch
) -> None:
    async with api_server(tmp_path) as (port, ca):
        # The certificate covers 127.0.0.1 only; the kubeconfig names another host, as in the journey.
        monkeypatch.setenv("STANDIN_SERVER", f"https://localhost:{port}")
        monkeypatch.setenv("STANDIN_CA", str(ca))
        k3d = K3dProvider()
        assert await k3d.create(ClusterSpec("mykubecluster", k3d.preset("lab"))).wait() == 0
        result = await select_and_verify(k3d, "mykubecluster")
        assert not result.ok
        assert result.cause == "tls-name"
        assert result.diagnosis is not None
        assert result.diagnosis.problem == "the API server's TLS certificate is not valid for localhost"
        assert result.diagnosis.fix_server == f"https://127.0.0.1:{port}"
        fixed = await apply_fix(result.diagnosis, "k3d-mykubecluster")
        assert fixed.ok, fixed.error
        assert kubeconfigs.server_of(standins.kubeconfig, "k3d-mykubecluster") == f"https://127.0.0.1:{port}"
        # Nothing else in the entry changed: the CA and the user are the tool's.
        cluster = kubeconfigs.cluster_of(standins.kubeconfig, "k3d-mykubecluster")
        assert cluster is not None and "certificate-authority-data" in cluster[1]


async def test_host_docker_internal_is_diagnosed(standins: Standins, tmp_path: Path, monkeypatch) -> None:
    async with api_server(tmp_path) as (port, ca):
        monkeypatch.setenv("STANDIN_SERVER", f"https://host.docker.internal:{port}")
        monkeypatch.setenv("STANDIN_CA", str(ca))
        k3d = K3dProvider()
        assert await k3d.create(ClusterSpec("dd", k3d.preset("single"))).wait() == 0
        result = await select_and_verify(k3d, "dd")
        assert not result.ok and result.diagnosis is not None
        assert result.diagnosis.old_server == f"https://host.docker.internal:{port}"
        assert (await apply_fix(result.diagnosis, "k3d-dd")).ok


def test_diagnosis_rules() -> None:
    assert diagnose("https://host.docker.internal:54058", "other", "EOF") is not None
    assert diagnose("https://127.0.0.1:6443", "tls-name") is None  # already the loopback address
    assert diagnose("https://example.com:6443", "dns") is None  # a remote cluster is not ours to rewrite
    assert diagnose("https://example.com:6443", "refused") is None
    assert loopback_server("https://host.docker.internal:54058/") == "https://127.0.0.1:54058/"


def test_merge_and_remove_keep_other_entries(tmp_path: Path) -> None:
    user = tmp_path / "config"
    user.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "work",
                "clusters": [{"name": "work", "cluster": {"server": "https://work:6443"}}],
                "users": [{"name": "work", "user": {"token": "t"}}],
                "contexts": [{"name": "work", "context": {"cluster": "work", "user": "work"}}],
            }
        )
    )
    source = tmp_path / "sim"
    source.write_text(
        yaml.safe_dump(
            {
                "clusters": [{"name": "kubetui-sim", "cluster": {"server": "http://127.0.0.1:31000"}}],
                "users": [{"name": "kubetui-sim", "user": {}}],
                "contexts": [
                    {"name": "kubetui-sim", "context": {"cluster": "kubetui-sim", "user": "kubetui-sim"}}
                ],
            }
        )
    )
    kubeconfigs.merge_from(user, source, "kubetui-sim", "kubetui-lab", select=True)
    assert kubeconfigs.current_context(user) == "kubetui-lab"
    assert kubeconfigs.context_names(user) == ["work", "kubetui-lab"]
    assert kubeconfigs.server_of(user, "kubetui-lab") == "http://127.0.0.1:31000"
    assert user.stat().st_mode & 0o777 == 0o600
    kubeconfigs.merge_from(user, source, "kubetui-sim", "kubetui-lab", select=False)
    assert kubeconfigs.context_names(user) == ["work", "kubetui-lab"]  # replaced, not duplicated
    assert kubeconfigs.remove_context(user, "kubetui-lab")
    assert kubeconfigs.context_names(user) == ["work"]
    assert kubeconfigs.current_context(user) is None
    assert kubeconfigs.server_of(user, "work") == "https://work:6443"
