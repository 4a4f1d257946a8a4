"""Script part three: what may not change and what must be valid from the start. Immutable ConfigMaps and
Secrets, Secret ``stringData`` merged into ``data``, the few mutable fields of a pod's spec, immutable
selectors and Service fields, and the validation of a Deployment's strategy and its pods' restartPolicy."""

from __future__ import annotations

import base64
from typing import Any

from tests.realk8s.diff.script import JSONPATCH, MERGE, STRATEGIC, Ctx, Item, Step, cm, deployment


def items(ns: str) -> list[Item]:
    return [*immutability(ns), *secrets(ns), *config_maps(ns), *pod_spec(ns), *workload_validation(ns)]


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def no_go_diff(body: Any) -> Any:
    """A refused pod update: real appends a Go diff of the whole internal PodSpec to the message (after a line
    break); what it says before the diff is compared."""
    if not isinstance(body, dict) or body.get("kind") != "Status":
        return body
    details = dict(body.get("details") or {})
    details["causes"] = [
        {**cause, "message": str(cause.get("message", "")).split("\n")[0]}
        for cause in details.get("causes") or []
    ]
    return {**body, "message": str(body.get("message", "")).split("\n")[0], "details": details}


def immutability(ns: str) -> list[Item]:
    c = "immutable"
    api = f"/api/v1/namespaces/{ns}"
    apps = f"/apis/apps/v1/namespaces/{ns}"
    return [
        Step(
            c, "cm-immutable-change", "PATCH", f"{api}/configmaps/frozen", {"data": {"k": "changed"}}, MERGE
        ),
        Step(c, "cm-immutable-unset", "PATCH", f"{api}/configmaps/frozen", {"immutable": False}, MERGE),
        Step(
            c,
            "cm-immutable-labels-ok",
            "PATCH",
            f"{api}/configmaps/frozen",
            {"metadata": {"labels": {"ok": "yes"}}},
            MERGE,
        ),
        Step(
            c,
            "secret-type-change",
            "PATCH",
            f"{api}/secrets/creds",
            {"type": "kubernetes.io/basic-auth"},
            MERGE,
        ),
        Step(
            c,
            "pod-image-change-ok",
            "PATCH",
            f"{api}/pods/solo",
            {"spec": {"containers": [{"name": "main", "image": "nginx:1.28"}]}},
            STRATEGIC,
        ),
        Step(
            c,
            "pod-spec-change",
            "PATCH",
            f"{api}/pods/solo",
            {"spec": {"restartPolicy": "Never"}},
            MERGE,
            only=no_go_diff,
        ),
        Step(
            c,
            "pod-add-container",
            "PATCH",
            f"{api}/pods/solo",
            {"spec": {"containers": [{"name": "more", "image": "x"}]}},
            STRATEGIC,
        ),
        Step(
            c,
            "svc-clusterip-change",
            "PATCH",
            f"{api}/services/web",
            {"spec": {"clusterIP": "10.96.200.200"}},
            MERGE,
        ),
        Step(
            c,
            "svc-type-to-nodeport",
            "PATCH",
            f"{api}/services/web-headless",
            {"spec": {"type": "NodePort"}},
            MERGE,
        ),
        Step(
            c,
            "svc-nodeport-to-clusterip",
            "PATCH",
            f"{api}/services/web-np",
            {"spec": {"type": "ClusterIP", "ports": [{"name": "http", "port": 80, "nodePort": None}]}},
            MERGE,
        ),
        Step(
            c,
            "deploy-selector-change",
            "PATCH",
            f"{apps}/deployments/batch",
            {"spec": {"selector": {"matchLabels": {"app": "x"}}}},
            MERGE,
        ),
        Step(
            c,
            "rs-selector-change",
            "PATCH",
            f"{apps}/replicasets/loose",
            {"spec": {"selector": {"matchLabels": {"app": "x"}}}},
            MERGE,
        ),
    ]


def secrets(ns: str) -> list[Item]:
    """stringData wins over data for the same key, is merged on every write, and never comes back."""
    c = "secrets"
    api = f"/api/v1/namespaces/{ns}/secrets"
    both = {
        "metadata": {"name": "both"},
        "data": {"k": b64("old"), "kept": b64("kept")},
        "stringData": {"k": "new", "s": "plain"},
    }

    def put_string_data(ctx: Ctx) -> Any:
        version = ctx["secret-stringdata-wins"]["metadata"]["resourceVersion"]
        return {"metadata": {"name": "both", "resourceVersion": version}, "stringData": {"only": "this"}}

    sealed = {"metadata": {"name": "sealed"}, "immutable": True, "stringData": {"k": "v"}}
    return [
        Step(c, "secret-stringdata-wins", "POST", api, both),
        Step(c, "secret-patch-stringdata", "PATCH", f"{api}/both", {"stringData": {"added": "yes"}}, MERGE),
        Step(
            c,
            "secret-patch-stringdata-and-data",
            "PATCH",
            f"{api}/both",
            {"data": {"kept": b64("from-data")}, "stringData": {"kept": "from-stringData"}},
            MERGE,
        ),
        Step(c, "secret-put-stringdata", "PUT", f"{api}/both", put_string_data),
        Step(c, "secret-immutable-create", "POST", api, sealed),
        Step(c, "secret-immutable-change", "PATCH", f"{api}/sealed", {"data": {"k": b64("w")}}, MERGE),
        Step(c, "secret-immutable-stringdata", "PATCH", f"{api}/sealed", {"stringData": {"k": "w"}}, MERGE),
        Step(c, "secret-immutable-add-key", "PATCH", f"{api}/sealed", {"stringData": {"n": "1"}}, MERGE),
        Step(c, "secret-immutable-same-value", "PATCH", f"{api}/sealed", {"stringData": {"k": "v"}}, MERGE),
        Step(c, "secret-immutable-unset", "PATCH", f"{api}/sealed", {"immutable": False}, MERGE),
        Step(
            c,
            "secret-immutable-labels-ok",
            "PATCH",
            f"{api}/sealed",
            {"metadata": {"labels": {"ok": "yes"}}},
            MERGE,
        ),
        Step(c, "secret-immutable-delete", "DELETE", f"{api}/sealed"),
    ]


def config_maps(ns: str) -> list[Item]:
    c = "immutable"
    api = f"/api/v1/namespaces/{ns}/configmaps"

    def put_frozen(ctx: Ctx) -> Any:
        version = ctx["cm-immutable-labels-ok"]["metadata"]["resourceVersion"]
        return {
            **cm("frozen", {"ok": "yes"}, {"k": "other"}),
            "immutable": True,
            "metadata": {"name": "frozen", "labels": {"ok": "yes"}, "resourceVersion": version},
        }

    return [
        Step(c, "cm-immutable-binary", "PATCH", f"{api}/frozen", {"binaryData": {"b": "AAEC"}}, MERGE),
        Step(c, "cm-immutable-put", "PUT", f"{api}/frozen", put_frozen),
        Step(c, "cm-thaw-create", "POST", api, cm("thaw")),
        Step(c, "cm-freeze-later", "PATCH", f"{api}/thaw", {"immutable": True}, MERGE),
        Step(c, "cm-frozen-later-change", "PATCH", f"{api}/thaw", {"data": {"k": "w"}}, MERGE),
        Step(c, "cm-frozen-later-remove-key", "PATCH", f"{api}/thaw", {"data": {"k": None}}, MERGE),
    ]


def pod_spec(ns: str) -> list[Item]:
    """Of a pod's spec only the images, activeDeadlineSeconds (set, or lowered) and tolerations (added, or their
    tolerationSeconds changed) may change."""
    c = "immutable"
    pod = f"/api/v1/namespaces/{ns}/pods/solo"

    def deadline(seconds: int | None) -> Any:
        return {"spec": {"activeDeadlineSeconds": seconds}}

    toleration = {"key": "example.com/diff", "operator": "Exists", "effect": "NoSchedule"}
    return [
        Step(c, "pod-deadline-set", "PATCH", pod, deadline(3600), MERGE),
        Step(c, "pod-deadline-raise", "PATCH", pod, deadline(7200), MERGE),
        Step(c, "pod-deadline-lower", "PATCH", pod, deadline(1800), MERGE),
        Step(c, "pod-deadline-unset", "PATCH", pod, deadline(None), MERGE),
        Step(c, "pod-deadline-negative", "PATCH", pod, deadline(-1), MERGE),
        Step(
            c,
            "pod-toleration-add",
            "PATCH",
            pod,
            [{"op": "add", "path": "/spec/tolerations/-", "value": toleration}],
            JSONPATCH,
        ),
        Step(
            c,
            "pod-toleration-seconds",
            "PATCH",
            pod,
            [{"op": "replace", "path": "/spec/tolerations/1/tolerationSeconds", "value": 60}],
            JSONPATCH,
        ),
        Step(
            c,
            "pod-toleration-remove",
            "PATCH",
            pod,
            [{"op": "remove", "path": "/spec/tolerations/2"}],
            JSONPATCH,
        ),
        Step(
            c,
            "pod-toleration-change-effect",
            "PATCH",
            pod,
            [{"op": "replace", "path": "/spec/tolerations/2/effect", "value": "NoExecute"}],
            JSONPATCH,
        ),
        Step(
            c,
            "pod-container-rename",
            "PATCH",
            pod,
            [{"op": "replace", "path": "/spec/containers/0/name", "value": "renamed"}],
            JSONPATCH,
            only=no_go_diff,
        ),
        Step(
            c,
            "pod-grace-period-change",
            "PATCH",
            pod,
            {"spec": {"terminationGracePeriodSeconds": 5}},
            MERGE,
            only=no_go_diff,
        ),
        Step(c, "pod-node-change", "PATCH", pod, {"spec": {"nodeName": "elsewhere"}}, MERGE, only=no_go_diff),
        Step(c, "pod-labels-ok", "PATCH", pod, {"metadata": {"labels": {"more": "yes"}}}, MERGE),
    ]


def workload_validation(ns: str) -> list[Item]:
    c = "invalid"
    apps = f"/apis/apps/v1/namespaces/{ns}"

    def rolling(name: str, **params: Any) -> Any:
        return deployment(name, strategy={"type": "RollingUpdate", "rollingUpdate": params})

    recreate = deployment("recreate-params", strategy={"type": "Recreate", "rollingUpdate": {"maxSurge": 1}})
    on_failure = deployment("on-failure")
    on_failure["spec"]["template"]["spec"]["restartPolicy"] = "OnFailure"
    rs_never = {**deployment("rs-never"), "kind": "ReplicaSet"}
    rs_never["spec"]["template"]["spec"]["restartPolicy"] = "Never"
    return [
        Step(
            c,
            "deploy-unavailable-over-100",
            "POST",
            f"{apps}/deployments",
            rolling("u150", maxUnavailable="150%"),
        ),
        Step(c, "deploy-negative-surge", "POST", f"{apps}/deployments", rolling("neg-surge", maxSurge=-1)),
        Step(
            c, "deploy-surge-not-percent", "POST", f"{apps}/deployments", rolling("bad-pct", maxSurge="lots")
        ),
        Step(
            c,
            "deploy-zero-percent-both",
            "POST",
            f"{apps}/deployments",
            rolling("zero-pct", maxSurge="0%", maxUnavailable=0),
        ),
        Step(c, "deploy-recreate-with-params", "POST", f"{apps}/deployments", recreate),
        Step(c, "deploy-onfailure-restart", "POST", f"{apps}/deployments", on_failure),
        Step(c, "rs-never-restart", "POST", f"{apps}/replicasets", rs_never),
        Step(
            c,
            "deploy-patch-zero-surge",
            "PATCH",
            f"{apps}/deployments/web",
            {
                "spec": {
                    "strategy": {
                        "type": "RollingUpdate",
                        "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 0},
                    }
                }
            },
            STRATEGIC,
        ),
        Step(
            c,
            "deploy-patch-restart-never",
            "PATCH",
            f"{apps}/deployments/web",
            {"spec": {"template": {"spec": {"restartPolicy": "Never"}}}},
            STRATEGIC,
        ),
    ]
