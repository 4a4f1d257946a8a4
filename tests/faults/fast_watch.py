"""``FastWatchServer``: a fake API server on loopback that can flood a pods watch faster than any real cluster.

The built-in cluster delivers a few hundred pod events a second on a loaded machine, which is too slow to
measure a client at 1,000/s. This server keeps ``pods`` pods in a dict, answers ``/version``, discovery (empty
resource lists: kubetui knows the core kinds itself), lists of pods (every other list is empty) and watches
that stay open. ``flood(seconds, rate)`` then sends MODIFIED events to every open pods watch at ``rate`` a
second: each one bumps a pod's resourceVersion, one annotation and, now and then, its restart count, so rows
change on screen. Pod names match ``app-NNNNN-<hash>-<5>`` like the built-in cluster's ``scale:N``.
"""

from __future__ import annotations

import asyncio
import copy
import time
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web

from tests.faults.loopback import LoopbackServer

TICK = 0.01  # seconds between batches


@dataclass
class FastFloodResult:
    events: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def make_pod(i: int, rv: int) -> dict[str, Any]:
    name = f"app-{i // 10:05d}-5d8f7c9b4-{i:05d}"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": f"ns-{i % 10}",
            "uid": f"uid-{i}",
            "resourceVersion": str(rv),
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "labels": {"app": f"app-{i // 10:05d}"},
            "annotations": {"flood/seq": "0"},
        },
        "spec": {"nodeName": f"node-{i % 5}", "containers": [{"name": "main", "image": "pause:3.9"}]},
        "status": {
            "phase": "Running",
            "podIP": f"10.0.{i // 250}.{i % 250}",
            "startTime": "2026-01-01T00:00:00Z",
            "containerStatuses": [
                {
                    "name": "main",
                    "ready": True,
                    "restartCount": 0,
                    "image": "pause:3.9",
                    "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}},
                },
            ],
        },
    }


class FastWatchServer(LoopbackServer):
    context = "fast"

    def __init__(self, pods: int = 1000) -> None:
        super().__init__()
        self.rv = 100
        self.pods = [make_pod(i, self.rv) for i in range(pods)]
        self.watches: list[web.StreamResponse] = []

    async def __aenter__(self) -> FastWatchServer:
        await self.serve(self._handle)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
        # Handlers of connections the client dropped may still be winding down: let them end here, so a loop
        # closed right after holds no pending task.
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path == "/version":
            return web.json_response({"major": "1", "minor": "31", "gitVersion": "v1.31.0"})
        if path in ("/api", "/apis") or path.count("/") == (2 if path.startswith("/api/") else 3):
            return web.json_response({"kind": "APIResourceList", "resources": []})
        pods = path == "/api/v1/pods"  # all namespaces only
        if request.query.get("watch") in ("true", "1"):
            return await self._watch(request, pods)
        if request.method != "GET":
            return web.json_response({"kind": "Status", "status": "Failure", "code": 405}, status=405)
        items = self.pods if pods else []
        body = {"kind": "List", "items": items, "metadata": {"resourceVersion": str(self.rv)}}
        return web.Response(body=orjson.dumps(body), content_type="application/json")

    async def _watch(self, request: web.Request, pods: bool) -> web.StreamResponse:
        response = web.StreamResponse()
        response.content_type = "application/json"
        await response.prepare(request)
        if pods:
            self.watches.append(response)
        try:
            await asyncio.sleep(float(request.query.get("timeoutSeconds") or 3600))
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            if response in self.watches:
                self.watches.remove(response)
        return response

    def _events(self, start: int, count: int) -> bytes:
        lines = []
        for n in range(start, start + count):
            pod = self.pods[n % len(self.pods)]
            self.rv += 1
            pod = copy.copy(pod)
            pod["metadata"] = {**pod["metadata"], "resourceVersion": str(self.rv),
                               "annotations": {"flood/seq": str(n)}}  # fmt: skip
            if n % 50 == 0:
                status = copy.deepcopy(pod["status"])
                status["containerStatuses"][0]["restartCount"] += 1
                pod["status"] = status
            self.pods[n % len(self.pods)] = pod
            lines.append(orjson.dumps({"type": "MODIFIED", "object": pod}))
        return b"\n".join(lines) + b"\n"

    async def flood(self, seconds: float, rate: float) -> FastFloodResult:
        """MODIFIED events to every open pods watch, ``rate`` a second for ``seconds``, in batches every TICK."""
        started = time.monotonic()
        sent = 0
        while (elapsed := time.monotonic() - started) < seconds:
            due = min(int(rate * elapsed), sent + int(rate * 0.1))  # catch up, but never a burst over 0.1 s
            if due > sent:
                batch = self._events(sent, due - sent)
                for response in list(self.watches):
                    try:
                        await response.write(batch)
                    except (ConnectionResetError, RuntimeError):
                        self.watches.remove(response)
                sent = due
            await asyncio.sleep(TICK)
        return FastFloodResult(events=sent, seconds=time.monotonic() - started)
