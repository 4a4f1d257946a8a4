"""Private-registry help (journey step 10): find the pull failure, create the Secret, reference it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App

from kubetui.actions import Target
from kubetui.cluster import ops
from kubetui.cluster.relations import owner_chain
from kubetui.cluster.render import pod_status
from kubetui.screens.dialogs.flow import Cancelled, ask, follow_rollout, meta, pod_template_spec, run_op
from kubetui.screens.dialogs.registry import PULL_FAILURES, RegistrySecretDialog


def deployment_of(store: Any, kind: str, obj: dict[str, Any] | None) -> dict[str, Any] | None:
    """The Deployment behind the selected object (itself, or a pod's/ReplicaSet's owner)."""
    if obj is None:
        return None
    if kind == "deployments":
        return obj
    return next((o for o in owner_chain(store, obj) if o.get("kind") == "Deployment"), None)


def pull_failure(store: Any, deployment: dict[str, Any]) -> tuple[str, str] | None:
    """(reason, image) of the first pod of ``deployment`` that cannot pull its image, or None."""
    # By the Deployment's selector rather than through its ReplicaSets: pods and ReplicaSets arrive on
    # separate watches, and the pods alone say whether pulls fail.
    selector = ((deployment.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    if not selector:
        return None
    for pod in store.by_label("pods", selector, meta(deployment).get("namespace")):
        reason = pod_status(pod)
        if reason not in PULL_FAILURES:
            continue
        for status in (pod.get("status") or {}).get("containerStatuses") or []:
            if ((status.get("state") or {}).get("waiting") or {}).get("reason") in PULL_FAILURES:
                return reason, str(status.get("image") or "")
        return reason, ""
    return None


async def ask_pull_secret(app: App[Any], target: Target) -> None:
    """Ask for registry credentials, create a docker-registry Secret and add it to imagePullSecrets."""
    session = target.session
    deployment = deployment_of(session.store, target.kind, target.obj)
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
        name, image or (images[0] if images else ""), reason, secret_name=referenced[0] if referenced else ""
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


def offer_pull_secret(app: App[Any], store: Any, deployment: dict[str, Any] | None) -> bool:
    """Once per Deployment and failure episode: if its pods cannot pull, say which key adds credentials.

    For the explorer to call when a Deployment is selected and whenever its pods change while it stays
    selected (they may start failing later); returns whether the offer was made.
    """
    if deployment is None:
        return False
    uid = meta(deployment).get("uid", "")
    offered = _offers(app)
    failure = pull_failure(store, deployment)
    if failure is None:
        offered.discard(uid)  # the episode is over: pods failing to pull again later is news again
        return False
    if uid in offered:
        return False
    offered.add(uid)
    reason, image = failure
    key = getattr(app, "key_for", lambda _id: "ctrl+r")("pull_secret")
    app.notify(
        f"Pods of {meta(deployment).get('name')} are in {reason} pulling {image or 'their image'}. If the "
        f"registry needs credentials, press {key} to create a pull Secret and add it to the Deployment.",
        title="Private registry?",
        severity="warning",
        timeout=12,
    )
    return True


def _offers(app: App[Any]) -> set[str]:
    """Uids of the Deployments whose current pull-failure episode has been announced."""
    offers: set[str] = app.__dict__.setdefault("_pull_secret_offers", set())
    return offers


def pull_secret_hint(app: App[Any], session: Any, namespace: str, name: str) -> Callable[[str], bool]:
    """A rollout view's stuck callback: new pods that cannot pull get the registry offer instead of a bare
    "stuck" notice, once per failure episode however many places notice it (True when that was said)."""

    def on_stuck(reason: str) -> bool:
        if reason not in PULL_FAILURES:
            return False
        deployment = session.store.find("deployments", namespace, name)
        offer_pull_secret(app, session.store, deployment)
        return deployment is not None and meta(deployment).get("uid", "") in _offers(app)

    return on_stuck
