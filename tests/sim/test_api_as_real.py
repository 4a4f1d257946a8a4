"""Answers the differential script found the built-in cluster giving differently from kube-apiserver, pinned
here so they stay as real gives them (tests/realk8s/diff/ compares the two servers directly)."""

from __future__ import annotations

import base64

from kubetui.sim.server import SimServer
from tests.sim.api_client import call, configmap, deployment

CMS = "/api/v1/namespaces/default/configmaps"
SECRETS = "/api/v1/namespaces/default/secrets"
RS = "/apis/apps/v1/namespaces/default/replicasets"
MERGE = "application/merge-patch+json"


async def test_list_items_have_no_kind_and_deletes_answer_with_a_status(bare_sim: SimServer) -> None:
    await call(bare_sim.url, "POST", CMS, configmap("a"))
    status, listing = await call(bare_sim.url, "GET", CMS)
    assert status == 200 and listing["kind"] == "ConfigMapList"
    assert all("kind" not in item and "apiVersion" not in item for item in listing["items"])
    status, single = await call(bare_sim.url, "GET", f"{CMS}/a")
    assert single["kind"] == "ConfigMap" and list(single)[:2] == ["kind", "apiVersion"]
    status, gone = await call(bare_sim.url, "DELETE", f"{CMS}/a")
    assert status == 200 and gone["kind"] == "Status" and gone["status"] == "Success"
    assert gone["details"] == {"name": "a", "kind": "configmaps", "uid": single["metadata"]["uid"]}


async def test_secret_string_data_is_merged_into_data(bare_sim: SimServer) -> None:
    body = {"metadata": {"name": "s"}, "stringData": {"user": "admin"}, "data": {"k": "dg=="}}
    status, secret = await call(bare_sim.url, "POST", SECRETS, body)
    assert status == 201 and "stringData" not in secret
    assert secret["data"] == {"k": "dg==", "user": base64.b64encode(b"admin").decode()}
    status, err = await call(bare_sim.url, "POST", SECRETS, {"metadata": {"name": "b"}, "data": {"k": "!!"}})
    assert status == 400 and "illegal base64 data at input byte 0" in err["message"]


async def test_immutable_configmap_and_secret_type(bare_sim: SimServer) -> None:
    await call(bare_sim.url, "POST", CMS, {**configmap("frozen"), "immutable": True})
    status, err = await call(bare_sim.url, "PATCH", f"{CMS}/frozen", {"data": {"k": "x"}}, content_type=MERGE)
    assert status == 422 and [c["field"] for c in err["details"]["causes"]] == ["data"]
    status, _ = await call(
        bare_sim.url, "PATCH", f"{CMS}/frozen", {"metadata": {"labels": {"a": "b"}}}, content_type=MERGE
    )
    assert status == 200
    await call(bare_sim.url, "POST", SECRETS, {"metadata": {"name": "t"}, "data": {}})
    status, err = await call(
        bare_sim.url, "PATCH", f"{SECRETS}/t", {"type": "kubernetes.io/tls"}, content_type=MERGE
    )
    assert status == 422
    assert [c["field"] for c in err["details"]["causes"]] == ["type", "data[tls.crt]", "data[tls.key]"]


async def test_orphan_delete_holds_the_object_with_its_finalizer(bare_sim: SimServer) -> None:
    status, rs = await call(bare_sim.url, "POST", RS, {**deployment("r", 0), "kind": "ReplicaSet"})
    assert status == 201 and rs["status"] == {"replicas": 0}
    status, held = await call(bare_sim.url, "DELETE", f"{RS}/r", {"propagationPolicy": "Orphan"})
    assert held["metadata"]["finalizers"] == ["orphan"] and held["metadata"]["generation"] == 2
    status, err = await call(bare_sim.url, "DELETE", f"{RS}/r", {"propagationPolicy": "Sometimes"})
    assert status == 422 and err["message"].startswith('DeleteOptions.meta.k8s.io "" is invalid')


async def test_generic_errors_carry_empty_details(bare_sim: SimServer) -> None:
    status, err = await call(bare_sim.url, "PUT", CMS, configmap("x"))
    assert status == 405 and err["details"] == {}
    status, err = await call(bare_sim.url, "GET", "/api/v1/namespaces/default/widgets")
    assert status == 404 and err["details"] == {}
