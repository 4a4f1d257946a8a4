"""Action handlers for workloads: new, expose, scale (+/-), set image, undo, restart, delete.

Each is ``async handler(app, target)`` registered in the action table; the app runs it in a worker. Dialogs
ask, the session runs the ``ops`` call, and the effect is shown (rollout view or a notification).
"""

from __future__ import annotations

from typing import Any

from textual.app import App

from kubetui import kinds
from kubetui.actions import Target, handler
from kubetui.cluster import ops

# The apply action lives in its own module; importing it registers it along with the handlers below.
from kubetui.screens.dialogs import apply_flow, portforward_flow, shell_flow
from kubetui.screens.dialogs.confirm import ConfirmDialog, DeleteDialog
from kubetui.screens.dialogs.create import NewDeploymentDialog
from kubetui.screens.dialogs.expose import ExposeDialog
from kubetui.screens.dialogs.flow import (
    KIND_LABELS,
    Cancelled,
    ask,
    ask_running,
    container_ports,
    follow_rollout,
    meta,
    pod_template_spec,
    run_op,
)
from kubetui.screens.dialogs.registry_flow import ask_pull_secret
from kubetui.screens.dialogs.scale import ScaleDialog
from kubetui.screens.dialogs.set_image import SetImageDialog
from kubetui.screens.dialogs.undo import RolloutUndoDialog
from kubetui.screens.dialogs.validation import far_above, scale_warning

App_ = App[Any]

__all__ = [
    "apply_flow",
    "handle_delete",
    "handle_expose",
    "handle_new",
    "handle_pull_secret",
    "handle_restart",
    "handle_scale",
    "handle_scale_down",
    "handle_scale_up",
    "handle_set_image",
    "handle_undo",
    "portforward_flow",
    "shell_flow",
]


def _nothing_selected(app: App_, target: Target) -> bool:
    """True (and says so) when the focused pane has no object under the cursor to act on."""
    if target.obj is not None:
        return False
    app.notify(f"Select one of the {target.kind} first", severity="warning", timeout=4)
    return True


@handler("new")
async def handle_new(app: App_, target: Target) -> None:
    try:
        request, result = await ask_running(
            app,
            target.session,
            NewDeploymentDialog(target.namespace),
            lambda conn, request: ops.create_deployment(
                conn,
                target.namespace,
                request.name,
                request.image,
                replicas=request.replicas,
                port=request.port,
                command=request.command,
            ),
        )
    except Cancelled:
        return
    app.notify(f"deployment.apps/{request.name} created", title="Created")
    follow_rollout(
        app,
        target.session,
        target.namespace,
        request.name,
        "Created",
        result,
    )


@handler("expose")
async def handle_expose(app: App_, target: Target) -> None:
    if _nothing_selected(app, target):
        return
    ports = container_ports(target.kind, target.obj or {})
    dialog = ExposeDialog(KIND_LABELS.get(target.kind, target.kind), target.name, ports)

    def expose(conn: Any, request: Any) -> Any:
        kwargs: dict[str, Any] = {
            "target_port": request.target_port,
            "node_port": request.node_port,
            "service_name": request.service_name,
        }
        if request.external_name:
            kwargs["external_name"] = request.external_name
        return ops.expose(
            conn, target.namespace, target.kind, target.name, request.type, request.port, **kwargs
        )

    try:
        request, service = await ask_running(app, target.session, dialog, expose)
    except Cancelled:
        return
    ports_text = ", ".join(
        f"{p.get('port')}"
        + (f":{p['nodePort']}" if p.get("nodePort") else "")
        + f"/{p.get('protocol', 'TCP')}"
        for p in ((service or {}).get("spec") or {}).get("ports") or []
    )
    app.notify(f"service/{request.service_name} exposed ({request.type} {ports_text})", title="Exposed")


def _replicas(obj: dict[str, Any] | None) -> int:
    return int(((obj or {}).get("spec") or {}).get("replicas", 1) or 0)


async def _scale_to(app: App_, target: Target, replicas: int) -> None:
    # A changed replica count bumps the Deployment's generation; until the cache shows the controller has
    # seen it, the cached status still describes the old count and must not read as "rolled out".
    cached = target.session.store.find(target.kind, target.namespace, target.name) or target.obj or {}
    generation = int(meta(cached).get("generation") or 0)
    if _replicas(cached) != replicas:
        generation += 1
    try:
        result = await run_op(
            app,
            target.session,
            "scale",
            lambda conn: ops.scale(conn, target.kind, target.namespace, target.name, replicas),
        )
    except Exception:
        return
    app.notify(
        f"{KIND_LABELS.get(target.kind, target.kind)} {target.name} scaled to {replicas}", title="Scaled"
    )
    if kinds.spec(target.kind).follows_rollout:
        follow_rollout(
            app,
            target.session,
            target.namespace,
            target.name,
            f"Scaled to {replicas}",
            result,
            min_generation=generation,
        )


@handler("scale")
async def handle_scale(app: App_, target: Target) -> None:
    if _nothing_selected(app, target):
        return
    current = _replicas(target.obj)
    label = KIND_LABELS.get(target.kind, target.kind)
    try:
        replicas = await ask(app, ScaleDialog(label, target.name, current))
        if far_above(current, replicas):
            warning = scale_warning(label, target.name, current, replicas)
            await ask(
                app, ConfirmDialog("Scale far above the current size?", warning, "Scale", dangerous=True)
            )
    except Cancelled:
        return
    await _scale_to(app, target, replicas)


@handler("scale_up")
async def handle_scale_up(app: App_, target: Target) -> None:
    if not _nothing_selected(app, target):
        await _scale_by(app, target, +1)


@handler("scale_down")
async def handle_scale_down(app: App_, target: Target) -> None:
    if not _nothing_selected(app, target):
        await _scale_by(app, target, -1)


async def _scale_by(app: App_, target: Target, step: int) -> None:
    # Read the freshest count from the cache, so quick repeated presses add up.
    store = target.session.store
    fresh = store.find(target.kind, target.namespace, target.name) or target.obj
    replicas = _replicas(fresh) + step
    if replicas < 0:
        app.notify(f"{target.name} already has 0 replicas", severity="warning")
        return
    if far_above(replicas - step, replicas):  # only when + crosses 1,000 pods
        label = KIND_LABELS.get(target.kind, target.kind)
        warning = scale_warning(label, target.name, replicas - step, replicas)
        try:
            await ask(app, ConfirmDialog("Scale past 1,000 pods?", warning, "Scale", dangerous=True))
        except Cancelled:
            return
    try:
        await run_op(
            app,
            target.session,
            "scale",
            lambda conn: ops.scale(conn, target.kind, target.namespace, target.name, replicas),
        )
    except Exception:
        return
    app.notify(f"{target.name} scaled to {replicas}", title="Scaled", timeout=3)


@handler("set_image")
async def handle_set_image(app: App_, target: Target) -> None:
    if _nothing_selected(app, target):
        return
    containers = [
        (c["name"], c.get("image", ""))
        for c in pod_template_spec(target.kind, target.obj or {}).get("containers") or []
    ]
    try:
        change = await ask(app, SetImageDialog(target.name, containers))
    except Cancelled:
        return
    try:
        result = await run_op(
            app,
            target.session,
            "set image",
            lambda conn: ops.set_image(conn, target.namespace, target.name, dict(change.images)),
        )
    except Exception:
        return
    follow_rollout(
        app,
        target.session,
        target.namespace,
        target.name,
        "Image set",
        result,
    )


@handler("undo")
async def handle_undo(app: App_, target: Target) -> None:
    if _nothing_selected(app, target):
        return
    session = target.session
    try:
        history = await run_op(
            app,
            session,
            "rollout history",
            lambda conn: ops.rollout_history(conn, target.namespace, target.name),
        )
        revision = await ask(app, RolloutUndoDialog(target.name, history))
    except Exception:
        return
    try:
        result = await run_op(
            app,
            session,
            "rollout undo",
            lambda conn: ops.rollout_undo(conn, target.namespace, target.name, to_revision=revision),
        )
    except Exception:
        return
    app.notify(f"deployment.apps/{target.name} rolled back to revision {revision}", title="Rolled back")
    follow_rollout(app, session, target.namespace, target.name, f"Rolled back to revision {revision}", result)


@handler("restart")
async def handle_restart(app: App_, target: Target) -> None:
    if _nothing_selected(app, target):
        return
    dialog = ConfirmDialog(
        f"Restart Deployment {target.name}?",
        "Every pod is replaced by a new one, a few at a time, as in a rolling update.",
        "Restart",
    )
    try:
        await ask(app, dialog)
    except Cancelled:
        return
    try:
        result = await run_op(
            app,
            target.session,
            "rollout restart",
            lambda conn: ops.rollout_restart(conn, target.namespace, target.name),
        )
    except Exception:
        return
    follow_rollout(app, target.session, target.namespace, target.name, "Restarted", result)


@handler("delete")
async def handle_delete(app: App_, target: Target) -> None:
    if _nothing_selected(app, target):
        return
    label = KIND_LABELS.get(target.kind, target.kind)
    namespace = meta(target.obj).get("namespace")
    owns = target.kind in ("deployments", "replicasets")
    try:
        propagation = await ask(app, DeleteDialog(label, target.name, namespace, owns_children=owns))
    except Cancelled:
        return
    try:
        await run_op(
            app,
            target.session,
            "delete",
            lambda conn: ops.delete(
                conn, target.kind, target.namespace, target.name, propagation=propagation
            ),
        )
    except Exception:
        return
    app.notify(f"{label.lower()} {target.name} deleted", title="Deleted")


@handler("pull_secret")
async def handle_pull_secret(app: App_, target: Target) -> None:
    await ask_pull_secret(app, target)
