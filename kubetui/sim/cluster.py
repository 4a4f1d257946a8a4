"""``SimCluster``: the built-in cluster's object store, simulated clock, controllers, scenario and persistence."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson

from kubetui.sim import errors
from kubetui.sim.clock import Clock
from kubetui.sim.files import write_private
from kubetui.sim.store import Event, ObjectStore

from .controllers.admission import Admission
from .controllers.base import Controller, Obj, meta
from .controllers.deletion import delete_object
from .controllers.events import EventRecorder
from .controllers.index import Index
from .controllers.kubelet import Kubelet
from .controllers.kubelet_status import ContainerRuntime
from .controllers.node_health import TaintEviction
from .controllers.nodes import NodeLifecycle, PodGarbageCollector, make_node, next_node_index
from .controllers.podlogs import Run, lines_between, next_line_at, run_end, stamped
from .controllers.replicaset import ReplicaSetController
from .controllers.scheduler import Scheduler

log = logging.getLogger(__name__)

SAVE_INTERVAL = 5.0  # wall-clock seconds between state saves


class SimCluster:
    """A whole small cluster in one process. ``await start()``, use ``.store``, ``await stop()``."""

    def __init__(
        self,
        scenario: str = "empty",
        nodes: int | None = None,
        seed: int = 1,
        speed: float = 1.0,
        state: Path | str | None = None,
    ):
        self.scenario = scenario
        self.node_count = nodes
        self.seed = seed
        self.clock = Clock(speed, seed)
        self.store = ObjectStore(seed=seed, clock=self.clock.stamp)
        self.state = Path(state) if state else None
        self.index = Index()
        self.events = EventRecorder(self)
        self.admission = Admission(self)
        self.controllers: list[Controller] = []
        self.kubelet: Kubelet | None = None
        self.started = False
        self.loaded = False
        self._dispatching = True
        self._saver: asyncio.Task[None] | None = None
        self._expiry: asyncio.Task[None] | None = None

    # -- life cycle ----------------------------------------------------------------------------------------

    async def start(self) -> None:
        from kubetui.sim import scenarios

        if self.started:
            return
        if self.state is not None and self.state.exists():
            self.store.load(self.state)
            self.loaded = True
        self.index.rebuild(self.store)
        self.store.add_listener(self._dispatch)
        self.kubelet = Kubelet(self)
        runtime = self._runtime_path()
        if self.loaded and runtime is not None and runtime.exists():
            with contextlib.suppress(ValueError, OSError):
                self.kubelet.restore_runtime_state(orjson.loads(runtime.read_bytes()))
        self.controllers = [
            *self._extra_controllers(),
            ReplicaSetController(self),
            Scheduler(self),
            self.kubelet,
            NodeLifecycle(self),
            TaintEviction(self),
            PodGarbageCollector(self),
        ]
        for c in self.controllers:
            c.start()
        if not self.loaded:
            try:
                await scenarios.build(self)
            except BaseException:
                for c in self.controllers:
                    await c.stop()
                self.store.remove_listener(self._dispatch)
                raise
        self.resync()
        self.started = True
        self._expiry = asyncio.create_task(self.events.run(), name="sim-event-expiry")
        if self.state is not None:
            self.save()
            self._saver = asyncio.create_task(self._save_periodically(), name="sim-state-saver")

    def _extra_controllers(self) -> list[Controller]:
        """Controllers beyond the core ones (kept in their own modules so each can be left out while testing)."""
        out: list[Controller] = []
        with contextlib.suppress(ImportError):
            from .controllers.deployment import DeploymentController

            out.append(DeploymentController(self))
        with contextlib.suppress(ImportError):
            from .controllers.endpoints import EndpointsController

            out.append(EndpointsController(self))
        with contextlib.suppress(ImportError):
            from .controllers.workloads import DaemonSetController, StatefulSetController

            out.extend([StatefulSetController(self), DaemonSetController(self)])
        with contextlib.suppress(ImportError):
            from .controllers.jobs import CronJobController, JobController

            out.extend([JobController(self), CronJobController(self)])
        with contextlib.suppress(ImportError):
            from .controllers.volumes import VolumeBinder

            out.append(VolumeBinder(self))
        with contextlib.suppress(ImportError):
            from .controllers.gc import GarbageCollector, NamespaceController, NamespaceDefaults

            out.extend([GarbageCollector(self), NamespaceController(self), NamespaceDefaults(self)])
        return out

    def resync(self) -> None:
        """Every controller looks at everything again (after a start, a load, or a bulk build)."""
        self.index.rebuild(self.store)
        for c in self.controllers:
            c.resync()

    async def stop(self) -> None:
        for task in (self._saver, self._expiry):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._saver = self._expiry = None
        for c in self.controllers:
            await c.stop()
        self.store.remove_listener(self._dispatch)
        self.controllers = []
        self.started = False
        self.save()

    def _runtime_path(self) -> Path | None:
        return self.state.with_name(self.state.name + ".runtime") if self.state is not None else None

    def save(self) -> None:
        """Writes the store and, beside it, the container run times the kubelet needs to replay logs."""
        if self.state is None:
            return
        self.store.save(self.state)
        path = self._runtime_path()
        if path is not None and self.kubelet is not None:
            write_private(path, orjson.dumps(self.kubelet.runtime_state()))

    async def _save_periodically(self) -> None:
        last = -1
        while True:
            await asyncio.sleep(SAVE_INTERVAL)
            if self.store.rv != last:
                last = self.store.rv
                try:
                    self.save()
                except OSError as exc:
                    log.warning("could not save cluster state: %s", exc)

    def _dispatch(self, event: Event) -> None:
        self.index.on_event(event)
        if not self._dispatching:
            return
        for c in self.controllers:
            if event.rtype in c.rtypes:
                c.on_event(event)

    @contextlib.contextmanager
    def bulk(self) -> Any:
        """Writes inside are not dispatched to controllers (scenario builds); a resync follows."""
        self._dispatching = False
        try:
            yield
        finally:
            self._dispatching = True
            if self.controllers:
                self.resync()

    # -- API layer hooks -----------------------------------------------------------------------------------

    def admit(self, rtype: str, obj: Obj, old: Obj | None = None) -> Obj:
        """Mutating admission: fills defaults and allocates Service IPs and ports; may raise ApiError."""
        return self.admission.admit(rtype, obj, old)

    def delete(
        self,
        rtype: str,
        namespace: str,
        name: str,
        *,
        propagation: str | None = None,
        grace_seconds: int | None = None,
        uid: str | None = None,
    ) -> Obj:
        """Deletes as the API server does (grace periods, finalizers, propagationPolicy)."""
        return delete_object(
            self, rtype, namespace, name, propagation=propagation, grace_seconds=grace_seconds, uid=uid
        )

    # -- nodes ---------------------------------------------------------------------------------------------

    def add_node(self, name: str | None = None, *, ready: bool = False) -> Obj:
        """Registers a worker node; it turns Ready after the kubelet's start-up delay (or at once)."""
        nodes = list(self.store.iter("nodes"))
        index = next_node_index(nodes)
        if name is None:
            n = len([x for x in nodes if "worker" in meta(x)["name"]]) + 1
            name = "kubetui-worker" if n == 1 else f"kubetui-worker{n}"
            while self.store.get("nodes", "", name) is not None:
                n += 1
                name = f"kubetui-worker{n}"
        node = make_node(name, index, control_plane=False, tainted=False, ready=ready, now=self.clock.stamp())
        return self.store.create("nodes", node)

    def stop_kubelet(self, name: str) -> None:
        """The node is lost: its kubelet stops posting status; after the grace period the node turns Unknown,
        is tainted unreachable, and its pods are evicted as their tolerations allow."""
        assert self.kubelet is not None, "the cluster is not started"
        self.kubelet.stop_node(name)
        for c in self.controllers:
            if isinstance(c, NodeLifecycle):
                c.enqueue(("", name))

    def start_kubelet(self, name: str) -> None:
        """The lost node's kubelet is back: the node turns Ready and its taints go."""
        assert self.kubelet is not None, "the cluster is not started"
        self.kubelet.resume_node(name)

    def remove_node(self, name: str) -> Obj:
        """Removes a node; its pods are deleted and their controllers replace them on other nodes."""
        return self.store.delete("nodes", "", name)

    # -- logs ----------------------------------------------------------------------------------------------

    def _container(
        self, namespace: str, pod_name: str, container: str | None
    ) -> tuple[Obj, ContainerRuntime]:
        pod = self.store.must_get("pods", namespace, pod_name)
        names = [c["name"] for c in (pod.get("spec") or {}).get("containers") or []]
        init_names = [c["name"] for c in (pod.get("spec") or {}).get("initContainers") or []]
        if not container:
            default = (meta(pod).get("annotations") or {}).get("kubectl.kubernetes.io/default-container")
            if default in names:
                container = default
            elif len(names) == 1:
                container = names[0]
            else:
                raise errors.bad_request(
                    f"a container name must be specified for pod {pod_name}, choose one of: [{' '.join(names)}]"
                )
        if container not in names and container not in init_names:
            raise errors.bad_request(f"container {container} is not valid for pod {pod_name}")
        assert self.kubelet is not None, "the cluster is not started"
        rt = self.kubelet.runtimes.get((namespace, pod_name))
        if rt is None or rt.uid != meta(pod)["uid"]:
            rt = self.kubelet._adopt(pod, passive=True)
        return pod, rt.containers.get(str(container)) or rt.init_containers[str(container)]

    def _run_for(self, namespace: str, pod_name: str, container: str | None, previous: bool) -> Run:
        _pod, cr = self._container(namespace, pod_name, container)
        if previous:
            if cr.previous is None:
                raise errors.bad_request(
                    f'previous terminated container "{cr.name}" in pod "{pod_name}" not found'
                )
            return cr.previous
        if cr.current is None:
            reason = (cr.state.get("waiting") or {}).get("reason", "ContainerCreating")
            raise errors.bad_request(
                f'container "{cr.name}" in pod "{pod_name}" is waiting to start: {reason}'
            )
        return cr.current

    def pod_log(
        self, namespace: str, pod: str, container: str | None = None, previous: bool = False
    ) -> list[tuple[str, str]]:
        """The container's log so far as (RFC3339Nano timestamp, line) pairs, oldest first (at most 10,000)."""
        run = self._run_for(namespace, pod, container, previous)
        return stamped(lines_between(run, self.clock.speed, None, self.clock.now()))

    async def follow_log(
        self, namespace: str, pod: str, container: str | None = None, since: float | None = None
    ) -> AsyncIterator[tuple[str, str]]:
        """New lines as they are written (after ``since``, wall-clock seconds; default now) until the run ends."""
        run = self._run_for(namespace, pod, container, False)
        uid = meta(self.store.must_get("pods", namespace, pod))["uid"]
        speed = self.clock.speed
        last = self.clock.now() if since is None else since
        while True:
            now = self.clock.now()
            for item in stamped(lines_between(run, speed, last, now)):
                yield item
            last = now
            end = run_end(run, speed)
            if end is not None and end <= now:
                return
            current = self.store.get("pods", namespace, pod)
            if current is None or meta(current).get("uid") != uid:
                return
            nxt = next_line_at(run, speed, last)
            wait = 0.5 if nxt is None else min(0.5, max(0.02, nxt - now))
            await asyncio.sleep(wait)

    # -- helpers for scenarios and tests -------------------------------------------------------------------

    def build_nodes(self, count: int) -> None:
        """The scenario's nodes: a control plane, then workers (the control plane is tainted when workers exist)."""
        now = self.clock.stamp()
        for i in range(count):
            name = "kubetui-control-plane" if i == 0 else "kubetui-worker" if i == 1 else f"kubetui-worker{i}"
            node = make_node(name, i, control_plane=i == 0, tainted=count > 1, ready=True, now=now)
            self.store.create("nodes", node)
