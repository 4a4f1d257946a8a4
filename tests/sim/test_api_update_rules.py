"""What a pod update may change and how a Deployment's rolling-update strategy is validated, worded as the real
API server words it (the differential script compares the same requests against it)."""

from __future__ import annotations

from typing import Any

from kubetui.sim.server import SimServer
from tests.sim.api_client import call, deployment

DEPLOY = "/apis/apps/v1/namespaces/default/deployments"
PODS = "/api/v1/namespaces/default/pods"
MERGE = "application/merge-patch+json"
JSONPATCH = "application/json-patch+json"


def _pod(name: str) -> dict[str, Any]:
    return {
        "metadata": {"name": name},
        "spec": {
            "containers": [{"name": "main", "image": "nginx"}],
            "tolerations": [
                {"key": "a", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}
            ],
        },
    }


async def _patch(server: SimServer, body: Any, ctype: str = MERGE) -> tuple[int, Any]:
    return await call(server.url, "PATCH", f"{PODS}/p", body, content_type=ctype)


async def test_active_deadline_may_be_set_and_lowered_only(bare_sim: SimServer) -> None:
    await call(bare_sim.url, "POST", PODS, _pod("p"))
    assert (await _patch(bare_sim, {"spec": {"activeDeadlineSeconds": 600}}))[0] == 200
    status, err = await _patch(bare_sim, {"spec": {"activeDeadlineSeconds": 900}})
    assert status == 422
    assert err["message"] == (
        'Pod "p" is invalid: spec.activeDeadlineSeconds: Invalid value: 900: must be less than or equal to '
        "previous value"
    )
    assert (await _patch(bare_sim, {"spec": {"activeDeadlineSeconds": 300}}))[0] == 200
    status, err = await _patch(bare_sim, {"spec": {"activeDeadlineSeconds": None}})
    assert status == 422 and err["details"]["causes"] == [
        {
            "reason": "FieldValueInvalid",
            "message": "Invalid value: null: must not update from a positive integer to nil value",
            "field": "spec.activeDeadlineSeconds",
        }
    ]
    status, err = await _patch(bare_sim, {"spec": {"activeDeadlineSeconds": -1}})
    assert [c["message"] for c in err["details"]["causes"]] == [
        "Invalid value: -1: must be between 1 and 2147483647, inclusive",
        "Invalid value: -1: must be between 0 and 2147483647, inclusive",
    ]


async def test_tolerations_may_only_be_added_or_have_their_seconds_changed(bare_sim: SimServer) -> None:
    await call(bare_sim.url, "POST", PODS, _pod("p"))
    added = {"key": "b", "operator": "Exists", "effect": "NoSchedule"}
    ok = [{"op": "add", "path": "/spec/tolerations/-", "value": added}]
    assert (await _patch(bare_sim, ok, JSONPATCH))[0] == 200
    seconds = [{"op": "replace", "path": "/spec/tolerations/0/tolerationSeconds", "value": 5}]
    assert (await _patch(bare_sim, seconds, JSONPATCH))[0] == 200
    for change in (
        [{"op": "remove", "path": "/spec/tolerations/0"}],
        [{"op": "replace", "path": "/spec/tolerations/1/effect", "value": "NoExecute"}],
    ):
        status, err = await _patch(bare_sim, change, JSONPATCH)
        assert status == 422
        assert err["message"] == (
            'Pod "p" is invalid: spec.tolerations: Forbidden: existing toleration can not be modified except '
            "its tolerationSeconds"
        )


async def test_node_name_and_grace_period_are_immutable(bare_sim: SimServer) -> None:
    pod = _pod("p")
    pod["spec"]["nodeName"] = "sim-worker-1"
    await call(bare_sim.url, "POST", PODS, pod)
    for change in ({"nodeName": "sim-control-plane"}, {"terminationGracePeriodSeconds": 5}):
        status, err = await _patch(bare_sim, {"spec": change})
        assert status == 422
        assert err["details"]["causes"][0]["field"] == "spec"
        assert "pod updates may not change fields other than" in err["message"]


async def test_rolling_update_counts_and_percentages(bare_sim: SimServer) -> None:
    cases = {
        "over": (
            {"maxUnavailable": "150%"},
            'maxUnavailable: Invalid value: "150%": must not be greater than 100%',
        ),
        "negative": ({"maxSurge": -1}, "maxSurge: Invalid value: -1: must be greater than or equal to 0"),
        "words": ({"maxSurge": "lots"}, 'maxSurge: Invalid value: "lots": a valid percent string must be'),
    }
    for name, (params, expected) in cases.items():
        body = deployment(name)
        body["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": params}
        status, err = await call(bare_sim.url, "POST", DEPLOY, body)
        assert status == 422 and f"spec.strategy.rollingUpdate.{expected}" in err["message"], err
    fine = deployment("fine")
    fine["spec"]["strategy"] = {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": "50%", "maxUnavailable": 1},
    }
    assert (await call(bare_sim.url, "POST", DEPLOY, fine))[0] == 201
