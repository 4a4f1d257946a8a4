"""The journey's kubectl steps 3-10, run unchanged with real kubectl against the built-in cluster, checking
what kubectl prints: columns, states, revision numbers, rollback, ErrImagePull until the registry secret."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kubetui.sim.server import SimServer
from kubetui.sim.testing import running_sim_thread
from tests.journey_manifests import MYAPP, Kubectl

pytestmark = [pytest.mark.kubectl, pytest.mark.slow]


@pytest.fixture(scope="module")
def journey_sim() -> Iterator[SimServer]:
    with running_sim_thread(scenario="empty", nodes=3, seed=11, speed=100.0) as server:
        yield server


@pytest.fixture
def k(kubectl: Kubectl, journey_sim: SimServer, tmp_path: Path) -> Callable[..., str]:
    config = journey_sim.write_kubeconfig(tmp_path / "kubeconfig")

    def run(*args: str, input: str | None = None, ok: bool = True) -> str:
        out = kubectl(*args, kubeconfig=config, input=input)
        if ok:
            assert out.returncode == 0, f"kubectl {' '.join(args)} failed:\n{out.stdout}{out.stderr}"
            return out.stdout
        return out.stdout + out.stderr

    return run


def table(text: str) -> list[dict[str, str]]:
    """kubectl's column output as dicts keyed by header (columns split on 2+ spaces)."""
    lines = [line for line in text.splitlines() if line.strip()]
    header = re.split(r"\s{2,}", lines[0].strip())
    return [dict(zip(header, re.split(r"\s{2,}", line.strip()), strict=False)) for line in lines[1:]]


def eventually(check: Callable[[], object], timeout: float = 30.0, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def pods(k: Callable[..., str], prefix: str) -> list[dict[str, str]]:
    return [row for row in table(k("get", "pod")) if row["NAME"].startswith(prefix + "-")]


def test_journey_steps_3_to_10(k: Callable[..., str]) -> None:
    # 1-2. The cluster: a control plane and workers.
    nodes = table(k("get", "nodes"))
    assert [n["NAME"] for n in nodes] == ["kubetui-control-plane", "kubetui-worker", "kubetui-worker2"]
    assert {n["STATUS"] for n in nodes} == {"Ready"}
    assert nodes[0]["ROLES"] == "control-plane" and nodes[1]["ROLES"] == "<none>"
    assert nodes[0]["VERSION"].startswith("v1.31.")

    # 3. Create a Deployment; Deployment → ReplicaSet → Pod.
    out = k(
        "create",
        "deployment",
        "hello-node",
        "--image=registry.k8s.io/e2e-test-images/agnhost:2.39",
        "--",
        "/agnhost",
        "netexec",
        "--http-port=8080",
    )
    assert out.strip() == "deployment.apps/hello-node created"
    assert "successfully rolled out" in k("rollout", "status", "deployment/hello-node", "--timeout=60s")
    (deploy,) = table(k("get", "deployment"))
    assert list(deploy) == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert (deploy["NAME"], deploy["READY"], deploy["UP-TO-DATE"], deploy["AVAILABLE"]) == (
        "hello-node",
        "1/1",
        "1",
        "1",
    )
    (rs,) = table(k("get", "replicaset"))
    assert list(rs) == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    assert re.fullmatch(r"hello-node-[4-9bcdf]{6,10}", rs["NAME"]), rs["NAME"]
    assert (rs["DESIRED"], rs["CURRENT"], rs["READY"]) == ("1", "1", "1")
    (pod,) = table(k("get", "pod"))
    assert list(pod) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert pod["NAME"].startswith(rs["NAME"] + "-") and len(pod["NAME"]) == len(rs["NAME"]) + 6
    assert (pod["READY"], pod["STATUS"], pod["RESTARTS"]) == ("1/1", "Running", "0")
    logs = k("logs", pod["NAME"])
    assert "Started HTTP server on port 8080" in logs

    # 4. Expose it through a LoadBalancer.
    assert k("expose", "deployment", "hello-node", "--type=LoadBalancer", "--port=8080").strip() == (
        "service/hello-node exposed"
    )

    def lb_ready() -> dict[str, str] | None:
        row = next(r for r in table(k("get", "services")) if r["NAME"] == "hello-node")
        return row if row["EXTERNAL-IP"] not in ("<pending>", "") else None

    svc = eventually(lb_ready, what="load balancer address")
    assert isinstance(svc, dict)
    assert list(svc) == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert svc["TYPE"] == "LoadBalancer"
    assert re.fullmatch(r"10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+", svc["CLUSTER-IP"])
    assert svc["EXTERNAL-IP"].startswith("172.18.255.")
    assert re.fullmatch(r"8080:3\d{4}/TCP", svc["PORT(S)"])
    kube = next(r for r in table(k("get", "services")) if r["NAME"] == "kubernetes")
    assert (kube["TYPE"], kube["CLUSTER-IP"], kube["PORT(S)"]) == ("ClusterIP", "10.96.0.1", "443/TCP")
    endpoints = eventually(
        lambda: next(
            (
                r
                for r in table(k("get", "endpoints"))
                if r["NAME"] == "hello-node" and ":8080" in r["ENDPOINTS"]
            ),
            None,
        ),
        what="endpoints",
    )
    assert isinstance(endpoints, dict) and endpoints["ENDPOINTS"].startswith("10.42.")

    # 5. A second app.
    assert k(
        "create", "deployment", "kubernetes-bootcamp", "--image=gcr.io/google-samples/kubernetes-bootcamp:v1"
    ).strip() == ("deployment.apps/kubernetes-bootcamp created")
    k("rollout", "status", "deployment/kubernetes-bootcamp", "--timeout=60s")

    # 6. Scale up to 4, then down to 2.
    assert (
        k("scale", "deployments/kubernetes-bootcamp", "--replicas=4").strip()
        == "deployment.apps/kubernetes-bootcamp scaled"
    )
    k("rollout", "status", "deployment/kubernetes-bootcamp", "--timeout=60s")
    eventually(
        lambda: [p["STATUS"] for p in pods(k, "kubernetes-bootcamp")] == ["Running"] * 4,
        what="4 running pods",
    )
    (deploy,) = [d for d in table(k("get", "deployments")) if d["NAME"] == "kubernetes-bootcamp"]
    assert deploy["READY"] == "4/4"
    assert (
        k("scale", "deployments/kubernetes-bootcamp", "--replicas=2").strip()
        == "deployment.apps/kubernetes-bootcamp scaled"
    )
    eventually(lambda: len(pods(k, "kubernetes-bootcamp")) == 2, what="scale down to 2")

    # 7. Rolling update to v2.
    out = k(
        "set",
        "image",
        "deployments/kubernetes-bootcamp",
        "kubernetes-bootcamp=docker.io/jocatalin/kubernetes-bootcamp:v2",
    )
    assert out.strip() == "deployment.apps/kubernetes-bootcamp image updated"
    status = k("rollout", "status", "deployments/kubernetes-bootcamp", "--timeout=60s")
    assert status.strip().splitlines()[-1] == 'deployment "kubernetes-bootcamp" successfully rolled out'
    history = k("rollout", "history", "deployments/kubernetes-bootcamp")
    assert re.findall(r"^(\d+)\s+<none>$", history, re.M) == ["1", "2"]
    assert len(table(k("get", "rs", "-l", "app=kubernetes-bootcamp"))) == 2

    # 8. Roll back: the old ReplicaSet comes back as revision 3.
    assert (
        k("rollout", "undo", "deployments/kubernetes-bootcamp").strip()
        == "deployment.apps/kubernetes-bootcamp rolled back"
    )
    k("rollout", "status", "deployments/kubernetes-bootcamp", "--timeout=60s")
    history = k("rollout", "history", "deployments/kubernetes-bootcamp")
    assert re.findall(r"^(\d+)\s+<none>$", history, re.M) == ["2", "3"]
    images = k(
        "get", "deployment", "kubernetes-bootcamp", "-o", "jsonpath={.spec.template.spec.containers[0].image}"
    )
    assert images == "gcr.io/google-samples/kubernetes-bootcamp:v1"
    rs_rows = table(k("get", "rs", "-l", "app=kubernetes-bootcamp"))
    assert len(rs_rows) == 2 and sorted(r["DESIRED"] for r in rs_rows) == ["0", "2"]
    rev3 = k("rollout", "history", "deployments/kubernetes-bootcamp", "--revision=3")
    assert "kubernetes-bootcamp:v1" in rev3

    # 9. Clean up (the tutorial had exposed the second app as a NodePort Service).
    out = k("expose", "deployment/kubernetes-bootcamp", "--type=NodePort", "--port=8080")
    assert out.strip() == "service/kubernetes-bootcamp exposed"
    out = k("delete", "deployments/kubernetes-bootcamp", "services/kubernetes-bootcamp")
    assert (
        'deployment.apps "kubernetes-bootcamp" deleted' in out
        and 'service "kubernetes-bootcamp" deleted' in out
    )
    eventually(lambda: not pods(k, "kubernetes-bootcamp"), what="bootcamp pods gone")
    assert not [r for r in table(k("get", "rs")) if r["NAME"].startswith("kubernetes-bootcamp")]

    # 10. A private image: ErrImagePull until a registry secret is used through imagePullSecrets.
    out = k("create", "deployment", "myapp", "--image=registry.example.com/team/myapp:001", "--replicas=3")
    assert out.strip() == "deployment.apps/myapp created"
    eventually(
        lambda: (
            {p["STATUS"] for p in pods(k, "myapp")} & {"ErrImagePull", "ImagePullBackOff"}
            and len(pods(k, "myapp")) == 3
        ),
        what="ErrImagePull",
    )
    assert all(p["READY"] == "0/1" for p in pods(k, "myapp"))
    events = k("get", "events", "--field-selector", "reason=Failed")
    assert "registry.example.com/team/myapp:001" in events
    out = k(
        "create",
        "secret",
        "docker-registry",
        "my-secret",
        "--docker-server=registry.example.com",
        "--docker-username=dev",
        "--docker-password=s3cret",
    )
    assert out.strip() == "secret/my-secret created"
    out = k("apply", "-f", "-", input=MYAPP)
    assert "deployment.apps/myapp configured" in out and "service/myapp-service created" in out
    assert "successfully rolled out" in k("rollout", "status", "deployment/myapp", "--timeout=60s")
    eventually(lambda: [p["STATUS"] for p in pods(k, "myapp")] == ["Running"] * 3, what="myapp pods Running")
    svc = eventually(
        lambda: next(
            (
                r
                for r in table(k("get", "svc"))
                if r["NAME"] == "myapp-service" and r["EXTERNAL-IP"].startswith("172.")
            ),
            None,
        ),
        what="myapp-service address",
    )
    assert isinstance(svc, dict) and re.fullmatch(r"80:3\d{4}/TCP", svc["PORT(S)"])

    # 11 (what the logs show): every pod produces, exactly one consumes.
    def consumers() -> list[str]:
        names = [p["NAME"] for p in pods(k, "myapp")]
        logs = {n: k("logs", n) for n in names}
        if not all("produced message" in text for text in logs.values()):
            return []
        return [n for n, text in logs.items() if "consumed message" in text]

    found = eventually(consumers, what="a consumer's log")
    assert isinstance(found, list) and len(found) == 1
