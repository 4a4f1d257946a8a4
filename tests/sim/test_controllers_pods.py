"""ReplicaSet, scheduler and kubelet against the store: pods get created, placed, pulled, run, logged, stopped."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from kubetui.sim.cluster import SimCluster

from .controller_support import container_state, create, wait_for

RS = "replicasets.apps"


@pytest.fixture
async def cluster() -> AsyncIterator[SimCluster]:
    c = SimCluster(scenario="empty", nodes=3, seed=7, speed=200)
    await c.start()
    yield c
    await c.stop()


def replicaset(name: str, image: str, replicas: int, **container: object) -> dict:
    return {
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "main", "image": image, **container}]},
            },
        },
    }


def rs_pods(cluster: SimCluster, name: str) -> list[dict]:
    return [p for p in cluster.store.list("pods", "default") if p["metadata"]["name"].startswith(name + "-")]


async def test_replicaset_pods_are_scheduled_pulled_and_run(cluster: SimCluster) -> None:
    create(cluster, RS, replicaset("web", "nginx:1.27", 3))

    def all_ready() -> bool:
        pods = rs_pods(cluster, "web")
        return len(pods) == 3 and all(container_state(p) == "running" for p in pods)

    await wait_for(all_ready, what="3 running pods")
    pods = rs_pods(cluster, "web")
    for pod in pods:
        meta, spec, status = pod["metadata"], pod["spec"], pod["status"]
        assert meta["name"].startswith("web-") and len(meta["name"]) == len("web-") + 5
        ref = meta["ownerReferences"][0]
        assert ref["kind"] == "ReplicaSet" and ref["name"] == "web" and ref["controller"] is True
        # The control plane carries the NoSchedule taint when workers exist.
        assert spec["nodeName"] in ("kubetui-worker", "kubetui-worker2")
        assert status["phase"] == "Running"
        assert status["podIP"].startswith("10.42.")
        assert status["hostIP"].startswith("172.18.0.")
        conds = {c["type"]: c["status"] for c in status["conditions"]}
        assert conds == {
            "PodReadyToStartContainers": "True",
            "Initialized": "True",
            "Ready": "True",
            "ContainersReady": "True",
            "PodScheduled": "True",
        }
        cs = status["containerStatuses"][0]
        assert cs["ready"] and cs["started"] and cs["restartCount"] == 0
        assert cs["containerID"].startswith("containerd://")
        assert spec["terminationGracePeriodSeconds"] == 30 and spec["restartPolicy"] == "Always"
        assert spec["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    # Spread: two workers, three pods → 2 + 1.
    nodes = sorted(p["spec"]["nodeName"] for p in pods)
    assert nodes.count("kubetui-worker") + nodes.count("kubetui-worker2") == 3
    assert abs(nodes.count("kubetui-worker") - nodes.count("kubetui-worker2")) == 1
    # Distinct pod IPs.
    assert len({p["status"]["podIP"] for p in pods}) == 3
    rs = await wait_for(
        lambda: (
            (r := cluster.store.get(RS, "default", "web")) and r["status"].get("availableReplicas") == 3 and r
        )
    )
    assert rs["status"]["readyReplicas"] == 3 and rs["status"]["fullyLabeledReplicas"] == 3
    assert rs["status"]["observedGeneration"] == 1
    reasons = [(e["reason"], e["message"]) for e in cluster.store.list("events", "default")]
    name = pods[0]["metadata"]["name"]
    assert ("SuccessfulCreate", f"Created pod: {name}") in reasons
    assert ("Scheduled", f"Successfully assigned default/{name} to {pods[0]['spec']['nodeName']}") in reasons
    assert ("Pulling", 'Pulling image "nginx:1.27"') in reasons
    assert ("Created", "Created container main") in reasons
    assert ("Started", "Started container main") in reasons


async def test_scale_down_deletes_gracefully_and_reports(cluster: SimCluster) -> None:
    create(cluster, RS, replicaset("web", "nginx", 3))
    await wait_for(lambda: len([p for p in rs_pods(cluster, "web") if container_state(p) == "running"]) == 3)
    rs = cluster.store.get(RS, "default", "web")
    assert rs is not None
    cluster.store.update(RS, {**rs, "spec": {**rs["spec"], "replicas": 1}})
    await wait_for(lambda: len(rs_pods(cluster, "web")) == 1, what="scale down to 1")
    msgs = [
        e["message"] for e in cluster.store.list("events", "default") if e["reason"] == "SuccessfulDelete"
    ]
    assert len(msgs) == 2 and all(m.startswith("Deleted pod: web-") for m in msgs)
    killing = [e for e in cluster.store.list("events", "default") if e["reason"] == "Killing"]
    assert len(killing) == 2 and killing[0]["message"] == "Stopping container main"
    await wait_for(lambda: cluster.store.get(RS, "default", "web")["status"]["replicas"] == 1)


def _pod_on(node: str, name: str) -> dict:
    return {
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"nodeName": node, "containers": [{"name": "main", "image": "nginx:1.27"}]},
    }


async def test_pod_ips_are_handed_out_in_turn_and_a_freed_one_is_not_reused_at_once(
    cluster: SimCluster,
) -> None:
    """Like host-local IPAM: the next address after the last one, whether the old pod is gone or still going."""

    def ip(name: str) -> str:
        return ((cluster.store.get("pods", "default", name) or {}).get("status") or {}).get("podIP", "")

    node = "kubetui-worker"
    for name in ("a", "b"):
        create(cluster, "pods", _pod_on(node, name))
        await wait_for(lambda name=name: ip(name), what=f"an IP for {name}")
    assert (ip("a"), ip("b")) == ("10.42.1.2", "10.42.1.3")

    cluster.delete("pods", "default", "a", grace_seconds=0)  # gone at once: .2 is free again
    await wait_for(lambda: cluster.store.get("pods", "default", "a") is None, what="a to go")
    create(cluster, "pods", _pod_on(node, "c"))
    await wait_for(lambda: ip("c"), what="an IP for c")
    assert ip("c") == "10.42.1.4"

    cluster.delete("pods", "default", "b")  # terminating for its grace period while d starts
    create(cluster, "pods", _pod_on(node, "d"))
    await wait_for(lambda: ip("d"), what="an IP for d")
    assert ip("d") == "10.42.1.5"
    # Another node counts on its own.
    create(cluster, "pods", _pod_on("kubetui-worker2", "e"))
    await wait_for(lambda: ip("e"), what="an IP for e")
    assert ip("e") == "10.42.2.2"


async def test_unknown_image_goes_err_image_pull_then_back_off(cluster: SimCluster) -> None:
    create(cluster, RS, replicaset("bad", "nosuch/image:9", 1))
    await wait_for(lambda: [p for p in rs_pods(cluster, "bad") if container_state(p) == "ErrImagePull"])
    pod = rs_pods(cluster, "bad")[0]
    waiting = pod["status"]["containerStatuses"][0]["state"]["waiting"]
    assert "docker.io/nosuch/image:9: not found" in waiting["message"]
    assert pod["status"]["phase"] == "Pending"
    await wait_for(lambda: container_state(rs_pods(cluster, "bad")[0]) == "ImagePullBackOff")
    events = {(e["reason"], e["message"]) for e in cluster.store.list("events", "default")}
    assert ("Failed", "Error: ErrImagePull") in events
    assert ("BackOff", 'Back-off pulling image "nosuch/image:9"') in events
    assert ("Failed", "Error: ImagePullBackOff") in events


async def test_crashing_image_goes_crash_loop_back_off_with_rising_restarts(cluster: SimCluster) -> None:
    create(cluster, RS, replicaset("crash", "kubetui.test/crash:1", 1))

    def restarts() -> int:
        pods = rs_pods(cluster, "crash")
        return (
            pods[0]["status"]["containerStatuses"][0]["restartCount"]
            if pods and pods[0]["status"].get("containerStatuses")
            else 0
        )

    await wait_for(lambda: restarts() >= 2, timeout=20, what="two restarts")
    await wait_for(lambda: container_state(rs_pods(cluster, "crash")[0]) == "CrashLoopBackOff", timeout=20)
    pod = rs_pods(cluster, "crash")[0]
    cs = pod["status"]["containerStatuses"][0]
    assert cs["lastState"]["terminated"]["exitCode"] == 1
    assert cs["lastState"]["terminated"]["reason"] == "Error"
    assert cs["state"]["waiting"]["message"].startswith("back-off ")
    assert pod["status"]["phase"] == "Running"
    name = pod["metadata"]["name"]
    previous = cluster.pod_log("default", name, previous=True)
    assert [line for _, line in previous][-2:] == ["main.main()", "\t/src/main.go:23 +0x1d4"]
    assert any("panic: configuration file not found" in line for _, line in previous)
    warnings = [e for e in cluster.store.list("events", "default") if e["reason"] == "BackOff"]
    assert warnings and warnings[0]["type"] == "Warning"
    assert warnings[0]["message"].startswith("Back-off restarting failed container main in pod")


async def test_busybox_command_completes_when_restart_policy_never(cluster: SimCluster) -> None:
    pod = {
        "metadata": {"name": "once", "namespace": "default"},
        "spec": {
            "restartPolicy": "Never",
            "containers": [
                {"name": "bb", "image": "busybox", "command": ["sh", "-c", "echo hello; echo world"]}
            ],
        },
    }
    create(cluster, "pods", pod)
    await wait_for(
        lambda: (
            (cluster.store.get("pods", "default", "once") or {}).get("status", {}).get("phase") == "Succeeded"
        )
    )
    got = cluster.store.get("pods", "default", "once")
    assert got is not None
    assert got["status"]["containerStatuses"][0]["state"]["terminated"]["reason"] == "Completed"
    assert [line for _, line in cluster.pod_log("default", "once")] == ["hello", "world"]


async def test_logs_follow_and_rate_from_env(cluster: SimCluster) -> None:
    create(
        cluster,
        RS,
        replicaset("logger", "kubetui.test/logger:1", 1, env=[{"name": "LINES_PER_SECOND", "value": "2"}]),
    )
    await wait_for(lambda: [p for p in rs_pods(cluster, "logger") if container_state(p) == "running"])
    name = rs_pods(cluster, "logger")[0]["metadata"]["name"]
    # 2 lines per simulated second at speed 200 → 400 lines per real second.
    await wait_for(lambda: len(cluster.pod_log("default", name)) >= 40)
    lines = cluster.pod_log("default", name)
    stamps = [ts for ts, _ in lines]
    assert stamps == sorted(stamps) and all(ts.endswith("Z") and len(ts) == 30 for ts in stamps)
    assert lines[0][1].startswith(f"{name} line 1 ")
    got = []
    async for _ts, line in cluster.follow_log("default", name):
        got.append(line)
        if len(got) == 20:
            break
    numbers = [int(line.split(" line ")[1].split()[0]) for line in got]
    assert numbers == list(range(numbers[0], numbers[0] + 20))
    assert numbers[0] > int(lines[-1][1].split(" line ")[1].split()[0])


async def test_node_removal_replaces_pods_and_added_node_becomes_ready(cluster: SimCluster) -> None:
    create(cluster, RS, replicaset("web", "nginx", 4))
    await wait_for(lambda: len([p for p in rs_pods(cluster, "web") if container_state(p) == "running"]) == 4)
    node = cluster.add_node()
    assert node["metadata"]["name"] == "kubetui-worker3"
    assert {c["type"]: c["status"] for c in node["status"]["conditions"]}["Ready"] == "False"

    def ready() -> bool:
        n = cluster.store.get("nodes", "", "kubetui-worker3")
        return bool(n) and {c["type"]: c["status"] for c in n["status"]["conditions"]}["Ready"] == "True"

    await wait_for(ready, what="new node Ready")
    cluster.remove_node("kubetui-worker")
    await wait_for(
        lambda: (
            len(rs_pods(cluster, "web")) == 4
            and all(
                p["spec"].get("nodeName") not in (None, "kubetui-worker") for p in rs_pods(cluster, "web")
            )
        ),
        what="pods replaced off the removed node",
    )
    assert cluster.store.get("nodes", "", "kubetui-worker") is None


async def test_no_schedulable_node_gives_failed_scheduling() -> None:
    c = SimCluster(scenario="empty", nodes=1, seed=1, speed=200)
    await c.start()
    try:
        node = c.store.get("nodes", "", "kubetui-control-plane")
        assert node is not None
        c.store.update("nodes", {**node, "spec": {**node["spec"], "unschedulable": True}})
        create(
            c,
            "pods",
            {
                "metadata": {"name": "p", "namespace": "default"},
                "spec": {"containers": [{"name": "a", "image": "nginx"}]},
            },
        )
        await wait_for(
            lambda: [e for e in c.store.list("events", "default") if e["reason"] == "FailedScheduling"]
        )
        pod = c.store.get("pods", "default", "p")
        assert pod is not None
        cond = next(x for x in pod["status"]["conditions"] if x["type"] == "PodScheduled")
        assert cond["status"] == "False" and cond["reason"] == "Unschedulable"
        assert cond["message"].startswith("0/1 nodes are available: 1 node(s) were unschedulable.")
        node = c.store.get("nodes", "", "kubetui-control-plane")
        assert node is not None
        # Cordoning also taints the node, as the node lifecycle controller does.
        assert any(t["key"] == "node.kubernetes.io/unschedulable" for t in node["spec"]["taints"])
        c.store.update(
            "nodes", {**node, "spec": {k: v for k, v in node["spec"].items() if k != "unschedulable"}}
        )
        await wait_for(lambda: (c.store.get("pods", "default", "p") or {}).get("spec", {}).get("nodeName"))
        uncordoned = c.store.get("nodes", "", "kubetui-control-plane")
        assert uncordoned is not None and "taints" not in uncordoned["spec"]
    finally:
        await c.stop()


async def test_init_containers_run_first_then_the_app(cluster: SimCluster) -> None:
    pod = {
        "metadata": {"name": "with-init", "namespace": "default"},
        "spec": {
            "initContainers": [
                {
                    "name": "wait",
                    "image": "busybox",
                    "command": ["sh", "-c", "echo waiting; sleep 2; echo ready"],
                }
            ],
            "containers": [{"name": "app", "image": "nginx:1.27"}],
        },
    }
    seen: list[tuple[str, str]] = []

    def watch(event) -> None:
        if event.rtype == "pods" and event.obj["metadata"]["name"] == "with-init":
            conds = {c["type"]: c["status"] for c in event.obj.get("status", {}).get("conditions", [])}
            seen.append((event.obj["status"].get("phase", ""), conds.get("Initialized", "")))

    cluster.store.add_listener(watch)
    create(cluster, "pods", pod)
    await wait_for(
        lambda: container_state(cluster.store.get("pods", "default", "with-init") or {}) == "running"
    )
    cluster.store.remove_listener(watch)
    got = cluster.store.get("pods", "default", "with-init")
    assert got is not None
    init = got["status"]["initContainerStatuses"][0]
    assert init["state"]["terminated"]["reason"] == "Completed" and init["ready"] is True
    assert ("Pending", "False") in seen and seen[-1] == ("Running", "True")
    assert [line for _, line in cluster.pod_log("default", "with-init", "wait")] == ["waiting", "ready"]
    paths = {
        e["involvedObject"].get("fieldPath")
        for e in cluster.store.list("events", "default")
        if e["reason"] == "Started"
    }
    assert paths == {"spec.initContainers{wait}", "spec.containers{app}"}


async def test_changing_a_pods_image_restarts_that_container(cluster: SimCluster) -> None:
    create(
        cluster,
        "pods",
        {
            "metadata": {"name": "solo", "namespace": "default"},
            "spec": {"containers": [{"name": "web", "image": "nginx:1.26"}]},
        },
    )
    await wait_for(lambda: container_state(cluster.store.get("pods", "default", "solo") or {}) == "running")
    pod = cluster.store.get("pods", "default", "solo")
    assert pod is not None
    containers = [{**pod["spec"]["containers"][0], "image": "nginx:1.27"}]
    cluster.store.update("pods", {**pod, "spec": {**pod["spec"], "containers": containers}})

    def restarted() -> dict | None:
        p = cluster.store.get("pods", "default", "solo") or {}
        cs = (p.get("status") or {}).get("containerStatuses") or [{}]
        return cs[0] if cs[0].get("image") == "nginx:1.27" and "running" in cs[0].get("state", {}) else None

    cs = await wait_for(restarted, what="the container restarted with the new image")
    assert cs["restartCount"] == 1 and cs["lastState"]["terminated"]["reason"] == "Completed"
    messages = {(e["reason"], e["message"]) for e in cluster.store.list("events", "default")}
    assert ("Killing", "Container web definition changed, will be restarted") in messages
    assert ("Pulling", 'Pulling image "nginx:1.27"') in messages
    assert cluster.pod_log("default", "solo", previous=True)
