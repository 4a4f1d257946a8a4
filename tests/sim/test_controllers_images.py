"""The image catalogue and log scripts: references, busybox commands, bounded log windows, hashes."""

from __future__ import annotations

import base64
import json

from kubetui.sim import images
from kubetui.sim.clock import fnv32a, rfc3339nano, safe_encode
from kubetui.sim.controllers.kubelet_pull import registries_in_secret
from kubetui.sim.controllers.kubelet_status import backoff_text
from kubetui.sim.controllers.podlogs import Run, lines_between, next_line_at


def test_image_references_normalise_like_containerd() -> None:
    assert images.parse_image("nginx").full == "docker.io/library/nginx:latest"
    assert images.parse_image("busybox:1.36").full == "docker.io/library/busybox:1.36"
    assert (
        images.parse_image("jocatalin/kubernetes-bootcamp:v2").full
        == "docker.io/jocatalin/kubernetes-bootcamp:v2"
    )
    ref = images.parse_image("localhost:5000/team/app:1")
    assert (ref.registry, ref.repository, ref.tag) == ("localhost:5000", "team/app", "1")
    assert images.lookup("gcr.io/google-samples/kubernetes-bootcamp:v1") is not None
    assert images.lookup("gcr.io/google-samples/kubernetes-bootcamp:v9") is None
    assert images.lookup("docker.io/acme/frontend:2.0") is None
    spec = images.lookup("registry.example.com/team/myapp:001")
    assert spec is not None and spec.private
    assert images.not_found_message("acme/x:1").endswith("docker.io/acme/x:1: not found")


def test_busybox_runs_the_usual_shell_idioms() -> None:
    once = images.busybox_script(["sh", "-c", "for i in 1 2 3; do echo hi $i; sleep 1; done"])
    assert [fn(0, 0.0) for _, fn in once.startup] == ["hi 1", "hi 2", "hi 3"]
    assert once.exit_after is not None and 3.0 <= once.exit_after < 3.2 and once.exit_code == 0
    loop = images.busybox_script(["sh", "-c", "while true; do echo tick $i; sleep 2; done"])
    assert loop.exit_after is None and loop.every == 2.0
    assert loop.periodic is not None and loop.periodic(4, 0.0) == "tick 5"
    assert images.busybox_script(["sleep", "infinity"]).exit_after is None
    assert images.busybox_script(["echo", "hello"]).startup[0][1](0, 0.0) == "hello"
    failing = images.busybox_script(["sh", "-c", "echo boom; exit 3"])
    assert failing.exit_code == 3
    assert images.busybox_script([]).exit_after is not None  # plain `sh` without a tty exits at once


def test_log_window_is_bounded_and_continuous() -> None:
    script = images.LogScript(every=0.001, periodic=lambda k, t: f"line {k}")
    run = Run(script, start=1000.0)
    lines = lines_between(run, 1.0, None, 1100.0, max_lines=500)
    assert len(lines) == 500 and lines[-1][1] == "line 100000"
    first = lines_between(run, 1.0, 1000.0, 1000.0105)
    nxt = lines_between(run, 1.0, 1000.0105, 1000.02)
    assert [t for t, _ in first] == sorted(t for t, _ in first)
    numbers = [int(x.split()[1]) for _, x in first + nxt]
    assert numbers == list(range(1, numbers[-1] + 1))
    assert next_line_at(run, 1.0, 1000.0105) == 1000.011
    finished = Run(images.LogScript(startup=[(0.0, lambda k, t: "x")], exit_after=1.0), start=5.0)
    assert next_line_at(finished, 1.0, 5.0) is None


def test_speed_shortens_log_intervals() -> None:
    script = images.LogScript(every=10.0, periodic=lambda k, t: str(k))
    assert (
        len(lines_between(Run(script, 0.0), 100.0, None, 1.0)) == 11
    )  # 100 simulated seconds in one real one


def test_timestamps_and_hash_rendering() -> None:
    assert rfc3339nano(1700000000.5) == "2023-11-14T22:13:20.500000000Z"
    assert fnv32a(b"") == 0x811C9DC5 and fnv32a(b"a") == 0xE40C292C
    # "5f76cf6ccf" style: digits of the sum mapped onto the safe alphabet.
    assert safe_encode("0123456789") == "456789bcdf"
    assert backoff_text(10) == "10s" and backoff_text(80) == "1m20s" and backoff_text(300) == "5m0s"


def test_registry_credentials_in_secrets() -> None:
    def secret(kind: str, key: str, doc: dict) -> dict:
        return {"type": kind, "data": {key: base64.b64encode(json.dumps(doc).encode()).decode()}}

    config = {"auths": {"https://registry.example.com/v1/": {"auth": "dTpw"}, "ghcr.io": {"auth": "dTpw"}}}
    assert registries_in_secret(secret("kubernetes.io/dockerconfigjson", ".dockerconfigjson", config)) == {
        "registry.example.com",
        "ghcr.io",
    }
    assert registries_in_secret(secret("Opaque", ".dockerconfigjson", config)) == set()
    assert (
        registries_in_secret({"type": "kubernetes.io/dockerconfigjson", "data": {".dockerconfigjson": "!!"}})
        == set()
    )


def test_only_published_tags_exist() -> None:
    assert images.lookup("nginx:1.27.3-alpine") is not None and images.lookup("nginx:stable") is not None
    assert images.lookup("nginx:1.99") is None and images.lookup("nginx:9.9-does-not-exist") is None
    assert images.lookup("busybox:1.36") is not None and images.lookup("busybox:9") is None
    assert images.lookup("registry.k8s.io/e2e-test-images/agnhost:2.39") is not None
    assert images.lookup("registry.k8s.io/e2e-test-images/agnhost:latest") is None
