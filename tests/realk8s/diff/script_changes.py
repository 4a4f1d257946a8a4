"""Script part two: selectors, pagination, patches, server-side apply, watches, deletes (what may not change is
in script_immutable.py, between server-side apply and watches)."""

from __future__ import annotations

from typing import Any

from tests.realk8s.diff import script_immutable
from tests.realk8s.diff.script import (
    APPLY,
    JSONPATCH,
    MERGE,
    STRATEGIC,
    Ctx,
    Item,
    Step,
    Wait,
    cm,
    deployment,
    gone,
)


def items(ns: str) -> list[Item]:
    return [
        *selectors(ns),
        *pagination(ns),
        *patches(ns),
        *server_side_apply(ns),
        *script_immutable.items(ns),
        *watches(ns),
        *deletes(ns),
    ]


def selectors(ns: str) -> list[Item]:
    c = "selectors"
    api = f"/api/v1/namespaces/{ns}"
    out: list[Item] = []
    for i, (app, tier) in enumerate((("a", "front"), ("a", "back"), ("b", "front"), ("b", ""), ("c", ""))):
        labels = {"sel": "yes", "app": app, **({"tier": tier} if tier else {})}
        out.append(Step(c, f"sel-create-{i}", "POST", f"{api}/configmaps", cm(f"sel-{i}", labels)))
    queries = {
        "sel-equals": "labelSelector=sel%3Dyes,app%3Da",
        "sel-not-equals": "labelSelector=sel%3Dyes,app!%3Da",
        "sel-in": "labelSelector=sel%3Dyes,app+in+(a,c)",
        "sel-notin": "labelSelector=sel%3Dyes,app+notin+(a)",
        "sel-exists": "labelSelector=sel%3Dyes,tier",
        "sel-not-exists": "labelSelector=sel%3Dyes,!tier",
        "sel-double-equals": "labelSelector=sel%3D%3Dyes,tier%3D%3Dfront",
        "field-name": "fieldSelector=metadata.name%3Dsel-2",
        "field-name-not": "labelSelector=sel%3Dyes&fieldSelector=metadata.name!%3Dsel-2",
        "field-namespace": f"labelSelector=sel%3Dyes&fieldSelector=metadata.namespace%3D{ns}",
        "field-and-label": "labelSelector=app%3Db&fieldSelector=metadata.name%3Dsel-3",
    }
    out += [Step(c, name, "GET", f"{api}/configmaps?{q}") for name, q in queries.items()]
    out += [
        Step(c, "field-pod-restart", "GET", f"{api}/pods?fieldSelector=spec.restartPolicy%3DNever"),
        Step(c, "field-pod-sa", "GET", f"{api}/pods?fieldSelector=spec.serviceAccountName%3Dnobody"),
        Step(c, "field-pod-unsupported", "GET", f"{api}/pods?fieldSelector=spec.hostname%3Dx"),
        Step(c, "field-secret-type", "GET", f"{api}/secrets?fieldSelector=type%3Dkubernetes.io/tls"),
        Step(c, "sel-bad-value", "GET", f"{api}/configmaps?labelSelector=app%3Dhas+space"),
        Step(c, "sel-all-namespaces", "GET", "/api/v1/configmaps?labelSelector=sel%3Dyes,app%3Dc"),
    ]
    return out


def _continue(step: str) -> Any:
    def path(ctx: Ctx) -> str:
        token = (ctx.get(step) or {}).get("metadata", {}).get("continue", "")
        return f"/api/v1/namespaces/{ctx['ns']}/secrets?limit=2&continue={token}"

    return path


def pagination(ns: str) -> list[Item]:
    c = "pagination"
    api = f"/api/v1/namespaces/{ns}"
    out: list[Item] = [
        Step(
            c,
            f"page-create-{i}",
            "POST",
            f"{api}/secrets",
            {"metadata": {"name": f"page-{i}", "labels": {"page": str(i % 2)}}},
        )
        for i in range(5)
    ]
    out += [
        Step(c, "page-1", "GET", f"{api}/secrets?limit=2"),
        Step(c, "page-2", "GET", _continue("page-1")),
        Step(c, "page-3", "GET", _continue("page-2")),
        Step(c, "page-4", "GET", _continue("page-3")),
        Step(c, "page-selected-1", "GET", f"{api}/secrets?limit=2&labelSelector=page%3D0"),
        Step(c, "page-limit-zero", "GET", f"{api}/secrets?limit=0&labelSelector=page%3D1"),
        Step(c, "page-large-limit", "GET", f"{api}/secrets?limit=500&labelSelector=page"),
        Step(c, "page-rv-zero", "GET", f"{api}/secrets?resourceVersion=0&labelSelector=page%3D1"),
    ]
    return out


def patches(ns: str) -> list[Item]:
    c = "patch"
    api = f"/api/v1/namespaces/{ns}"
    apps = f"/apis/apps/v1/namespaces/{ns}"
    cmp = f"{api}/configmaps/patched"
    dep = f"{apps}/deployments/web"
    containers = {
        "spec": {"template": {"spec": {"containers": [{"name": "sidecar", "image": "busybox:1.36"}]}}}
    }
    delete_sidecar = {
        "spec": {"template": {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}]}}}
    }
    return [
        Step(c, "patch-setup", "POST", f"{api}/configmaps", cm("patched", {"x": "1"}, {"a": "1", "b": "2"})),
        Step(c, "json-add", "PATCH", cmp, [{"op": "add", "path": "/data/c", "value": "3"}], JSONPATCH),
        Step(
            c, "json-replace", "PATCH", cmp, [{"op": "replace", "path": "/data/a", "value": "one"}], JSONPATCH
        ),
        Step(c, "json-remove", "PATCH", cmp, [{"op": "remove", "path": "/data/b"}], JSONPATCH),
        Step(
            c,
            "json-test-ok",
            "PATCH",
            cmp,
            [
                {"op": "test", "path": "/data/a", "value": "one"},
                {"op": "add", "path": "/metadata/labels/t", "value": "ok"},
            ],
            JSONPATCH,
        ),
        Step(
            c, "json-test-fails", "PATCH", cmp, [{"op": "test", "path": "/data/a", "value": "two"}], JSONPATCH
        ),
        Step(c, "json-remove-missing", "PATCH", cmp, [{"op": "remove", "path": "/data/zzz"}], JSONPATCH),
        Step(c, "json-bad-op", "PATCH", cmp, [{"op": "shuffle", "path": "/data/a"}], JSONPATCH),
        Step(c, "json-not-a-list", "PATCH", cmp, {"op": "add"}, JSONPATCH),
        Step(c, "json-move", "PATCH", cmp, [{"op": "move", "from": "/data/c", "path": "/data/d"}], JSONPATCH),
        Step(c, "json-copy", "PATCH", cmp, [{"op": "copy", "from": "/data/d", "path": "/data/e"}], JSONPATCH),
        Step(c, "merge-set", "PATCH", cmp, {"data": {"f": "6"}}, MERGE),
        Step(
            c,
            "merge-null-removes",
            "PATCH",
            cmp,
            {"data": {"f": None}, "metadata": {"labels": {"t": None}}},
            MERGE,
        ),
        Step(
            c,
            "merge-stale-rv",
            "PATCH",
            cmp,
            {"metadata": {"resourceVersion": "2"}, "data": {"g": "7"}},
            MERGE,
        ),
        Step(c, "merge-rename", "PATCH", cmp, {"metadata": {"name": "renamed"}}, MERGE),
        Step(c, "merge-missing", "PATCH", f"{api}/configmaps/nothing", {"data": {}}, MERGE),
        Step(c, "merge-bad-json", "PATCH", cmp, "{", MERGE),
        Step(c, "merge-deploy-replicas", "PATCH", dep, {"spec": {"replicas": 3}}, MERGE),
        Step(c, "merge-deploy-invalid", "PATCH", dep, {"spec": {"replicas": -1}}, MERGE),
        Step(c, "strategic-add-container", "PATCH", dep, containers, STRATEGIC),
        Step(
            c,
            "strategic-change-image",
            "PATCH",
            dep,
            {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.28"}]}}}},
            STRATEGIC,
        ),
        Step(c, "strategic-delete-container", "PATCH", dep, delete_sidecar, STRATEGIC),
        Step(
            c,
            "strategic-env-merge",
            "PATCH",
            dep,
            {
                "spec": {
                    "template": {
                        "spec": {"containers": [{"name": "app", "env": [{"name": "A", "value": "1"}]}]}
                    }
                }
            },
            STRATEGIC,
        ),
        Step(c, "strategic-configmap", "PATCH", cmp, {"data": {"h": "8"}}, STRATEGIC),
        Step(
            c,
            "strategic-selector-immutable",
            "PATCH",
            dep,
            {"spec": {"selector": {"matchLabels": {"app": "other"}}}},
            STRATEGIC,
        ),
        Step(
            c,
            "strategic-retain-keys",
            "PATCH",
            dep,
            {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}},
            STRATEGIC,
        ),
        Step(c, "deploy-after-patches", "GET", dep),
    ]


def server_side_apply(ns: str) -> list[Item]:
    c = "apply"
    api = f"/api/v1/namespaces/{ns}"
    ssa = f"{api}/configmaps/applied"

    def doc(data: dict[str, str], labels: dict[str, str] | None = None) -> str:
        lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: applied"]
        if labels:
            lines.append("  labels:")
            lines += [f"    {k}: '{v}'" for k, v in labels.items()]
        lines.append("data:")
        lines += [f"  {k}: '{v}'" for k, v in data.items()]
        return "\n".join(lines) + "\n"

    return [
        Step(c, "apply-create", "PATCH", f"{ssa}?fieldManager=alice", doc({"a": "1", "b": "2"}), APPLY),
        Step(c, "apply-same-again", "PATCH", f"{ssa}?fieldManager=alice", doc({"a": "1", "b": "2"}), APPLY),
        Step(c, "apply-co-owner", "PATCH", f"{ssa}?fieldManager=bob", doc({"a": "1"}), APPLY),
        Step(c, "apply-conflict", "PATCH", f"{ssa}?fieldManager=carol", doc({"a": "9"}), APPLY),
        Step(c, "apply-conflict-two", "PATCH", f"{ssa}?fieldManager=carol", doc({"a": "9", "b": "9"}), APPLY),
        Step(c, "apply-force", "PATCH", f"{ssa}?fieldManager=carol&force=true", doc({"a": "9"}), APPLY),
        Step(c, "apply-drop-field", "PATCH", f"{ssa}?fieldManager=alice", doc({"c": "3"}), APPLY),
        Step(c, "apply-get", "GET", ssa),
        Step(c, "apply-no-manager", "PATCH", ssa, doc({"a": "1"}), APPLY),
        Step(c, "apply-bad-yaml", "PATCH", f"{ssa}?fieldManager=alice", "data: [unclosed\n", APPLY),
        Step(
            c,
            "apply-kind-mismatch",
            "PATCH",
            f"{ssa}?fieldManager=alice",
            doc({"a": "1"}).replace("ConfigMap", "Secret"),
            APPLY,
        ),
        Step(
            c,
            "apply-name-mismatch",
            "PATCH",
            f"{api}/configmaps/other?fieldManager=alice",
            doc({"a": "1"}),
            APPLY,
        ),
        Step(
            c,
            "apply-with-labels",
            "PATCH",
            f"{ssa}?fieldManager=dave",
            doc({}, {"owner": "dave"}).replace("\ndata:\n", "\n"),
            APPLY,
        ),
        Step(
            c,
            "update-after-apply",
            "PUT",
            ssa,
            lambda ctx: {
                **cm("applied", {"owner": "dave"}, {"a": "9", "c": "3", "z": "26"}),
                "metadata": {
                    "name": "applied",
                    "labels": {"owner": "dave"},
                    "resourceVersion": ctx["apply-with-labels"]["metadata"]["resourceVersion"],
                },
            },
        ),
        Step(
            c,
            "apply-deploy",
            "PATCH",
            f"/apis/apps/v1/namespaces/{ns}/deployments/applied-deploy?fieldManager=alice",
            _deploy_yaml(),
            APPLY,
        ),
        Step(
            c,
            "apply-deploy-dry-run",
            "PATCH",
            f"/apis/apps/v1/namespaces/{ns}/deployments/applied-deploy?fieldManager=bob&dryRun=All",
            _deploy_yaml(replicas=1),
            APPLY,
        ),
        Step(
            c,
            "apply-status-subresource",
            "PATCH",
            f"{api}/services/web/status?fieldManager=lb",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nstatus:\n  loadBalancer:\n    ingress:\n    - ip: 192.0.2.60\n",
            APPLY,
        ),
    ]


def _deploy_yaml(replicas: int = 0) -> str:
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: applied-deploy\nspec:\n"
        f"  replicas: {replicas}\n  selector:\n    matchLabels: {{app: ad}}\n  template:\n    metadata:\n"
        "      labels: {app: ad}\n    spec:\n      containers:\n      - name: app\n        image: nginx:1.27\n"
    )


def watches(ns: str) -> list[Item]:
    c = "watch"
    api = f"/api/v1/namespaces/{ns}"

    def since(query: str) -> Any:
        return lambda ctx: (
            f"{api}/configmaps?watch=true&timeoutSeconds=2&resourceVersion={ctx['watch-start']['metadata']['resourceVersion']}&{query}"
        )

    return [
        Step(c, "watch-start", "GET", f"{api}/configmaps?labelSelector=w%3D1"),
        Step(c, "watch-create", "POST", f"{api}/configmaps", cm("w-1", {"w": "1"})),
        Step(c, "watch-update", "PATCH", f"{api}/configmaps/w-1", {"data": {"k": "v2"}}, MERGE),
        Step(c, "watch-create-other", "POST", f"{api}/configmaps", cm("w-2", {"w": "1", "other": "yes"})),
        Step(c, "watch-delete", "DELETE", f"{api}/configmaps/w-1"),
        Step(c, "watch-label", "GET", since("labelSelector=w%3D1"), watch=True),
        Step(c, "watch-label-narrow", "GET", since("labelSelector=other"), watch=True),
        Step(c, "watch-field", "GET", since("fieldSelector=metadata.name%3Dw-1"), watch=True),
        Step(
            c,
            "watch-initial-events",
            "GET",
            f"{api}/configmaps?watch=true&timeoutSeconds=1&labelSelector=w&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan",
            watch=True,
        ),
        Step(
            c,
            "watch-bad-rv",
            "GET",
            f"{api}/configmaps?watch=true&timeoutSeconds=1&resourceVersion=abc",
            watch=True,
        ),
        Step(
            c,
            "watch-initial-no-bookmarks",
            "GET",
            f"{api}/configmaps?watch=true&timeoutSeconds=1&labelSelector=w&sendInitialEvents=true&resourceVersionMatch=NotOlderThan",
            watch=True,
        ),
    ]


def deletes(ns: str) -> list[Item]:
    c = "delete"
    api = f"/api/v1/namespaces/{ns}"
    apps = f"/apis/apps/v1/namespaces/{ns}"
    out: list[Item] = []
    for policy in ("Orphan", "Foreground", "Background"):
        name = f"del-{policy.lower()}"
        out += [
            Step(
                c,
                f"{name}-create",
                "POST",
                f"{apps}/replicasets",
                {**deployment(name, 0), "kind": "ReplicaSet"},
            ),
            Step(c, f"{name}-delete", "DELETE", f"{apps}/replicasets/{name}", {"propagationPolicy": policy}),
        ]
    out += [
        Wait("ReplicaSets deleted", f"{apps}/replicasets/del-foreground", gone),
        Step(c, "delete-bad-policy", "DELETE", f"{apps}/deployments/web", {"propagationPolicy": "Sometimes"}),
        Step(c, "delete-cm", "DELETE", f"{api}/configmaps/plain"),
        Step(c, "delete-cm-again", "DELETE", f"{api}/configmaps/plain"),
        Step(c, "delete-dry-run", "DELETE", f"{api}/configmaps/bin?dryRun=All"),
        Step(c, "delete-dry-run-kept", "GET", f"{api}/configmaps/bin"),
        Step(
            c,
            "delete-precondition-uid",
            "DELETE",
            f"{api}/configmaps/bin",
            {"preconditions": {"uid": "00000000-0000-0000-0000-000000000000"}},
        ),
        Step(
            c,
            "delete-precondition-rv",
            "DELETE",
            f"{api}/configmaps/bin",
            {"preconditions": {"resourceVersion": "1"}},
        ),
        Step(c, "delete-secret", "DELETE", f"{api}/secrets/creds"),
        Step(c, "delete-service", "DELETE", f"{api}/services/web-headless"),
        Step(c, "delete-collection", "DELETE", f"{api}/configmaps?labelSelector=sel%3Dyes,app%3Da"),
        Step(c, "delete-collection-after", "GET", f"{api}/configmaps?labelSelector=sel%3Dyes"),
        Step(c, "delete-pod-graceful", "DELETE", f"{api}/pods/once"),
        Step(c, "delete-pod-now", "DELETE", f"{api}/pods/solo", {"gracePeriodSeconds": 0}, only=unversioned),
        Step(
            c,
            "delete-options-in-query",
            "DELETE",
            f"{api}/serviceaccounts/robot?gracePeriodSeconds=0&propagationPolicy=Background",
        ),
        Step(c, "delete-deploy-orphan", "DELETE", f"{apps}/deployments/batch?propagationPolicy=Orphan"),
        Wait("Deployment batch deleted", f"{apps}/deployments/batch", gone),
        Step(
            c,
            "delete-deploy-foreground",
            "DELETE",
            f"{apps}/deployments/web",
            {"propagationPolicy": "Foreground"},
        ),
        Wait("Deployment web deleted", f"{apps}/deployments/web", gone),
        Step(c, "delete-deploy-gone", "GET", f"{apps}/deployments/web"),
        Step(c, "ns-delete", "DELETE", f"/api/v1/namespaces/{ns}"),
        Step(c, "ns-get-terminating", "GET", f"/api/v1/namespaces/{ns}"),
    ]

    return out


def unversioned(body: Any) -> Any:
    """A pod deleted at once: real answers with its last state with or without a resourceVersion, depending on
    whether kwok's last status write raced the delete, so the version is left out of the comparison."""
    if isinstance(body, dict) and isinstance(body.get("metadata"), dict):
        return {**body, "metadata": {k: v for k, v in body["metadata"].items() if k != "resourceVersion"}}
    return body
