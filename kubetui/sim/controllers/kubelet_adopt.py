"""Adoption: the kubelet's runtime view of a pod rebuilt from its status (after a restart, or for pods a
scenario wrote straight into the store), including log runs from saved start times."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kubetui.sim import images
from kubetui.sim.clock import parse_time

from .base import Obj, meta
from .kubelet_status import ContainerRuntime, PodRuntime, init_done
from .podlogs import Run

if TYPE_CHECKING:
    from .kubelet import Kubelet


def runtime_from_status(kubelet: Kubelet, pod: Obj) -> tuple[PodRuntime, bool]:
    """Rebuilds the kubelet's view of a pod from its status; also says whether it is steady (nothing to run)."""
    m, spec, status = meta(pod), pod.get("spec") or {}, pod.get("status") or {}
    rt = PodRuntime(
        uid=m["uid"],
        namespace=m.get("namespace") or "",
        name=m["name"],
        node=spec.get("nodeName", ""),
        containers={},
        ip=status.get("podIP", ""),
        start_time=status.get("startTime", ""),
    )
    known = {s["name"]: s for s in status.get("containerStatuses") or []}
    known_init = {s["name"]: s for s in status.get("initContainerStatuses") or []}
    steady = True
    for c in spec.get("initContainers") or []:
        cr = ContainerRuntime(name=c["name"], image=c.get("image", ""))
        st = known_init.get(c["name"])
        if st:
            cr.state, cr.last_state = st.get("state") or cr.state, st.get("lastState") or {}
            cr.ready, cr.restart_count = bool(st.get("ready")), int(st.get("restartCount") or 0)
            cr.container_id, cr.pulled = st.get("containerID", ""), bool(st.get("imageID"))
            finished = cr.state.get("terminated")
            if finished:
                cr.current = Run(
                    kubelet._script(pod, c),
                    parse_time(finished.get("startedAt")) or kubelet.clock.now(),
                    parse_time(finished.get("finishedAt")),
                )
        if not init_done(cr):
            steady = False
        rt.init_containers[cr.name] = cr
    for c in spec.get("containers") or []:
        cr = ContainerRuntime(name=c["name"], image=c.get("image", ""))
        if rt.init_containers and not all(init_done(i) for i in rt.init_containers.values()):
            cr.state = {"waiting": {"reason": "PodInitializing"}}
        st = known.get(c["name"])
        if st:
            cr.state, cr.last_state = st.get("state") or cr.state, st.get("lastState") or {}
            cr.ready, cr.started = bool(st.get("ready")), bool(st.get("started"))
            cr.restart_count = int(st.get("restartCount") or 0)
            cr.container_id = st.get("containerID", "")
            cr.pulled = bool(st.get("imageID"))
            run = cr.state.get("running") or cr.state.get("terminated")
            if run:
                saved = kubelet._saved_run(rt.uid, cr.name, 0)
                start = saved[0] if saved else parse_time(run.get("startedAt")) or kubelet.clock.now()
                cr.current = Run(kubelet._script(pod, c), start, parse_time(run.get("finishedAt")))
                if saved and saved[1] is not None:
                    cr.current.finish(saved[1], saved[2] or kubelet.clock.speed)
            if not cr.state.get("running") or (cr.current and cr.current.script.exit_after is not None):
                steady = False
            last = cr.last_state.get("terminated")
            if last:
                saved = kubelet._saved_run(rt.uid, cr.name, 1)
                start = saved[0] if saved else parse_time(last.get("startedAt")) or kubelet.clock.now()
                end = saved[1] if saved and saved[1] is not None else parse_time(last.get("finishedAt"))
                cr.previous = Run(kubelet._script(pod, c), start, end, saved[2] if saved else None)
        else:
            steady = False
        rt.containers[cr.name] = cr
    if cr_pulled := [cr for cr in rt.containers.values() if cr.pulled]:
        kubelet.node_images.setdefault(rt.node, set()).update(
            images.parse_image(cr.image).full for cr in cr_pulled
        )
    return rt, steady
