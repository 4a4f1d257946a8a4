"""The kubelet stopping things: a pod being deleted (grace period), a container whose image was changed."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from kubetui.sim import images
from kubetui.sim.errors import ApiError

from .base import meta
from .kubelet_status import ContainerRuntime, PodRuntime

if TYPE_CHECKING:
    from .kubelet import Kubelet


async def stop_pod(kubelet: Kubelet, rt: PodRuntime) -> None:
    """Stops a pod being deleted: Killing, the grace period (or the process's own exit), then removal."""
    if rt.task is not None:
        rt.task.cancel()
    pod = kubelet._pod(rt)
    if pod is None:
        return
    grace = float(meta(pod).get("deletionGracePeriodSeconds", 30))
    wait = 0.0
    for cr in [*rt.init_containers.values(), *rt.containers.values()]:
        if "running" in cr.state:
            kubelet._event(rt, "Killing", f"Stopping container {cr.name}", container=cr.name)
            spec = images.lookup(cr.image)
            wait = max(wait, spec.stop_seconds if spec else 0.5)
    await kubelet.clock.sleep(min(grace, wait))
    for cr in [*rt.init_containers.values(), *rt.containers.values()]:
        if "running" in cr.state:
            started = cr.state["running"].get("startedAt")
            code = 0 if wait <= grace else 137
            cr.state = {
                "terminated": {
                    "exitCode": code,
                    "reason": "Completed" if code == 0 else "Error",
                    "startedAt": started,
                    "finishedAt": kubelet.clock.stamp(),
                    "containerID": cr.container_id,
                }
            }
            if cr.current is not None:
                cr.current.finish(kubelet.clock.now(), kubelet.clock.speed)
        cr.ready = cr.started = False
    pod = kubelet._pod(rt)
    if pod is None:
        return
    if meta(pod).get("finalizers"):
        kubelet._flush(rt)
        return
    with contextlib.suppress(ApiError):
        kubelet.store.delete("pods", rt.namespace, rt.name)


async def restart_changed(
    kubelet: Kubelet, rt: PodRuntime, changed: list[ContainerRuntime], specs: dict[str, dict[str, Any]]
) -> None:
    """Restarts the containers whose image changed in the pod spec, as the kubelet does."""
    for cr in changed:
        if "running" in cr.state:
            kubelet._event(
                rt,
                "Killing",
                f"Container {cr.name} definition changed, will be restarted",
                container=cr.name,
            )
            started = cr.state["running"].get("startedAt")
            cr.last_state = {
                "terminated": {
                    "exitCode": 0,
                    "reason": "Completed",
                    "startedAt": started,
                    "finishedAt": kubelet.clock.stamp(),
                    "containerID": cr.container_id,
                }
            }
            if cr.current is not None:
                cr.current.finish(kubelet.clock.now(), kubelet.clock.speed)
                cr.previous = cr.current
            cr.restart_count += 1
        cr.image = specs[cr.name].get("image", "")
        cr.pulled = images.parse_image(cr.image).full in kubelet.node_images.get(rt.node, set())
        cr.state, cr.ready, cr.started = {"waiting": {"reason": "ContainerCreating"}}, False, False
    kubelet._flush(rt)
    # Containers that were not running (pulling, backing off) start over too: their task was cancelled.
    idle = [cr for cr in rt.containers.values() if cr not in changed and "running" not in cr.state]
    await asyncio.gather(*(kubelet._run_container(rt, cr, specs[cr.name]) for cr in [*changed, *idle]))
