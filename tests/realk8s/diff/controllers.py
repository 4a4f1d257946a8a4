"""Controllers compared on the same spec: each scenario runs on the built-in cluster and on the real control plane
(kwok runs the pods there) and returns what it observed, in a form both clusters must agree on whatever their
pace: the sequence of ReplicaSet sizes of a rolling update, who owns which pod, why a pod stays Pending.

    python3 -m tests.realk8s.diff.controllers [NAME...]   start both clusters, run every scenario (or those
                                                         named), print the comparison

Covered elsewhere: Secret stringData, immutable ConfigMaps and Secrets, pod spec immutability and the validation
of Deployment strategy and restartPolicy are requests with one answer each, in the differential script
(script_immutable.py).
Node loss is in controllers_nodes.py, readiness and liveness probes in controllers_probes.py.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from tests.realk8s.diff import controllers_nodes, controllers_probes
from tests.realk8s.diff.normalise import differences
from tests.realk8s.diff.observe import APPS, CORE, Scenario
from tests.realk8s.diff.observe import ok as _ok
from tests.realk8s.diff.observe import wait as _wait
from tests.realk8s.diff.runner import Client


def deployment(name: str, replicas: int, image: str, **spec: Any) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "c", "image": image}]},
            },
            **spec,
        },
    }


def _available(name: str, replicas: int) -> Callable[[Any], bool]:
    def check(d: Any) -> bool:
        s = d.get("status") or {}
        return bool(
            s.get("observedGeneration") == d["metadata"]["generation"]
            and s.get("updatedReplicas") == replicas
            and s.get("availableReplicas") == replicas
            and s.get("replicas") == replicas
        )

    return check


def _replica_sets(client: Client, ns: str, app: str) -> list[dict[str, Any]]:
    body = _ok(
        client.send("GET", f"{APPS.format(ns=ns)}/replicasets?labelSelector=app%3D{app}", None, ""), "list"
    )
    return sorted(
        body["items"], key=lambda rs: int(rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"])
    )


def _watch_sizes(client: Client, ns: str, app: str, seconds: int, out: list[tuple[int, ...]]) -> None:
    """ReplicaSet sizes (spec.replicas, oldest revision first) after each change, consecutive repeats dropped."""
    path = f"{APPS.format(ns=ns)}/replicasets?watch=true&labelSelector=app%3D{app}&timeoutSeconds={seconds}"
    sizes: dict[str, tuple[int, int]] = {}
    _, events, _ = client.watch(path)
    for event in events if isinstance(events, list) else []:
        rs = event.get("object") or {}
        if event.get("type") not in ("ADDED", "MODIFIED"):
            continue
        revision = int((rs["metadata"].get("annotations") or {}).get("deployment.kubernetes.io/revision", 0))
        sizes[rs["metadata"]["name"]] = (revision, int(rs["spec"].get("replicas", 0)))
        step = tuple(n for _, n in sorted(sizes.values()))
        if not out or out[-1] != step:
            out.append(step)


def rolling_update(client: Client, ns: str) -> Any:
    """4 replicas, maxSurge 1, maxUnavailable 0, a new image: each step of the two ReplicaSets' sizes."""
    strategy = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    _ok(
        client.send(
            "POST",
            f"{APPS.format(ns=ns)}/deployments",
            deployment("roll", 4, "nginx:1.27", strategy=strategy),
            "application/json",
        ),
        "create",
    )
    path = f"{APPS.format(ns=ns)}/deployments/roll"
    _wait(client, path, _available("roll", 4), "4 available replicas")
    steps: list[tuple[int, ...]] = []
    watcher = threading.Thread(target=_watch_sizes, args=(client, ns, "roll", 40, steps))
    watcher.start()
    time.sleep(0.5)
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.28"}]}}}}
    _ok(client.send("PATCH", path, patch, "application/strategic-merge-patch+json"), "set image")
    _wait(client, path, _available("roll", 4), "the rollout to finish")
    watcher.join()
    return {"steps": steps}


def rollback(client: Client, ns: str) -> Any:
    """Back to the first template: the first ReplicaSet is scaled up again and takes the next revision."""
    path = f"{APPS.format(ns=ns)}/deployments/roll"
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}}
    _ok(client.send("PATCH", path, patch, "application/strategic-merge-patch+json"), "roll back")
    _wait(client, path, _available("roll", 4), "the rollback to finish")
    _wait(
        client,
        f"{APPS.format(ns=ns)}/replicasets?labelSelector=app%3Droll",
        lambda b: all(rs["status"].get("replicas", 0) == rs["spec"]["replicas"] for rs in b["items"]),
        "ReplicaSets to settle",
    )
    sets = _replica_sets(client, ns, "roll")
    return {
        "replicasets": len(sets),
        "by_revision": [
            (rs["spec"]["template"]["spec"]["containers"][0]["image"], rs["spec"]["replicas"]) for rs in sets
        ],
        "deployment_revision": _ok(client.send("GET", path, None, ""), "get")["metadata"]["annotations"][
            "deployment.kubernetes.io/revision"
        ],
    }


def adoption(client: Client, ns: str) -> Any:
    """A bare pod matching a new ReplicaSet's selector is adopted; relabelled, it is released and replaced."""
    pod = {
        "metadata": {"name": "orphan", "labels": {"app": "adopt"}},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]},
    }
    _ok(client.send("POST", f"{CORE.format(ns=ns)}/pods", pod, "application/json"), "pod")
    _wait(
        client,
        f"{CORE.format(ns=ns)}/pods/orphan",
        lambda p: (p.get("status") or {}).get("phase") == "Running",
        "the pod to run",
    )
    rs = {**deployment("adopt", 1, "nginx:1.27"), "kind": "ReplicaSet"}
    _ok(client.send("POST", f"{APPS.format(ns=ns)}/replicasets", rs, "application/json"), "replicaset")
    owned = _wait(
        client,
        f"{CORE.format(ns=ns)}/pods/orphan",
        lambda p: p["metadata"].get("ownerReferences"),
        "adoption",
    )
    time.sleep(2)  # time enough for a wrong extra pod to appear
    pods = _ok(client.send("GET", f"{CORE.format(ns=ns)}/pods?labelSelector=app%3Dadopt", None, ""), "list")[
        "items"
    ]
    adopted = {"owner": [(o["kind"], o["name"], o.get("controller")) for o in owned], "pods": len(pods)}
    _ok(
        client.send(
            "PATCH",
            f"{CORE.format(ns=ns)}/pods/orphan",
            {"metadata": {"labels": {"app": "gone"}}},
            "application/merge-patch+json",
        ),
        "relabel",
    )
    released = _wait(
        client,
        f"{CORE.format(ns=ns)}/pods/orphan",
        lambda p: p if not p["metadata"].get("ownerReferences") else None,
        "release",
    )
    _wait(
        client,
        f"{CORE.format(ns=ns)}/pods?labelSelector=app%3Dadopt",
        lambda b: len(b["items"]) == 1 and b["items"][0]["metadata"]["name"] != "orphan",
        "a replacement",
    )
    return {
        "adopted": adopted,
        "released_owner": released["metadata"].get("ownerReferences"),
        "replaced": True,
    }


def unschedulable(client: Client, ns: str) -> Any:
    """A pod asking for more CPU than any node has stays Pending with the scheduler's reason."""
    pod = {
        "metadata": {"name": "huge"},
        "spec": {
            "containers": [{"name": "c", "image": "nginx:1.27", "resources": {"requests": {"cpu": "64"}}}]
        },
    }
    _ok(client.send("POST", f"{CORE.format(ns=ns)}/pods", pod, "application/json"), "pod")

    def condition(p: Any) -> Any:
        return next(
            (c for c in (p.get("status") or {}).get("conditions") or [] if c["type"] == "PodScheduled"), None
        )

    cond = _wait(client, f"{CORE.format(ns=ns)}/pods/huge", condition, "PodScheduled")
    phase = _ok(client.send("GET", f"{CORE.format(ns=ns)}/pods/huge", None, ""), "get")["status"]["phase"]
    # The rest of the message counts nodes by reason, and the built-in cluster's first node is a tainted
    # control plane where kwok's are not: that a node gives "Insufficient cpu" is compared, not the count.
    message = str(cond.get("message"))
    return {
        "phase": phase,
        "status": cond["status"],
        "reason": cond.get("reason"),
        "insufficient_cpu": "Insufficient cpu" in message,
        "message_starts": message.split(":")[0],
    }


def dangling_owner(client: Client, ns: str) -> Any:
    """An object whose owner does not exist is collected by the garbage collector."""
    owner = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "name": "ghost",
        "uid": "00000000-0000-0000-0000-00000000beef",
    }
    cm = {"metadata": {"name": "dangling", "ownerReferences": [owner]}, "data": {"k": "v"}}
    _ok(client.send("POST", f"{CORE.format(ns=ns)}/configmaps", cm, "application/json"), "configmap")
    _wait(
        client,
        f"{CORE.format(ns=ns)}/configmaps?fieldSelector=metadata.name%3Ddangling",
        lambda b: not b["items"] or None,
        "collection",
        90,
    )
    return {"collected": True}


def service_types(client: Client, ns: str) -> Any:
    """ClusterIP to NodePort to LoadBalancer and back: what each change allocates and releases."""
    svc = {
        "metadata": {"name": "svc"},
        "spec": {"selector": {"app": "x"}, "ports": [{"name": "http", "port": 80}]},
    }
    path = f"{CORE.format(ns=ns)}/services/svc"
    seen = []
    created = _ok(client.send("POST", f"{CORE.format(ns=ns)}/services", svc, "application/json"), "service")
    seen.append(_service_shape(created))
    for kind in ("NodePort", "LoadBalancer", "ClusterIP"):
        body: dict[str, Any] = {"spec": {"type": kind}}
        if kind == "ClusterIP":
            body["spec"]["ports"] = [{"name": "http", "port": 80, "nodePort": None}]
        seen.append(
            _service_shape(_ok(client.send("PATCH", path, body, "application/merge-patch+json"), kind))
        )
    return seen


def _service_shape(svc: Any) -> Any:
    spec = svc.get("spec") or {}
    return {
        "type": spec.get("type"),
        "clusterIP": bool(spec.get("clusterIP")),
        "nodePort": [bool(p.get("nodePort")) for p in spec.get("ports") or []],
        "externalTrafficPolicy": spec.get("externalTrafficPolicy"),
        "allocateLoadBalancerNodePorts": spec.get("allocateLoadBalancerNodePorts"),
        "status": svc.get("status"),
    }


SCENARIOS: dict[str, Scenario] = {
    "rolling-update": rolling_update,
    "rollback": rollback,
    "replicaset-adoption": adoption,
    "unschedulable": unschedulable,
    "garbage-collection": dangling_owner,
    "service-types": service_types,
    "probes": controllers_probes.probes,
    "node-loss": controllers_nodes.node_loss,
    "daemon-tolerations": controllers_nodes.daemon_tolerations,
}


def compare(sim: Client, real: Client, ns: str, names: list[str] | None = None) -> dict[str, list[str]]:
    """Every scenario (or those named) on both clusters at once; the differences of each (empty when they
    agree)."""
    for client in (sim, real):
        _ok(
            client.send("POST", "/api/v1/namespaces", {"metadata": {"name": ns}}, "application/json"),
            "namespace",
        )
        _wait(
            client,
            f"/api/v1/namespaces/{ns}/serviceaccounts/default",
            lambda b: True,
            "the default ServiceAccount",
        )
    out: dict[str, list[str]] = {}
    for name, scenario in SCENARIOS.items():
        if names and name not in names:
            continue
        results: dict[str, Any] = {}

        def run(client: Client, scenario: Scenario = scenario, results: dict[str, Any] = results) -> None:
            try:
                results[client.name] = scenario(client, ns)
            except AssertionError as err:
                results[client.name] = {"failed": str(err)[:300]}

        threads = [threading.Thread(target=run, args=(c,)) for c in (sim, real)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        out[name] = differences(results.get(sim.name), results.get(real.name))
    for client in (sim, real):
        client.send("DELETE", f"/api/v1/namespaces/{ns}", None, "")
    return out


def main(names: list[str]) -> int:
    from tests.realk8s.diff.runner import built_in, new_namespace, real_client, real_stack

    with real_stack() as stack, built_in(speed=5.0) as sim:
        result = compare(sim, real_client(stack), new_namespace(), names)
    for name, diff in result.items():
        print(f"{name:<22} {'identical' if not diff else 'differs'}")
        for line in diff:
            print(f"    {line}")
    return 0 if not any(result.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
