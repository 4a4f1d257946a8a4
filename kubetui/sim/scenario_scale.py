"""The ``scale:N`` scenario: N running pods over about N/10 Deployments and N/200 nodes, written straight into
the store (no controller round trips), in the exact shape the controllers would leave them."""

from __future__ import annotations

import copy
import math
from typing import TYPE_CHECKING, Any

from kubetui.sim.controllers.admission import default_pod_spec
from kubetui.sim.controllers.deployment_util import HASH_LABEL, REVISION, template_hash
from kubetui.sim.controllers.kubelet_status import container_id, image_id
from kubetui.sim.controllers.nodes import make_node
from kubetui.sim.scenarios import build_empty, create_namespace
from kubetui.sim.store import clone

if TYPE_CHECKING:
    from kubetui.sim.cluster import SimCluster

PODS_PER_DEPLOYMENT = 10
PODS_PER_NODE = 200
DEPLOYMENTS_PER_NAMESPACE = 100
IMAGES = (
    "nginx:1.27",
    "registry.k8s.io/e2e-test-images/agnhost:2.39",
    "gcr.io/google-samples/kubernetes-bootcamp:v1",
)


def build_scale(cluster: SimCluster, pods: int) -> None:
    pods = max(1, pods)
    # --nodes N means N nodes in all (a control plane and N-1 workers); by default one worker per 200 pods.
    workers = (
        max(1, cluster.node_count - 1) if cluster.node_count else max(1, math.ceil(pods / PODS_PER_NODE))
    )
    per_node = math.ceil(pods / workers)
    with cluster.bulk():
        build_empty(cluster, 1)  # the control plane; workers follow with room for 200 pods each
        now = cluster.clock.stamp()
        nodes = []
        for i in range(1, workers + 1):
            name = "kubetui-worker" if i == 1 else f"kubetui-worker{i}"
            node = make_node(name, i, control_plane=False, tainted=False, ready=True, now=now)
            for key in ("capacity", "allocatable"):
                node["status"][key]["pods"] = str(max(110, per_node + 50))
            cluster.store.create("nodes", node)
            nodes.append((name, node["status"]["addresses"][0]["address"], i))
        # The control plane keeps its taint: workloads land on the workers only.
        cp = cluster.store.get("nodes", "", "kubetui-control-plane")
        if cp is not None:
            cp = copy.deepcopy(cp)
            cp["spec"]["taints"] = [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
            cluster.store.update("nodes", cp)
        deployments = math.ceil(pods / PODS_PER_DEPLOYMENT)
        namespaces = [f"scale-{i}" for i in range(math.ceil(deployments / DEPLOYMENTS_PER_NAMESPACE))]
        for ns in namespaces:
            create_namespace(cluster, ns)
        placed = 0
        for d in range(deployments):
            replicas = min(PODS_PER_DEPLOYMENT, pods - d * PODS_PER_DEPLOYMENT)
            ns = namespaces[d // DEPLOYMENTS_PER_NAMESPACE]
            image = IMAGES[d % len(IMAGES)]
            placed = _deployment(cluster, ns, f"app-{d:05d}", image, replicas, nodes, placed, now, per_node)


def _deployment(
    cluster: SimCluster,
    ns: str,
    name: str,
    image: str,
    replicas: int,
    nodes: list[tuple[str, str, int]],
    placed: int,
    now: str,
    per_node: int,
) -> int:
    store = cluster.store
    labels = {"app": name}
    pod_spec: dict[str, Any] = {"containers": [{"name": "main", "image": image}]}
    default_pod_spec(pod_spec)
    template = {"metadata": {"labels": labels}, "spec": pod_spec}
    deploy: dict[str, Any] = {
        "metadata": {"name": name, "namespace": ns, "labels": labels, "annotations": {REVISION: "1"}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": labels}, "template": template},
    }
    cluster.admit("deployments.apps", deploy, None)
    deploy = store.create("deployments.apps", deploy)
    hash_ = template_hash(deploy["spec"]["template"])
    rs_template = copy.deepcopy(deploy["spec"]["template"])
    rs_template["metadata"]["labels"][HASH_LABEL] = hash_
    rs_labels = dict(rs_template["metadata"]["labels"])
    rs_name = f"{name}-{hash_}"
    rs: dict[str, Any] = {
        "metadata": {
            "name": rs_name,
            "namespace": ns,
            "labels": rs_labels,
            "annotations": {
                REVISION: "1",
                "deployment.kubernetes.io/desired-replicas": str(replicas),
                "deployment.kubernetes.io/max-replicas": str(replicas + math.ceil(replicas / 4)),
            },
            "ownerReferences": [_owner(deploy)],
        },
        "spec": {
            "replicas": replicas,
            "minReadySeconds": 0,
            "selector": {"matchLabels": rs_labels},
            "template": rs_template,
        },
        "status": {
            "replicas": replicas,
            "fullyLabeledReplicas": replicas,
            "readyReplicas": replicas,
            "availableReplicas": replicas,
            "observedGeneration": 1,
        },
    }
    cluster.admit("replicasets.apps", rs, None)
    rs = store.create("replicasets.apps", rs)
    # Admission gives every pod of one template the same defaults, so it runs once per ReplicaSet; the pods then
    # share their unchanging parts (containers, tolerations, conditions), as stored objects are never changed
    # in place: a later write stores a new copy.
    owners = [_owner(rs)]
    model: dict[str, Any] = {
        "metadata": {"namespace": ns, "labels": rs_labels},
        "spec": clone(rs_template["spec"]),
    }
    cluster.admit("pods", model, None)
    conditions = [
        {"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": now}
        for t in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")
    ]
    for _ in range(replicas):
        node, host_ip, index = nodes[placed // per_node % len(nodes)]
        ip = _pod_ip(index, placed % per_node)
        placed += 1
        pod_name = _free_pod_name(cluster, ns, rs_name)
        pod: dict[str, Any] = {
            "metadata": {
                "name": pod_name,
                "generateName": f"{rs_name}-",
                "namespace": ns,
                "labels": rs_labels,
                "ownerReferences": owners,
            },
            "spec": {**model["spec"], "nodeName": node},
        }
        pod["status"] = {
            "phase": "Running",
            "conditions": conditions,
            "hostIP": host_ip,
            "hostIPs": [{"ip": host_ip}],
            "podIP": ip,
            "podIPs": [{"ip": ip}],
            "startTime": now,
            "containerStatuses": [
                {
                    "name": "main",
                    "state": {"running": {"startedAt": now}},
                    "lastState": {},
                    "ready": True,
                    "restartCount": 0,
                    "image": image,
                    "imageID": image_id(image),
                    "containerID": container_id(f"{ns}/{pod_name}", "main", 0),
                    "started": True,
                }
            ],
            "qosClass": model["status"]["qosClass"],
        }
        store.create("pods", pod, take=True)
    status = {
        "observedGeneration": 1,
        "replicas": replicas,
        "updatedReplicas": replicas,
        "readyReplicas": replicas,
        "availableReplicas": replicas,
        "conditions": [
            {
                "type": "Available",
                "status": "True",
                "lastUpdateTime": now,
                "lastTransitionTime": now,
                "reason": "MinimumReplicasAvailable",
                "message": "Deployment has minimum availability.",
            },
            {
                "type": "Progressing",
                "status": "True",
                "lastUpdateTime": now,
                "lastTransitionTime": now,
                "reason": "NewReplicaSetAvailable",
                "message": f'ReplicaSet "{rs_name}" has successfully progressed.',
            },
        ],
    }
    store.update("deployments.apps", {**deploy, "status": status}, subresource="status")
    return placed


def _free_pod_name(cluster: SimCluster, ns: str, rs_name: str) -> str:
    """A pod name from the ReplicaSet's name stream, drawn again while taken, as a generateName create retries.

    Five characters from 27 collide now and then across 100,000 pods; the store would refuse the duplicate."""
    for _ in range(100):
        name = f"{rs_name}-{cluster.clock.suffix('pod-names/' + rs_name)}"
        if cluster.store.get("pods", ns, name) is None:
            return name
    raise RuntimeError(f"no free pod name for ReplicaSet {ns}/{rs_name}")


def _owner(obj: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": obj["apiVersion"],
        "kind": obj["kind"],
        "name": obj["metadata"]["name"],
        "uid": obj["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def _pod_ip(node_index: int, n: int) -> str:
    """The n-th pod address of a node; past a /24's worth it spills into the next octet, as a wider CIDR would."""
    return f"10.{42 + n // 253}.{node_index}.{2 + n % 253}"
