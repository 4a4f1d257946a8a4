"""Real kubectl against the API server: what it prints must look like a real cluster's output."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kubetui.sim.server import SimServer
from kubetui.sim.testing import BareCluster, running_sim_thread
from tests.journey_manifests import MYAPP as MANIFEST
from tests.journey_manifests import Kubectl

pytestmark = pytest.mark.kubectl


@pytest.fixture(scope="module")
def bare_thread() -> Iterator[SimServer]:
    """One controller-less server for the module: output depends only on what the tests create."""
    with running_sim_thread(cluster=BareCluster(nodes=2)) as server:
        yield server


@pytest.fixture
def k(kubectl: Kubectl, bare_thread: SimServer) -> Callable[..., subprocess.CompletedProcess[str]]:
    def run(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
        return kubectl(*args, kubeconfig=bare_thread, input=input)

    return run


def _header(text: str) -> list[str]:
    return text.splitlines()[0].split()


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_get_nodes_wide_has_the_real_columns(k: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    out = _ok(k("get", "nodes", "-o", "wide"))
    assert _header(out) == [
        "NAME",
        "STATUS",
        "ROLES",
        "AGE",
        "VERSION",
        "INTERNAL-IP",
        "EXTERNAL-IP",
        "OS-IMAGE",
        "KERNEL-VERSION",
        "CONTAINER-RUNTIME",
    ]
    assert "sim-control-plane   Ready" in out
    assert _header(_ok(k("get", "nodes"))) == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]


def test_create_deployment_protobuf_body_and_get(k: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    # kubectl's typed client sends this body as protobuf.
    out = _ok(
        k(
            "create",
            "deployment",
            "hello-node",
            "--image=registry.k8s.io/e2e-test-images/agnhost:2.39",
            "--",
            "/agnhost",
            "netexec",
            "--http-port=8080",
        )
    )
    assert out.strip() == "deployment.apps/hello-node created"
    wide = _ok(k("get", "deployment", "hello-node", "-o", "wide")).splitlines()
    assert wide[0].split() == [
        "NAME",
        "READY",
        "UP-TO-DATE",
        "AVAILABLE",
        "AGE",
        "CONTAINERS",
        "IMAGES",
        "SELECTOR",
    ]
    cells = wide[1].split()
    assert cells[:4] == ["hello-node", "0/1", "0", "0"]
    assert cells[5:] == ["agnhost", "registry.k8s.io/e2e-test-images/agnhost:2.39", "app=hello-node"]
    command = _ok(
        k("get", "deployment", "hello-node", "-o", "jsonpath={.spec.template.spec.containers[0].command}")
    )
    assert command == '["/agnhost","netexec","--http-port=8080"]'
    err = k("create", "deployment", "hello-node", "--image=nginx")
    assert err.returncode == 1
    assert 'deployments.apps "hello-node" already exists' in err.stderr


def test_create_secret_docker_registry(k: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    out = _ok(
        k(
            "create",
            "secret",
            "docker-registry",
            "my-secret",
            "--docker-server=registry.example.com",
            "--docker-username=me",
            "--docker-password=pw",
        )
    )
    assert out.strip() == "secret/my-secret created"
    lines = _ok(k("get", "secret", "my-secret")).splitlines()
    assert lines[0].split() == ["NAME", "TYPE", "DATA", "AGE"]
    assert lines[1].split()[:3] == ["my-secret", "kubernetes.io/dockerconfigjson", "1"]


def test_client_side_apply_create_unchanged_configured(
    k: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    path = tmp_path / "app.yaml"
    path.write_text(MANIFEST)
    assert _ok(k("apply", "-f", str(path))).splitlines() == [
        "deployment.apps/myapp created",
        "service/myapp-service created",
    ]
    assert _ok(k("apply", "-f", str(path))).splitlines() == [
        "deployment.apps/myapp unchanged",
        "service/myapp-service unchanged",
    ]
    path.write_text(MANIFEST.replace("replicas: 3", "replicas: 2"))
    assert _ok(k("apply", "-f", str(path))).splitlines() == [
        "deployment.apps/myapp configured",
        "service/myapp-service unchanged",
    ]
    assert _ok(k("get", "deploy", "myapp", "-o", "jsonpath={.spec.replicas}")) == "2"
    svc = _ok(k("get", "svc", "myapp-service")).splitlines()
    assert svc[0].split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert svc[1].split()[:5] == ["myapp-service", "LoadBalancer", "<none>", "<pending>", "80/TCP"]


def test_server_side_apply_conflicts_then_force(
    k: Callable[..., subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    path = tmp_path / "ssa.yaml"
    path.write_text(MANIFEST.replace("myapp", "ssa"))
    assert _ok(k("apply", "--server-side", "-f", str(path))).splitlines() == [
        "deployment.apps/ssa serverside-applied",
        "service/ssa-service serverside-applied",
    ]
    _ok(k("scale", "deployment", "ssa", "--replicas=5"))
    conflict = k("apply", "--server-side", "-f", str(path))
    assert conflict.returncode == 1
    assert (
        "Apply failed with 1 conflict: conflict with" in conflict.stderr
        and ".spec.replicas" in conflict.stderr
    )
    _ok(k("apply", "--server-side", "--force-conflicts", "-f", str(path)))
    assert _ok(k("get", "deploy", "ssa", "-o", "jsonpath={.spec.replicas}")) == "3"
    # A field dropped from the applied configuration is removed from the object.
    path.write_text(
        MANIFEST.replace("myapp", "ssa").replace("      imagePullSecrets:\n        - name: my-secret\n", "")
    )
    _ok(k("apply", "--server-side", "-f", str(path)))
    assert _ok(k("get", "deploy", "ssa", "-o", "jsonpath={.spec.template.spec.imagePullSecrets}")) == ""


def test_scale_patch_and_delete(k: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    _ok(k("create", "deployment", "web", "--image=nginx", "--replicas=1"))
    assert _ok(k("scale", "deployment/web", "--replicas=4")).strip() == "deployment.apps/web scaled"
    assert _ok(k("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}")) == "4"
    out = _ok(
        k(
            "patch",
            "deployment",
            "web",
            "-p",
            '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}',
        )
    )
    assert out.strip() == "deployment.apps/web patched"
    assert (
        _ok(k("get", "deploy", "web", "-o", "jsonpath={.spec.template.spec.containers[*].image}"))
        == "nginx:1.27"
    )
    _ok(k("patch", "deployment", "web", "--type=merge", "-p", '{"metadata":{"labels":{"tier":"front"}}}'))
    _ok(
        k(
            "patch",
            "deployment",
            "web",
            "--type=json",
            "-p",
            '[{"op":"replace","path":"/spec/replicas","value":2}]',
        )
    )
    assert _ok(k("get", "deploy", "-l", "tier=front", "-o", "name")).strip() == "deployment.apps/web"
    assert _ok(k("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}")) == "2"
    assert (
        _ok(k("set", "image", "deployment/web", "nginx=nginx:1.28")).strip()
        == "deployment.apps/web image updated"
    )
    out = _ok(k("delete", "deployment", "web"))
    assert out.strip().startswith('deployment.apps "web" deleted')
    err = k("get", "deployment", "web")
    assert err.returncode == 1
    assert 'Error from server (NotFound): deployments.apps "web" not found' in err.stderr


def test_invalid_input_is_reported_like_a_real_server(
    k: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    err = k("scale", "deployment/missing", "--replicas=2")
    assert 'deployments.apps "missing" not found' in err.stderr
    bad = (
        MANIFEST.split("---")[0]
        .replace("replicas: 3", "replicas: -1")
        .replace("name: myapp\n", "name: neg\n", 1)
    )
    result = k("apply", "-f", "-", input=bad)
    assert result.returncode == 1
    assert (
        'The Deployment "neg" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0'
        in result.stderr
    )
    result = k("create", "namespace", "Bad_Name")
    assert result.returncode == 1
    assert (
        'The Namespace "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 label'
        in result.stderr
    )


def test_unknown_fields_strict_by_default_warned_when_asked(
    k: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    typo = (
        MANIFEST.split("---")[0]
        .replace("name: myapp\n", "name: typo\n", 1)
        .replace("replicas: 3", "replica: 3")
    )
    result = k("apply", "-f", "-", input=typo)
    assert result.returncode == 1
    assert (
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '
        'unknown field "spec.replica"' in result.stderr
    )
    result = k("apply", "--validate=warn", "-f", "-", input=typo)
    assert result.returncode == 0 and 'Warning: unknown field "spec.replica"' in result.stderr
    # The unknown field is dropped, as a real server's decoder drops it.
    assert _ok(k("get", "deploy", "typo", "-o", "jsonpath={.spec.replicas}")) == ""


def test_round_trip_of_a_list_through_replace(k: Callable[..., subprocess.CompletedProcess[str]]) -> None:
    _ok(k("create", "configmap", "listed", "--from-literal=a=1"))
    listing = _ok(k("get", "configmaps", "-o", "yaml"))
    assert "kind: List" in listing
    # kubectl validates a List through OpenAPI v2, then replaces each item; every field it read is known.
    out = _ok(k("replace", "-f", "-", input=listing))
    assert "configmap/listed replaced" in out


def test_typed_creates_of_services_configmaps_namespaces(
    k: Callable[..., subprocess.CompletedProcess[str]],
) -> None:
    _ok(k("create", "service", "nodeport", "np", "--tcp=80:8080", "--node-port=30080"))
    ports = _ok(k("get", "svc", "np", "-o", "jsonpath={.spec.ports[0]}"))
    assert ports == '{"name":"80-8080","nodePort":30080,"port":80,"protocol":"TCP","targetPort":8080}'
    _ok(k("create", "configmap", "cfg", "--from-literal=a=1"))
    assert _ok(k("get", "cm", "cfg", "-o", "jsonpath={.data.a}")) == "1"
    _ok(k("create", "namespace", "team"))
    lines = _ok(k("get", "ns", "team")).splitlines()
    assert lines[0].split() == ["NAME", "STATUS", "AGE"] and lines[1].split()[:2] == ["team", "Active"]
