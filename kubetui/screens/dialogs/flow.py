"""Helpers the action handlers share: ask a dialog, run an operation on the session, follow a rollout."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from textual.app import App
from textual.screen import Screen

from kubetui.cluster.errors import NotFound, OutcomeUnknown
from kubetui.kinds import objects
from kubetui.screens.dialogs.rollout import RolloutScreen
from kubetui.screens.pull_failures import meta

T = TypeVar("T")
REREAD_TIMEOUT = 10.0

KIND_LABELS = {
    "deployments": "Deployment",
    "replicasets": "ReplicaSet",
    "pods": "Pod",
    "services": "Service",
    "nodes": "Node",
    "namespaces": "Namespace",
    "secrets": "Secret",
}


class Cancelled(Exception):
    """The person closed a dialog without choosing; the handler stops quietly."""


async def ask(app: App[Any], screen: Screen[T | None]) -> T:
    """Push ``screen`` and wait for its result; raises Cancelled when it returns None."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[T | None] = loop.create_future()

    def done(value: T | None) -> None:
        if not answer.done():
            answer.set_result(value)

    app.push_screen(screen, done)
    value = await answer
    if value is None:
        raise Cancelled
    return value


async def ask_running(
    app: App[Any], session: Any, dialog: Any, fn: Callable[[Any, Any], Awaitable[T]]
) -> tuple[Any, T]:
    """Push a FormDialog that sends what it collected with ``fn(connection, value)`` before closing.

    A refusal from the server stays in the dialog (beside the field it concerns) with what was typed;
    returns (value, what ``fn`` returned) once it succeeded; raises Cancelled when the person gave up.
    """

    async def runner(value: Any) -> T:
        return await session.call(lambda conn: fn(conn, value))  # type: ignore[no-any-return]

    dialog.runner = runner
    value = await ask(app, dialog)
    return value, dialog.outcome


def error_text(error: BaseException) -> str:
    """A ClusterError's kubectl-like message (the read-only refusal included), else the exception's text."""
    return str(getattr(error, "message", None) or error or type(error).__name__)


async def run_op(app: App[Any], session: Any, what: str, fn: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``fn(connection)`` through the session; failures are announced with ``what`` and re-raised.

    A write that got no answer is not called failed: it may have been made. The object is read again and
    what the server holds now is said.
    """
    try:
        return await session.call(fn)
    except asyncio.CancelledError:
        raise
    except OutcomeUnknown as err:
        app.notify(error_text(err), title=f"{what}: outcome unknown", severity="warning", timeout=15)
        app.notify(await reread(session, err), title=f"{what}: read again", timeout=15)
        raise
    except Exception as err:
        app.notify(error_text(err), title=f"{what} failed", severity="error", timeout=10)
        raise


async def reread(session: Any, err: OutcomeUnknown) -> str:
    """What the server holds now for the object a write with no answer was about."""
    if not err.read_path:
        return f"look at {err.target} again once the server answers"
    try:
        obj = await session.call(lambda conn: conn.request("GET", err.read_path, timeout=REREAD_TIMEOUT))
    except NotFound:
        return f"{err.target} does not exist now"
    except Exception as again:
        return f"{err.target} could not be read either ({error_text(again)}); the watch shows it once the server answers"
    spec = (obj.get("spec") or {}) if isinstance(obj, dict) else {}
    version = meta(obj).get("resourceVersion", "?")
    replicas = f", spec.replicas {spec['replicas']}" if "replicas" in spec else ""
    return f"{err.target} as the server has it now: resourceVersion {version}{replicas}"


def pod_template_spec(kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    """The pod spec of a workload (its template) or of a pod itself."""
    return objects.pod_spec(kind, obj)


def container_ports(kind: str, obj: dict[str, Any]) -> list[int]:
    """Ports a Service could target: declared container ports (or, for a Service, its ports)."""
    return objects.port_numbers(kind, obj)


def store_snapshot(session: Any, namespace: str, name: str) -> Callable[[], tuple[Any, list[Any], list[Any]]]:
    """Reads a Deployment, its ReplicaSets and their pods from the live cache (owner indexes, no network)."""

    def snapshot() -> tuple[Any, list[Any], list[Any]]:
        store = session.store
        deployment = store.find("deployments", namespace, name)
        if deployment is None:
            return None, [], []
        replicasets = list(store.owned_by("replicasets", meta(deployment).get("uid", "")))
        pods = [pod for rs in replicasets for pod in store.owned_by("pods", meta(rs).get("uid", ""))]
        return deployment, replicasets, pods

    return snapshot


def follow_rollout(
    app: App[Any],
    session: Any,
    namespace: str,
    name: str,
    what: str,
    result: Any = None,
    min_generation: int = 0,
) -> RolloutScreen:
    """Show the live rollout view for Deployment ``namespace/name`` after ``what`` changed it.

    Whatever the change, new pods that cannot pull their image get the private-registry offer.
    """
    from kubetui.screens.dialogs.pull_backoff import next_pull_retry
    from kubetui.screens.dialogs.registry_flow import pull_secret_hint, pull_secret_opener  # builds on this

    obj = result if isinstance(result, dict) else {}
    generation = min_generation
    # Only the Deployment's own generation says when the controller has seen the change (not a Scale's).
    if obj.get("kind", "Deployment") == "Deployment" and meta(obj).get("name") == name:
        generation = max(generation, int(meta(obj).get("generation") or 0))
    screen = RolloutScreen(
        f"{what}: Deployment {namespace}/{name}",
        name,
        store_snapshot(session, namespace, name),
        min_generation=generation,
        on_stuck=pull_secret_hint(app, session, namespace, name),
        on_pull_secret=pull_secret_opener(app, session, namespace, name),
        pull_retry=lambda pod: next_pull_retry(session.store.list("events", namespace), pod),
    )
    app.push_screen(screen)
    return screen
