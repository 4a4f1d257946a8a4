"""Pods that cannot pull their image, and the registry offer made about them.

What the footer and the explorer ask on every selection and pods change, kept apart from the dialogs (which load
on first use) so that asking costs no import of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kubetui.cluster.relations import owner_chain
from kubetui.cluster.render import pod_status

if TYPE_CHECKING:
    from textual.app import App

PULL_FAILURES = ("ErrImagePull", "ImagePullBackOff")


def meta(obj: dict[str, Any] | None) -> dict[str, Any]:
    return (obj or {}).get("metadata") or {}


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


def offer_pull_secret(app: App[Any], store: Any, deployment: dict[str, Any] | None) -> bool:
    """Once per Deployment and failure episode: if its pods cannot pull, say which key adds credentials.

    For the explorer to call when a Deployment is selected and whenever its pods change while it stays
    selected (they may start failing later); returns whether the offer was made.
    """
    if deployment is None:
        return False
    uid = meta(deployment).get("uid", "")
    offered = offers(app)
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


def offers(app: App[Any]) -> set[str]:
    """Uids of the Deployments whose current pull-failure episode has been announced."""
    offers: set[str] = app.__dict__.setdefault("_pull_secret_offers", set())
    return offers
