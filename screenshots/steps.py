"""What each screenshot view does before its picture is taken: wait for the panes, type commands, create objects.

Every step is ``async (pilot, sim)`` and may return a function that undoes what it froze (clocks, ages).
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console

from kubetui.sim.server import SimServer

# -- waiting and driving ----------------------------------------------------------------------------------------


async def until(pilot: Any, check: Callable[[], Any], what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"screenshot: timed out waiting for {what}")
        await pilot.pause(0.05)


async def settled(pilot: Any, sim: SimServer) -> None:
    """Every pane shows every object of the cluster and the session has nothing left to announce."""
    expected = {
        "pods": len(sim.store.list("pods", "default")),
        "deployments": len(sim.store.list("deployments.apps", "default")),
        "services": len(sim.store.list("services", "default")),
        "nodes": len(sim.store.list("nodes")),
    }

    def done() -> bool:
        screen = pilot.app.screen
        return bool(
            getattr(screen, "ready", False)
            and all(screen.table(kind).row_count == n for kind, n in expected.items())
            and pilot.app.session.settled
            and getattr(screen, "metrics", None) is not None  # the CPU/MEM columns are in
        )

    try:
        await until(pilot, done, "the panes to fill")
    except RuntimeError:
        screen = pilot.app.screen
        counts = {k: screen.table(k).row_count for k in expected} if getattr(screen, "ready", False) else None
        state = (
            pilot.app.session.connection_state(),
            len(pilot.app.session.store.list("pods", "default")),
            type(screen).__name__,
        )
        raise RuntimeError(f"panes did not fill: want {expected}, have {counts}, session {state}") from None
    await quiet(pilot)


async def quiet(pilot: Any) -> None:
    """Lets queued messages be handled and the screen repaint."""
    await pilot.pause(0.2)
    await pilot.pause()


async def select_row(pilot: Any, kind: str, name: str) -> None:
    """Moves the cursor of the focused ``kind`` pane down to the object called ``name``, as a person would."""
    screen = pilot.app.screen
    await pilot.press("g")
    for _ in range(screen.table(kind).row_count):
        obj = screen.selected(kind)
        if obj is not None and obj["metadata"]["name"] == name:
            return
        await pilot.press("j")
    raise RuntimeError(f"screenshot: no {kind} row {name!r}")


async def command(pilot: Any, text: str) -> None:
    await pilot.press(":", *text, "enter")
    await pilot.pause()


async def traffic_path(pilot: Any, sim: SimServer) -> None:
    await command(pilot, "svc")
    await select_row(pilot, "services", "hello-node")
    await until(pilot, lambda: "→ pod" in _traffic_text(pilot.app), "the traffic path")


def _traffic_text(app: Any) -> str:
    from kubetui.widgets.traffic import TrafficPathView

    console = Console(width=200, file=io.StringIO(), record=True)
    console.print(app.screen.query_one(TrafficPathView).render())
    return console.export_text()


async def rollout_undo(pilot: Any, sim: SimServer) -> Callable[[], None]:
    from kubetui.app import FROZEN_AGE_SECONDS
    from kubetui.screens.dialogs import undo

    # Revision ages are the dialog's only clock-dependent text: freeze them as the app freezes row ages.
    real_age = undo.age
    undo.age = lambda created, now=None: real_age(created, _epoch(created) + FROZEN_AGE_SECONDS)

    def thaw() -> None:
        undo.age = real_age

    await command(pilot, "deploy")
    await select_row(pilot, "deployments", "kubernetes-bootcamp")
    await pilot.press("u")
    await until(pilot, lambda: isinstance(pilot.app.screen, undo.RolloutUndoDialog), "the undo dialog")
    return thaw


def _epoch(value: Any) -> float:
    from datetime import datetime

    from kubetui.cluster.render import parse_time

    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, int | float):
        return float(value)
    return parse_time(value) or 0.0


# Seconds of myapp's life its logs show: long enough for producer and consumer lines from every pod.
LOG_SECONDS = 10.5


async def multi_pod_logs(pilot: Any, sim: SimServer) -> Callable[[], None]:
    from kubetui.screens.logs import LogsScreen

    await command(pilot, "ns shop")
    await until(pilot, lambda: pilot.app.session.view_namespace == "shop", "namespace shop")
    await until(pilot, lambda: pilot.app.session.settled, "the shop namespace")
    await quiet(pilot)
    await command(pilot, "deploy")
    await select_row(pilot, "deployments", "myapp")
    thaw = freeze_clock(sim, "shop", "myapp")
    await pilot.press("l")
    screen = await until(
        pilot, lambda: isinstance(pilot.app.screen, LogsScreen) and pilot.app.screen, "the logs screen"
    )

    def every_line() -> bool:
        return screen.view.buffer.shown_count >= 3 * (4 + int(LOG_SECONDS))

    await until(pilot, every_line, "log lines of myapp's three pods")
    # Each pod's stream opens in its own time, so the order of their first bursts varies from run to run.
    # Show them as they read when the streams open together: the states, then every line in time order.
    from kubetui.cluster.logs_model import LogLine, LogStatus

    items = list(screen.view.buffer.iter_shown())
    states = sorted((i for i in items if isinstance(i, LogStatus)), key=lambda i: (i.pod, i.container))
    lines = sorted((i for i in items if isinstance(i, LogLine)), key=lambda i: (i.ts, i.pod))
    screen.view.clear()
    screen.view.add_items([*states, *lines])
    await until(pilot, lambda: screen.view.buffer.shown_count == len(items), "the reordered lines")
    return thaw


def freeze_clock(sim: SimServer, namespace: str, app_label: str) -> Callable[[], None]:
    """Stops the built-in cluster's clock ``LOG_SECONDS`` after the last of the app's containers started.

    Log lines are computed from the wall clock, so a stopped clock gives the same lines on every run (the speed
    is 1 meanwhile, so those seconds hold a line a second). Returns what undoes it.
    """
    cluster: Any = sim.cluster
    clock = cluster.clock
    starts = []
    for pod in sim.store.list("pods", namespace):
        if (pod["metadata"].get("labels") or {}).get("app") == app_label:
            starts.append(cluster._run_for(namespace, pod["metadata"]["name"], None, False).start)
    speed = clock.speed
    clock.speed = 1.0
    frozen = max(starts) + LOG_SECONDS
    clock.now = lambda: frozen

    def thaw() -> None:
        del clock.now  # back to the class's wall clock
        clock.speed = speed

    return thaw


async def clusters(pilot: Any, sim: SimServer) -> None:
    from kubetui.screens.clusters import ClustersScreen

    await command(pilot, "clusters")
    screen = await until(
        pilot, lambda: isinstance(pilot.app.screen, ClustersScreen) and pilot.app.screen, "the clusters view"
    )
    await until(pilot, lambda: screen.discovery is not None, "cluster discovery")


async def metrics_columns(pilot: Any, sim: SimServer) -> None:
    await command(pilot, "pods")
    await pilot.press("0")  # every namespace
    await pilot.press("z")
    await pilot.press("M")  # sorted by memory, largest first
    await until(pilot, lambda: pilot.app.screen.table("pods").row_count > 3, "every namespace's pods")
    await quiet(pilot)


FORWARD_PORT = 28080  # fixed so the picture is the same every time


async def port_forwards(pilot: Any, sim: SimServer) -> None:
    from kubetui.screens.forwards import ForwardsScreen

    await command(pilot, "svc")
    await select_row(pilot, "services", "hello-node")
    await pilot.press("F")
    dialog = await until(
        pilot, lambda: pilot.app.screen if pilot.app.screen.query("#local") else None, "dialog"
    )
    dialog.query_one("#local").value = str(FORWARD_PORT)
    await pilot.press("enter")
    await until(pilot, lambda: not pilot.app.screen.query("#local"), "the forward to start")
    reader, writer = await asyncio.open_connection("127.0.0.1", FORWARD_PORT)
    writer.write(b"GET /hostname HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
    await asyncio.wait_for(reader.read(-1), 20)
    writer.close()
    await pilot.press("ctrl+f")
    await until(pilot, lambda: isinstance(pilot.app.screen, ForwardsScreen), "the forwards view")
    await pilot.pause(1.2)
    pilot.app.clear_notifications()
    await quiet(pilot)


async def help_screen(pilot: Any, sim: SimServer) -> None:
    from kubetui.screens.help import HelpScreen

    await pilot.press("question_mark")
    await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen), "the help screen")


async def _create(path: str, body: dict[str, Any]) -> None:
    """Creates an object through the API, as kubectl would (the cluster runs on its own thread)."""
    from kubetui.cluster.connection import Connection

    conn = await Connection.open(kubeconfig_path="kubeconfig")
    try:
        await conn.request("POST", path, body=body)
    finally:
        await conn.close()


def _b64(text: str) -> str:
    import base64

    return base64.b64encode(text.encode()).decode()


async def kind_list(pilot: Any, name: str, count: int) -> None:
    from kubetui.screens.kind_list import KindListScreen

    await command(pilot, name)
    screen = await until(
        pilot, lambda: isinstance(pilot.app.screen, KindListScreen) and pilot.app.screen, f"the {name} list"
    )
    await until(pilot, lambda: screen.table.row_count >= count, f"{count} {name}")


async def secrets_view(pilot: Any, sim: SimServer) -> None:
    auths = {
        "auths": {
            "registry.example.com": {"username": "robot", "password": "not-shown", "auth": _b64("robot:x")}
        }
    }
    import json

    await _create(
        "/api/v1/namespaces/default/secrets",
        {
            "metadata": {"name": "regcred"},
            "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": _b64(json.dumps(auths))},
        },
    )
    await _create(
        "/api/v1/namespaces/default/secrets",
        {
            "metadata": {"name": "app-config"},
            "type": "Opaque",
            "data": {"token": _b64("t"), "user": _b64("u")},
        },
    )
    await kind_list(pilot, "secrets", 2)


CRONTAB_CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": "crontabs.stable.example.com"},
    "spec": {
        "group": "stable.example.com",
        "scope": "Namespaced",
        "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab", "shortNames": ["ct"]},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                },
                "additionalPrinterColumns": [
                    {"name": "Spec", "type": "string", "jsonPath": ".spec.cronSpec"},
                    {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
                    {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                ],
            }
        ],
    },
}


async def crd_list(pilot: Any, sim: SimServer) -> None:
    await _create("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", CRONTAB_CRD)
    for name, spec, replicas in (("nightly", "0 3 * * *", 1), ("every-five", "*/5 * * * *", 2)):
        await _create(
            "/apis/stable.example.com/v1/namespaces/default/crontabs",
            {
                "apiVersion": "stable.example.com/v1",
                "kind": "CronTab",
                "metadata": {"name": name},
                "spec": {"cronSpec": spec, "replicas": replicas},
            },
        )
    await kind_list(pilot, "crontabs", 2)
