"""Renders the SVG screenshots of kubetui's main views from the deterministic ``demo`` scenario.

The built-in cluster runs in-process on its own thread (seed 1), settled and then nearly frozen (speed 0.001);
the app runs with frozen ages and the Logs pane held back, so the same code gives the same files every time.
Usage (from the repository root):

    python screenshots/make.py            # writes screenshots/*.svg
    python screenshots/make.py --out DIR --only dashboard-80x24 help
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from rich.console import Console  # noqa: E402

from kubetui.app import KubeApp  # noqa: E402
from kubetui.config import Settings  # noqa: E402
from kubetui.session import SessionConfig  # noqa: E402
from kubetui.sim.server import SimServer  # noqa: E402
from kubetui.sim.testing import running_sim_thread  # noqa: E402
from kubetui.widgets.logs_pane import LogsPane  # noqa: E402

OUT = Path(__file__).resolve().parent
THEMES = ("kubetui-dark", "kubetui-light", "kubetui-high-contrast", "kubetui-16", "kubetui-mono")
Steps = Callable[[Any, SimServer], Awaitable[Callable[[], None] | None]]


@dataclass(frozen=True)
class View:
    name: str
    size: tuple[int, int]
    caption: str
    steps: Steps | None = None
    theme: str = "kubetui-dark"


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


VIEWS: tuple[View, ...] = (
    View("dashboard-80x24", (80, 24), "The main screen at 80×24: panes become tabs so nothing is cut."),
    View("dashboard-160x48", (160, 48), "The main screen on a wide terminal: every pane live at once."),
    View(
        "traffic-path",
        (160, 48),
        "The LoadBalancer Service hello-node: load balancer → NodePort on each node → ClusterIP → pod IPs.",
        traffic_path,
    ),
    View(
        "rollout-undo",
        (160, 48),
        "u on kubernetes-bootcamp: pick the revision to roll back to and see what changes.",
        rollout_undo,
    ),
    View(
        "multi-pod-logs",
        (160, 48),
        "l on myapp: its three pods' logs in one view, each line tagged with its pod: all produce, one consumes.",
        multi_pod_logs,
    ),
    View(
        "clusters",
        (120, 36),
        ":clusters: local clusters by provider (k3d, kind, minikube, built-in) and Docker's state; here only the "
        "built-in cluster this run started.",
        clusters,
    ),
    View(
        "metrics-columns",
        (200, 40),
        "CPU and memory from metrics.k8s.io, as kubectl top prints them, with % of requests and limits; M sorts.",
        metrics_columns,
    ),
    View(
        "port-forwards",
        (120, 36),
        "F on the Service hello-node forwards a local port to one of its ready pods; ctrl+f lists the forwards.",
        port_forwards,
    ),
    View("help", (120, 36), "? lists every key, with the binding id to remap it.", help_screen),
    View(
        "secrets",
        (120, 36),
        ":secrets: any kind by name, with the server's columns; values stay masked until x on one Secret.",
        secrets_view,
    ),
    View(
        "crd-list",
        (120, 36),
        ":crontabs: a CRD's custom resources by their plural, with the CRD's printer columns.",
        crd_list,
    ),
    *(
        View(f"theme-{theme}", (120, 36), f"The dashboard in the {theme} theme.", theme=theme)
        for theme in THEMES
    ),
)


# -- rendering --------------------------------------------------------------------------------------------------


def export_svg(app: Any, unique_id: str) -> str:
    """The current screen as SVG, like ``App.export_screenshot`` but with a fixed id instead of a content hash."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return console.export_svg(title="kubetui", unique_id=unique_id)


async def shoot(view: View, sim: SimServer, workdir: Path) -> str:
    config = SessionConfig(kubeconfig="kubeconfig", builtin=True)
    app = KubeApp(config, theme_name=view.theme, settings=Settings(), frozen_ages=True)
    async with app.run_test(size=view.size) as pilot:
        await settled(pilot, sim)
        undo = await view.steps(pilot, sim) if view.steps is not None else None
        try:
            await quiet(pilot)
            return export_svg(app, f"kubetui-{view.name}")
        finally:
            if undo is not None:
                undo()


@contextmanager
def isolated() -> Iterator[Path]:
    """A scratch working directory and environment: no user themes, settings, state, tools or Docker."""
    saved_env, saved_cwd = dict(os.environ), os.getcwd()
    with tempfile.TemporaryDirectory(prefix="kubetui-shots-") as tmp:
        root = Path(tmp)
        os.environ.update(
            HOME=str(root),
            XDG_CONFIG_HOME=str(root / "config"),
            XDG_STATE_HOME=str(root / "state"),
            XDG_DATA_HOME=str(root / "data"),
            PATH=os.path.dirname(sys.executable),
            DOCKER_HOST="unix://no-docker.sock",
            TZ="UTC",
        )
        for name in ("NO_COLOR", "KUBECONFIG", "KUBETUI_FROZEN_AGES"):
            os.environ.pop(name, None)
        os.chdir(root)  # the kubeconfig is "kubeconfig", relative: no scratch path appears on screen
        try:
            yield root
        finally:
            os.chdir(saved_cwd)
            os.environ.clear()
            os.environ.update(saved_env)


def make(out: Path, only: list[str] | None = None) -> list[Path]:
    """Writes the screenshots (all, or those named) to ``out``; returns the files written."""
    views = [v for v in VIEWS if not only or v.name in only]
    unknown = set(only or ()) - {v.name for v in VIEWS}
    if unknown:
        raise SystemExit(f"unknown view(s): {', '.join(sorted(unknown))}")
    out = out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    held = LogsPane.debounce
    LogsPane.debounce = 3600.0  # the Logs pane's lines depend on when its stream opens; hold it back
    try:
        with isolated() as workdir, running_sim_thread(scenario="demo", seed=1, speed=0.001) as sim:
            sim.write_kubeconfig(workdir / "kubeconfig")
            for view in views:
                print(f"{view.name} ...", file=sys.stderr, flush=True)
                svg = asyncio.run(shoot(view, sim, workdir))
                path = out / f"{view.name}.svg"
                path.write_text(svg, encoding="utf-8")
                written.append(path)
    finally:
        LogsPane.debounce = held
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=OUT, help="directory to write the SVGs to")
    parser.add_argument(
        "--only", nargs="*", metavar="VIEW", help="only these views: " + ", ".join(v.name for v in VIEWS)
    )
    parser.add_argument("--list", action="store_true", help="list the views with one line each, then exit")
    args = parser.parse_args(argv)
    if args.list:
        for view in VIEWS:
            print(f"{view.name}.svg  {view.caption}")
        return 0
    for path in make(args.out, args.only):
        print(path.name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
