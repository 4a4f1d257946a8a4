"""CPU and memory columns in the Pods and Nodes panes: the same figures as kubectl top, sortable, and one
quiet line where metrics.k8s.io is not served."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kubetui.app import KubeApp
from kubetui.config import Settings
from kubetui.screens.main import MainScreen
from kubetui.screens.metrics_columns import MetricsAbsent
from kubetui.session import SessionConfig
from tests.ui.conftest import Journey
from tests.ui.helpers import wait_for

pytestmark = pytest.mark.kubectl


def _top(kubeconfig: Path, *args: str) -> dict[str, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
    env["HOME"] = str(kubeconfig.parent)
    argv = [str(Path(sys.executable).parent / "kubectl"), f"--kubeconfig={kubeconfig}", "top", *args]
    out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60, check=True).stdout
    return {line.split()[0]: line.split()[1:] for line in out.splitlines()[1:]}


def _rows(screen: MainScreen, kind: str) -> dict[str, dict[str, str]]:
    table = screen.table(kind)
    names = table.column_names
    return {
        str(cells[names.index("NAME")]): {n: str(c) for n, c in zip(names, cells, strict=True)}
        for cells in map(table.get_row, table.ordered_uids())
    }


async def test_columns_equal_kubectl_top_and_sort(journey: Journey) -> None:
    pod = {
        "metadata": {"name": "sized"},
        "spec": {
            "containers": [
                {
                    "name": "web",
                    "image": "nginx:1.27",
                    "resources": {"requests": {"cpu": "50m", "memory": "32Mi"}, "limits": {"memory": "64Mi"}},
                }
            ]
        },
    }
    await journey.create("/api/v1/namespaces/default/pods", pod)
    app = KubeApp(SessionConfig(kubeconfig=str(journey.kubeconfig)), settings=Settings())
    async with app.run_test(size=(200, 48)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await wait_for(pilot, lambda: "CPU" in screen.table("pods").column_names)

        def all_running() -> bool:
            rows = _rows(screen, "pods")
            return len(rows) == 4 and all(
                r["STATUS"] == "Running" and r["CPU"] != "n/a" for r in rows.values()
            )

        await wait_for(pilot, all_running, timeout=60)
        assert screen.table("nodes").column_names[-4:] == ("CPU", "%CPU", "MEM", "%MEM")
        top_pods = await asyncio.to_thread(_top, journey.kubeconfig, "pods")
        top_nodes = await asyncio.to_thread(_top, journey.kubeconfig, "nodes")
        pods = _rows(screen, "pods")
        assert {name: [r["CPU"], r["MEM"]] for name, r in pods.items()} == top_pods
        sized = pods["sized"]
        mem = int(sized["MEM"].removesuffix("Mi"))
        assert sized["%MEM/R"] != "n/a" and sized["%CPU/L"] == "n/a"
        assert abs(int(sized["%MEM/L"].removesuffix("%")) - mem * 100 // 64) <= 1
        nodes = _rows(screen, "nodes")
        assert {n: [r["CPU"], r["%CPU"], r["MEM"], r["%MEM"]] for n, r in nodes.items()} == top_nodes
        await pilot.press("M")
        await pilot.pause(0.2)
        order = [int(r["MEM"].removesuffix("Mi")) for r in _rows(screen, "pods").values()]
        assert order == sorted(order, reverse=True)
        await pilot.press("M")
        await pilot.pause(0.2)
        assert list(_rows(screen, "pods")) == sorted(_rows(screen, "pods"))


async def test_absent_metrics_are_said_once(journey: Journey) -> None:
    app = KubeApp(SessionConfig(kubeconfig=str(journey.kubeconfig)), settings=Settings())
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        app.workers.cancel_group(screen, "metrics")  # this cluster serves the API: play one that does not
        why = "no CPU/memory columns: this cluster does not serve metrics.k8s.io (no metrics-server)"
        for _ in range(3):
            screen.post_message(MetricsAbsent(why))
            await pilot.pause(0.1)
        assert [n.message for n in app._notifications].count(why) == 1
        assert "CPU" not in screen.table("pods").column_names
