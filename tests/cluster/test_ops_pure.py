"""What operations build before sending: names, container names, docker config, manifests, rollout messages."""

from __future__ import annotations

import base64
import json

import pytest

from kubetui.cluster.apply import ManifestError, parse_manifests
from kubetui.cluster.create import container_name_for, deployment_manifest
from kubetui.cluster.ops import dockerconfigjson, validate_name
from kubetui.cluster.rollout import status_message, templates_equal


def test_validate_name_accepts_dns1123() -> None:
    assert validate_name("hello-node") is None
    assert validate_name("a.b-c") is None
    assert validate_name("x" * 253) is None


def test_validate_name_messages_match_the_api() -> None:
    assert validate_name("Hello_Node") == (
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
        "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    )
    assert validate_name("-bad", "label") == (
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
        "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
    )
    assert validate_name("1svc", "dns1035") is not None
    assert validate_name("svc1", "dns1035") is None
    assert validate_name("x" * 64, "label") == "must be no more than 63 characters"
    assert validate_name("") == "name or generateName is required"


@pytest.mark.parametrize(
    ("image", "name"),
    [
        ("registry.k8s.io/e2e-test-images/agnhost:2.39", "agnhost"),
        ("gcr.io/google-samples/kubernetes-bootcamp:v1", "kubernetes-bootcamp"),
        ("nginx", "nginx"),
        ("busybox@sha256:abcd", "busybox"),
        ("localhost:5000/team/myapp:001", "myapp"),
    ],
)
def test_container_name_like_kubectl(image: str, name: str) -> None:
    assert container_name_for(image) == name


def test_container_name_sanitized_with_random_suffix() -> None:
    name = container_name_for("example.com/my_app.v2:1")
    assert name.startswith("my-app-v2-") and len(name) == len("my-app-v2-") + 5


def test_deployment_manifest_like_kubectl_create() -> None:
    manifest = deployment_manifest(
        "hello-node",
        ["registry.k8s.io/e2e-test-images/agnhost:2.39"],
        replicas=2,
        port=8080,
        command=["/agnhost", "netexec", "--http-port=8080"],
    )
    assert manifest["metadata"]["labels"] == {"app": "hello-node"}
    assert manifest["spec"]["selector"] == {"matchLabels": {"app": "hello-node"}}
    assert manifest["spec"]["replicas"] == 2
    container = manifest["spec"]["template"]["spec"]["containers"][0]
    assert container["name"] == "agnhost"
    assert container["command"] == ["/agnhost", "netexec", "--http-port=8080"]
    assert container["ports"] == [{"containerPort": 8080}]


def test_dockerconfigjson_byte_for_byte() -> None:
    text = dockerconfigjson("registry.example.com", "me", "p&ss<>", "me@example.com")
    assert text == (
        '{"auths":{"registry.example.com":{"username":"me","password":"p\\u0026ss\\u003c\\u003e",'
        '"email":"me@example.com","auth":"' + base64.b64encode(b"me:p&ss<>").decode() + '"}}}'
    )
    assert json.loads(text)["auths"]["registry.example.com"]["password"] == "p&ss<>"
    assert "email" not in dockerconfigjson("r", "u", "p")


def test_parse_manifests_multi_document() -> None:
    docs = parse_manifests(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\n# comment only\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\n"
    )
    assert [d["metadata"]["name"] for d in docs] == ["a", "b"]


def test_parse_manifests_names_document_and_line() -> None:
    text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: [b\n"
    with pytest.raises(ManifestError) as info:
        parse_manifests(text)
    assert info.value.document == 2
    assert info.value.line is not None and info.value.line >= 9
    assert "document 2" in info.value.message


def test_parse_manifests_requires_kind_and_name() -> None:
    with pytest.raises(ManifestError, match="document 1: kind not set"):
        parse_manifests("apiVersion: v1\nmetadata:\n  name: a\n")
    with pytest.raises(ManifestError, match=r"metadata.name not set"):
        parse_manifests("apiVersion: v1\nkind: Service\nmetadata: {}\n")


def _deployment(generation: int, observed: int, desired: int, **status: int) -> dict:
    return {
        "metadata": {"name": "web", "generation": generation},
        "spec": {"replicas": desired},
        "status": {"observedGeneration": observed, **status},
    }


def test_rollout_status_messages() -> None:
    assert status_message(_deployment(2, 1, 3)) == "Waiting for deployment spec update to be observed..."
    assert status_message(_deployment(2, 2, 3, updatedReplicas=1, replicas=4)) == (
        'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...'
    )
    assert status_message(_deployment(2, 2, 3, updatedReplicas=3, replicas=4)) == (
        'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...'
    )
    assert status_message(_deployment(2, 2, 3, updatedReplicas=3, replicas=3, availableReplicas=2)) == (
        'Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...'
    )
    done = status_message(_deployment(2, 2, 3, updatedReplicas=3, replicas=3, availableReplicas=3))
    assert done == 'deployment "web" successfully rolled out' and done.done and not done.failed
    stuck = _deployment(2, 2, 3, updatedReplicas=1)
    stuck["status"]["conditions"] = [{"type": "Progressing", "reason": "ProgressDeadlineExceeded"}]
    failed = status_message(stuck)
    assert failed == 'deployment "web" exceeded its progress deadline' and failed.failed


def test_templates_equal_ignores_hash_and_empty_fields() -> None:
    a = {
        "metadata": {"labels": {"app": "x", "pod-template-hash": "abc"}},
        "spec": {"containers": [{"name": "c"}]},
    }
    b = {
        "metadata": {"labels": {"app": "x"}, "annotations": {}},
        "spec": {"containers": [{"name": "c", "env": []}]},
    }
    assert templates_equal(a, b)
    c = {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c", "image": "v2"}]}}
    assert not templates_equal(a, c)
