"""The journey, steps 3 to 11, done in kubetui alone from the keyboard, on the built-in cluster.

Create hello-node and expose it through a LoadBalancer; create kubernetes-bootcamp, expose it, scale it up
and down, roll out v2, roll it back, delete it and its Service; apply myapp from a private registry, give it
the registry Secret it lacks; then read the logs of all its pods side by side to find the one consumer.
Every step is checked through the API (and the last one in the log view). Names and numbers are typed key by
key; long image references and the command arrive as a terminal paste, as a person would enter them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import Select

from kubetui.cluster.connection import Connection
from kubetui.screens.dialogs import (
    ApplyPreviewDialog,
    DeleteDialog,
    ExposeDialog,
    ManifestPickerDialog,
    NewDeploymentDialog,
    RegistrySecretDialog,
    RolloutScreen,
    RolloutUndoDialog,
    ScaleDialog,
    SetImageDialog,
)
from kubetui.screens.logs import LogsScreen
from tests.ui.helpers import shown, wait_for
from tests.ui.support import exists, get, image, make_app, revision, screen_of

pytestmark = pytest.mark.usefixtures("no_user_settings")

AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.39"
V1 = "gcr.io/google-samples/kubernetes-bootcamp:v1"
V2 = "docker.io/jocatalin/kubernetes-bootcamp:v2"


async def focus_pane(pilot: Any, app: Any, kind: str) -> None:
    """Tab through the panes until ``kind``'s has the focus."""
    for _ in range(8):
        if app.screen.focused_kind() == kind:
            return
        await pilot.press("tab")
    raise AssertionError(f"tab never reached the {kind} pane")


async def cursor_to(pilot: Any, app: Any, kind: str, name: str) -> None:
    """Move the cursor with g and j (as a person would) onto ``name`` in the focused ``kind`` pane."""
    await focus_pane(pilot, app, kind)
    obj = await wait_for(pilot, lambda: app.session.store.find(kind, "default", name), timeout=15)
    table = app.screen.table(kind)
    await wait_for(pilot, lambda: obj["metadata"]["uid"] in table.uids())
    await pilot.press("g")
    for _ in range(table.row_count):
        if table.selected_uid == obj["metadata"]["uid"]:
            return
        await pilot.press("j")
    raise AssertionError(f"{name} is not in the {kind} pane")


async def type_text(pilot: Any, text: str) -> None:
    await pilot.press(*("space" if ch == " " else ch for ch in text))


async def paste(pilot: Any, app: Any, text: str) -> None:
    """Paste ``text`` into the focused field, as a terminal's bracketed paste delivers it (long image names)."""
    app.post_message(events.Paste(text))
    await pilot.pause()


async def finish_rollout(pilot: Any, app: Any, timeout: float = 30) -> RolloutScreen:
    rollout = await screen_of(pilot, app, RolloutScreen)
    try:
        await wait_for(pilot, lambda: rollout.outcome == "complete", timeout=timeout)
    except AssertionError:
        deployment = rollout.snapshot()[0] or {}
        raise AssertionError(
            f"{rollout.title_text}: {rollout.progress.message}; pods {rollout.progress.pods}; "
            f"image {deployment.get('spec', {}).get('template', {}).get('spec', {}).get('containers')}; "
            f"status {deployment.get('status')}"
        ) from None
    await pilot.press("escape")
    return rollout


@pytest.mark.slow
async def test_the_journey_from_the_keyboard(sim: Any, kubeconfig: Path, api: Connection) -> None:
    app, notes = make_app(kubeconfig)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: app.session.connection_state()[0] == "live", timeout=15)

        # 3. kubectl create deployment hello-node --image=...agnhost:2.39 -- /agnhost netexec --http-port=8080
        await focus_pane(pilot, app, "deployments")
        await pilot.press("n")
        await screen_of(pilot, app, NewDeploymentDialog)
        await type_text(pilot, "hello-node")
        await pilot.press("tab")
        await paste(pilot, app, AGNHOST)
        await pilot.press("tab", "tab", *"8080", "tab")
        await paste(pilot, app, "/agnhost netexec --http-port=8080")
        await pilot.press("enter")
        rollout = await finish_rollout(pilot, app)
        assert [line.revision for line in rollout.progress.replicasets] == [1]  # one ReplicaSet, revision 1
        hello = await get(api, "deployments", "hello-node")
        assert hello["spec"]["template"]["spec"]["containers"][0]["command"][:2] == ["/agnhost", "netexec"]

        # 4. kubectl expose deployment hello-node --type=LoadBalancer --port=8080
        await cursor_to(pilot, app, "deployments", "hello-node")
        await pilot.press("x")
        expose = await screen_of(pilot, app, ExposeDialog)
        await pilot.press("enter", "down", "down", "enter")
        await wait_for(pilot, lambda: expose.query_one("#type", Select).value == "LoadBalancer")
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: "service/hello-node exposed" in notes.text())
        service = await get(api, "services", "hello-node")
        assert service["spec"]["type"] == "LoadBalancer" and service["spec"]["ports"][0]["port"] == 8080
        # How does traffic flow? Selecting the Service draws its path: load balancer → NodePort → ClusterIP → pod.
        await cursor_to(pilot, app, "services", "hello-node")
        hops = [
            f":{service['spec']['ports'][0]['nodePort']}",
            f"ClusterIP {service['spec']['clusterIP']}:8080",
        ]
        await wait_for(pilot, lambda: all(hop in shown(app.screen.query_one("#traffic")) for hop in hops))
        assert "load balancer" in shown(app.screen.query_one("#traffic"))
        await focus_pane(pilot, app, "deployments")

        # 5. kubectl create deployment kubernetes-bootcamp --image=...:v1 (and expose it on a NodePort)
        await pilot.press("n")
        await screen_of(pilot, app, NewDeploymentDialog)
        await type_text(pilot, "kubernetes-bootcamp")
        await pilot.press("tab")
        await paste(pilot, app, V1)
        await pilot.press("tab", "tab", *"8080", "enter")
        await finish_rollout(pilot, app)
        await cursor_to(pilot, app, "deployments", "kubernetes-bootcamp")
        await pilot.press("x")
        expose = await screen_of(pilot, app, ExposeDialog)
        await pilot.press("enter", "down", "enter")
        await wait_for(pilot, lambda: expose.query_one("#type", Select).value == "NodePort")
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: "service/kubernetes-bootcamp exposed" in notes.text())

        # 6. kubectl scale deployments/kubernetes-bootcamp --replicas=4, then --replicas=2
        for replicas in (4, 2):
            await pilot.press("s")
            await screen_of(pilot, app, ScaleDialog)
            await pilot.press(str(replicas), "enter")
            await finish_rollout(pilot, app)
            assert (await get(api, "deployments", "kubernetes-bootcamp"))["status"][
                "readyReplicas"
            ] == replicas

        # 7. kubectl set image deployments/kubernetes-bootcamp kubernetes-bootcamp=...:v2
        await pilot.press("i")
        await screen_of(pilot, app, SetImageDialog)
        await pilot.press("ctrl+u")
        await paste(pilot, app, V2)
        await pilot.press("enter")
        rollout = await finish_rollout(pilot, app)
        assert [(line.revision, line.desired) for line in rollout.progress.replicasets] == [(2, 2), (1, 0)]
        bootcamp = await get(api, "deployments", "kubernetes-bootcamp")
        assert (image(bootcamp), revision(bootcamp)) == (V2, 2)

        # 8. kubectl rollout undo deployments/kubernetes-bootcamp
        await pilot.press("u")
        undo = await screen_of(pilot, app, RolloutUndoDialog)
        assert undo.chosen == 1
        await pilot.press("enter")
        await finish_rollout(pilot, app)
        bootcamp = await get(api, "deployments", "kubernetes-bootcamp")
        assert (image(bootcamp), revision(bootcamp)) == (V1, 3)

        # 9. kubectl delete deployments/kubernetes-bootcamp services/kubernetes-bootcamp
        await pilot.press("ctrl+d")
        await screen_of(pilot, app, DeleteDialog)
        await pilot.press("tab", "enter")
        await wait_for(
            pilot, lambda: app.session.store.find("deployments", "default", "kubernetes-bootcamp") is None
        )
        await cursor_to(pilot, app, "services", "kubernetes-bootcamp")
        await pilot.press("ctrl+d")
        await screen_of(pilot, app, DeleteDialog)
        await pilot.press("tab", "enter")
        await wait_for(
            pilot, lambda: app.session.store.find("services", "default", "kubernetes-bootcamp") is None
        )
        assert not await exists(api, "deployments", "kubernetes-bootcamp")
        assert not await exists(api, "services", "kubernetes-bootcamp")

        # 10. kubectl apply -f myapp.yaml: the pods cannot pull until the registry Secret exists
        await focus_pane(pilot, app, "deployments")
        await pilot.press("a")
        picker = await screen_of(pilot, app, ManifestPickerDialog)
        myapp_index = [p.name for p in picker.files].index("myapp.yaml")
        await pilot.press(*["down"] * myapp_index, "enter")
        preview = await screen_of(pilot, app, ApplyPreviewDialog)
        assert [(d.kind, d.name) for d in preview.documents] == [
            ("Deployment", "myapp"),
            ("Service", "myapp-service"),
        ]
        await pilot.press("enter")
        rollout = await screen_of(pilot, app, RolloutScreen)
        await wait_for(
            pilot, lambda: rollout.progress.stuck in ("ErrImagePull", "ImagePullBackOff"), timeout=20
        )
        await wait_for(pilot, lambda: "pull Secret" in notes.text())
        await pilot.press("escape")
        await cursor_to(pilot, app, "deployments", "myapp")
        await pilot.press("ctrl+r")
        await screen_of(pilot, app, RegistrySecretDialog)
        await type_text(pilot, "developer")
        await pilot.press("tab")
        await type_text(pilot, "s3cret-token")
        await pilot.press("enter")
        await finish_rollout(pilot, app, timeout=40)
        assert (await get(api, "secrets", "my-secret"))["type"] == "kubernetes.io/dockerconfigjson"
        assert (await get(api, "deployments", "myapp"))["status"]["readyReplicas"] == 3
        service = await get(api, "services", "myapp-service")
        assert (service["spec"]["ports"][0]["port"], service["spec"]["ports"][0]["targetPort"]) == (80, 8089)

        # 11. Which pod consumes? The logs of all three pods side by side, each line tagged with its pod.
        await cursor_to(pilot, app, "deployments", "myapp")
        await pilot.press("l")
        logs = await screen_of(pilot, app, LogsScreen)

        def by_pod() -> dict[str, list[str]]:
            found: dict[str, list[str]] = {}
            for item in logs.view.buffer.iter_shown():
                if hasattr(item, "text"):
                    found.setdefault(item.pod, []).append(item.text)
            return found

        def consumers() -> set[str]:
            return {
                pod for pod, lines in by_pod().items() if any("consumed message" in line for line in lines)
            }

        await wait_for(pilot, lambda: len(by_pod()) == 3 and consumers(), timeout=30)
        assert all(any("produced message" in line for line in lines) for lines in by_pod().values())
        assert len(consumers()) == 1
