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
from screenshots.steps import (  # noqa: E402
    clusters,
    crd_list,
    help_screen,
    metrics_columns,
    multi_pod_logs,
    port_forwards,
    quiet,
    rollout_undo,
    secrets_view,
    settled,
    traffic_path,
)

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
