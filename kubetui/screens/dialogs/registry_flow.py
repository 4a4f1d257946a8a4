"""Private-registry help (journey step 10): find the pull failure, create the Secret, reference it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App

from kubetui.actions import Target
from kubetui.cluster import ops
from kubetui.screens.dialogs.flow import Cancelled, ask, follow_rollout, meta, pod_template_spec, run_op
from kubetui.screens.dialogs.registry import RegistrySecretDialog
from kubetui.screens.pull_failures import (
    PULL_FAILURES,
    deployment_of,
    deployment_to_fix,
    offer_pull_secret,
    offers,
    pull_failure,
)


async def ask_pull_secret(app: App[Any], target: Target, exact: bool = False) -> None:
    """Ask for registry credentials, create a docker-registry Secret and add it to imagePullSecrets.

    ``exact``: for the target's own Deployment, never the one an earlier offer named.
    """
    session = target.session
    if exact:
        deployment = deployment_of(session.store, target.kind, target.obj)
    else:
        deployment = deployment_to_fix(app, session.store, target.kind, target.obj)
    if deployment is None:
        app.notify("Select a Deployment (or one of its pods) first", severity="warning")
        return
    name, namespace = meta(deployment)["name"], meta(deployment).get("namespace") or target.namespace
    spec = pod_template_spec("deployments", deployment)
    images = [c.get("image", "") for c in spec.get("containers") or []]
    failure = pull_failure(session.store, deployment)
    reason, image = failure if failure else ("", "")
    referenced = [s.get("name") for s in spec.get("imagePullSecrets") or [] if s.get("name")]
    dialog = RegistrySecretDialog(
        name,
        image or (images[0] if images else ""),
        reason,
        secret_name=referenced[0] if referenced else "",
        namespace=namespace,
    )
    try:
        secret = await ask(app, dialog)
    except Cancelled:
        return
    try:
        await run_op(
            app,
            session,
            "create secret",
            lambda conn: ops.create_registry_secret(
                conn, namespace, secret.name, secret.server, secret.username, secret.password, secret.email
            ),
        )
        app.notify(f"secret/{secret.name} created", title="Registry Secret")
        result: Any = None
        if secret.name not in referenced:
            result = await run_op(
                app,
                session,
                "add imagePullSecrets",
                lambda conn: ops.add_image_pull_secret(conn, namespace, name, secret.name),
            )
            app.notify(
                f"deployment.apps/{name} now pulls with secret {secret.name}", title="imagePullSecrets"
            )
    except Exception:
        return
    follow_rollout(app, session, namespace, name, f"Pulling with secret {secret.name}", result)


def pull_secret_opener(app: App[Any], session: Any, namespace: str, name: str) -> Callable[[], None]:
    """What the pull-Secret key does inside Deployment ``namespace/name``'s rollout view: offer it for that one."""

    def open_dialog() -> None:
        if session.readonly:
            app.notify("read-only: creating Secrets is off", severity="warning")
            return
        deployment = session.store.find("deployments", namespace, name)
        target = Target(kind="deployments", obj=deployment, session=session, namespace=namespace)
        app.run_worker(ask_pull_secret(app, target, exact=True), group="action", exclusive=False)

    return open_dialog


def pull_secret_hint(app: App[Any], session: Any, namespace: str, name: str) -> Callable[[str], bool]:
    """A rollout view's stuck callback: new pods that cannot pull get the registry offer instead of a bare
    "stuck" notice, once per failure episode however many places notice it (True when that was said)."""

    def on_stuck(reason: str) -> bool:
        if reason not in PULL_FAILURES:
            return False
        deployment = session.store.find("deployments", namespace, name)
        offer_pull_secret(app, session.store, deployment)
        return deployment is not None and meta(deployment).get("uid", "") in offers(app)

    return on_stuck
