"""Script part one: namespaces, creates (valid and invalid), reads, errors, subresources, discovery."""

from __future__ import annotations

from typing import Any

from tests.realk8s.diff.script import JSON, Item, Step, Wait, cm, deployment, exists, pod


def items(ns: str) -> list[Item]:
    return [
        *namespaces(ns),
        *creates(ns),
        *invalid(ns),
        *reads(ns),
        *errors(ns),
        *subresources(ns),
        *discovery(),
    ]


def namespaces(ns: str) -> list[Item]:
    c = "namespaces"
    base = "/api/v1/namespaces"
    return [
        Step(c, "ns-create", "POST", base, {"metadata": {"name": ns, "labels": {"purpose": "diff"}}}),
        Wait("the default ServiceAccount", f"{base}/{ns}/serviceaccounts/default", exists),
        Step(c, "ns-create-again", "POST", base, {"metadata": {"name": ns}}),
        Step(c, "ns-create-invalid", "POST", base, {"metadata": {"name": "Not_A_Name"}}),
        Step(c, "ns-create-no-name", "POST", base, {"metadata": {}}),
        Step(c, "ns-get-missing", "GET", f"{base}/{ns}-missing"),
        Step(c, "ns-list-selected", "GET", f"{base}?labelSelector=kubernetes.io/metadata.name%3D{ns}"),
        Step(
            c,
            "ns-patch-label",
            "PATCH",
            f"{base}/{ns}",
            {"metadata": {"labels": {"extra": "yes"}}},
            "application/merge-patch+json",
        ),
        Step(c, "ns-get-status", "GET", f"{base}/{ns}/status"),
        Step(c, "ns2-create", "POST", base, {"metadata": {"name": f"{ns}-gone"}}),
        Wait("the default ServiceAccount", f"{base}/{ns}-gone/serviceaccounts/default", exists),
        Step(c, "ns2-delete", "DELETE", f"{base}/{ns}-gone"),
        Step(c, "ns2-create-in-terminating", "POST", f"{base}/{ns}-gone/configmaps", cm("late")),
        Step(c, "create-in-missing-ns", "POST", f"{base}/{ns}-nowhere/configmaps", cm("lost")),
        Step(c, "ns-delete-missing", "DELETE", f"{base}/{ns}-nowhere"),
    ]


def creates(ns: str) -> list[Item]:
    c = "create"
    api = f"/api/v1/namespaces/{ns}"
    apps = f"/apis/apps/v1/namespaces/{ns}"
    secret: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "creds"},
        "stringData": {"user": "admin"},
        "data": {"token": "c2VjcmV0"},
    }
    service = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]},
    }
    nodeport = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web-np"},
        "spec": {"type": "NodePort", "selector": {"app": "web"}, "ports": [{"name": "http", "port": 80}]},
    }
    headless = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web-headless"},
        "spec": {"clusterIP": "None", "selector": {"app": "web"}, "ports": [{"port": 80}]},
    }
    return [
        Step(c, "cm-create", "POST", f"{api}/configmaps", cm("plain", {"app": "diff"}, {"a": "1", "b": "2"})),
        Step(c, "cm-create-duplicate", "POST", f"{api}/configmaps", cm("plain")),
        Step(
            c,
            "cm-create-generated",
            "POST",
            f"{api}/configmaps",
            {"metadata": {"generateName": "gen-"}, "data": {}},
        ),
        Step(
            c,
            "cm-create-binary",
            "POST",
            f"{api}/configmaps",
            {"metadata": {"name": "bin"}, "binaryData": {"b": "AAEC"}},
        ),
        Step(c, "cm-create-dry-run", "POST", f"{api}/configmaps?dryRun=All", cm("dry")),
        Step(c, "cm-get-dry-run", "GET", f"{api}/configmaps/dry"),
        Step(c, "cm-create-immutable", "POST", f"{api}/configmaps", cm("frozen", immutable=True)),
        Step(c, "secret-create-stringdata", "POST", f"{api}/secrets", secret),
        Step(c, "secret-get", "GET", f"{api}/secrets/creds"),
        Step(
            c,
            "secret-create-typed",
            "POST",
            f"{api}/secrets",
            {
                "metadata": {"name": "tls"},
                "type": "kubernetes.io/tls",
                "data": {"tls.crt": "", "tls.key": ""},
            },
        ),
        Step(c, "sa-create", "POST", f"{api}/serviceaccounts", {"metadata": {"name": "robot"}}),
        Step(c, "svc-create", "POST", f"{api}/services", service),
        Step(c, "svc-create-nodeport", "POST", f"{api}/services", nodeport),
        Step(c, "svc-create-headless", "POST", f"{api}/services", headless),
        Step(c, "pod-create", "POST", f"{api}/pods", pod("solo")),
        Step(c, "pod-create-never", "POST", f"{api}/pods", pod("once", restartPolicy="Never")),
        Step(c, "deploy-create", "POST", f"{apps}/deployments", deployment("web", 2)),
        Step(
            c,
            "deploy-create-recreate",
            "POST",
            f"{apps}/deployments",
            deployment("batch", 0, strategy={"type": "Recreate"}),
        ),
        Step(c, "rs-create", "POST", f"{apps}/replicasets", {**deployment("loose", 0), "kind": "ReplicaSet"}),
        Step(
            c,
            "cm-create-yaml",
            "POST",
            f"{api}/configmaps",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  x: 'y'\n",
            "application/yaml",
        ),
    ]


def invalid(ns: str) -> list[Item]:
    c = "invalid"
    api = f"/api/v1/namespaces/{ns}"
    apps = f"/apis/apps/v1/namespaces/{ns}"
    bad_port = {"metadata": {"name": "bad-port"}, "spec": {"ports": [{"port": 70000}]}}
    bad_selector = deployment("mismatch")
    bad_selector["spec"]["selector"] = {"matchLabels": {"app": "other"}}
    bad_strategy = deployment("bad-strategy", strategy={"type": "Sideways"})
    bad_surge = deployment(
        "zero-surge",
        strategy={"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0}},
    )
    bad_restart = deployment("bad-restart")
    bad_restart["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    return [
        Step(c, "cm-invalid-name", "POST", f"{api}/configmaps", cm("Upper_Case")),
        Step(c, "cm-invalid-key", "POST", f"{api}/configmaps", cm("bad-key", data={"no/slash": "x"})),
        Step(c, "cm-invalid-label", "POST", f"{api}/configmaps", cm("bad-label", {"app": "has space"})),
        Step(c, "cm-long-name", "POST", f"{api}/configmaps", cm("x" * 254)),
        Step(c, "cm-no-name", "POST", f"{api}/configmaps", {"metadata": {}, "data": {}}),
        Step(c, "cm-kind-mismatch", "POST", f"{api}/configmaps", {**cm("kind"), "kind": "Secret"}),
        Step(c, "cm-version-mismatch", "POST", f"{api}/configmaps", {**cm("ver"), "apiVersion": "apps/v1"}),
        Step(
            c,
            "cm-namespace-mismatch",
            "POST",
            f"{api}/configmaps",
            {**cm("nsm"), "metadata": {"name": "nsm", "namespace": "default"}},
        ),
        Step(c, "cm-bad-json", "POST", f"{api}/configmaps", "{not json", JSON),
        Step(
            c,
            "cm-unknown-field-strict",
            "POST",
            f"{api}/configmaps?fieldValidation=Strict",
            {**cm("strict"), "extra": 1},
        ),
        Step(
            c,
            "cm-unknown-field-warn",
            "POST",
            f"{api}/configmaps?fieldValidation=Warn",
            {**cm("warned"), "extra": 1},
        ),
        Step(
            c,
            "secret-bad-base64",
            "POST",
            f"{api}/secrets",
            {"metadata": {"name": "b64"}, "data": {"k": "!!!"}},
        ),
        Step(
            c,
            "secret-bad-type-data",
            "POST",
            f"{api}/secrets",
            {"metadata": {"name": "tls2"}, "type": "kubernetes.io/tls", "data": {}},
        ),
        Step(c, "svc-bad-port", "POST", f"{api}/services", bad_port),
        Step(
            c,
            "svc-no-ports",
            "POST",
            f"{api}/services",
            {"metadata": {"name": "no-ports"}, "spec": {"selector": {"a": "b"}}},
        ),
        Step(
            c,
            "svc-bad-type",
            "POST",
            f"{api}/services",
            {"metadata": {"name": "bad-type"}, "spec": {"type": "Magic", "ports": [{"port": 80}]}},
        ),
        Step(
            c,
            "pod-no-containers",
            "POST",
            f"{api}/pods",
            {"metadata": {"name": "empty"}, "spec": {"containers": []}},
        ),
        Step(
            c,
            "pod-no-image",
            "POST",
            f"{api}/pods",
            {"metadata": {"name": "noimg"}, "spec": {"containers": [{"name": "c"}]}},
        ),
        Step(c, "pod-bad-restart", "POST", f"{api}/pods", pod("bad-restart", restartPolicy="Sometimes")),
        Step(
            c,
            "pod-duplicate-containers",
            "POST",
            f"{api}/pods",
            {
                "metadata": {"name": "dup"},
                "spec": {"containers": [{"name": "a", "image": "x"}, {"name": "a", "image": "y"}]},
            },
        ),
        Step(c, "deploy-selector-mismatch", "POST", f"{apps}/deployments", bad_selector),
        Step(c, "deploy-bad-strategy", "POST", f"{apps}/deployments", bad_strategy),
        Step(c, "deploy-zero-surge", "POST", f"{apps}/deployments", bad_surge),
        Step(c, "deploy-bad-restart", "POST", f"{apps}/deployments", bad_restart),
        Step(c, "deploy-negative-replicas", "POST", f"{apps}/deployments", deployment("neg", -1)),
    ]


def reads(ns: str) -> list[Item]:
    c = "read"
    api = f"/api/v1/namespaces/{ns}"
    apps = f"/apis/apps/v1/namespaces/{ns}"
    table = "application/json;as=Table;v=v1;g=meta.k8s.io"
    return [
        Step(c, "cm-get", "GET", f"{api}/configmaps/plain"),
        Step(c, "cm-get-missing", "GET", f"{api}/configmaps/none"),
        Step(c, "secret-get-missing", "GET", f"{api}/secrets/none"),
        Step(c, "deploy-get", "GET", f"{apps}/deployments/web"),
        Step(c, "deploy-get-missing", "GET", f"{apps}/deployments/none"),
        Step(c, "rs-get-missing", "GET", f"{apps}/replicasets/none"),
        Step(c, "svc-get", "GET", f"{api}/services/web"),
        Step(c, "sa-get-default", "GET", f"{api}/serviceaccounts/default"),
        Step(
            c,
            "root-ca-exists",
            "GET",
            f"{api}/configmaps?fieldSelector=metadata.name%3Dkube-root-ca.crt&limit=0",
        ),
        Step(c, "cm-list-labelled", "GET", f"{api}/configmaps?labelSelector=app%3Ddiff"),
        Step(c, "svc-list", "GET", f"{api}/services"),
        Step(c, "sa-list", "GET", f"{api}/serviceaccounts"),
        Step(c, "cm-table", "GET", f"{api}/configmaps/plain", accept=table),
        Step(c, "pod-get-missing", "GET", f"{api}/pods/none"),
        Step(c, "node-get-missing", "GET", "/api/v1/nodes/none"),
        Step(c, "eps-get-missing", "GET", f"/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices/none"),
    ]


def errors(ns: str) -> list[Item]:
    c = "errors"
    api = f"/api/v1/namespaces/{ns}"
    return [
        Step(c, "unknown-resource", "GET", f"{api}/widgets"),
        Step(c, "unknown-group", "GET", "/apis/example.com/v1/widgets"),
        Step(c, "put-collection", "PUT", f"{api}/configmaps", cm("x")),
        Step(c, "post-named", "POST", f"{api}/configmaps/plain", cm("plain")),
        Step(c, "delete-namespace-collection", "DELETE", "/api/v1/namespaces"),
        Step(c, "patch-bad-media", "PATCH", f"{api}/configmaps/plain", {"data": {}}, "text/plain"),
        Step(c, "put-missing", "PUT", f"{api}/configmaps/absent", cm("absent")),
        Step(c, "put-name-mismatch", "PUT", f"{api}/configmaps/plain", cm("other")),
        Step(
            c,
            "put-stale-rv",
            "PUT",
            f"{api}/configmaps/plain",
            {**cm("plain"), "metadata": {"name": "plain", "resourceVersion": "1"}},
        ),
        Step(
            c,
            "put-no-rv",
            "PUT",
            f"{api}/configmaps/plain",
            cm("plain", {"app": "diff"}, {"a": "1", "b": "3"}),
        ),
        Step(c, "bad-limit", "GET", f"{api}/configmaps?limit=abc"),
        Step(c, "bad-continue", "GET", f"{api}/configmaps?limit=1&continue=garbage"),
        Step(c, "bad-label-selector", "GET", f"{api}/configmaps?labelSelector=a%3D%3D%3Db"),
        Step(c, "bad-field-selector", "GET", f"{api}/configmaps?fieldSelector=data.k%3Dv"),
        Step(c, "log-missing-pod", "GET", f"{api}/pods/none/log"),
    ]


def subresources(ns: str) -> list[Item]:
    c = "subresources"
    api = f"/api/v1/namespaces/{ns}"
    apps = f"/apis/apps/v1/namespaces/{ns}"
    lb = {"status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.50"}]}}}
    return [
        Step(c, "scale-get", "GET", f"{apps}/deployments/batch/scale"),
        Step(
            c,
            "scale-put",
            "PUT",
            f"{apps}/deployments/batch/scale",
            lambda x: {
                "apiVersion": "autoscaling/v1",
                "kind": "Scale",
                "metadata": {"name": "batch", "namespace": ns},
                "spec": {"replicas": 0},
            },
        ),
        Step(
            c,
            "scale-patch",
            "PATCH",
            f"{apps}/deployments/batch/scale",
            {"spec": {"replicas": 0}},
            "application/merge-patch+json",
        ),
        Step(
            c,
            "scale-negative",
            "PATCH",
            f"{apps}/deployments/batch/scale",
            {"spec": {"replicas": -3}},
            "application/merge-patch+json",
        ),
        Step(c, "scale-missing", "GET", f"{apps}/deployments/none/scale"),
        Step(c, "rs-scale-get", "GET", f"{apps}/replicasets/loose/scale"),
        Step(c, "cm-status-missing", "GET", f"{api}/configmaps/plain/status"),
        Step(
            c, "svc-status-patch", "PATCH", f"{api}/services/web/status", lb, "application/merge-patch+json"
        ),
        Step(
            c,
            "svc-status-spec-ignored",
            "PATCH",
            f"{api}/services/web/status",
            {"spec": {"ports": [{"port": 81}]}},
            "application/merge-patch+json",
        ),
        Step(c, "svc-get-after-status", "GET", f"{api}/services/web"),
        Step(
            c,
            "svc-status-ignored-on-main",
            "PATCH",
            f"{api}/services/web",
            {"status": {"loadBalancer": {}}},
            "application/merge-patch+json",
        ),
        Step(c, "ns-status-put-spec", "GET", f"/api/v1/namespaces/{ns}/status"),
    ]


def served(body: Any) -> Any:
    """A discovery document cut down to the resources the built-in cluster serves (the real one has more)."""
    from kubetui.sim.resources import RESOURCE_TYPES

    if not isinstance(body, dict) or "resources" not in body:
        return body
    plurals = {rt.plural for rt in RESOURCE_TYPES}
    kept = [r for r in body["resources"] if r["name"].split("/")[0] in plurals]
    return {**body, "resources": sorted(kept, key=lambda r: r["name"])}


def discovery() -> list[Item]:
    c = "discovery"
    return [
        Step(c, "api-versions", "GET", "/api"),
        Step(c, "core-resources", "GET", "/api/v1", only=served),
        Step(c, "apps-group", "GET", "/apis/apps"),
        Step(c, "apps-resources", "GET", "/apis/apps/v1", only=served),
        Step(c, "missing-version", "GET", "/apis/apps/v2"),
        Step(c, "aggregated-core", "GET", "/api", accept=AGGREGATED, only=served_aggregated),
        Step(c, "aggregated-groups", "GET", "/apis", accept=AGGREGATED, only=served_aggregated),
        Step(
            c,
            "self-subject-review",
            "POST",
            "/apis/authentication.k8s.io/v1/selfsubjectreviews",
            WHOAMI,
            only=kind_only,
        ),
        Step(
            c,
            "self-subject-access-review",
            "POST",
            "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
            CAN_I,
            only=no_managed_fields,
        ),
    ]


AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
WHOAMI = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
CAN_I = {
    "apiVersion": "authorization.k8s.io/v1",
    "kind": "SelfSubjectAccessReview",
    "spec": {"resourceAttributes": {"verb": "create", "resource": "pods", "namespace": "default"}},
}


def served_aggregated(body: Any) -> Any:
    """An aggregated discovery list cut down to the groups and resources the built-in cluster serves."""
    from kubetui.sim.resources import RESOURCE_TYPES

    if not isinstance(body, dict) or "items" not in body:
        return body
    plurals = {(rt.group, rt.plural) for rt in RESOURCE_TYPES}
    items = []
    for item in body["items"]:
        group = item.get("metadata", {}).get("name", "")
        versions = [
            {**v, "resources": [r for r in v["resources"] if (group, r["resource"]) in plurals]}
            for v in item.get("versions", [])
            if v.get("version") == "v1"
        ]
        if any(v["resources"] for v in versions):
            items.append({**item, "versions": versions})
    return {**body, "items": items}


def kind_only(body: Any) -> Any:
    """Who the caller is differs by cluster (a client certificate here, the built-in admin there)."""
    return {k: body.get(k) for k in ("kind", "apiVersion")} if isinstance(body, dict) else body


def no_managed_fields(body: Any) -> Any:
    """A review is never stored: real still stamps the managedFields its create path computed."""
    if isinstance(body, dict) and isinstance(body.get("metadata"), dict):
        return {**body, "metadata": {k: v for k, v in body["metadata"].items() if k != "managedFields"}}
    return body
