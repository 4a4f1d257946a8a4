"""``:NAME`` opens a live, watched list of any kind the cluster serves; Secrets stay masked until ``x``."""

from __future__ import annotations

import base64
import json
from typing import Any

from kubetui.app import KubeApp
from kubetui.cluster.secrets import MASK
from kubetui.screens.kind_list import KindListScreen
from kubetui.screens.kind_open import ApiResourcesScreen
from kubetui.screens.main import MainScreen
from kubetui.screens.object_view import ObjectScreen
from kubetui.session import SessionConfig
from tests.ui.conftest import Journey
from tests.ui.helpers import plain, screen_text, wait_for


def _app(journey: Journey) -> KubeApp:
    return KubeApp(SessionConfig(kubeconfig=str(journey.kubeconfig), namespace="default"))


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _names(screen: KindListScreen) -> list[str]:
    return [screen.rows[uid].name for uid in screen.table.ordered_uids()]


def _watches(journey: Journey, key: str) -> int:
    return len(journey.sim.store._watches[key])


async def _open(pilot: Any, app: KubeApp, command: str) -> Any:
    main = app.screen
    assert isinstance(main, MainScreen)
    await wait_for(pilot, lambda: main.table("pods").row_count >= 1)
    main.run_command(command)
    # the new screen once it is mounted (its widgets exist only from then on)
    return await wait_for(
        pilot, lambda: app.screen if app.screen is not main and getattr(app.screen, "ready", False) else None
    )


async def test_a_short_name_opens_a_live_list_whose_watch_lives_with_the_view(journey: Journey) -> None:
    cms = "/api/v1/namespaces/default/configmaps"
    await journey.create(cms, {"metadata": {"name": "settings"}, "data": {"a": "1", "b": "2"}})
    app = _app(journey)
    async with app.run_test(size=(140, 40)) as pilot:
        assert _watches(journey, "configmaps") == 0  # the main screen does not watch ConfigMaps
        screen = await _open(pilot, app, "cm")
        assert isinstance(screen, KindListScreen) and screen.resource.plural == "configmaps"
        await wait_for(pilot, lambda: "settings" in _names(screen))
        assert screen.table.column_names == ("NAME", "DATA", "AGE")  # the server's Table columns
        row = next(r for r in screen.rows.values() if r.name == "settings")
        assert row.cells[1] == "2"
        assert _watches(journey, "configmaps") == 1
        # live: a new object appears, a deleted one goes
        await journey.create(cms, {"metadata": {"name": "later"}})
        await wait_for(pilot, lambda: "later" in _names(screen))
        await journey.conn.request("DELETE", f"{cms}/settings")
        await wait_for(pilot, lambda: "settings" not in _names(screen))
        # the filter narrows the rows
        screen.set_filter("lat")
        assert _names(screen) == ["later"]
        await pilot.press("escape")  # clears the filter
        await pilot.press("escape")  # closes the view, and its watch with it
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen))
        await wait_for(pilot, lambda: _watches(journey, "configmaps") == 0)


async def test_unknown_names_are_reported_as_kubectl_words_them(journey: Journey) -> None:
    app = _app(journey)
    async with app.run_test(size=(140, 40)) as pilot:
        main = app.screen
        assert isinstance(main, MainScreen)
        main.run_command("nosuchthing")
        await wait_for(
            pilot,
            lambda: any(
                'the server doesn\'t have a resource type "nosuchthing"' in str(n.message)
                for n in app._notifications
            ),
        )
        assert app.screen is main


async def test_secrets_are_masked_and_x_decodes_one_without_registry_passwords(journey: Journey) -> None:
    secrets = "/api/v1/namespaces/default/secrets"
    await journey.create(
        secrets, {"metadata": {"name": "plain"}, "type": "Opaque", "data": {"token": _b64("s3cret-value")}}
    )
    config = {
        "auths": {
            "registry.example.com": {
                "username": "robot",
                "password": "hunter2",
                "auth": _b64("robot:hunter2"),
            }
        }
    }
    await journey.create(
        secrets,
        {
            "metadata": {"name": "regcred"},
            "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": _b64(json.dumps(config))},
        },
    )
    app = _app(journey)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await _open(pilot, app, "secret")
        assert isinstance(screen, KindListScreen)
        await wait_for(pilot, lambda: {"plain", "regcred"} <= set(_names(screen)))
        assert screen.table.column_names == ("NAME", "TYPE", "DATA", "AGE")
        assert "s3cret" not in screen_text(app)
        uid = next(u for u, r in screen.rows.items() if r.name == "plain")
        screen.table.select_uid(uid)
        await pilot.press("y")
        yaml_view = await wait_for(
            pilot, lambda: app.screen if isinstance(app.screen, ObjectScreen) else None
        )
        text = plain(yaml_view.body)
        assert MASK in text and "s3cret" not in text and _b64("s3cret-value") not in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("x")
        decoded = await wait_for(pilot, lambda: app.screen if isinstance(app.screen, ObjectScreen) else None)
        assert "token: s3cret-value" in plain(decoded.body)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        screen.table.select_uid(next(u for u, r in screen.rows.items() if r.name == "regcred"))
        await pilot.press("x")
        decoded = await wait_for(pilot, lambda: app.screen if isinstance(app.screen, ObjectScreen) else None)
        text = plain(decoded.body)
        assert "registry.example.com" in text and "robot" in text
        assert "hunter2" not in text and _b64("robot:hunter2") not in text


async def test_api_resources_lists_what_the_cluster_serves(journey: Journey) -> None:
    app = _app(journey)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await _open(pilot, app, "api-resources")
        assert isinstance(screen, ApiResourcesScreen)
        table = screen.query_one("#api-resources")
        await wait_for(pilot, lambda: table.row_count > 10)
        rows = {uid: table.get_row(uid) for uid in table.ordered_uids()}
        assert rows["deployments.apps"] == ("deployments", "deploy", "apps/v1", "true", "Deployment")
        assert rows["nodes"][3] == "false"
        # enter opens the kind's list
        table.select_uid("configmaps")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, KindListScreen))


async def test_a_statefulset_scales_from_its_list(journey: Journey) -> None:
    from textual.widgets import Input

    from kubetui.screens.dialogs.scale import ScaleDialog

    body = {
        "metadata": {"name": "db"},
        "spec": {
            "replicas": 1,
            "serviceName": "db",
            "selector": {"matchLabels": {"app": "db"}},
            "template": {
                "metadata": {"labels": {"app": "db"}},
                "spec": {
                    "containers": [{"name": "db", "image": "registry.k8s.io/e2e-test-images/agnhost:2.39"}]
                },
            },
        },
    }
    path = "/apis/apps/v1/namespaces/default/statefulsets"
    await journey.create(path, body)
    app = _app(journey)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await _open(pilot, app, "sts")
        assert isinstance(screen, KindListScreen)
        await wait_for(pilot, lambda: "db" in _names(screen))
        await pilot.press("s")
        dialog = await wait_for(pilot, lambda: app.screen if isinstance(app.screen, ScaleDialog) else None)
        dialog.query_one("#replicas", Input).value = "2"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is screen)

        async def two_pods() -> bool:
            pods = await journey.conn.request(
                "GET", "/api/v1/namespaces/default/pods", query={"labelSelector": "app=db"}
            )
            return sorted(p["metadata"]["name"] for p in pods["items"]) == ["db-0", "db-1"]

        for _ in range(200):
            if await two_pods():
                break
            await pilot.pause(0.1)
        assert (await journey.conn.request("GET", f"{path}/db"))["spec"]["replicas"] == 2
        assert await two_pods()
        # enter: the StatefulSet's pods, in ordinal order
        await wait_for(pilot, lambda: len(app.session.store.by_label("pods", {"app": "db"})) == 2)
        await pilot.press("enter")
        related = await wait_for(pilot, lambda: app.screen if isinstance(app.screen, ObjectScreen) else None)
        text = plain(related.body)
        assert "2 pods, in order:" in text and text.index("pod db-0") < text.index("pod db-1")


async def test_a_daemonset_restarts_from_its_list_after_a_confirmation(journey: Journey) -> None:
    from kubetui.screens.dialogs.confirm import ConfirmDialog

    template = {
        "metadata": {"labels": {"app": "agent"}},
        "spec": {"containers": [{"name": "a", "image": "registry.k8s.io/e2e-test-images/agnhost:2.39"}]},
    }
    path = "/apis/apps/v1/namespaces/default/daemonsets"
    await journey.create(
        path,
        {
            "metadata": {"name": "agent"},
            "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": template},
        },
    )
    app = _app(journey)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await _open(pilot, app, "ds")
        assert isinstance(screen, KindListScreen)
        await wait_for(pilot, lambda: "agent" in _names(screen))
        await pilot.press("r")
        dialog = await wait_for(pilot, lambda: app.screen if isinstance(app.screen, ConfirmDialog) else None)
        assert dialog.query_one("#ok")
        await pilot.click("#ok")
        await wait_for(pilot, lambda: any("restarted" in str(n.message) for n in app._notifications))
    got = await journey.conn.request("GET", f"{path}/agent")
    assert "kubectl.kubernetes.io/restartedAt" in got["spec"]["template"]["metadata"]["annotations"]
