"""The simulated kubelet of every node: pulls images, runs containers by their image's script, restarts them
with back-off, reports pod status, and stops pods within their grace period."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import zlib
from collections.abc import Iterable
from typing import Any

from kubetui.sim import images
from kubetui.sim.errors import ApiError
from kubetui.sim.store import DELETED, Event

from . import kubelet_probes
from .base import Controller, Key, Obj, controller_ref, key_of, meta
from .kubelet_adopt import runtime_from_status
from .kubelet_lifecycle import restart_changed, stop_pod
from .kubelet_pull import pull_image
from .kubelet_status import (
    ContainerRuntime,
    PodRuntime,
    backoff_text,
    container_id,
    init_done,
    pod_status,
    random_streams,
)
from .nodes import node_conditions
from .podlogs import Run

log = logging.getLogger(__name__)

MAX_BACKOFF = 300.0


class Kubelet(Controller):
    name = "kubelet"
    rtypes = ("pods", "nodes")

    def __init__(self, cluster: Any):
        super().__init__(cluster)
        self.runtimes: dict[Key, PodRuntime] = {}
        self._saved_runs: dict[str, Any] = {}
        self.node_images: dict[str, set[str]] = {}
        self._last_ip: dict[str, int] = {}  # node -> offset of the address it handed out last
        self.silent: dict[str, float] = {}  # node -> when its kubelet stopped posting status (a lost node)

    # -- wiring --------------------------------------------------------------------------------------------

    def keys_for(self, event: Event) -> Iterable[Key]:
        if event.rtype == "pods":
            if event.type == DELETED:
                self._forget(key_of(event.obj), meta(event.obj).get("uid", ""))
                return ()
            if (event.obj.get("spec") or {}).get("nodeName"):
                return [key_of(event.obj)]
            return ()
        if event.type == DELETED:
            self.node_images.pop(meta(event.obj)["name"], None)
            self._last_ip.pop(meta(event.obj)["name"], None)
            self.silent.pop(meta(event.obj)["name"], None)
        return ()

    # -- a node's kubelet going away and coming back ----------------------------------------------------------

    def stop_node(self, name: str) -> None:
        """The node's kubelet stops: no more status from it or its pods, and nothing it would stop is stopped
        (the node lifecycle controller notices once the grace period has passed)."""
        self.silent.setdefault(name, self.clock.now())

    def resume_node(self, name: str) -> None:
        """The node's kubelet is back: it posts Ready again and catches up with its pods."""
        if self.silent.pop(name, None) is None:
            return
        node = self.store.get("nodes", "", name)
        if node is not None:
            status = {**(node.get("status") or {}), "conditions": node_conditions(True, self.clock.stamp())}
            self.store.update("nodes", {**node, "status": status}, check_version=False, subresource="status")
        for key in sorted(self.cluster.index.pods_on_node.get(name, ())):
            rt = self.runtimes.get(key)
            if rt is not None:
                self._flush(rt)
            self.enqueue(key)

    def resync(self) -> None:
        for pod in self.store.iter("pods"):
            if (pod.get("spec") or {}).get("nodeName"):
                self.enqueue(key_of(pod))

    async def stop(self) -> None:
        tasks = [t for rt in self.runtimes.values() for t in (rt.task, rt.stopping) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await super().stop()

    def _forget(self, key: Key, uid: str) -> None:
        rt = self.runtimes.get(key)
        if rt is not None and rt.uid == uid:
            if rt.task is not None:
                rt.task.cancel()
            if rt.stopping is not None and rt.stopping is not asyncio.current_task():
                rt.stopping.cancel()
            del self.runtimes[key]
            self.clock.forget(
                *(s for c in (*rt.init_containers, *rt.containers) for s in random_streams(rt, c))
            )

    def reconcile(self, key: Key) -> None:
        pod = self.store.get("pods", *key)
        if pod is None:
            return
        m = meta(pod)
        node = (pod.get("spec") or {}).get("nodeName", "")
        if self.store.get("nodes", "", node) is None or node in self.silent:
            return  # the pod garbage collector removes pods of vanished nodes; a lost node's kubelet is gone
        rt = self.runtimes.get(key)
        if rt is not None and rt.uid != m["uid"]:
            self._forget(key, rt.uid)
            rt = None
        if m.get("deletionTimestamp"):
            if rt is None:
                rt = self.runtimes[key] = self._adopt(pod, passive=True)
            if rt.stopping is None:
                rt.stopping = asyncio.create_task(self._stop_pod(rt))
            elif rt.stopping.done() and not m.get("finalizers"):
                # Stopped earlier but held by a finalizer that is now gone.
                with contextlib.suppress(ApiError):
                    self.store.delete("pods", rt.namespace, rt.name)
            return
        if rt is not None:
            self._apply_image_changes(rt, pod)
            return
        if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
            self.runtimes[key] = self._adopt(pod, passive=True)
            return
        rt = self._adopt(pod, passive=False)
        self.runtimes[key] = rt

    # -- a container's image changed in the pod spec (the one mutable part of a running pod) ---------------

    def _apply_image_changes(self, rt: PodRuntime, pod: Obj) -> None:
        specs = {c["name"]: c for c in (pod.get("spec") or {}).get("containers") or []}
        changed = [
            cr for name, cr in rt.containers.items() if name in specs and specs[name].get("image") != cr.image
        ]
        if not changed or rt.stopping is not None:
            return
        if rt.task is not None and not rt.task.done():
            rt.task.cancel()
        rt.task = asyncio.create_task(self._restart_changed(rt, changed, specs))

    async def _restart_changed(
        self, rt: PodRuntime, changed: list[ContainerRuntime], specs: dict[str, dict[str, Any]]
    ) -> None:
        await restart_changed(self, rt, changed, specs)

    # -- what containerd would remember across a restart: precise start and end times of each run ------------

    def runtime_state(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for rt in self.runtimes.values():
            for cr in rt.containers.values():
                runs = [[r.start, r.end, r.speed] if r else None for r in (cr.current, cr.previous)]
                if any(runs):
                    out[f"{rt.uid}/{cr.name}"] = runs
        return out

    def restore_runtime_state(self, data: dict[str, Any]) -> None:
        self._saved_runs = data

    def _saved_run(self, uid: str, name: str, which: int) -> tuple[float, float | None, float | None] | None:
        runs = self._saved_runs.get(f"{uid}/{name}")
        if not runs or len(runs) <= which or not runs[which]:
            return None
        start, end, speed = [*runs[which], None, None][:3]
        return float(start), (float(end) if end is not None else None), (float(speed) if speed else None)

    # -- adoption after a restart or a scenario built straight into the store --------------------------------

    def _adopt(self, pod: Obj, *, passive: bool) -> PodRuntime:
        """A runtime for a pod this kubelet did not start (after a restart, or built by a scenario)."""
        rt, steady = runtime_from_status(self, pod)
        if not passive and not steady:
            rt.task = asyncio.create_task(self._run_pod(rt), name=f"kubelet-{rt.namespace}/{rt.name}")
        return rt

    # -- running -------------------------------------------------------------------------------------------

    def _pod(self, rt: PodRuntime) -> Obj | None:
        pod = self.store.get("pods", rt.namespace, rt.name)
        if pod is None or meta(pod).get("uid") != rt.uid:
            return None
        return pod

    def _flush(self, rt: PodRuntime) -> None:
        pod = self._pod(rt)
        if pod is None or rt.node in self.silent:
            return
        node = self.store.get("nodes", "", rt.node)
        host_ip = _internal_ip(node) if node else ""
        status = pod_status(rt, pod, self.clock.stamp(), host_ip)
        ready = any(c["type"] == "Ready" and c["status"] == "True" for c in status["conditions"])
        if ready and rt.ready_since is None:
            rt.ready_since = self.clock.now()
        elif not ready:
            rt.ready_since = None
        if status != pod.get("status"):
            with contextlib.suppress(ApiError):
                self.store.update(
                    "pods", {**pod, "status": status}, check_version=False, subresource="status"
                )

    def _event(
        self, rt: PodRuntime, reason: str, message: str, *, warning: bool = False, container: str = ""
    ) -> None:
        pod = self._pod(rt)
        if pod is None:
            return
        self.cluster.events.record(
            pod,
            reason,
            message,
            type="Warning" if warning else "Normal",
            component="kubelet",
            host=rt.node,
            field_path=(
                f"spec.{'initContainers' if container in rt.init_containers else 'containers'}{{{container}}}"
                if container
                else ""
            ),
        )

    async def _run_pod(self, rt: PodRuntime) -> None:
        try:
            await self._run_pod_containers(rt)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("kubelet: running pod %s/%s failed", rt.namespace, rt.name)

    async def _run_pod_containers(self, rt: PodRuntime) -> None:
        if not rt.ip:
            rt.ip = self._allocate_ip(rt.node)
        if not rt.start_time:
            rt.start_time = self.clock.stamp()
        self._flush(rt)
        pod = self._pod(rt)
        if pod is None:
            return
        inits = {c["name"]: c for c in (pod.get("spec") or {}).get("initContainers") or []}
        for name, cr in rt.init_containers.items():
            if not init_done(cr) and not await self._run_container(rt, cr, inits[name], init=True):
                return  # stuck or failed: the main containers never start
        specs = {c["name"]: c for c in (pod.get("spec") or {}).get("containers") or []}
        await asyncio.gather(
            *(self._run_container(rt, cr, specs[name]) for name, cr in rt.containers.items())
        )

    async def _run_container(
        self, rt: PodRuntime, cr: ContainerRuntime, c: dict[str, Any], *, init: bool = False
    ) -> bool:
        """Runs one container until it runs for good (or, for an init container, until it succeeded: True)."""
        stream = random_streams(rt, cr.name)[0]
        while True:
            pod = self._pod(rt)
            if pod is None:
                return False
            if not cr.pulled or c.get("imagePullPolicy") == "Always":
                await self._pull(rt, cr, c)
            else:
                self._event(
                    rt,
                    "Pulled",
                    f'Container image "{cr.image}" already present on machine',
                    container=cr.name,
                )
            self._event(rt, "Created", f"Created container {cr.name}", container=cr.name)
            self._event(rt, "Started", f"Started container {cr.name}", container=cr.name)
            run = Run(self._script(pod, c), self.clock.now())
            cr.current = run
            cr.container_id = container_id(rt.uid, cr.name, cr.restart_count)
            cr.state = {"running": {"startedAt": self.clock.stamp(run.start)}}
            cr.started = True
            exit_after = run.script.exit_after
            probed = not init and kubelet_probes.declared(c)
            # With a readiness probe, a container is ready once the probe has succeeded, not when it starts.
            cr.ready = exit_after != 0 and not init and not c.get("readinessProbe")
            self._flush(rt)
            killed = await kubelet_probes.watch(self, rt, cr, c, run) if probed else None
            if killed is not None:
                code, end = await self._kill_for_liveness(pod, cr), self.clock.now()
            elif exit_after is None:
                return not init  # an init container that never exits holds the pod in Init
            else:
                await asyncio.sleep(max(0.0, run.start + self.clock.wall(exit_after) - self.clock.now()))
                code, end = run.script.exit_code, run.start + self.clock.wall(exit_after)
            run.finish(end, self.clock.speed)
            terminated = {
                "exitCode": code,
                "reason": "Completed" if code == 0 else "Error",
                "startedAt": self.clock.stamp(run.start),
                "finishedAt": self.clock.stamp(run.end),
                "containerID": cr.container_id,
            }
            cr.state, cr.ready, cr.started = {"terminated": terminated}, init and code == 0, False
            policy = (pod.get("spec") or {}).get("restartPolicy", "Always")
            self._flush(rt)
            if init and code == 0:
                return True
            if not (policy == "Always" or (policy == "OnFailure" and code != 0)) or (
                init and policy == "Never"
            ):
                return False
            # A container that ran ten minutes without failing starts its back-off afresh, as in the kubelet.
            if self.clock.sim_elapsed(run.start, run.end) > 600:
                cr.crashes = 0
            delay = 0.0 if cr.crashes == 0 else min(10.0 * 2 ** (cr.crashes - 1), MAX_BACKOFF)
            cr.crashes += 1
            await self.clock.sleep(1.0)
            cr.last_state = {"terminated": terminated}
            if delay:
                cr.state = {
                    "waiting": {
                        "reason": "CrashLoopBackOff",
                        "message": f"back-off {backoff_text(delay)} restarting failed container={cr.name} "
                        f"pod={rt.name}_{rt.namespace}({rt.uid})",
                    }
                }
                self._event(
                    rt,
                    "BackOff",
                    f"Back-off restarting failed container {cr.name} in pod {rt.name}_{rt.namespace}({rt.uid})",
                    warning=True,
                    container=cr.name,
                )
                self._flush(rt)
                await self.clock.sleep(self.clock.jitter(stream, delay, 0.05))
            cr.previous = run
            cr.restart_count += 1

    async def _kill_for_liveness(self, pod: Obj, cr: ContainerRuntime) -> int:
        """Stops a container that failed its liveness probe, as a pod deletion would: its exit code."""
        spec = images.lookup(cr.image)
        wait = spec.stop_seconds if spec else 0.5
        grace = float((pod.get("spec") or {}).get("terminationGracePeriodSeconds", 30))
        await self.clock.sleep(min(grace, wait))
        return 0 if wait <= grace else 137

    async def _pull(self, rt: PodRuntime, cr: ContainerRuntime, c: dict[str, Any]) -> None:
        await pull_image(self, rt, cr)

    def _script(self, pod: Obj, c: dict[str, Any]) -> images.LogScript:
        spec = images.lookup(c.get("image", ""))
        m = meta(pod)
        env = {e["name"]: str(e.get("value", "")) for e in c.get("env") or [] if "name" in e}
        ctx = images.LogContext(
            namespace=m.get("namespace") or "",
            pod=m["name"],
            container=c["name"],
            command=[*(c.get("command") or []), *(c.get("args") or [])],
            env=env,
            pod_ip=(pod.get("status") or {}).get("podIP", ""),
            seed=self.clock.seed,
            start=self.clock.now(),
            is_consumer=lambda: self.is_consumer(pod),
        )
        return spec.script(ctx) if spec else images.LogScript()

    def ready_since(self, pod: Obj) -> float | None:
        """When the pod became Ready, precisely, if this kubelet saw it happen."""
        rt = self.runtimes.get(key_of(pod))
        return rt.ready_since if rt is not None and rt.uid == meta(pod).get("uid") else None

    def is_consumer(self, pod: Obj) -> bool:
        """Whether this pod holds the one Kafka partition among its ReplicaSet's live pods (journey step 11)."""
        ref = controller_ref(pod)
        if ref is None:
            return True
        ns = meta(pod).get("namespace") or ""
        names = [
            name
            for pns, name in self.cluster.index.owned(ref["uid"], "pods")
            if (p := self.store.get("pods", pns, name)) is not None and not meta(p).get("deletionTimestamp")
        ]
        if not names:
            return False
        chosen = min(names, key=lambda n: zlib.crc32(f"{self.clock.seed}:{ns}/{n}".encode()))
        return chosen == meta(pod)["name"]

    # -- stopping ------------------------------------------------------------------------------------------

    async def _stop_pod(self, rt: PodRuntime) -> None:
        await stop_pod(self, rt)

    # -- addresses -----------------------------------------------------------------------------------------

    def _allocate_ip(self, node_name: str) -> str:
        """The next free address of the node's podCIDR after the one handed out last, as host-local IPAM does.

        A freed address is not reused until the range wraps around, so a pod started while an old one is still
        terminating gets the same address however long the old one takes to go: IPs do not depend on timing.
        """
        node = self.store.get("nodes", "", node_name)
        cidr = ((node or {}).get("spec") or {}).get("podCIDR") or "10.42.0.0/24"
        net = ipaddress.ip_network(cidr, strict=False)
        used = set()
        for ns, name in self.cluster.index.pods_on_node.get(node_name, ()):
            pod = self.store.get("pods", ns, name)
            ip = ((pod or {}).get("status") or {}).get("podIP")
            if ip:
                used.add(ip)
        used.update(rt.ip for rt in self.runtimes.values() if rt.node == node_name and rt.ip)
        first, size = 2, net.num_addresses - 3  # offsets 2 .. broadcast-1 (.1 is the node's bridge)
        last = self._last_ip.get(node_name)
        if last is None:  # after a restart: carry on after the highest address in use
            offsets = [o for o in (_offset(net, ip) for ip in used) if o is not None]
            last = max(offsets, default=first - 1)
        for step in range(1, size + 1):
            offset = first + (last - first + step) % size
            ip = str(net.network_address + offset)
            if ip not in used:
                self._last_ip[node_name] = offset
                return ip
        return str(net.network_address + first)


def _offset(net: ipaddress.IPv4Network | ipaddress.IPv6Network, ip: str) -> int | None:
    """Where ``ip`` sits in ``net`` (None when it is not an address of it)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    return int(address) - int(net.network_address) if address in net else None


def _internal_ip(node: Obj) -> str:
    for addr in (node.get("status") or {}).get("addresses") or []:
        if addr.get("type") == "InternalIP":
            return str(addr.get("address", ""))
    return ""
