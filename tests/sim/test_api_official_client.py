"""The official async client (kubernetes_asyncio) lists and watches every resource of the built-in cluster."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from kubernetes_asyncio import client, config, watch
from kubernetes_asyncio.client.rest import ApiException

from kubetui.sim.server import SimServer


async def _api_client(sim: SimServer, tmp_path: Path) -> client.ApiClient:
    path = sim.write_kubeconfig(tmp_path / "kubeconfig")
    cfg = client.Configuration()
    await config.load_kube_config(config_file=str(path), client_configuration=cfg)
    return client.ApiClient(cfg)


LISTS = [
    ("CoreV1Api", "list_namespace"),
    ("CoreV1Api", "list_node"),
    ("CoreV1Api", "list_pod_for_all_namespaces"),
    ("CoreV1Api", "list_service_for_all_namespaces"),
    ("CoreV1Api", "list_endpoints_for_all_namespaces"),
    ("CoreV1Api", "list_event_for_all_namespaces"),
    ("CoreV1Api", "list_secret_for_all_namespaces"),
    ("CoreV1Api", "list_config_map_for_all_namespaces"),
    ("CoreV1Api", "list_service_account_for_all_namespaces"),
    ("AppsV1Api", "list_deployment_for_all_namespaces"),
    ("AppsV1Api", "list_replica_set_for_all_namespaces"),
    ("DiscoveryV1Api", "list_endpoint_slice_for_all_namespaces"),
]


async def test_lists_and_watches_every_resource(sim: SimServer, tmp_path: Path) -> None:
    async with await _api_client(sim, tmp_path) as api:

        async def list_then_watch(group: str, method: str) -> int:
            fn = getattr(getattr(client, group)(api), method)
            result = await fn()
            assert result.metadata.resource_version, method
            # A short watch from the list's version: it must open, deserialize and end cleanly.
            w = watch.Watch()
            async with w.stream(
                fn, resource_version=result.metadata.resource_version, timeout_seconds=1
            ) as stream:
                async for _event in stream:
                    pass
            return len(result.items)

        counts = await asyncio.gather(*(list_then_watch(g, m) for g, m in LISTS))
        assert dict(zip([m for _, m in LISTS], counts, strict=True))["list_node"] == 2


async def test_watch_sees_a_created_deployment(sim: SimServer, tmp_path: Path) -> None:
    async with await _api_client(sim, tmp_path) as api:
        apps = client.AppsV1Api(api)
        start = (await apps.list_namespaced_deployment("default")).metadata.resource_version
        body = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web"},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "nginx"}]},
                },
            },
        }
        await apps.create_namespaced_deployment("default", body)
        seen = []
        w = watch.Watch()
        async with w.stream(
            apps.list_namespaced_deployment, "default", resource_version=start, timeout_seconds=5
        ) as stream:
            async for event in stream:
                seen.append((event["type"], event["object"].metadata.name))
                break
        assert seen == [("ADDED", "web")]


async def test_watch_from_an_expired_version_gets_410(sim: SimServer, tmp_path: Path) -> None:
    async with await _api_client(sim, tmp_path) as api:
        core = client.CoreV1Api(api)
        old = (await core.list_namespaced_config_map("default")).metadata.resource_version
        await core.create_namespaced_config_map("default", {"metadata": {"name": "x"}})
        sim.store.compact()
        w = watch.Watch()
        with pytest.raises(ApiException) as info:
            async with w.stream(
                core.list_namespaced_config_map, "default", resource_version=old, timeout_seconds=5
            ) as stream:
                async for _event in stream:
                    pass
        assert info.value.status == 410


async def test_errors_arrive_as_api_exceptions(sim: SimServer, tmp_path: Path) -> None:
    async with await _api_client(sim, tmp_path) as api:
        with pytest.raises(ApiException) as info:
            await client.CoreV1Api(api).read_namespaced_pod("nope", "default")
        assert info.value.status == 404
