"""The main screen against the built-in cluster: panes fill, selection scopes, traffic path, filter, views."""

from __future__ import annotations

from typing import Any

from kubetui.app import KubeApp
from kubetui.screens.main import MainScreen
from kubetui.screens.object_view import ObjectScreen
from kubetui.session import SessionConfig
from tests.ui.conftest import Journey
from tests.ui.helpers import screen_text, shown, wait_for
from tests.ui.support import on_main_screen


def _app(journey: Journey, **kwargs: Any) -> KubeApp:
    return KubeApp(SessionConfig(kubeconfig=str(journey.kubeconfig)), **kwargs)


async def _api_pods(journey: Journey, namespace: str = "default") -> list[dict[str, Any]]:
    listed = await journey.conn.request("GET", f"/api/v1/namespaces/{namespace}/pods")
    return list(listed["items"])


def _names(screen: MainScreen, kind: str) -> list[str]:
    table = screen.table(kind)
    return [screen.session.store.get(kind, uid)["metadata"]["name"] for uid in table.ordered_uids()]


async def _running(pilot: Any, journey: Journey, count: int) -> list[dict[str, Any]]:
    """Waits until ``count`` pods run with an IP (as the API says), then returns them."""
    pods: list[dict[str, Any]] = []

    async def ready() -> bool:
        nonlocal pods
        pods = await _api_pods(journey)
        running = [p for p in pods if (p.get("status") or {}).get("podIP")]
        return len(running) >= count

    import time

    deadline = time.monotonic() + 60  # generous: a loaded machine starts pods late, never not at all
    while time.monotonic() < deadline:
        if await ready():
            return pods
        await pilot.pause(0.1)
    raise AssertionError("pods did not start")


async def test_each_pane_fills_from_the_cluster(journey: Journey) -> None:
    app = _app(journey)
    async with on_main_screen(app, pods=3) as (pilot, screen):
        await wait_for(pilot, lambda: screen.table("nodes").row_count == 2)
        # every kind comes on its own watch: wait for each rather than assume they arrived together
        await wait_for(
            pilot, lambda: sorted(_names(screen, "deployments")) == ["hello-node", "kubernetes-bootcamp"]
        )
        await wait_for(pilot, lambda: sorted(_names(screen, "services")) == ["hello-node", "kubernetes"])
        api_pods = sorted(p["metadata"]["name"] for p in await _api_pods(journey))
        await wait_for(pilot, lambda: sorted(_names(screen, "pods")) == api_pods)
        text = screen_text(app)
        assert "kubetui-sim" in text and "ns:default" in text
        await wait_for(pilot, lambda: "● live" in shown(screen.query_one("#header")))


async def test_selecting_a_deployment_or_node_scopes_the_pods(journey: Journey) -> None:
    app = _app(journey)
    async with on_main_screen(app, pods=3) as (pilot, screen):
        screen.focus_pane("deployments")
        await pilot.pause()
        hello = await wait_for(
            pilot, lambda: screen.session.store.find("deployments", "default", "hello-node")
        )
        await wait_for(pilot, lambda: screen.table("deployments").select_uid(hello["metadata"]["uid"]))
        await wait_for(pilot, lambda: screen.table("pods").row_count == 2)
        assert all(n.startswith("hello-node-") for n in _names(screen, "pods"))
        revisions = screen.query_one("#revisions")
        # ReplicaSets arrive on their own watch, possibly after the pods
        await wait_for(pilot, lambda: revisions.display and revisions.row_count == 1)
        assert "of deployment hello-node" in str(screen.query_one("#pane-pods").border_subtitle)
        # enter drills into the pods; esc widens back to every pod
        await pilot.press("enter")
        assert screen.focused_kind() == "pods"
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.table("pods").row_count == 3)
        # a node scopes the pods to those scheduled on it
        pods = await _running(pilot, journey, 3)
        node_name = pods[0]["spec"]["nodeName"]
        on_node = sorted(p["metadata"]["name"] for p in pods if p["spec"].get("nodeName") == node_name)
        screen.focus_pane("nodes")
        await pilot.pause()
        screen.table("nodes").select_uid(
            screen.session.store.find("nodes", None, node_name)["metadata"]["uid"]
        )
        await wait_for(pilot, lambda: sorted(_names(screen, "pods")) == on_node)


async def test_load_balancer_traffic_path_shows_every_hop(journey: Journey) -> None:
    app = _app(journey)
    async with on_main_screen(app) as (pilot, screen):
        await _running(pilot, journey, 3)
        service = await journey.conn.request("GET", "/api/v1/namespaces/default/services/hello-node")
        nodes = (await journey.conn.request("GET", "/api/v1/nodes"))["items"]
        pods = [p for p in await _api_pods(journey) if p["metadata"]["labels"].get("app") == "hello-node"]
        await wait_for(pilot, lambda: screen.session.store.find("services", "default", "hello-node"))
        screen.focus_pane("services")
        await pilot.pause()
        screen.table("services").select_uid(service["metadata"]["uid"])
        node_port = service["spec"]["ports"][0]["nodePort"]
        expected = [f"ClusterIP {service['spec']['clusterIP']}:8080"]
        for node in nodes:
            ip = next(a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP")
            expected.append(f"{node['metadata']['name']} InternalIP {ip}:{node_port}")
        for pod in pods:
            expected.append(
                f"pod {pod['metadata']['name']} {pod['status']['podIP']}:8080 on {pod['spec']['nodeName']}"
            )
        for ingress in (service.get("status") or {}).get("loadBalancer", {}).get("ingress") or []:
            expected.append(f"load balancer {ingress.get('ip') or ingress.get('hostname')}:8080")
        traffic = screen.query_one("#traffic")

        def complete() -> bool:
            text = shown(traffic)
            return all(hop in text for hop in expected)

        await wait_for(pilot, complete)
        # the Service's pods are emphasised in the Pods pane
        table = screen.table("pods")
        expected_marked = sorted(p["metadata"]["name"] for p in pods)

        def marked() -> list[str]:
            uids = [uid for uid in table.ordered_uids() if str(table.get_row(uid)[0]).startswith("▸")]
            return sorted(screen.session.store.get("pods", uid)["metadata"]["name"] for uid in uids)

        await wait_for(pilot, lambda: marked() == expected_marked)


async def test_filter_by_text_regex_and_label_selector(journey: Journey) -> None:
    app = _app(journey)
    async with on_main_screen(app, pods=3) as (pilot, screen):
        await pilot.press("slash", *"bootcamp", "enter")
        await wait_for(pilot, lambda: screen.table("pods").row_count == 1)
        assert _names(screen, "pods")[0].startswith("kubernetes-bootcamp-")
        await pilot.press("slash", "ctrl+u", *"^hello-.*-[a-z0-9]+$", "enter")
        await wait_for(pilot, lambda: screen.table("pods").row_count == 2)
        await pilot.press("slash", "ctrl+u", *"-l app=kubernetes-bootcamp", "enter")
        await wait_for(pilot, lambda: screen.table("pods").row_count == 1)
        assert "/-l app=kubernetes-bootcamp" in str(screen.query_one("#pane-pods").border_subtitle)
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.table("pods").row_count == 3)


async def test_describe_and_yaml_of_the_selected_pod(journey: Journey) -> None:
    app = _app(journey)
    async with on_main_screen(app, pods=3) as (pilot, screen):
        uid = screen.table("pods").selected_uid
        name = screen.session.store.get("pods", uid)["metadata"]["name"]
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ObjectScreen))
        text = shown(app.screen.query_one("#object-body"))
        assert "Name:" in text and name in text and "Events:" in text
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, ObjectScreen))
        text = shown(app.screen.query_one("#object-body"))
        assert "kind: Pod" in text and f"name: {name}" in text
        assert "managedFields: <folded" in text or "managedFields" not in text
        await pilot.press("escape")


async def test_keyed_updates_keep_the_cursor_on_its_object(journey: Journey) -> None:
    app = _app(journey)
    async with on_main_screen(app) as (pilot, screen):
        table = screen.table("deployments")
        await wait_for(pilot, lambda: table.row_count == 2)
        screen.focus_pane("deployments")
        await pilot.pause()
        bootcamp = screen.session.store.find("deployments", "default", "kubernetes-bootcamp")["metadata"][
            "uid"
        ]
        table.select_uid(bootcamp)
        assert table.cursor_row == 1
        # a new Deployment sorting before it moves its row down; the cursor moves with it
        from tests.ui.conftest import deployment

        await journey.create("/apis/apps/v1/namespaces/default/deployments", deployment("aaa", "nginx", 1))
        await wait_for(pilot, lambda: table.row_count == 3)
        assert table.selected_uid == bootcamp and table.cursor_row == 2
        # deleting the row above: the row goes, the cursor still follows its object
        await journey.conn.request("DELETE", "/apis/apps/v1/namespaces/default/deployments/aaa")
        await wait_for(pilot, lambda: table.row_count == 2)
        assert table.selected_uid == bootcamp and table.cursor_row == 1


async def test_namespaces_all_and_switch(journey: Journey) -> None:
    app = _app(journey)
    async with on_main_screen(app) as (pilot, screen):
        await wait_for(pilot, lambda: screen.table("services").row_count == 2)
        await pilot.press("0")
        await wait_for(pilot, lambda: screen.table("services").column_names[0] == "NAMESPACE")
        await wait_for(pilot, lambda: "ns:all" in shown(screen.query_one("#header")))
        await pilot.press("0")
        await wait_for(pilot, lambda: screen.table("services").column_names[0] == "NAME")
        await pilot.press("colon", *"ns kube-system", "enter")
        await wait_for(pilot, lambda: "ns:kube-system" in shown(screen.query_one("#header")))
        await wait_for(pilot, lambda: screen.table("deployments").row_count == 0)
