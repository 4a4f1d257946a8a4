"""kwok as a local-cluster provider: the argv it runs, refused in read-only mode, and for real — a cluster
created with kwokctl's binary runtime from the cached control plane, listed, reached, and deleted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kubetui.cluster.connection import Connection
from kubetui.cluster.errors import ReadOnlyError
from kubetui.providers.base import ClusterSpec, InvalidName, Preset
from kubetui.providers.kwok import BIN_DIR_ENV, KwokProvider, find_bin_dir, log_line, parse_cluster_list
from tests.backends import realk8s_required, wait_for

NAMES = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", "kwokctl")


def _fake_bin_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in NAMES:
        (folder / name).write_text("#!/bin/sh\n")
        (folder / name).chmod(0o755)
    return folder


def test_create_argv_uses_the_binary_runtime_and_the_found_binaries(tmp_path: Path) -> None:
    folder = _fake_bin_dir(tmp_path)
    provider = KwokProvider()
    provider.env = {
        BIN_DIR_ENV: str(folder),
        "KUBECONFIG": f"{tmp_path / 'kc'}{os.pathsep}{tmp_path / 'other'}",
    }
    spec = ClusterSpec("lab", Preset(id="p", label="p", servers=0, agents=7))
    argv = provider.create_command(spec)
    assert argv[:7] == [str(folder / "kwokctl"), "create", "cluster", "--name", "lab", "--runtime", "binary"]
    assert argv[argv.index("--kube-apiserver-binary") + 1] == str(folder / "kube-apiserver")
    assert argv[argv.index("--kwok-controller-binary") + 1] == str(folder / "kwok")
    assert argv[argv.index("--kubeconfig") + 1] == str(tmp_path / "kc")  # the first file, as kubectl writes
    assert provider.scale_command("lab", 7) == [
        str(folder / "kwokctl"),
        "scale",
        "node",
        "--replicas",
        "7",
        "--name",
        "lab",
    ]
    assert provider.context_name("lab") == "kwok-lab"
    assert provider.check()[0].level == "ok" and not provider.needs_docker


def test_bad_names_counts_and_missing_binaries_are_refused_before_anything_runs(tmp_path: Path) -> None:
    provider = KwokProvider()
    provider.env = {BIN_DIR_ENV: str(tmp_path / "empty")}
    with pytest.raises(InvalidName):
        provider.delete("Bad_Name")
    with pytest.raises(InvalidName):
        provider.scale_command("-x", 1)
    with pytest.raises(ValueError, match="0 to 5,000 fake nodes"):
        provider.scale_command("ok", 5001)
    assert find_bin_dir(provider.env) is None
    finding = provider.check()[0]
    assert finding.level == "error" and BIN_DIR_ENV in finding.advice


def test_read_only_blocks_create_start_stop_and_delete(tmp_path: Path) -> None:
    provider = KwokProvider(bin_dir=_fake_bin_dir(tmp_path))
    provider.readonly = True
    spec = ClusterSpec("lab", Preset(id="p", label="p", agents=1))
    for call in (lambda: provider.create(spec), lambda: provider.delete("lab"), lambda: provider.stop("lab")):
        with pytest.raises(ReadOnlyError, match="kubetui is read-only"):
            call()


def test_list_and_log_parsing() -> None:
    text = "NAME    READY   STATUS\nlab     5/5     Ready\nold     0/5     Stopped\n"
    clusters = parse_cluster_list(text, KwokProvider())
    assert [(c.name, c.context, c.state) for c in clusters] == [
        ("lab", "kwok-lab", "running"),
        ("old", "kwok-old", "stopped"),
    ]
    line = '{"time":"t","level":"INFO","msg":"Cluster is created","cluster":"lab","elapsed":{"human":"5.4s"}}'
    assert log_line(line) == "Cluster is created (5.4s)"
    assert log_line("plain text") == "plain text"


@pytest.mark.realk8s
async def test_kwok_cluster_created_listed_reached_and_deleted(tmp_path: Path) -> None:
    folder = find_bin_dir()
    if folder is None:
        reason = "kwok's binaries are not built (python3 dev.py realk8s build)"
        if realk8s_required():
            pytest.fail(reason)
        pytest.skip(reason)
    kubeconfig = tmp_path / "kubeconfig"
    provider = KwokProvider()
    # kwokctl keeps its clusters under $HOME/.kwok: a home of this test's own leaves the user's alone.
    provider.env = {**os.environ, "HOME": str(tmp_path), "KUBECONFIG": str(kubeconfig)}
    name = f"kt-{os.getpid() % 100000}"
    created = provider.create(ClusterSpec(name, Preset(id="p", label="p", servers=0, agents=3)))
    try:
        code = await created.wait()
        assert code == 0, "\n".join(created.output[-20:])
        assert not any(line.startswith("{") for line in created.output)  # JSON logs are made readable
        listed = {c.name: c for c in await provider.list_clusters()}
        assert listed[name].state == "running" and listed[name].context == f"kwok-{name}"
        conn = await Connection.open(str(kubeconfig), context=f"kwok-{name}")
        async with conn:

            async def ready_nodes() -> int:
                nodes = (await conn.request("GET", "/api/v1/nodes"))["items"]
                ready = [
                    n
                    for n in nodes
                    if any(
                        c["type"] == "Ready" and c["status"] == "True"
                        for c in n["status"].get("conditions", [])
                    )
                ]
                return len(ready) == 3

            await wait_for(ready_nodes, timeout=60, what="3 Ready fake nodes")
            assert (await conn.version())["gitVersion"].startswith("v1.")
    finally:
        deleted = provider.delete(name)
        assert await deleted.wait() == 0, "\n".join(deleted.output[-20:])
    assert name not in {c.name for c in await provider.list_clusters()}
    assert not (tmp_path / ".kwok" / "clusters" / name).exists()
