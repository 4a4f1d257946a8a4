"""Why a shell cannot open, read from the cached pod before any request: each case in its own words."""

from __future__ import annotations

from typing import Any

from kubetui.cluster.exec import refusal


def _pod(state: dict[str, Any], **meta: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "p", **meta},
        "spec": {"containers": [{"name": "c"}]},
        "status": {"phase": "Running", "containerStatuses": [{"name": "c", "state": state}]},
    }


def test_running_container_is_fine() -> None:
    assert refusal(_pod({"running": {"startedAt": "2026-01-01T00:00:00Z"}}), "c") is None


def test_each_refusal_says_why() -> None:
    assert refusal(None, "c") == "the pod no longer exists"
    deleting = _pod({"running": {}}, deletionTimestamp="2026-01-01T00:00:00Z")
    assert refusal(deleting, "c") == "pod p is being deleted: its containers are stopping"
    waiting = _pod({"waiting": {"reason": "ImagePullBackOff"}})
    assert refusal(waiting, "c") == "container c is not running: it is waiting (ImagePullBackOff)"
    done = _pod({"terminated": {"exitCode": 0}})
    done["status"]["phase"] = "Succeeded"
    assert refusal(done, "c") == "cannot exec into a container in a completed pod; current phase is Succeeded"
    crashed = _pod({"terminated": {"exitCode": 1}})
    assert refusal(crashed, "c") == "container c is not running: it is terminated"
    assert refusal(_pod({"running": {}}), "other") == "container other is not running yet"
