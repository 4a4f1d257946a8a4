"""List (selectors, pagination, resourceVersion) and watch (bookmarks, timeouts, 410) over real HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import orjson

from kubetui.sim.server import SimServer
from tests.sim.api_client import call, configmap

CM = "/api/v1/namespaces/default/configmaps"


async def _seed(sim: SimServer) -> None:
    for name, labels in [
        ("a", {"app": "web", "tier": "front"}),
        ("b", {"app": "web", "tier": "back"}),
        ("c", {"app": "db"}),
        ("d", {}),
    ]:
        status, _ = await call(sim.url, "POST", CM, configmap(name, labels=labels))
        assert status == 201


async def _names(sim: SimServer, **params: str) -> list[str]:
    status, body = await call(sim.url, "GET", CM, params=params)
    assert status == 200, body
    return [o["metadata"]["name"] for o in body["items"]]


async def test_label_selectors(bare_sim: SimServer) -> None:
    await _seed(bare_sim)
    assert await _names(bare_sim, labelSelector="app=web") == ["a", "b"]
    assert await _names(bare_sim, labelSelector="app==web,tier!=front") == ["b"]
    assert await _names(bare_sim, labelSelector="app in (web,db)") == ["a", "b", "c"]
    assert await _names(bare_sim, labelSelector="app notin (web)") == ["c", "d"]
    assert await _names(bare_sim, labelSelector="tier") == ["a", "b"]
    assert await _names(bare_sim, labelSelector="!tier") == ["c", "d"]
    status, err = await call(bare_sim.url, "GET", CM, params={"labelSelector": "app=(("})
    assert status == 400 and err["reason"] == "BadRequest"


async def test_field_selectors(bare_sim: SimServer) -> None:
    await _seed(bare_sim)
    assert await _names(bare_sim, fieldSelector="metadata.name=c") == ["c"]
    assert await _names(bare_sim, fieldSelector="metadata.name!=c,metadata.namespace=default") == [
        "a",
        "b",
        "d",
    ]
    status, err = await call(bare_sim.url, "GET", CM, params={"fieldSelector": "spec.nodeName=x"})
    # ConfigMaps have only the common field selectors; kube-apiserver words that as below.
    assert (
        status == 400
        and err["message"]
        == '"spec.nodeName" is not a known field selector: only "metadata.name", "metadata.namespace"'
    )
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]},
    }
    await call(bare_sim.url, "POST", "/api/v1/namespaces/default/pods", pod)
    _, pods = await call(bare_sim.url, "GET", "/api/v1/pods", params={"fieldSelector": "spec.nodeName="})
    assert [p["metadata"]["name"] for p in pods["items"]] == ["p"]
    _, pods = await call(
        bare_sim.url, "GET", "/api/v1/pods", params={"fieldSelector": "status.phase=Running"}
    )
    assert pods["items"] == []


async def test_list_kind_and_resource_version(bare_sim: SimServer) -> None:
    await _seed(bare_sim)
    _, body = await call(bare_sim.url, "GET", CM)
    assert body["kind"] == "ConfigMapList" and body["apiVersion"] == "v1"
    assert body["metadata"]["resourceVersion"] == str(bare_sim.store.rv)
    _, nodes = await call(bare_sim.url, "GET", "/api/v1/nodes")
    assert nodes["kind"] == "NodeList" and len(nodes["items"]) == 2
    _, all_ns = await call(bare_sim.url, "GET", "/api/v1/configmaps")
    assert len(all_ns["items"]) == 4


async def test_pagination_with_continue(bare_sim: SimServer) -> None:
    await _seed(bare_sim)
    _, page1 = await call(bare_sim.url, "GET", CM, params={"limit": "3"})
    assert [o["metadata"]["name"] for o in page1["items"]] == ["a", "b", "c"]
    assert page1["metadata"]["remainingItemCount"] == 1
    token = page1["metadata"]["continue"]
    # A change between pages does not move the cursor: the next page starts after "c".
    await call(bare_sim.url, "POST", CM, configmap("aa"))
    _, page2 = await call(bare_sim.url, "GET", CM, params={"limit": "3", "continue": token})
    assert [o["metadata"]["name"] for o in page2["items"]] == ["d"]
    assert "continue" not in page2["metadata"]
    assert page2["metadata"]["resourceVersion"] == page1["metadata"]["resourceVersion"]
    status, err = await call(bare_sim.url, "GET", CM, params={"continue": "garbage!"})
    assert status == 400 and err["reason"] == "BadRequest"


async def _watch(
    sim: SimServer, path: str, params: dict[str, str], until: int, timeout: float = 5.0, on_open: Any = None
) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            sim.url + path, params={"watch": "1", **params}, timeout=aiohttp.ClientTimeout(total=timeout)
        ) as resp,
    ):
        assert resp.status == 200
        if on_open is not None:
            await on_open()
        async for line in resp.content:
            events.append(orjson.loads(line))
            if len(events) >= until:
                break
    return events


async def test_watch_from_now_sends_initial_added_then_changes(bare_sim: SimServer) -> None:
    await _seed(bare_sim)

    async def change() -> None:
        await call(bare_sim.url, "POST", CM, configmap("e", labels={"app": "web"}))
        await call(bare_sim.url, "DELETE", f"{CM}/a")

    events = await _watch(bare_sim, CM, {"labelSelector": "app=web"}, until=4, on_open=change)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "a"),
        ("ADDED", "b"),
        ("ADDED", "e"),
        ("DELETED", "a"),
    ]


async def test_watch_from_resource_version_replays_history(bare_sim: SimServer) -> None:
    _, created = await call(bare_sim.url, "POST", CM, configmap("x"))
    rv = created["metadata"]["resourceVersion"]
    created["data"] = {"k": "v"}
    await call(bare_sim.url, "PUT", f"{CM}/x", created)
    await call(bare_sim.url, "DELETE", f"{CM}/x")
    events = await _watch(bare_sim, CM, {"resourceVersion": rv}, until=2)
    assert [e["type"] for e in events] == ["MODIFIED", "DELETED"]
    assert events[0]["object"]["data"] == {"k": "v"}


async def test_object_leaving_the_selection_arrives_as_deleted(bare_sim: SimServer) -> None:
    await _seed(bare_sim)

    async def relabel() -> None:
        _, obj = await call(bare_sim.url, "GET", f"{CM}/c")
        obj["metadata"]["labels"] = {"app": "web"}
        await call(bare_sim.url, "PUT", f"{CM}/c", obj)
        obj = (await call(bare_sim.url, "GET", f"{CM}/c"))[1]
        obj["metadata"]["labels"] = {"app": "other"}
        await call(bare_sim.url, "PUT", f"{CM}/c", obj)

    events = await _watch(
        bare_sim,
        CM,
        {"labelSelector": "app=web", "resourceVersion": str(bare_sim.store.rv)},
        until=2,
        on_open=relabel,
    )
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "c"),
        ("DELETED", "c"),
    ]


async def test_bookmarks_and_timeout(bare_sim: SimServer) -> None:
    await _seed(bare_sim)
    rv = str(bare_sim.store.rv)
    events = await _watch(
        bare_sim, CM, {"resourceVersion": rv, "allowWatchBookmarks": "true", "timeoutSeconds": "1"}, until=100
    )
    # The stream ended by itself after timeoutSeconds, with bookmarks (every 0.2 s here) and one at the end.
    assert events and all(e["type"] == "BOOKMARK" for e in events)
    assert events[-1]["object"] == {
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": {"resourceVersion": rv},
    }


async def test_expired_resource_version_is_410(bare_sim: SimServer) -> None:
    _, created = await call(bare_sim.url, "POST", CM, configmap("old"))
    await call(bare_sim.url, "POST", CM, configmap("newer"))
    bare_sim.store.compact()
    events = await _watch(bare_sim, CM, {"resourceVersion": created["metadata"]["resourceVersion"]}, until=1)
    assert events[0]["type"] == "ERROR"
    assert events[0]["object"]["code"] == 410 and events[0]["object"]["reason"] == "Expired"
    status, err = await call(
        bare_sim.url,
        "GET",
        CM,
        params={"resourceVersion": created["metadata"]["resourceVersion"], "resourceVersionMatch": "Exact"},
    )
    assert status == 410 and err["reason"] == "Expired"


async def test_table_list_and_watch(bare_sim: SimServer) -> None:
    await _seed(bare_sim)
    accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
    _, tbl = await call(bare_sim.url, "GET", CM, accept=accept)
    assert tbl["kind"] == "Table" and [c["name"] for c in tbl["columnDefinitions"]] == ["Name", "Data", "Age"]
    assert [r["cells"][:2] for r in tbl["rows"]] == [["a", 0], ["b", 0], ["c", 0], ["d", 0]]
    assert tbl["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    events: list[dict[str, Any]] = []
    async with (
        aiohttp.ClientSession() as session,
        session.get(bare_sim.url + CM, params={"watch": "1"}, headers={"Accept": accept}) as resp,
    ):
        async for line in resp.content:
            events.append(orjson.loads(line))
            if len(events) == 4:
                break
    assert events[0]["object"]["kind"] == "Table" and events[0]["object"]["columnDefinitions"]
    assert events[1]["object"]["rows"][0]["cells"][0] == "b"


async def test_drop_connections_cuts_watches(bare_sim: SimServer) -> None:
    async def cut() -> None:
        await asyncio.sleep(0.1)
        bare_sim.drop_connections()

    async with (
        aiohttp.ClientSession() as session,
        session.get(
            bare_sim.url + CM, params={"watch": "1", "resourceVersion": str(bare_sim.store.rv)}
        ) as resp,
    ):
        task = asyncio.create_task(cut())
        try:
            async for _ in resp.content:
                pass
        except aiohttp.ClientPayloadError:
            pass
        await task


async def test_send_initial_events_ends_with_an_annotated_bookmark(bare_sim: SimServer) -> None:
    await _seed(bare_sim)
    params = {
        "sendInitialEvents": "true",
        "allowWatchBookmarks": "true",
        "resourceVersionMatch": "NotOlderThan",
        "resourceVersion": "1",
    }
    events = await _watch(bare_sim, CM, params, until=5)
    assert [e["type"] for e in events] == ["ADDED"] * 4 + ["BOOKMARK"]
    assert events[-1]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert events[-1]["object"]["metadata"]["resourceVersion"] == str(bare_sim.store.rv)
