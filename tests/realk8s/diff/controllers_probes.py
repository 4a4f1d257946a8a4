"""Readiness and liveness probes compared: a pod whose readiness probe fails runs but is not Ready and is no
endpoint of its Service, while its twin with a passing probe is; a pod whose liveness probe fails is restarted
again and again.

The built-in kubelet runs the probes (an httpGet probe asks the app listening on the port; nginx listens on 80
only); kwok runs no processes, so its stages (kwok-stages.yaml) read the outcome from the spec: a probe on a port
the container does not declare fails, an exec probe of `false` fails. The specs here mean the same on both.
Timing is not compared (kwok restarts every second, a kubelet backs off), only what is reached.
"""

from __future__ import annotations

from typing import Any

from tests.realk8s.diff.observe import CORE, condition, ok, wait
from tests.realk8s.diff.runner import Client


def _pod(name: str, app: str = "probed", **probes: Any) -> dict[str, Any]:
    container = {
        "name": "web",
        "image": "nginx:1.27",
        "ports": [{"containerPort": 80, "name": "http"}],
        **probes,
    }
    return {"metadata": {"name": name, "labels": {"app": app}}, "spec": {"containers": [container]}}


def _http(port: int | str) -> dict[str, Any]:
    return {"httpGet": {"path": "/", "port": port}, "periodSeconds": 1}


def _container(pod: Any) -> dict[str, Any]:
    statuses = (pod.get("status") or {}).get("containerStatuses") or [{}]
    return dict(statuses[0])


def probes(client: Client, ns: str) -> Any:
    api = CORE.format(ns=ns)
    service = {
        "metadata": {"name": "probed"},
        "spec": {"selector": {"app": "probed"}, "ports": [{"port": 80}]},
    }
    ok(client.send("POST", f"{api}/services", service, "application/json"), "service")
    specs = {
        "passes": _pod("passes", readinessProbe=_http("http")),
        "fails": _pod("fails", readinessProbe=_http(8080)),
        "dies": _pod(
            "dies",
            "restarted",
            livenessProbe={"exec": {"command": ["false"]}, "periodSeconds": 1, "failureThreshold": 1},
        ),
    }
    for name, spec in specs.items():
        ok(client.send("POST", f"{api}/pods", spec, "application/json"), name)
    wait(
        client, f"{api}/pods/passes", lambda p: condition(p, "Ready").get("status") == "True", "passes Ready"
    )
    fails = wait(
        client,
        f"{api}/pods/fails",
        lambda p: (
            p
            if p["status"].get("phase") == "Running" and "running" in _container(p).get("state", {})
            else None
        ),
        "fails Running",
    )
    endpoints = wait(
        client,
        f"{api}/endpoints/probed",
        lambda e: (
            e
            if sum(
                len(s.get("addresses") or []) + len(s.get("notReadyAddresses") or [])
                for s in e.get("subsets") or []
            )
            == 2
            else None
        ),
        "two endpoints",
    )
    slices = wait(
        client,
        f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices?labelSelector=kubernetes.io/service-name%3Dprobed",
        lambda b: b if sum(len(s.get("endpoints") or []) for s in b["items"]) == 2 else None,
        "two endpoints in the slices",
    )
    dies = wait(
        client,
        f"{api}/pods/dies",
        lambda p: p if _container(p).get("restartCount", 0) >= 2 else None,
        "restarts",
    )
    ready = condition(fails, "Ready")
    return {
        "fails": {
            "phase": fails["status"]["phase"],
            "Ready": (ready.get("status"), ready.get("reason"), ready.get("message")),
            "container_ready": _container(fails).get("ready"),
        },
        "endpoints": sorted(
            (kind, a["targetRef"]["name"])
            for s in endpoints["subsets"]
            for kind in ("addresses", "notReadyAddresses")
            for a in s.get(kind) or []
        ),
        "slices": sorted(
            (e["targetRef"]["name"], e["conditions"].get("ready"), e["conditions"].get("serving"))
            for s in slices["items"]
            for e in s.get("endpoints") or []
        ),
        "dies": {
            "phase": dies["status"]["phase"],
            "restarted": _container(dies).get("restartCount", 0) >= 2,
            "last_terminated": "terminated" in (_container(dies).get("lastState") or {}),
        },
    }
