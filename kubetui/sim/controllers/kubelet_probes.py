"""The kubelet's readiness and liveness probes: each runs on its own period while the container runs. An exec
probe runs its command in the container (as ``kubectl exec`` would), an httpGet probe asks the app listening on
the port (2xx and 3xx succeed), a tcpSocket or grpc probe succeeds when something listens. Readiness sets the
container's ``ready``; enough liveness failures in a row kill the container, which is then restarted."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kubetui.sim import apps, container_fs
from kubetui.sim.exec_shell import Shell
from kubetui.sim.shell_net import target_port

from .kubelet_status import ContainerRuntime, PodRuntime
from .podlogs import Run

if TYPE_CHECKING:
    from .kubelet import Kubelet

Obj = dict[str, Any]


@dataclass
class Probe:
    kind: str  # "Readiness" or "Liveness", as the events name it
    handler: Obj
    initial: float
    period: float
    success_threshold: int
    failure_threshold: int
    next_at: float = 0.0  # wall-clock time of the next check
    successes: int = 0
    failures: int = 0

    @classmethod
    def of(cls, kind: str, spec: Any) -> Probe | None:
        if not isinstance(spec, dict):
            return None
        return cls(
            kind,
            spec,
            float(spec.get("initialDelaySeconds") or 0),
            float(spec.get("periodSeconds") or 10),
            int(spec.get("successThreshold") or 1),
            int(spec.get("failureThreshold") or 3),
        )


def declared(c: Obj) -> bool:
    return bool(c.get("readinessProbe") or c.get("livenessProbe"))


def check(kubelet: Kubelet, rt: PodRuntime, c: Obj, handler: Obj) -> tuple[bool, str]:
    """One probe: whether it succeeded, and what it said (the output of a command, or why it failed)."""
    pod = kubelet._pod(rt)
    if pod is None:
        return False, "the pod is gone"
    if isinstance(handler.get("exec"), dict):
        argv = [str(a) for a in handler["exec"].get("command") or []]
        if not argv:
            return False, "no command"
        shell = Shell(
            kubelet.store, container_fs.build(kubelet.store, pod, str(c["name"])), "/bin/sh", tty=False
        )
        out, err, code = shell.run(argv)
        return code == 0, (out + err).strip()
    for kind in ("httpGet", "tcpSocket", "grpc"):
        action = handler.get(kind)
        if not isinstance(action, dict):
            continue
        port = target_port(pod, action.get("port"))
        app = apps.listener(pod, port) if port is not None else None
        address = f"{(pod.get('status') or {}).get('podIP') or ''}:{action.get('port')}"
        if app is None:
            verb = "Get" if kind == "httpGet" else "dial tcp"
            target = f'"http://{address}{action.get("path") or "/"}"' if kind == "httpGet" else address
            return False, f"{verb} {target}: dial tcp {address}: connect: connection refused"
        if kind != "httpGet":
            return True, ""
        response = apps.answer(app, "GET", str(action.get("path") or "/"), "10.0.0.1:40000")
        ok = 200 <= response.status < 400
        return ok, "" if ok else f"HTTP probe failed with statuscode: {response.status}"
    return True, ""


async def watch(kubelet: Kubelet, rt: PodRuntime, cr: ContainerRuntime, c: Obj, run: Run) -> str | None:
    """Probes the container while it runs. Returns None when it exits by itself (its script's exit time), or
    the reason when liveness failed enough times in a row; a container that runs for good is probed for good."""
    clock = kubelet.clock
    probes = [
        p
        for p in (
            Probe.of("Readiness", c.get("readinessProbe")),
            Probe.of("Liveness", c.get("livenessProbe")),
        )
        if p
    ]
    for p in probes:
        p.next_at = run.start + clock.wall(p.initial)
    exit_after = run.script.exit_after
    exit_at = None if exit_after is None else run.start + clock.wall(exit_after)
    while True:
        due = min(p.next_at for p in probes)
        if exit_at is not None and exit_at <= due:
            await asyncio.sleep(max(0.0, exit_at - clock.now()))
            return None
        await asyncio.sleep(max(0.0, due - clock.now()))
        for p in probes:
            if p.next_at > due:
                continue
            p.next_at = due + clock.wall(p.period)
            ok, said = check(kubelet, rt, c, p.handler)
            p.successes, p.failures = (p.successes + 1, 0) if ok else (0, p.failures + 1)
            if not ok:
                kubelet._event(
                    rt, "Unhealthy", f"{p.kind} probe failed: {said}", warning=True, container=cr.name
                )
            if p.kind == "Readiness":
                ready = cr.ready
                if ok and p.successes >= p.success_threshold:
                    ready = True
                elif not ok and p.failures >= p.failure_threshold:
                    ready = False
                if ready != cr.ready:
                    cr.ready = ready
                    kubelet._flush(rt)
            elif not ok and p.failures >= p.failure_threshold:
                kubelet._event(
                    rt,
                    "Killing",
                    f"Container {cr.name} failed liveness probe, will be restarted",
                    container=cr.name,
                )
                return "liveness"
