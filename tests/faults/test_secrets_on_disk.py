"""Files that can hold credentials or Secret data are the owner's alone, and the apply picker never offers them."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from kubetui.cluster.connection import Connection
from kubetui.providers.base import ClusterSpec
from kubetui.providers.builtin import BuiltinProvider
from kubetui.screens.dialogs.apply import manifest_files
from tests.faults.served import ServedSim
from tests.providers.conftest import Standins, make_standins

SECRETS = "/api/v1/namespaces/default/secrets"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def standins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Standins:
    return make_standins(tmp_path, monkeypatch)


async def test_state_file_is_0600_and_holds_no_plain_string_data(served: ServedSim) -> None:
    async with await Connection.open(str(served.kubeconfig)) as conn:
        body = {"metadata": {"name": "db"}, "stringData": {"password": "hunter2-plain"}}
        created = await conn.request("POST", SECRETS, body=body)
    assert "stringData" not in created and created["data"] == {"password": "aHVudGVyMi1wbGFpbg=="}
    served.stop()
    assert mode(served.state) == 0o600
    assert mode(served.kubeconfig) == 0o600
    saved = served.state.read_text()
    assert "hunter2-plain" not in saved and "stringData" not in saved
    assert not served.state.with_name("state.json.tmp").exists()


def test_an_existing_world_readable_state_file_is_rewritten_0600(tmp_path: Path) -> None:
    from kubetui.sim.store import ObjectStore

    path = tmp_path / "state.json"
    path.write_text("{}")
    path.chmod(0o644)
    path.with_name("state.json.tmp").write_text("")
    path.with_name("state.json.tmp").chmod(0o644)
    ObjectStore().save(path)
    assert mode(path) == 0o600


@pytest.mark.slow
async def test_built_in_cluster_directory_is_0700(standins: Standins) -> None:
    provider = BuiltinProvider(kubeconfig=standins.kubeconfig)
    assert await provider.create(ClusterSpec("lab", provider.preset("single"))).wait() == 0
    try:
        assert mode(provider.dir("lab")) == 0o700
        assert await provider.stop("lab").wait() == 0
        assert mode(provider.dir("lab") / "state.json") == 0o600
        assert mode(provider.kubeconfig_path("lab")) == 0o600
    finally:
        await provider.delete("lab").wait()


def test_the_apply_picker_offers_only_kubernetes_objects(tmp_path: Path) -> None:
    (tmp_path / "kc.yaml").write_text(
        "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers:\n- name: u\n  user:\n    token: s3cr3t\n"
    )
    (tmp_path / "state.json").write_text(json.dumps({"resourceVersion": 3, "objects": {}}))
    (tmp_path / "notes.json").write_text("[1, 2, 3]")
    (tmp_path / "broken.yaml").write_text("kind: [unclosed\n")
    (tmp_path / "binary.yml").write_bytes(b"\x00\xff\xfe" * 100)
    (tmp_path / "web.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n---\n"
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
    )
    assert [p.name for p in manifest_files([tmp_path])] == ["web.yaml"]
