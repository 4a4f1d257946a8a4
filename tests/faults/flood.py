"""``flood``: pod events at a set rate, made inside the built-in cluster.

Writes through HTTP cost the built-in cluster several milliseconds each (admission, validation, managed fields),
so a client cannot make it change 1,000 pods a second. A flood is about what watchers receive, so it is made
where etcd would be: straight into the cluster's store, on the cluster's own event loop. Watchers get the
same watch events as from API writes, and the controllers react to them as usual.

Most steps change a pod (one annotation: a MODIFIED event); every tenth creates a pod, and as many delete the
oldest the flood made once it has made ``keep``, so the set of pods changes all the time while its size stays
level (memory afterwards can then be compared with before).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

IMAGE = "registry.k8s.io/pause:3.9"
CREATE_EVERY = 10
TICK = 0.01  # seconds between batches


@dataclass
class FloodResult:
    events: int = 0
    created: int = 0
    deleted: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def pod(name: str, namespace: str) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": "flood"}},
        "spec": {
            "containers": [{"name": "pause", "image": IMAGE}],
            "terminationGracePeriodSeconds": 0,
            "restartPolicy": "Always",
        },
    }


async def flood_store(
    cluster: Any,
    namespace: str = "default",
    *,
    seconds: float,
    rate: float,
    seed_pods: int = 50,
    keep: int = 100,
    clean_up: bool = False,
) -> FloodResult:
    """Makes about ``rate`` pod events a second for ``seconds`` in ``cluster`` (a SimCluster), on its loop.

    If the cluster cannot keep up, the rate reached is lower (``FloodResult`` says what it was) and the flood
    still ends on time. With ``clean_up`` every pod it made is deleted at the end, so the cluster holds what it
    held before.
    """
    store = cluster.store
    live = [f"flood-seed-{i}" for i in range(seed_pods)]
    for name in live:
        if store.get("pods", namespace, name) is None:
            store.create("pods", cluster.admit("pods", pod(name, namespace), None))
    result = FloodResult()
    made = n = 0
    started = time.monotonic()
    most = max(1, int(rate * TICK * 5))  # a batch when behind: falling further behind beats stalling the loop
    while (elapsed := time.monotonic() - started) < seconds:
        for _ in range(min(int(rate * elapsed) - n, most)):
            n += 1
            if n % CREATE_EVERY == 0:
                made += 1
                name = f"flood-{made}"
                store.create("pods", cluster.admit("pods", pod(name, namespace), None))
                live.append(name)
                result.created += 1
            elif n % CREATE_EVERY == CREATE_EVERY // 2 and len(live) > seed_pods + keep:
                store.delete("pods", namespace, live.pop(seed_pods))  # the oldest the flood made
                result.deleted += 1
            else:
                current = store.get("pods", namespace, live[n % len(live)])
                if current is None:  # gone meanwhile (a controller took it): nothing to change
                    continue
                meta = current["metadata"]
                changed = {**meta, "annotations": {**(meta.get("annotations") or {}), "flood/n": str(n)}}
                store.update("pods", {**current, "metadata": changed}, check_version=False)
            result.events += 1
        await asyncio.sleep(TICK)
    result.seconds = time.monotonic() - started
    if clean_up:
        for name in live:
            if store.get("pods", namespace, name) is not None:
                store.delete("pods", namespace, name)
    return result


async def flood(server: Any, **kwargs: Any) -> FloodResult:
    """``flood_store`` on a SimServer running in another thread (``running_sim_thread``), awaited from this
    loop without blocking it."""
    future = asyncio.run_coroutine_threadsafe(flood_store(server.cluster, **kwargs), server.loop)
    return await asyncio.wrap_future(future)
