"""Docker checks and label discovery against a real Docker-API engine (podman's API service), not a mocked SDK."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kubetui.providers.docker_env import DockerStatus, probe, probe_sync, resource_findings
from kubetui.providers.k3d import K3dProvider
from kubetui.providers.minikube import MinikubeProvider
from kubetui.providers.registry import checks, default_providers, discover

from .conftest import Standins


@pytest.fixture(scope="module")
def engine() -> Iterator[str]:
    """``podman system service`` on a private socket and storage; yields a DOCKER_HOST URL."""
    podman = shutil.which("podman")
    if podman is None:
        pytest.skip(
            "podman is not installed (CI installs it with apt-get); no Docker-API engine to test against"
        )
    # A short private directory: unix socket paths are limited to about 100 bytes.
    root = Path(tempfile.mkdtemp(prefix="kt-podman-"))
    sock = root / "api.sock"
    log = open(root / "service.log", "wb")  # noqa: SIM115 - closed below, after the service stops
    proc = subprocess.Popen(
        [podman, "--root", str(root / "storage"), "--runroot", str(root / "run"),
         "system", "service", "--time=0", f"unix://{sock}"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"unix://{sock}"
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and proc.poll() is None:
            if sock.exists() and probe_sync(url, timeout=2).reachable:
                break
            time.sleep(0.1)
        else:
            reason = (root / "service.log").read_text(errors="replace")[-500:]
            pytest.skip(f"podman's API service did not start here: {reason.strip() or 'no output'}")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        subprocess.run(
            [
                podman,
                "--root",
                str(root / "storage"),
                "--runroot",
                str(root / "run"),
                "system",
                "reset",
                "-f",
            ],
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def labelled(engine: str) -> Iterator[str]:
    """Node containers as k3d, kind and minikube label them (created, not started: no image registry here)."""
    import docker

    client = docker.DockerClient(base_url=engine)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("empty")
        tar.addfile(info, io.BytesIO(b""))
    # The engine answers the import with JSON progress lines; the last one's status is the image id.
    answer = client.api.import_image_from_data(buf.getvalue())
    image_id = json.loads(str(answer).strip().splitlines()[-1])["status"]
    made = []
    for name, labels in [
        ("k3d-lab-server-0", {"k3d.cluster": "lab", "k3d.role": "server"}),
        ("k3d-lab-agent-0", {"k3d.cluster": "lab", "k3d.role": "agent"}),
        ("k3d-lab-serverlb", {"k3d.cluster": "lab", "k3d.role": "loadbalancer"}),
        ("kind-control-plane", {"io.x-k8s.kind.cluster": "kind", "io.x-k8s.kind.role": "control-plane"}),
        ("kind-worker", {"io.x-k8s.kind.cluster": "kind", "io.x-k8s.kind.role": "worker"}),
        ("dev", {"name.minikube.sigs.k8s.io": "dev"}),
        ("unrelated", {"app": "web"}),
    ]:
        made.append(client.containers.create(image_id, command=["/empty"], name=name, labels=labels))
    try:
        yield engine
    finally:
        for c in made:
            c.remove(force=True)
        client.close()


@pytest.fixture(scope="module")
def status(engine: str) -> DockerStatus:
    """One probe shared by the checks below: podman takes about a second to answer /info."""
    return probe_sync(engine)


def test_engine_resources_are_read(status: DockerStatus) -> None:
    assert status.reachable, status.error
    assert status.cpus == os.cpu_count()
    meminfo = Path("/proc/meminfo").read_text().split()
    total_kb = int(meminfo[meminfo.index("MemTotal:") + 1])
    assert abs(status.memory_bytes - total_kb * 1024) < 64 * 1024 * 1024
    assert status.server_version


def test_resource_advice_against_real_numbers(status: DockerStatus) -> None:
    ok = resource_findings(MinikubeProvider(), status)
    assert ok[0].level == "ok" and "is reachable" in ok[0].message
    needs = {f.level for f in ok[1:]}
    assert needs == ({"ok"} if status.cpus >= 2 and status.memory_mb >= 2048 else needs)

    class Hungry(MinikubeProvider):
        min_cpus = (os.cpu_count() or 1) + 64
        min_memory_mb = status.memory_mb + 1024

    findings = resource_findings(Hungry(), status)
    errors = [f for f in findings if f.level == "error"]
    assert [e.message for e in errors] == [
        f"{status.name} has {status.cpus} CPU(s); minikube needs at least {Hungry.min_cpus}",
        f"{status.name} has {status.memory_mb} MB of memory; minikube needs at least {Hungry.min_memory_mb} MB",
    ]
    assert all("built-in cluster" in e.advice for e in errors)


def test_clusters_found_by_container_labels(labelled: str) -> None:
    status = probe_sync(labelled)
    found = {c.key: c for c in status.clusters}
    assert sorted(found) == ["k3d/lab", "kind/kind", "minikube/dev"]
    lab = found["k3d/lab"]
    assert lab.context == "k3d-lab"
    assert [(n.name, n.role) for n in lab.nodes] == [
        ("k3d-lab-agent-0", "agent"),
        ("k3d-lab-server-0", "server"),
    ]
    assert {n.state for n in lab.nodes} == {"created"} and lab.state == "stopped"
    assert [(n.name, n.role) for n in found["kind/kind"].nodes] == [
        ("kind-control-plane", "control-plane"),
        ("kind-worker", "worker"),
    ]
    assert found["minikube/dev"].context == "dev"


@pytest.mark.slow
async def test_discovery_merges_cli_and_docker(labelled: str, standins: Standins, monkeypatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", labelled)
    k3d = K3dProvider()
    from kubetui.providers.base import ClusterSpec

    assert await k3d.create(ClusterSpec("other", k3d.preset("single"))).wait() == 0
    result = await discover(default_providers(standins.kubeconfig), standins.kubeconfig)
    assert result.docker is not None and result.docker.reachable
    by_key = {c.key: c for c in result.clusters}
    assert {"k3d/lab", "k3d/other", "kind/kind", "minikube/dev"} <= set(by_key)
    assert by_key["k3d/other"].current and not by_key["k3d/lab"].current
    assert by_key["k3d/lab"].seen_by == {"docker"}
    assert by_key["k3d/other"].seen_by == {"cli"}
    findings = await checks(MinikubeProvider())
    assert findings[0].level == "ok" and findings[0].message.startswith("minikube found at")


async def test_unreachable_engine_gives_advice(tmp_path: Path) -> None:
    status = await probe(f"unix://{tmp_path}/nothing.sock", timeout=2)
    assert not status.reachable
    [finding] = resource_findings(K3dProvider(), status)
    assert finding.level == "error"
    assert finding.message.startswith("The Docker engine is not reachable")
    assert "built-in cluster" in finding.advice
