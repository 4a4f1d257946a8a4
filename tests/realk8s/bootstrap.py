"""What the real control plane is given once it answers: the fake nodes kwok manages, the namespace
``team-a``, and the RBAC of the bearer-token users of its token file."""

from __future__ import annotations

from typing import Any

RBAC = "/apis/rbac.authorization.k8s.io/v1"

# Bearer-token users of the token file: their groups, and (comment) what ``requests`` grants them.
TOKEN_USERS: dict[str, tuple[str, ...]] = {
    "token-admin": ("system:masters",),  # everything, through a bearer token instead of a client cert
    "token-viewer": (),  # the built-in "view" ClusterRole everywhere: reads, but no secrets, no nodes, no writes
    "token-pod-reader": (),  # pods, workloads and services everywhere; not secrets, not nodes
    "token-team-a": (),  # "edit" in namespace team-a only; nothing cluster-wide, not even the namespace list
}
TEAM_NAMESPACE = "team-a"

POD_READER_RULES: list[dict[str, Any]] = [
    {
        "apiGroups": [""],
        "resources": ["pods", "pods/log", "services", "events", "namespaces", "endpoints"],
        "verbs": ["get", "list", "watch"],
    },
    {"apiGroups": ["apps"], "resources": ["deployments", "replicasets"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": ["get", "list", "watch"]},
]


def node_object(name: str, index: int) -> dict[str, Any]:
    # One /24 per node inside the cluster CIDR (10.244.0.0/14 holds 1,024 of them, enough for a scale run).
    cidr = f"10.{244 + index // 256}.{index % 256}.0/24"
    return {
        "metadata": {
            "name": name,
            "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
            "labels": {
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "type": "kwok",
            },
        },
        "spec": {"podCIDR": cidr, "podCIDRs": [cidr]},
    }


def _binding(name: str, role: str, user: str, namespace: str | None = None) -> tuple[str, dict[str, Any]]:
    kind = "rolebindings" if namespace else "clusterrolebindings"
    path = f"{RBAC}/namespaces/{namespace}/{kind}" if namespace else f"{RBAC}/{kind}"
    body = {
        "metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}],
    }
    return path, body


def requests(nodes: int) -> list[tuple[str, dict[str, Any]]]:
    """The (path, body) of every POST that sets the stack up, in order."""
    out: list[tuple[str, dict[str, Any]]] = [
        ("/api/v1/nodes", node_object(f"kwok-node-{index}", index)) for index in range(nodes)
    ]
    out.append(("/api/v1/namespaces", {"metadata": {"name": TEAM_NAMESPACE}}))
    out.append(
        (f"{RBAC}/clusterroles", {"metadata": {"name": "kubetui-pod-reader"}, "rules": POD_READER_RULES})
    )
    out.append(_binding("kubetui-token-viewer", "view", "token-viewer"))
    out.append(_binding("kubetui-token-pod-reader", "kubetui-pod-reader", "token-pod-reader"))
    out.append(_binding("kubetui-token-team-a", "edit", "token-team-a", TEAM_NAMESPACE))
    return out
