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


def deployment_to_fix(
    app: App[Any], store: Any, kind: str, obj: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The Deployment the pull-Secret key acts on.

    The selected one (or the selected pod's) when its own pods cannot pull; otherwise the Deployment the last
    offer named while its pods still cannot pull (the person may have moved the cursor since reading it);
    otherwise the selected one.
    """
    selected = deployment_of(store, kind, obj)
    if selected is not None and pull_failure(store, selected):
        return selected
    offer = last_offer(app)
    if offer is not None:
        offered = store.find("deployments", *offer)
        if offered is not None and pull_failure(store, offered):
            return offered  # type: ignore[no-any-return]
    return selected


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
    name = meta(deployment).get("name", "")
    app.__dict__["_pull_secret_offer"] = (meta(deployment).get("namespace", ""), name)
    reason, image = failure
    key = getattr(app, "key_for", lambda _id: "ctrl+r")("pull_secret")
    app.notify(
        f"Pods of {name} are in {reason} pulling {image or 'their image'}. If the registry needs "
        f"credentials, press {key} to create a pull Secret and add it to Deployment {name}.",
        title="Private registry?",
        severity="warning",
        timeout=12,
    )
    return True


def last_offer(app: App[Any]) -> tuple[str, str] | None:
    """(namespace, name) of the Deployment the latest registry offer named, if any."""
    offer: tuple[str, str] | None = app.__dict__.get("_pull_secret_offer")
    return offer


def _offers(app: App[Any]) -> set[str]:
    """Uids of the Deployments whose current pull-failure episode has been announced."""
    offers: set[str] = app.__dict__.setdefault("_pull_secret_offers", set())
    return offers


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
        return deployment is not None and meta(deployment).get("uid", "") in _offers(app)

    return on_stuck
