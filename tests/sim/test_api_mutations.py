"""Patches (JSON, merge, strategic, apply), subresources, validation and deletion, as a real server does them."""

from __future__ import annotations

import copy

from kubetui.sim.server import SimServer
from tests.sim.api_client import call, configmap, deployment

DEPLOY = "/apis/apps/v1/namespaces/default/deployments"
SVC = "/api/v1/namespaces/default/services"
PODS = "/api/v1/namespaces/default/pods"
SMP = "application/strategic-merge-patch+json"


def _two_containers() -> dict:
    body = deployment("web")
    body["spec"]["template"]["spec"]["containers"] = [
        {
            "name": "web",
            "image": "nginx:1",
            "env": [{"name": "A", "value": "1"}],
            "ports": [{"containerPort": 80}],
        },
        {"name": "side", "image": "busybox"},
    ]
    return body


async def test_strategic_merge_merges_containers_by_name(bare_sim: SimServer) -> None:
    await call(bare_sim.url, "POST", DEPLOY, _two_containers())
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [{"name": "web", "image": "nginx:2", "env": [{"name": "B", "value": "2"}]}]
                }
            }
        }
    }
    status, obj = await call(bare_sim.url, "PATCH", f"{DEPLOY}/web", patch, content_type=SMP)
    assert status == 200
    containers = obj["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["web", "side"]
    assert containers[0]["image"] == "nginx:2"
    # kube-apiserver puts an item new to the list before the live-only ones (the differential script saw it).
    assert containers[0]["env"] == [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]
    assert containers[0]["ports"] == [{"containerPort": 80}]
    delete = {"spec": {"template": {"spec": {"containers": [{"name": "side", "$patch": "delete"}]}}}}
    _, obj = await call(bare_sim.url, "PATCH", f"{DEPLOY}/web", delete, content_type=SMP)
    assert [c["name"] for c in obj["spec"]["template"]["spec"]["containers"]] == ["web"]
    # A merge patch replaces lists wholesale, as RFC 7386 says.
    merge = {"spec": {"template": {"spec": {"containers": [{"name": "only", "image": "redis"}]}}}}
    _, obj = await call(
        bare_sim.url, "PATCH", f"{DEPLOY}/web", merge, content_type="application/merge-patch+json"
    )
    assert obj["spec"]["template"]["spec"]["containers"] == [{"name": "only", "image": "redis"}]


async def test_json_patch_and_its_errors(bare_sim: SimServer) -> None:
    await call(bare_sim.url, "POST", DEPLOY, deployment("web"))
    ops = [
        {"op": "replace", "path": "/spec/replicas", "value": 3},
        {"op": "add", "path": "/metadata/labels/tier", "value": "front"},
        {"op": "test", "path": "/spec/replicas", "value": 3},
    ]
    status, obj = await call(
        bare_sim.url, "PATCH", f"{DEPLOY}/web", ops, content_type="application/json-patch+json"
    )
    assert status == 200 and obj["spec"]["replicas"] == 3 and obj["metadata"]["labels"]["tier"] == "front"
    rv = bare_sim.store.rv
    bad = [{"op": "replace", "path": "/spec/replicas", "value": 5}, {"op": "remove", "path": "/spec/nothing"}]
    status, err = await call(
        bare_sim.url, "PATCH", f"{DEPLOY}/web", bad, content_type="application/json-patch+json"
    )
    # kube-apiserver does not pass the JSON patch library's reason on.
    assert (
        status == 422 and err["message"] == "the server rejected our request due to an error in our request"
    )
    # Nothing of a failed patch is applied.
    assert (
        bare_sim.store.rv == rv
        and bare_sim.store.get("deployments.apps", "default", "web")["spec"]["replicas"] == 3
    )


async def test_wrong_patch_type_malformed_bodies(bare_sim: SimServer) -> None:
    await call(bare_sim.url, "POST", DEPLOY, deployment("web"))
    status, err = await call(bare_sim.url, "PATCH", f"{DEPLOY}/web", {"spec": {}}, content_type="text/plain")
    assert status == 415 and err["reason"] == "UnsupportedMediaType"
    status, err = await call(
        bare_sim.url, "POST", DEPLOY, b'{"kind": "Deployment", ', content_type="application/json"
    )
    assert status == 400 and err["reason"] == "BadRequest"
    status, err = await call(
        bare_sim.url,
        "PATCH",
        f"{DEPLOY}/web",
        b"a: [b",
        content_type="application/apply-patch+yaml",
        params={"fieldManager": "me"},
    )
    assert status == 400
    status, err = await call(bare_sim.url, "POST", DEPLOY, {**deployment("x"), "apiVersion": "apps/v2"})
    assert status == 400 and 'no kind "Deployment" is registered for version "apps/v2"' in err["message"]


async def test_validation_errors_are_invalid_with_causes(bare_sim: SimServer) -> None:
    bad = deployment("Web_App")
    bad["spec"]["replicas"] = -2
    bad["spec"]["template"]["spec"]["containers"][0]["image"] = ""
    bare_sim_rv = bare_sim.store.rv
    status, err = await call(bare_sim.url, "POST", DEPLOY, bad)
    assert status == 422 and err["reason"] == "Invalid"
    fields = [c["field"] for c in err["details"]["causes"]]
    assert fields == [
        "metadata.name",
        "spec.replicas",
        "spec.template.spec.containers[0].name",
        "spec.template.spec.containers[0].image",
    ]
    assert err["message"].startswith(
        'Deployment.apps "Web_App" is invalid: [metadata.name: Invalid value: "Web_App"'
    )
    assert "spec.replicas: Invalid value: -2: must be greater than or equal to 0" in err["message"]
    assert bare_sim.store.rv == bare_sim_rv
    mismatch = deployment("web")
    mismatch["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    status, err = await call(bare_sim.url, "POST", DEPLOY, mismatch)
    assert status == 422 and "`selector` does not match template `labels`" in err["message"]
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s"},
        "spec": {"type": "Fancy", "ports": [{"port": 70000}]},
    }
    status, err = await call(bare_sim.url, "POST", SVC, svc)
    assert status == 422
    # targetPort defaults to the port, so it is out of range too.
    assert [c["field"] for c in err["details"]["causes"]] == [
        "spec.type",
        "spec.ports[0].port",
        "spec.ports[0].targetPort",
    ]


async def test_immutable_selector(bare_sim: SimServer) -> None:
    _, obj = await call(bare_sim.url, "POST", DEPLOY, deployment("web"))
    changed = copy.deepcopy(obj)
    changed["spec"]["selector"] = {"matchLabels": {"app": "web", "x": "y"}}
    changed["spec"]["template"]["metadata"]["labels"] = {"app": "web", "x": "y"}
    status, err = await call(bare_sim.url, "PUT", f"{DEPLOY}/web", changed)
    assert (
        status == 422
        and "spec.selector: Invalid value" in err["message"]
        and "field is immutable" in err["message"]
    )


async def test_scale_and_status_subresources(bare_sim: SimServer) -> None:
    await call(bare_sim.url, "POST", DEPLOY, deployment("web", replicas=2))
    status, scale = await call(bare_sim.url, "GET", f"{DEPLOY}/web/scale")
    assert status == 200 and scale["kind"] == "Scale" and scale["apiVersion"] == "autoscaling/v1"
    assert scale["spec"] == {"replicas": 2} and scale["status"]["selector"] == "app=web"
    _, scale = await call(
        bare_sim.url,
        "PATCH",
        f"{DEPLOY}/web/scale",
        {"spec": {"replicas": 5}},
        content_type="application/merge-patch+json",
    )
    assert scale["spec"]["replicas"] == 5
    assert bare_sim.store.get("deployments.apps", "default", "web")["spec"]["replicas"] == 5
    status, err = await call(bare_sim.url, "PUT", f"{DEPLOY}/web/scale", {**scale, "spec": {"replicas": -1}})
    assert status == 422 and err["message"].startswith('Scale.autoscaling "web" is invalid: spec.replicas')
    _, obj = await call(bare_sim.url, "GET", f"{DEPLOY}/web")
    gen = obj["metadata"]["generation"]
    obj["status"] = {"replicas": 5, "readyReplicas": 4}
    obj["spec"]["replicas"] = 1  # ignored by /status
    _, after = await call(bare_sim.url, "PUT", f"{DEPLOY}/web/status", obj)
    assert after["status"] == {"replicas": 5, "readyReplicas": 4}
    assert after["spec"]["replicas"] == 5 and after["metadata"]["generation"] == gen
    # And a plain update cannot change status.
    after["status"] = {}
    _, plain = await call(bare_sim.url, "PUT", f"{DEPLOY}/web", after)
    assert plain["status"] == {"replicas": 5, "readyReplicas": 4}


async def test_server_side_apply_owns_fields_and_detects_conflicts(bare_sim: SimServer) -> None:
    apply_type = "application/apply-patch+yaml"
    body = deployment("web", replicas=2)
    status, obj = await call(
        bare_sim.url,
        "PATCH",
        f"{DEPLOY}/web",
        body,
        content_type=apply_type,
        params={"fieldManager": "alice"},
    )
    assert status == 201
    managers = {m["manager"]: m for m in obj["metadata"]["managedFields"]}
    assert managers["alice"]["operation"] == "Apply"
    assert "f:replicas" in managers["alice"]["fieldsV1"]["f:spec"]
    body["spec"]["replicas"] = 7
    status, err = await call(
        bare_sim.url, "PATCH", f"{DEPLOY}/web", body, content_type=apply_type, params={"fieldManager": "bob"}
    )
    assert (
        status == 409
        and err["message"] == 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas'
    )
    status, obj = await call(
        bare_sim.url,
        "PATCH",
        f"{DEPLOY}/web",
        body,
        content_type=apply_type,
        params={"fieldManager": "bob", "force": "true"},
    )
    assert status == 200 and obj["spec"]["replicas"] == 7
    bob = next(m for m in obj["metadata"]["managedFields"] if m["manager"] == "bob")
    assert "f:replicas" in bob["fieldsV1"]["f:spec"]
    status, err = await call(bare_sim.url, "PATCH", f"{DEPLOY}/web", body, content_type=apply_type)
    assert status == 422 and "fieldManager: Required value" in err["message"]


async def test_delete_unscheduled_pod_at_once_and_bound_pod_gracefully(bare_sim: SimServer) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "free"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }
    await call(bare_sim.url, "POST", PODS, pod)
    status, _ = await call(bare_sim.url, "DELETE", f"{PODS}/free")
    assert status == 200 and bare_sim.store.get("pods", "default", "free") is None
    bound = copy.deepcopy(pod)
    bound["metadata"]["name"] = "bound"
    bound["spec"]["nodeName"] = "sim-worker-1"
    await call(bare_sim.url, "POST", PODS, bound)
    status, obj = await call(bare_sim.url, "DELETE", f"{PODS}/bound")
    assert status == 200 and obj["metadata"]["deletionGracePeriodSeconds"] == 30
    assert bare_sim.store.get("pods", "default", "bound")["metadata"]["deletionTimestamp"]
    status, _ = await call(bare_sim.url, "DELETE", f"{PODS}/bound", params={"gracePeriodSeconds": "0"})
    assert bare_sim.store.get("pods", "default", "bound") is None


async def test_delete_with_propagation_and_preconditions(bare_sim: SimServer) -> None:
    await call(bare_sim.url, "POST", DEPLOY, deployment("web"))
    status, obj = await call(bare_sim.url, "DELETE", f"{DEPLOY}/web", {"propagationPolicy": "Orphan"})
    assert (
        status == 200 and obj["metadata"]["finalizers"] == ["orphan"] and obj["metadata"]["deletionTimestamp"]
    )
    # Removing the last finalizer lets the object go, as the garbage collector's update does.
    patch = {"metadata": {"finalizers": None}}
    await call(bare_sim.url, "PATCH", f"{DEPLOY}/web", patch, content_type="application/merge-patch+json")
    assert bare_sim.store.get("deployments.apps", "default", "web") is None
    await call(bare_sim.url, "POST", "/api/v1/namespaces/default/configmaps", configmap("c"))
    status, err = await call(
        bare_sim.url,
        "DELETE",
        "/api/v1/namespaces/default/configmaps/c",
        {"preconditions": {"uid": "not-it"}},
    )
    assert (
        status == 409
        and "the UID in the precondition (not-it) does not match the UID in record" in err["message"]
    )
    status, err = await call(bare_sim.url, "DELETE", "/api/v1/namespaces/default")
    assert (
        status == 403
        and err["message"] == 'namespaces "default" is forbidden: this namespace may not be deleted'
    )
    status, err = await call(
        bare_sim.url, "DELETE", f"{DEPLOY}/web", params={"propagationPolicy": "Sideways"}
    )
    # As kube-apiserver answers: the DeleteOptions are invalid.
    assert status == 422 and err["details"]["kind"] == "DeleteOptions"


async def test_delete_collection_with_selector(bare_sim: SimServer) -> None:
    cms = "/api/v1/namespaces/default/configmaps"
    for name, app in [("a", "x"), ("b", "x"), ("c", "y")]:
        await call(bare_sim.url, "POST", cms, configmap(name, labels={"app": app}))
    status, body = await call(bare_sim.url, "DELETE", cms, params={"labelSelector": "app=x"})
    assert status == 200 and [o["metadata"]["name"] for o in body["items"]] == ["a", "b"]
    assert [o["metadata"]["name"] for o in bare_sim.store.list("configmaps", "default")] == ["c"]


async def test_wrong_json_types_are_bad_requests_never_500(bare_sim: SimServer) -> None:
    cms = "/api/v1/namespaces/default/configmaps"
    cases = [
        (
            DEPLOY,
            {**deployment("t"), "spec": {**deployment("t")["spec"], "replicas": "3"}},
            "cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32",
        ),
        (
            cms,
            {"metadata": {"name": "t", "finalizers": 3}},
            "cannot unmarshal number into Go struct field ObjectMeta.metadata.finalizers of type []string",
        ),
        (
            cms,
            {"metadata": {"name": "t", "labels": ["a"]}},
            "cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string",
        ),
        (
            DEPLOY,
            {**deployment("t"), "spec": []},
            "cannot unmarshal array into Go struct field Deployment.spec",
        ),
        (
            cms,
            {"metadata": {"name": "t"}, "data": {"a": 1}},
            "cannot unmarshal number into Go struct field ConfigMap.data of type string",
        ),
    ]
    for path, body, message in cases:
        status, err = await call(bare_sim.url, "POST", path, body)
        assert status == 400 and message in err["message"], (body, err)
    assert bare_sim.store.get("configmaps", "default", "t") is None
