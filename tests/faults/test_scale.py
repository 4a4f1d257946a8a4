"""Absurd scales: confirmed when far above the current size, int32 enforced in the dialog and the built-in
cluster, pods created in slow-start bursts with the API still answering, and quitting never waits on it."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Input, Label, Static

from kubetui import launch
from kubetui.actions import Target
from kubetui.cluster import ops
from kubetui.cluster.connection import MERGE_PATCH, Connection
from kubetui.cluster.errors import BadRequest, Invalid
from kubetui.screens.dialogs import ConfirmDialog, ScaleDialog
from kubetui.screens.dialogs.handlers import handle_scale
from kubetui.screens.dialogs.validation import FieldError, far_above, parse_replicas
from kubetui.sim.controllers import replicaset
from kubetui.sim.errors import ApiError
from kubetui.sim.server import SimServer
from tests.faults.served import ServedSim

DEPLOY = "/apis/apps/v1/namespaces/default/deployments"


def test_replicas_stop_at_int32() -> None:
    assert parse_replicas("replicas", "2147483647") == 2**31 - 1
    for typed, expected in (
        ("99999999999", "must be 2147483647 or less, not 99999999999 (the API's limit, int32)"),
        ("-1", "must be 0 or more"),
        ("", "whole number"),
        ("۳", "whole number"),  # a digit in another script: int() takes it, the API would not
    ):
        with pytest.raises(FieldError) as caught:
            parse_replicas("replicas", typed)
        assert expected in caught.value.message


def test_far_above_is_ten_times_or_past_a_thousand() -> None:
    assert far_above(2, 999999) and far_above(1, 11) and far_above(900, 1001) and far_above(0, 11)
    assert not far_above(2, 20) and not far_above(0, 3) and not far_above(5, 2) and not far_above(1500, 2000)


class Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.notes: list[str] = []

    def notify(self, message: str, **kwargs: Any) -> None:  # type: ignore[override]
        self.notes.append(message)


class Recording:
    """A session that records the operations asked of it instead of sending them."""

    def __init__(self) -> None:
        self.calls = 0
        self.store = self

    def find(self, kind: str, namespace: str, name: str) -> None:
        return None

    async def call(self, fn: Any) -> Any:
        self.calls += 1
        return {}


async def _scale_in_dialog(typed: str, confirm: bool | None) -> tuple[Host, Recording, str]:
    app, session = Host(), Recording()
    obj = {"metadata": {"name": "web", "namespace": "default"}, "spec": {"replicas": 2}}
    warning = ""
    async with app.run_test() as pilot:
        app.run_worker(handle_scale(app, Target("replicasets", obj, session, "default")))
        await pilot.pause(0.2)
        assert isinstance(app.screen, ScaleDialog)
        app.screen.query_one("#replicas", Input).value = typed
        await pilot.press("enter")
        await pilot.pause(0.2)
        if confirm is not None:
            assert isinstance(app.screen, ConfirmDialog)
            warning = str(app.screen.query_one("#message", Label).render())
            await pilot.press("escape" if not confirm else "tab")
            if confirm:
                app.screen.query_one("#ok").focus()
                await pilot.press("enter")
            await pilot.pause(0.2)
        else:
            assert not isinstance(app.screen, ConfirmDialog)
    return app, session, warning


async def test_a_scale_far_above_the_current_size_asks_first_and_says_why() -> None:
    _, session, warning = await _scale_in_dialog("999999", confirm=False)
    assert session.calls == 0
    assert "from 2 to 999,999 replicas" in warning and "999,997 more pods" in warning
    assert "stop answering" in warning
    _, session, _ = await _scale_in_dialog("999999", confirm=True)
    assert session.calls == 1
    _, session, _ = await _scale_in_dialog("4", confirm=None)  # an ordinary scale asks nothing more
    assert session.calls == 1


async def test_a_scale_beyond_int32_never_leaves_the_dialog() -> None:
    app, session = Host(), Recording()
    obj = {"metadata": {"name": "web", "namespace": "default"}, "spec": {"replicas": 2}}
    async with app.run_test() as pilot:
        app.run_worker(handle_scale(app, Target("deployments", obj, session, "default")))
        await pilot.pause(0.2)
        dialog = app.screen
        dialog.query_one("#replicas", Input).value = "99999999999"
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.screen is dialog
        assert "2147483647 or less" in str(dialog.query_one("#error", Static).render())
    assert session.calls == 0


async def test_the_built_in_cluster_refuses_int32_overflow_as_kube_apiserver_does(tmp_path: Any) -> None:
    async with SimServer(scenario="empty", nodes=1, speed=50.0) as sim:
        kubeconfig = sim.write_kubeconfig(tmp_path / "kubeconfig")
        async with await Connection.open(str(kubeconfig)) as conn:
            await ops.create_deployment(conn, "default", "web", "registry.k8s.io/pause:3.9")
            # The /scale patch and a merge patch of the Deployment: 422, field "patch", Go's decoder message.
            with pytest.raises(Invalid) as scale:
                await ops.scale(conn, "deployments", "default", "web", 99999999999)
            assert scale.value.code == 422
            assert (
                "json: cannot unmarshal number 99999999999 into Go struct field ScaleSpec.spec.replicas "
                "of type int32" in scale.value.message
            )
            assert scale.value.causes[0]["field"] == "patch"
            with pytest.raises(Invalid) as merge:
                await conn.request(
                    "PATCH", f"{DEPLOY}/web", body={"spec": {"replicas": 2**31}}, content_type=MERGE_PATCH
                )
            assert "DeploymentSpec.spec.replicas of type int32" in merge.value.message
            # A create with the same value is a 400, as the real server answers it.
            body = ops.deployment_manifest("big", "registry.k8s.io/pause:3.9", replicas=1)
            body["spec"]["replicas"] = 99999999999
            with pytest.raises(BadRequest, match="cannot unmarshal number 99999999999"):
                await conn.request("POST", DEPLOY, body=body)
            deployment = await conn.request("GET", f"{DEPLOY}/web")
            assert deployment["spec"]["replicas"] == 1
        assert sim.cluster.store.get("deployments.apps", "default", "big") is None


async def test_replicaset_creates_in_slow_start_batches_and_stops_at_the_first_error(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with SimServer(scenario="empty", nodes=1, speed=50.0) as sim:
        store = sim.cluster.store
        real_create = store.create
        made: list[int] = []

        def failing_create(rtype: str, obj: Any, *args: Any, **kwargs: Any) -> Any:
            if rtype == "pods":
                if len(made) == 9:
                    raise ApiError(403, "Forbidden", 'pods "x" is forbidden: exceeded quota')
                made.append(1)
            return real_create(rtype, obj, *args, **kwargs)

        monkeypatch.setattr(store, "create", failing_create)
        monkeypatch.setattr(replicaset, "NEXT_BURST", 3600.0)  # one sync only, to count what it did
        kubeconfig = sim.write_kubeconfig(tmp_path / "kubeconfig")
        async with await Connection.open(str(kubeconfig)) as conn:
            await ops.create_deployment(conn, "default", "web", "registry.k8s.io/pause:3.9", replicas=100)
            await asyncio.sleep(1.0)
        # Batches 1, 2, 4 made 7; the batch of 8 stopped at its third pod, the first error.
        assert len(made) == 9
        events = [e for e in store.list("events") if e.get("reason") == "FailedCreate"]
        assert len(events) == 1 and "exceeded quota" in events[0]["message"]


@pytest.mark.slow
async def test_a_huge_scale_keeps_the_api_answering(served: ServedSim) -> None:
    async with await Connection.open(str(served.kubeconfig)) as conn:
        await ops.create_deployment(conn, "default", "web", "registry.k8s.io/pause:3.9", replicas=2)
        await ops.scale(conn, "deployments", "default", "web", 999999)
        slowest = 0.0
        for _ in range(8):
            started = time.monotonic()
            await conn.request("GET", f"{DEPLOY}/web", timeout=5)
            slowest = max(slowest, time.monotonic() - started)
            await asyncio.sleep(0.5)
        pods = await conn.request("GET", "/api/v1/namespaces/default/pods", query={"limit": 1})
        started = time.monotonic()
        await ops.scale(conn, "deployments", "default", "web", 2)
        back = time.monotonic() - started
    assert slowest < 1.0, f"a GET took {slowest:.2f}s while the cluster created pods"
    assert back < 1.0
    remaining = int(pods["metadata"].get("remainingItemCount") or 0) + 1
    assert 2 < remaining < 999999  # it was working on it, in bursts, not all at once


def test_quitting_never_waits_long_for_the_built_in_cluster() -> None:
    """This run's cluster keeps no state: one that ignores SIGTERM (busy, or hung) is killed after a second."""
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"up\n"
    started = time.monotonic()
    launch._stop(proc)  # type: ignore[arg-type]
    assert time.monotonic() - started < 2.0
    assert proc.returncode is not None
