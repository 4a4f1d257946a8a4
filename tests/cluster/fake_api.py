"""A minimal in-memory list/watch API server for watcher tests: pagination, 410s, 403s, dropped streams."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import orjson
from aiohttp import web

from kubetui.cluster.watch import KIND_INFO
from tests.cluster.stubs import status


class FakeApi:
    """Serves every kind in KIND_INFO; tests mutate it with add/modify/delete and break it on purpose."""

    def __init__(self) -> None:
        self.rv = 1
        self.objects: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in KIND_INFO}
        self.history: list[tuple[int, str, str, dict[str, Any]]] = []
        self.compacted = 0  # watches from a resourceVersion below this get a 410 ERROR event
        self.expired_watches = 0
        self.forbidden: set[str] = set()
        self.cluster_forbidden = False  # a namespace-only user: cluster-wide lists are refused
        self.list_calls: dict[str, int] = {k: 0 for k in KIND_INFO}
        self.watch_calls: dict[str, int] = {k: 0 for k in KIND_INFO}
        self._changed = asyncio.Condition()
        self._transports: list[Any] = []
        self._epoch = 0  # bumped by end_watches(): open watches finish cleanly, like a server timeout
        self.app = web.Application()
        for kind, info in KIND_INFO.items():
            self.app.router.add_get(f"{info.prefix}/{info.plural}", self._handler(kind, False))
            if info.namespaced:
                self.app.router.add_get(
                    f"{info.prefix}/namespaces/{{ns}}/{info.plural}", self._handler(kind, True)
                )

    # --- mutations ------------------------------------------------------------------------------------

    async def put(self, kind: str, obj: dict[str, Any], etype: str | None = None) -> dict[str, Any]:
        self.rv += 1
        obj = copy.deepcopy(obj)
        obj["metadata"]["resourceVersion"] = str(self.rv)
        uid = obj["metadata"]["uid"]
        etype = etype or ("MODIFIED" if uid in self.objects[kind] else "ADDED")
        self.objects[kind][uid] = obj
        await self._record(kind, etype, obj)
        return obj

    async def delete(self, kind: str, uid: str) -> None:
        obj = self.objects[kind].pop(uid)
        self.rv += 1
        obj = {**obj, "metadata": {**obj["metadata"], "resourceVersion": str(self.rv)}}
        await self._record(kind, "DELETED", obj)

    def put_silently(self, kind: str, obj: dict[str, Any]) -> None:
        """Change state without any watch event (as if it happened while the stream was down and compacted)."""
        self.rv += 1
        obj = copy.deepcopy(obj)
        obj["metadata"]["resourceVersion"] = str(self.rv)
        self.objects[kind][obj["metadata"]["uid"]] = obj

    def delete_silently(self, kind: str, uid: str) -> None:
        self.rv += 1
        self.objects[kind].pop(uid, None)

    def compact(self) -> None:
        self.compacted = self.rv
        self.history.clear()

    def drop_connections(self) -> None:
        for transport in self._transports:
            transport.close()
        self._transports.clear()

    async def end_watches(self) -> None:
        self._epoch += 1
        async with self._changed:
            self._changed.notify_all()

    async def _record(self, kind: str, etype: str, obj: dict[str, Any]) -> None:
        self.history.append((self.rv, kind, etype, obj))
        async with self._changed:
            self._changed.notify_all()

    # --- HTTP -----------------------------------------------------------------------------------------

    def _handler(self, kind: str, namespaced_path: bool):
        async def handle(request: web.Request) -> web.StreamResponse:
            ns = request.match_info.get("ns") if namespaced_path else None
            plural = KIND_INFO[kind].plural
            if plural in self.forbidden or (self.cluster_forbidden and ns is None):
                where = f' in the namespace "{ns}"' if ns else " at the cluster scope"
                return status(
                    403,
                    "Forbidden",
                    f'{plural} is forbidden: User "dev" cannot list resource "{plural}"{where}',
                )
            if request.query.get("watch") == "true":
                return await self._watch(request, kind, ns)
            return self._list(request, kind, ns)

        return handle

    def _matching(self, kind: str, ns: str | None) -> list[dict[str, Any]]:
        items = [o for o in self.objects[kind].values() if ns is None or o["metadata"].get("namespace") == ns]
        return sorted(items, key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))

    def _list(self, request: web.Request, kind: str, ns: str | None) -> web.Response:
        self.list_calls[kind] += 1
        items = self._matching(kind, ns)
        limit = int(request.query.get("limit") or 0)
        offset = int(request.query.get("continue") or 0)
        meta: dict[str, Any] = {"resourceVersion": str(self.rv)}
        page = items[offset:]
        if limit and len(page) > limit:
            page = page[:limit]
            meta["continue"] = str(offset + limit)
        # list items carry no kind/apiVersion, as from a real API server
        body = {
            "kind": "List",
            "metadata": meta,
            "items": [{k: v for k, v in o.items() if k != "kind"} for o in page],
        }
        return web.Response(body=orjson.dumps(body), content_type="application/json")

    async def _watch(self, request: web.Request, kind: str, ns: str | None) -> web.StreamResponse:
        self.watch_calls[kind] += 1
        since = int(request.query.get("resourceVersion") or 0)
        resp = web.StreamResponse()
        await resp.prepare(request)
        self._transports.append(request.transport)
        if since and since < self.compacted:
            self.expired_watches += 1
            expired = {
                "kind": "Status",
                "code": 410,
                "reason": "Expired",
                "message": "too old resource version",
            }
            await resp.write(orjson.dumps({"type": "ERROR", "object": expired}) + b"\n")
            return resp
        deadline = asyncio.get_running_loop().time() + float(request.query.get("timeoutSeconds") or 30)
        sent = since
        epoch = self._epoch
        try:
            while epoch == self._epoch:
                for rv, k, etype, obj in list(self.history):
                    if rv <= sent:
                        continue
                    sent = rv
                    if k == kind and (ns is None or obj["metadata"].get("namespace") == ns):
                        await resp.write(orjson.dumps({"type": etype, "object": obj}) + b"\n")
                if not self.history or self.history[-1][0] <= sent:
                    sent = max(sent, self.rv)
                remaining = deadline - asyncio.get_running_loop().time()
                if remaining <= 0:
                    return resp
                async with self._changed:
                    try:
                        await asyncio.wait_for(self._changed.wait(), remaining)
                    except TimeoutError:
                        return resp
            return resp
        except ConnectionResetError:
            return resp
