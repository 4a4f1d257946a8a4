"""Rollout progress and revision helpers, computed from recorded-shape objects."""

from __future__ import annotations

from typing import Any

from kubetui.screens.dialogs.progress import rollout_progress
from kubetui.screens.dialogs.registry import registry_of
from kubetui.screens.dialogs.rollout_history import age, default_revision, template_diff

DEPLOY_UID = "d-1"


def deployment(**status: Any) -> dict[str, Any]:
    generation = status.pop("generation", 2)
    return {
        "metadata": {"name": "web", "namespace": "default", "uid": DEPLOY_UID, "generation": generation},
        "spec": {"replicas": 2},
        "status": {"observedGeneration": 2, **status},
    }


def replicaset(name: str, revision: int, desired: int, ready: int) -> dict[str, Any]:
    return {
        "metadata": {
            "name": name,
            "uid": name,
            "annotations": {"deployment.kubernetes.io/revision": str(revision)},
            "ownerReferences": [{"uid": DEPLOY_UID, "controller": True}],
        },
        "spec": {"replicas": desired},
        "status": {"replicas": desired, "readyReplicas": ready},
    }


def pod(name: str, rs: str, waiting: str | None = None, ready: bool = True) -> dict[str, Any]:
    state: dict[str, Any] = {"waiting": {"reason": waiting}} if waiting else {"running": {}}
    return {
        "metadata": {"name": name, "ownerReferences": [{"uid": rs, "controller": True}]},
        "spec": {"containers": [{"name": "c"}]},
        "status": {
            "phase": "Pending" if waiting else "Running",
            "conditions": [{"type": "Ready", "status": "True" if ready and not waiting else "False"}],
            "containerStatuses": [{"name": "c", "ready": ready and not waiting, "state": state}],
        },
    }


def test_mid_rollout_reports_old_replicas_pending_and_lists_both_replicasets() -> None:
    progress = rollout_progress(
        deployment(replicas=3, updatedReplicas=2, availableReplicas=2),
        [replicaset("web-old", 1, 1, 1), replicaset("web-new", 2, 2, 1)],
        [
            pod("web-old-a", "web-old"),
            pod("web-new-a", "web-new"),
            pod("web-new-b", "web-new", "ContainerCreating"),
        ],
    )
    assert not progress.done and not progress.failed
    assert (
        progress.message
        == 'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...'
    )
    assert [(r.name, r.revision, r.newest) for r in progress.replicasets] == [
        ("web-new", 2, True),
        ("web-old", 1, False),
    ]
    assert {p.name: p.state for p in progress.pods}["web-new-b"] == "ContainerCreating"


def test_complete_when_all_updated_replicas_are_available() -> None:
    progress = rollout_progress(
        deployment(replicas=2, updatedReplicas=2, availableReplicas=2), [replicaset("web-new", 2, 2, 2)], []
    )
    assert progress.done
    assert progress.message == 'deployment "web" successfully rolled out'


def test_an_unobserved_generation_is_not_yet_complete() -> None:
    dep = deployment(replicas=2, updatedReplicas=2, availableReplicas=2)
    assert not rollout_progress(dep, [], [], min_generation=3).done
    dep["metadata"]["generation"] = 3
    assert "spec update to be observed" in rollout_progress(dep, [], []).message


def test_pull_errors_of_new_pods_mark_the_rollout_stuck_and_a_deadline_fails_it() -> None:
    dep = deployment(replicas=2, updatedReplicas=2, availableReplicas=0)
    rs = [replicaset("web-new", 2, 2, 0)]
    progress = rollout_progress(dep, rs, [pod("web-new-a", "web-new", "ImagePullBackOff")])
    assert progress.stuck == "ImagePullBackOff" and not progress.failed
    dep["status"]["conditions"] = [{"type": "Progressing", "reason": "ProgressDeadlineExceeded"}]
    assert rollout_progress(dep, rs, []).failed
    assert rollout_progress(None, rs, []).failed


class Rev:
    def __init__(self, revision: int, current: bool = False) -> None:
        self.revision, self.current = revision, current


def test_default_revision_is_the_newest_older_than_current() -> None:
    assert default_revision([Rev(1), Rev(4, True), Rev(3), Rev(5)]) == 3
    assert default_revision([Rev(1, True)]) is None
    assert default_revision([Rev(2), Rev(7)]) == 2  # no current marker: the newest counts as current


def test_template_diff_ignores_the_template_hash() -> None:
    a = {
        "metadata": {"labels": {"app": "x", "pod-template-hash": "1"}},
        "spec": {"containers": [{"image": "a"}]},
    }
    b = {
        "metadata": {"labels": {"app": "x", "pod-template-hash": "2"}},
        "spec": {"containers": [{"image": "a"}]},
    }
    assert template_diff(a, b) == []
    b["spec"]["containers"][0]["image"] = "b"
    assert [line for line in template_diff(a, b) if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
        "-  - image: a",
        "+  - image: b",
    ]


def test_age_accepts_timestamps_and_numbers() -> None:
    assert age("2026-01-01T00:00:00Z", now=1767225600 + 90) == "90s"
    assert age(1000.0, now=1000.0 + 3 * 86400) == "3d"
    assert age(None) == "<unknown>"


def test_registry_of_reads_the_host_like_the_runtime() -> None:
    assert registry_of("registry.example.com/team/myapp:001") == "registry.example.com"
    assert registry_of("localhost:5000/x") == "localhost:5000"
    assert registry_of("jocatalin/kubernetes-bootcamp:v2") == "docker.io"
    assert registry_of("nginx") == "docker.io"


def test_apply_outcomes_mark_failed_and_skipped_documents_as_not_applied() -> None:
    from kubetui.cluster.apply import ApplyResult
    from kubetui.screens.dialogs.apply_flow import outcomes

    docs = [
        {"kind": "Deployment", "metadata": {"name": "myapp"}},
        {"kind": "Service", "metadata": {"name": "Bad"}},
    ]
    results = [
        ApplyResult(1, "Deployment", "myapp", "default", "skipped"),
        ApplyResult(2, "Service", "Bad", "default", "failed", error='Service "Bad" is invalid'),
    ]
    shown = outcomes(results, docs, "default")
    assert [(o.kind, o.name, o.ok) for o in shown] == [
        ("Deployment", "myapp", False),
        ("Service", "Bad", False),
    ]
    assert shown[1].outcome == 'Service "Bad" is invalid'
    created = outcomes([ApplyResult(1, "Deployment", "myapp", "default", "created")], docs[:1], "default")
    assert [(o.outcome, o.ok) for o in created] == [("created", True)]
