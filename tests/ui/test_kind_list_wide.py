"""A kind's list shows ``kubectl get -o wide``'s extra columns (the server Table's priority>0 columns) on ``o``,
and by itself on a terminal wide enough for them."""

from __future__ import annotations

import re
from typing import Any

from kubetui.app import KubeApp
from kubetui.screens.kind_list import WIDE_AT, KindListScreen
from kubetui.screens.main import MainScreen
from kubetui.session import SessionConfig
from tests.cluster.simhelp import kubectl
from tests.ui.conftest import Journey
from tests.ui.helpers import wait_for

STATEFULSET = """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: cache, namespace: default}
spec:
  replicas: 1
  serviceName: cache
  selector: {matchLabels: {app: cache}}
  template:
    metadata: {labels: {app: cache}}
    spec:
      containers:
      - {name: cache, image: busybox:1.36, command: [sh, -c, "sleep 3600"]}
"""


def _table(stdout: str) -> tuple[list[str], dict[str, list[str]]]:
    """kubectl's header and rows by name, split on its column gaps (two spaces or more)."""
    header, *lines = stdout.splitlines()
    split = lambda line: re.split(r"\s{2,}", line.strip())  # noqa: E731
    return split(header), {split(line)[0]: split(line) for line in lines}


async def _open_sts(pilot: Any, app: KubeApp) -> KindListScreen:
    main = app.screen
    assert isinstance(main, MainScreen)
    await wait_for(pilot, lambda: main.table("pods").row_count >= 1)
    main.run_command("sts")
    screen: KindListScreen = await wait_for(
        pilot, lambda: app.screen if isinstance(app.screen, KindListScreen) and app.screen.ready else None
    )
    await wait_for(pilot, lambda: screen.table.row_count == 1)
    return screen


def _without_age(header: list[str], cells: list[str]) -> list[str]:
    return [c for h, c in zip(header, cells, strict=True) if h != "AGE"]


async def test_o_shows_the_wide_columns_as_kubectl_get_o_wide(journey: Journey) -> None:
    kubeconfig = journey.kubeconfig
    created = await kubectl(kubeconfig, "apply", "-f", "-", input=STATEFULSET)
    assert created.returncode == 0, created.stderr
    narrow_header, narrow = _table((await kubectl(kubeconfig, "get", "sts")).stdout)
    wide_header, wide = _table((await kubectl(kubeconfig, "get", "sts", "-o", "wide")).stdout)
    assert len(wide_header) > len(narrow_header)  # the server marks CONTAINERS and IMAGES as priority 1

    app = KubeApp(SessionConfig(kubeconfig=str(kubeconfig), namespace="default"))
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await _open_sts(pilot, app)
        assert list(screen.table.column_names) == narrow_header
        (uid,) = screen.table.ordered_uids()
        await wait_for(
            pilot,
            lambda: (
                _without_age(narrow_header, list(screen.table.get_row(uid)))
                == _without_age(narrow_header, narrow["cache"])
            ),
        )
        await pilot.press("o")
        await wait_for(pilot, lambda: list(screen.table.column_names) == wide_header)
        row = list(screen.table.get_row(uid))
        assert _without_age(wide_header, row) == _without_age(wide_header, wide["cache"])
        assert "-o wide" in str(screen.query_one("#pane-kind").border_subtitle)
        await pilot.press("o")  # and back
        await wait_for(pilot, lambda: list(screen.table.column_names) == narrow_header)


async def test_a_wide_terminal_shows_the_wide_columns_by_itself(journey: Journey) -> None:
    created = await kubectl(journey.kubeconfig, "apply", "-f", "-", input=STATEFULSET)
    assert created.returncode == 0, created.stderr
    wide_header, _ = _table((await kubectl(journey.kubeconfig, "get", "sts", "-o", "wide")).stdout)
    app = KubeApp(SessionConfig(kubeconfig=str(journey.kubeconfig), namespace="default"))
    async with app.run_test(size=(WIDE_AT + 10, 40)) as pilot:
        screen = await _open_sts(pilot, app)
        await wait_for(pilot, lambda: list(screen.table.column_names) == wide_header)
        await pilot.resize_terminal(140, 40)  # narrower: back to the default columns
        await wait_for(pilot, lambda: "IMAGES" not in screen.table.column_names)
