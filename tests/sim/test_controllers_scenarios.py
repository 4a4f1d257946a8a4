"""Scenarios: ``empty`` (namespaces, nodes, kubernetes Service), ``demo`` (settled apps in several states,
the same for the same seed), ``scale:N`` (N running pods the controllers leave alone)."""

from __future__ import annotations

import asyncio

import pytest

from kubetui.sim.cluster import SimCluster

from .controller_support import container_state


async def test_empty_scenario() -> None:
    c = SimCluster(scenario="empty", seed=1, speed=100)
    await c.start()
    try:
        assert [n["metadata"]["name"] for n in c.store.list("namespaces")] == [
            "default",
            "kube-node-lease",
            "kube-public",
            "kube-system",
        ]
        nodes = c.store.list("nodes")
        assert [n["metadata"]["name"] for n in nodes] == [
            "kubetui-control-plane",
            "kubetui-worker",
            "kubetui-worker2",
        ]
        cp = nodes[0]
        assert "node-role.kubernetes.io/control-plane" in cp["metadata"]["labels"]
        assert cp["spec"]["taints"][0]["effect"] == "NoSchedule"
        info = cp["status"]["nodeInfo"]
        assert info["kubeletVersion"].startswith("v1.31.") and info["containerRuntimeVersion"].startswith(
            "containerd://"
        )
        assert [a["address"] for a in nodes[1]["status"]["addresses"]] == ["172.18.0.3", "kubetui-worker"]
        assert nodes[2]["spec"]["podCIDR"] == "10.42.2.0/24"
        assert cp["status"]["allocatable"]["pods"] == "110"
        svc = c.store.get("services", "default", "kubernetes")
        assert svc is not None and svc["spec"]["clusterIP"] == "10.96.0.1"
        assert c.store.get("endpoints", "default", "kubernetes") is not None
        await asyncio.sleep(0.05)
        assert c.store.get("serviceaccounts", "kube-system", "default") is not None
    finally:
        await c.stop()


async def _demo_snapshot(seed: int) -> tuple[list[str], dict[str, str]]:
    c = SimCluster(scenario="demo", seed=seed, speed=1)
    await c.start()
    try:
        # Names follow from the seed whatever the timing (one random stream per ReplicaSet).
        names = sorted(f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in c.store.list("pods"))
        assert all(p["status"].get("podIP", "").startswith("10.42.") for p in c.store.list("pods"))
        states = {p["metadata"]["name"].rsplit("-", 2)[0]: container_state(p) for p in c.store.list("pods")}
        return names, states
    finally:
        await c.stop()


async def test_demo_is_settled_and_deterministic() -> None:
    names, states = await _demo_snapshot(4)
    again, _ = await _demo_snapshot(4)
    other, _ = await _demo_snapshot(5)
    assert names == again
    assert names != other
    assert states["hello-node"] == "running" and states["myapp"] == "running"
    assert states["payments"] == "CrashLoopBackOff"
    assert states["frontend"] in ("ErrImagePull", "ImagePullBackOff")
    namespaces = {n.split("/")[0] for n in names}
    assert {"default", "shop", "staging", "kube-system"} <= namespaces


async def test_demo_bootcamp_has_two_revisions_and_services_have_addresses() -> None:
    c = SimCluster(scenario="demo", seed=1, speed=1)
    await c.start()
    try:
        revisions = sorted(
            r["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
            for r in c.store.list("replicasets.apps", "default")
            if r["metadata"]["name"].startswith("kubernetes-bootcamp-")
        )
        assert revisions == ["1", "2"]
        lb = c.store.get("services", "shop", "myapp-service")
        assert lb is not None and lb["status"]["loadBalancer"]["ingress"][0]["ip"].startswith("172.18.255.")
        ep = c.store.get("endpoints", "shop", "myapp-service")
        assert ep is not None and len(ep["subsets"][0]["addresses"]) == 3
        assert ep["subsets"][0]["ports"][0]["port"] == 8089
    finally:
        await c.stop()


async def test_demo_has_one_of_each_kind_a_learner_meets_next() -> None:
    c = SimCluster(scenario="demo", seed=1, speed=1)
    await c.start()
    try:
        cache = [
            p["metadata"]["name"]
            for p in c.store.list("pods", "default")
            if p["metadata"]["name"].startswith("cache-")
        ]
        assert cache == ["cache-0", "cache-1"] and all(
            container_state(p) == "running"
            for p in c.store.list("pods", "default")
            if p["metadata"]["name"] in cache
        )
        agents = [
            p for p in c.store.list("pods", "kube-system") if p["metadata"]["name"].startswith("node-agent-")
        ]
        assert sorted(p["spec"]["nodeName"] for p in agents) == sorted(
            n["metadata"]["name"] for n in c.store.list("nodes")
        )
        assert c.store.get("jobs.batch", "shop", "schema-migrate")["status"]["succeeded"] == 1
        assert c.store.get("cronjobs.batch", "shop", "nightly-report") is not None
        claim = c.store.get("persistentvolumeclaims", "default", "cache-data")
        assert claim["status"]["phase"] == "Bound" and claim["spec"]["volumeName"] == "pv-cache-data"
        assert c.store.get("ingresses.networking.k8s.io", "default", "hello-node") is not None
        assert c.store.get("configmaps", "default", "cache-settings") is not None
        assert c.store.get("secrets", "default", "cache-auth")["type"] == "Opaque"
        assert c.store.get("secrets", "shop", "my-secret")["type"] == "kubernetes.io/dockerconfigjson"
        assert c.store.get("backups.stable.example.com", "default", "cache-nightly")["spec"]["keep"] == 7
    finally:
        await c.stop()


async def test_scale_scenario_is_consistent_with_the_controllers() -> None:
    c = SimCluster(scenario="scale:450", seed=1, speed=100)
    await c.start()
    try:
        assert c.store.count("pods") == 450
        assert c.store.count("deployments.apps") == 45
        assert c.store.count("nodes") == 1 + 3  # a control plane and ceil(450/200) workers
        rv = c.store.rv
        # Give every controller time to look at everything: nothing should need changing.
        for _ in range(100):
            await asyncio.sleep(0.02)
            if not any(ctl._queue.qsize() for ctl in c.controllers):
                break
        await asyncio.sleep(0.2)
        changed = c.store.rv - rv
        # Only each namespace's default ServiceAccount and root CA ConfigMap get added.
        expected = 2 * c.store.count("namespaces")
        assert changed == expected, f"controllers wrote {changed} objects after the bulk build"
        pod = c.store.list("pods", "scale-0")[0]
        assert pod["status"]["phase"] == "Running" and pod["spec"]["nodeName"].startswith("kubetui-worker")
        assert c.pod_log("scale-0", pod["metadata"]["name"])  # logs work for pods no kubelet started
        # And they act normally on a change.
        import copy

        d = copy.deepcopy(c.store.list("deployments.apps", "scale-0")[0])
        d["spec"]["replicas"] = 12
        c.store.update("deployments.apps", d)
        name = d["metadata"]["name"]

        def grown() -> bool:
            pods = [
                p for p in c.store.list("pods", "scale-0") if p["metadata"]["name"].startswith(name + "-")
            ]
            return len(pods) == 12 and all(container_state(p) == "running" for p in pods)

        for _ in range(500):
            if grown():
                break
            await asyncio.sleep(0.01)
        assert grown()
    finally:
        await c.stop()


async def test_scale_scenario_honours_the_node_count() -> None:
    c = SimCluster(scenario="scale:300", nodes=2, seed=1, speed=100)
    await c.start()
    try:
        workers = [n for n in c.store.list("nodes") if n["metadata"]["name"] != "kubetui-control-plane"]
        assert [n["metadata"]["name"] for n in workers] == ["kubetui-worker"]
        assert int(workers[0]["status"]["allocatable"]["pods"]) >= 300
        ips = [p["status"]["podIP"] for p in c.store.iter("pods")]
        assert len(set(ips)) == 300
    finally:
        await c.stop()


async def test_unknown_scenario_is_refused() -> None:
    c = SimCluster(scenario="nope")
    with pytest.raises(ValueError, match="unknown scenario"):
        await c.start()
    assert all(ctl._task is None for ctl in c.controllers)


async def test_scale_scenario_draws_another_name_when_a_generated_one_is_taken(monkeypatch) -> None:
    """At 100,000 pods five random characters collide now and then; a generateName create draws again."""
    from kubetui.sim.clock import Clock

    drawn: list[str] = []
    plain = Clock.suffix

    def colliding(self: Clock, stream: str, n: int = 5) -> str:
        # Every ReplicaSet's second draw repeats its first, as a collision would.
        name = drawn[-1] if len(drawn) % 3 == 1 else plain(self, stream, n)
        drawn.append(name)
        return name

    monkeypatch.setattr(Clock, "suffix", colliding)
    c = SimCluster(scenario="scale:30", seed=1, speed=100)
    await c.start()
    try:
        names = [p["metadata"]["name"] for p in c.store.list("pods")]
        assert len(names) == len(set(names)) == 30
        assert len(drawn) > 30  # the repeats were drawn again
    finally:
        await c.stop()
