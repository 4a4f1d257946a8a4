"""The API server's discovery documents and plain create/get/update/delete over real HTTP."""

from __future__ import annotations

from kubetui.sim.server import SimServer
from tests.sim.api_client import call, configmap, deployment

CM = "/api/v1/namespaces/default/configmaps"
DEPLOY = "/apis/apps/v1/namespaces/default/deployments"


async def test_discovery_documents(bare_sim: SimServer) -> None:
    status, version = await call(bare_sim.url, "GET", "/version")
    assert status == 200 and version["gitVersion"].startswith("v1.")
    _, core = await call(bare_sim.url, "GET", "/api")
    assert core["versions"] == ["v1"]
    _, groups = await call(bare_sim.url, "GET", "/apis")
    assert {g["name"] for g in groups["groups"]} == {
        "apiextensions.k8s.io",
        "apps",
        "batch",
        "discovery.k8s.io",
        "metrics.k8s.io",
        "networking.k8s.io",
    }
    _, v1 = await call(bare_sim.url, "GET", "/api/v1")
    names = {r["name"] for r in v1["resources"]}
    assert {
        "pods",
        "pods/log",
        "pods/status",
        "nodes",
        "services",
        "namespaces",
        "events",
        "secrets",
    } <= names
    _, apps = await call(bare_sim.url, "GET", "/apis/apps/v1")
    scale = next(r for r in apps["resources"] if r["name"] == "deployments/scale")
    assert (scale["group"], scale["kind"]) == ("autoscaling", "Scale")
    status, _ = await call(bare_sim.url, "GET", "/apis/policy/v1")
    assert status == 404


async def test_openapi_v3_lists_each_kind_with_field_validation(bare_sim: SimServer) -> None:
    _, root = await call(bare_sim.url, "GET", "/openapi/v3")
    url = root["paths"]["apis/apps/v1"]["serverRelativeURL"]
    _, doc = await call(bare_sim.url, "GET", url)
    patches = [p["patch"] for p in doc["paths"].values() if "patch" in p]
    kinds = {p["x-kubernetes-group-version-kind"]["kind"] for p in patches}
    assert kinds == {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"}
    assert all(any(q["name"] == "fieldValidation" for q in p["parameters"]) for p in patches)


async def test_create_get_update_delete(bare_sim: SimServer) -> None:
    status, created = await call(bare_sim.url, "POST", CM, configmap("settings", {"a": "1"}))
    assert status == 201
    meta = created["metadata"]
    assert meta["uid"] and meta["resourceVersion"] and meta["creationTimestamp"]
    assert meta["managedFields"][0]["operation"] == "Update"
    status, got = await call(bare_sim.url, "GET", f"{CM}/settings")
    assert status == 200 and got["data"] == {"a": "1"} and got["kind"] == "ConfigMap"
    got["data"]["b"] = "2"
    status, updated = await call(bare_sim.url, "PUT", f"{CM}/settings", got)
    assert status == 200 and int(updated["metadata"]["resourceVersion"]) > int(meta["resourceVersion"])
    # The version the client read is now stale: optimistic concurrency refuses the write.
    status, err = await call(bare_sim.url, "PUT", f"{CM}/settings", got)
    assert status == 409 and err["reason"] == "Conflict"
    assert err["message"].startswith('Operation cannot be fulfilled on configmaps "settings"')
    status, _ = await call(bare_sim.url, "DELETE", f"{CM}/settings")
    assert status == 200
    status, err = await call(bare_sim.url, "GET", f"{CM}/settings")
    assert status == 404 and err["message"] == 'configmaps "settings" not found'


async def test_create_twice_is_already_exists(bare_sim: SimServer) -> None:
    assert (await call(bare_sim.url, "POST", DEPLOY, deployment("web")))[0] == 201
    status, err = await call(bare_sim.url, "POST", DEPLOY, deployment("web"))
    assert status == 409 and err["reason"] == "AlreadyExists"
    assert err["message"] == 'deployments.apps "web" already exists'
    assert err["details"] == {"name": "web", "group": "apps", "kind": "deployments"}


async def test_generate_name_and_generation(bare_sim: SimServer) -> None:
    body = deployment("x")
    del body["metadata"]["name"]
    body["metadata"]["generateName"] = "web-"
    status, created = await call(bare_sim.url, "POST", DEPLOY, body)
    assert status == 201
    name = created["metadata"]["name"]
    assert name.startswith("web-") and len(name) == len("web-") + 5
    assert created["metadata"]["generation"] == 1
    created["spec"]["replicas"] = 3
    _, updated = await call(bare_sim.url, "PUT", f"{DEPLOY}/{name}", created)
    assert updated["metadata"]["generation"] == 2


async def test_namespace_must_exist(bare_sim: SimServer) -> None:
    status, err = await call(bare_sim.url, "POST", "/api/v1/namespaces/nope/configmaps", configmap("a"))
    assert status == 404 and err["message"] == 'namespaces "nope" not found'


async def test_unknown_paths_and_methods(bare_sim: SimServer) -> None:
    status, err = await call(bare_sim.url, "GET", "/api/v1/widgets")
    assert status == 404 and err["reason"] == "NotFound"
    status, err = await call(bare_sim.url, "GET", "/apis/apps/v2/deployments")
    assert status == 404
    status, err = await call(bare_sim.url, "POST", f"{CM}/settings", configmap("settings"))
    assert status == 405 and err["reason"] == "MethodNotAllowed"


async def test_dry_run_stores_nothing(bare_sim: SimServer) -> None:
    rv = bare_sim.store.rv
    status, obj = await call(bare_sim.url, "POST", CM, configmap("dry"), params={"dryRun": "All"})
    assert status == 201 and obj["metadata"]["name"] == "dry"
    assert bare_sim.store.get("configmaps", "default", "dry") is None and bare_sim.store.rv == rv
    await call(bare_sim.url, "POST", CM, configmap("real"))
    status, _ = await call(bare_sim.url, "DELETE", f"{CM}/real", params={"dryRun": "All"})
    assert status == 200 and bare_sim.store.get("configmaps", "default", "real") is not None


async def test_restart_keeps_objects_and_port(bare_sim: SimServer) -> None:
    await call(bare_sim.url, "POST", CM, configmap("kept"))
    url, rv = bare_sim.url, bare_sim.store.rv
    await bare_sim.restart()
    assert bare_sim.url == url
    status, obj = await call(bare_sim.url, "GET", f"{CM}/kept")
    assert status == 200 and int(obj["metadata"]["resourceVersion"]) <= rv
    await call(bare_sim.url, "POST", CM, configmap("after"))
    assert bare_sim.store.rv > rv


async def test_restart_of_the_full_cluster_keeps_objects(sim: SimServer) -> None:
    await call(sim.url, "POST", CM, configmap("kept"))
    nodes = sorted(n["metadata"]["name"] for n in sim.store.list("nodes"))
    rv = sim.store.rv
    await sim.restart()
    status, _ = await call(sim.url, "GET", f"{CM}/kept")
    assert status == 200
    assert sorted(n["metadata"]["name"] for n in sim.store.list("nodes")) == nodes
    status, created = await call(sim.url, "POST", CM, configmap("after"))
    assert status == 201 and int(created["metadata"]["resourceVersion"]) > rv
