"""RBAC on the real API server, as kubetui's users meet it: a user who may list pods but not nodes sees the
rest live and the nodes pane marked; a user with one namespace's Role works in that namespace, even when
all namespaces are asked for; a read-only user is told, in plain words, why each change is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kubetui.app import KubeApp
from kubetui.cluster import ops, rollout
from kubetui.cluster.connection import Connection
from kubetui.cluster.errors import Forbidden
from kubetui.config import Settings
from kubetui.screens.main import MainScreen
from kubetui.session import ClusterSession, SessionConfig
from tests.backends import Backend
from tests.backends import wait_for as wait_async
from tests.realk8s.bootstrap import TEAM_NAMESPACE
from tests.realk8s.conftest import deployment
from tests.realk8s.notices import shown_notice
from tests.ui.helpers import shown, wait_for

pytestmark = [pytest.mark.realk8s]


async def _deploy(admin: Backend, namespace: str, name: str, replicas: int) -> None:
    await admin.conn.request(
        "POST", f"/apis/apps/v1/namespaces/{namespace}/deployments", body=deployment(name, replicas)
    )


async def test_pod_reader_sees_pods_live_and_nodes_marked_no_access(
    realk8s: Any, admin: Backend, tmp_path: Path
) -> None:
    namespace = await admin.namespace("rbac")
    await _deploy(admin, namespace, "web", 2)
    kubeconfig = realk8s.token_kubeconfig("token-pod-reader", tmp_path / "kubeconfig")
    app = KubeApp(SessionConfig(kubeconfig=str(kubeconfig), namespace=namespace), settings=Settings())
    async with app.run_test(size=(160, 48)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await wait_for(pilot, lambda: screen.table("pods").row_count == 2, timeout=60)
        await wait_for(pilot, lambda: app.session.no_access() == ["nodes"], timeout=30)
        await pilot.pause(0.2)
        nodes = screen.query_one("#pane-nodes")
        assert str(nodes.border_title) == "Nodes · no access"
        assert str(nodes.border_subtitle) == "your account may not list nodes"
        header = shown(screen.query_one("#header"))
        assert "● live" in header and "no access: nodes" in header
        assert screen.table("deployments").row_count == 1
        # The panes it may read stay live: a third pod shows up.
        await admin.conn.request(
            "PATCH",
            f"/apis/apps/v1/namespaces/{namespace}/deployments/web/scale",
            body={"spec": {"replicas": 3}},
            content_type="application/merge-patch+json",
        )
        await wait_for(pilot, lambda: screen.table("pods").row_count == 3, timeout=60)


async def _session(kubeconfig: Path, namespace: str | None, all_namespaces: bool) -> ClusterSession:
    config = SessionConfig(kubeconfig=str(kubeconfig), namespace=namespace, all_namespaces=all_namespaces)
    session = ClusterSession(config, lambda message: None)
    session.start()
    return session


@pytest.mark.parametrize("all_namespaces", [False, True], ids=["-n team-a", "-A"])
async def test_one_namespace_user_works_in_that_namespace(
    realk8s: Any, admin: Backend, tmp_path: Path, all_namespaces: bool
) -> None:
    name = f"team-app-{int(all_namespaces)}"
    await _deploy(admin, TEAM_NAMESPACE, name, 2)
    other = await admin.namespace("elsewhere")
    await _deploy(admin, other, "hidden", 1)
    kubeconfig = realk8s.token_kubeconfig("token-team-a", tmp_path / "kubeconfig")
    session = await _session(kubeconfig, TEAM_NAMESPACE, all_namespaces)
    try:

        async def pods_shown() -> bool:
            pods = [p for p in session.store.list("pods") if p["metadata"]["name"].startswith(f"{name}-")]
            return len(pods) == 2 and session.connection_state()[0] == "live"

        await wait_async(pods_shown, timeout=60, what=f"the pods of {name} in a live session")
        # Cluster-scoped kinds are refused; namespaced ones are watched in team-a, even when -A asked for all.
        assert session.no_access() == ["namespaces", "nodes"]
        assert {p["metadata"]["namespace"] for p in session.store.list("pods")} == {TEAM_NAMESPACE}
        if all_namespaces:
            assert session.narrowed()["pods"] == TEAM_NAMESPACE
        else:
            assert session.narrowed() == {}
        # And it may change what is there: edit in team-a.
        await session.call(lambda conn: ops.scale(conn, "deployments", TEAM_NAMESPACE, name, 1))
    finally:
        await session.close()
        await admin.conn.request("DELETE", f"/apis/apps/v1/namespaces/{TEAM_NAMESPACE}/deployments/{name}")


async def test_read_only_user_is_told_why_each_change_is_refused(
    realk8s: Any, admin: Backend, tmp_path: Path
) -> None:
    namespace = await admin.namespace("viewer")
    await _deploy(admin, namespace, "web", 1)
    conn = await Connection.open(
        kubeconfig_path=str(realk8s.token_kubeconfig("token-viewer", tmp_path / "kc"))
    )
    changes = {
        "scale": lambda c: ops.scale(c, "deployments", namespace, "web", 3),
        "set image": lambda c: ops.set_image(c, namespace, "web", {"web": "nginx:2"}),
        "restart": lambda c: rollout.rollout_restart(c, namespace, "web"),
        "delete": lambda c: ops.delete(c, "deployments", namespace, "web"),
    }
    verbs = {"scale": "patch deployments.apps/scale", "set image": "patch deployments.apps"}
    verbs |= {"restart": "patch deployments.apps", "delete": "delete deployments.apps"}
    try:
        for change, run in changes.items():
            with pytest.raises(Forbidden) as refused:
                await run(conn)
            assert refused.value.hint == (
                f'user "token-viewer" may not {verbs[change]} in namespace "{namespace}" (RBAC); '
                "an admin can grant it with a Role and RoleBinding"
            ), change
    finally:
        await conn.close()
    # In the app, the refusal is a notice carrying those words.
    app = KubeApp(SessionConfig(kubeconfig=str(tmp_path / "kc"), namespace=namespace), settings=Settings())
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.session.connection_state()[0] == "live", timeout=60)
        app.session.run_op("scale", changes["scale"])
        text = await wait_for(pilot, lambda: shown_notice(app, "may not patch"), timeout=30)
        assert (
            f'user "token-viewer" may not patch deployments.apps/scale in namespace "{namespace}" (RBAC)'
            in text
        )
