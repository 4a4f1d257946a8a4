"""Paginated lists: every page of one list shows the cluster as of its first page (as etcd reads at the list's
revision), and a page costs what the page costs, not what the whole list costs."""

from __future__ import annotations

from typing import Any

from kubetui.sim.paging import SNAPSHOT_TTL, Pager
from kubetui.sim.server import SimServer
from kubetui.sim.store import ObjectStore
from tests.sim.api_client import call, configmap

CM = "/api/v1/namespaces/default/configmaps"


async def _create(sim: SimServer, name: str, **data: str) -> None:
    status, body = await call(sim.url, "POST", CM, {**configmap(name), "data": data})
    assert status == 201, body


async def _pages(sim: SimServer, limit: int, between: Any = None) -> tuple[list[dict[str, Any]], list[str]]:
    """Every item of a paginated list, and the list's resourceVersion as each page reported it."""
    items: list[dict[str, Any]] = []
    versions: list[str] = []
    params = {"limit": str(limit)}
    while True:
        status, body = await call(sim.url, "GET", CM, params=params)
        assert status == 200, body
        items += body["items"]
        versions.append(body["metadata"]["resourceVersion"])
        token = body["metadata"].get("continue")
        if not token:
            return items, versions
        if between is not None:
            await between(len(versions))
        params = {"limit": str(limit), "continue": token}


async def test_pages_show_the_list_as_of_its_first_page(bare_sim: SimServer) -> None:
    for i in range(10):
        await _create(bare_sim, f"cm-{i:02d}", v="old")
    _, before = await call(bare_sim.url, "GET", CM)

    async def churn(page: int) -> None:
        # Between pages: one object changed, one deleted, one added ahead of the cursor, one behind it.
        await call(
            bare_sim.url,
            "PATCH",
            f"{CM}/cm-0{page + 5}",
            {"data": {"v": "new"}},
            content_type="application/merge-patch+json",
        )
        await call(bare_sim.url, "DELETE", f"{CM}/cm-0{page + 6}")
        await _create(bare_sim, f"cm-0{page}x", v="added")
        await _create(bare_sim, f"cm-{page}9x", v="added")

    items, versions = await _pages(bare_sim, 3, churn)
    assert len(set(versions)) == 1, versions
    assert [o["metadata"]["name"] for o in items] == [o["metadata"]["name"] for o in before["items"]]
    assert [o["data"] for o in items] == [o["data"] for o in before["items"]]
    assert [o["metadata"]["resourceVersion"] for o in items] == [
        o["metadata"]["resourceVersion"] for o in before["items"]
    ]
    # A new list sees the changes.
    _, after = await call(bare_sim.url, "GET", CM)
    assert {"cm-01x", "cm-19x"} <= {o["metadata"]["name"] for o in after["items"]}
    assert "cm-07" not in {o["metadata"]["name"] for o in after["items"]}


async def test_remaining_count_and_selector_pages(bare_sim: SimServer) -> None:
    for i in range(7):
        status, _ = await call(
            bare_sim.url, "POST", CM, configmap(f"cm-{i}", labels={"even": str(i % 2 == 0).lower()})
        )
        assert status == 201
    status, page = await call(bare_sim.url, "GET", CM, params={"limit": "2"})
    assert page["metadata"]["remainingItemCount"] == 5
    status, page = await call(bare_sim.url, "GET", CM, params={"limit": "2", "labelSelector": "even=true"})
    assert [o["metadata"]["name"] for o in page["items"]] == ["cm-0", "cm-2"]
    assert (
        "remainingItemCount" not in page["metadata"]
    )  # a selector makes the count unknown, as in Kubernetes
    status, page = await call(
        bare_sim.url,
        "GET",
        CM,
        params={"limit": "2", "labelSelector": "even=true", "continue": page["metadata"]["continue"]},
    )
    assert [o["metadata"]["name"] for o in page["items"]] == ["cm-4", "cm-6"]
    assert "continue" not in page["metadata"]


def _store_with(n: int) -> ObjectStore:
    store = ObjectStore(seed=1)
    for i in range(n):
        store.create("configmaps", {"metadata": {"name": f"cm-{i:05d}", "namespace": "default"}})
    return store


def test_a_page_looks_at_the_page_not_the_whole_list() -> None:
    store = _store_with(2000)
    pager = Pager(store)
    seen: list[str] = []

    def match(obj: dict[str, Any]) -> bool:
        seen.append(obj["metadata"]["name"])
        return True

    first = pager.page("configmaps", None, rv=store.rv, limit=50, match=match)
    assert first is not None and first.more and len(first.items) == 50
    assert len(seen) == 51  # the page, and one more to know another page follows
    seen.clear()
    last = pager.page("configmaps", None, rv=store.rv, after=("default", "cm-01949"), limit=50, match=match)
    assert last is not None and not last.more
    assert len(last.items) == 50 and len(seen) == 50
    assert last.items[-1]["metadata"]["name"] == "cm-01999"


def test_the_key_order_follows_creates_and_deletes_without_resorting() -> None:
    store = _store_with(5)
    pager = Pager(store)
    keys = pager.keys("configmaps")
    store.create("configmaps", {"metadata": {"name": "cm-00002a", "namespace": "default"}})
    store.delete("configmaps", "default", "cm-00000")
    assert pager.keys("configmaps") is keys  # kept up to date in place
    assert keys == sorted(store._objects["configmaps"])


def test_a_continue_token_expires_like_a_compacted_revision() -> None:
    now = [1000.0]
    store = _store_with(10)
    pager = Pager(store, clock=lambda: now[0])
    first = pager.page("configmaps", None, rv=store.rv, limit=4)
    assert first is not None and first.more
    after = ("default", first.items[-1]["metadata"]["name"])
    assert pager.page("configmaps", None, rv=store.rv, after=after, limit=4) is not None
    now[0] += SNAPSHOT_TTL + 1
    assert pager.page("configmaps", None, rv=store.rv, after=after, limit=4) is None


def test_an_unused_snapshot_expires_while_the_store_changes() -> None:
    """A client that lists in pages once and then only watches leaves a snapshot behind; it must not keep the
    old version of every object changed from then on."""
    now = [1000.0]
    store = _store_with(10)
    pager = Pager(store, clock=lambda: now[0])
    assert pager.page("configmaps", None, rv=store.rv, limit=4) is not None
    store.delete("configmaps", "default", "cm-00000")
    assert pager._snapshots  # still good: its old version of cm-00000 is kept
    now[0] += SNAPSHOT_TTL + 1
    for i in range(3):
        store.create("configmaps", {"metadata": {"name": f"later-{i}", "namespace": "default"}})
    assert not pager._snapshots
