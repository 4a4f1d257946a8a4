"""The apply-manifest action (``a``): pick a file, server dry run per document, then apply all or nothing."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import Any

from textual.app import App

from kubetui import kinds
from kubetui.actions import Target, handler
from kubetui.cluster import ops
from kubetui.screens.dialogs.apply import (
    ApplyPreviewDialog,
    DocumentOutcome,
    ManifestPickerDialog,
    documents_of,
)
from kubetui.screens.dialogs.confirm import ConfirmDialog
from kubetui.screens.dialogs.flow import Cancelled, ask, error_text, follow_rollout, run_op

# The manifests shipped with kubetui, next to the package in a source checkout.
BUNDLED_MANIFESTS = Path(__file__).resolve().parents[3] / "manifests"


def manifest_directories() -> list[Path]:
    """Where the picker looks: kubetui's own examples, then the current directory."""
    return [d for d in (BUNDLED_MANIFESTS, Path.cwd()) if d.is_dir()]


def outcome_of(result: Any, document: dict[str, Any] | None, namespace: str) -> DocumentOutcome:
    """One ApplyResult (or an exception) as a line of the preview."""
    meta = (document or {}).get("metadata") or {}
    kind = str(getattr(result, "kind", None) or (document or {}).get("kind") or "?")
    name = str(getattr(result, "name", None) or meta.get("name") or "?")
    ns = (
        getattr(result, "namespace", None)
        or meta.get("namespace")
        or (namespace if kind != "Namespace" else None)
    )
    error = result if isinstance(result, BaseException) else getattr(result, "error", None)
    action = str(getattr(result, "action", None) or ("failed" if error else "ok"))
    # "skipped" is a valid document left alone because another failed: not applied either.
    ok = bool(getattr(result, "ok", not error)) and action not in ("failed", "skipped")
    ok = ok and not isinstance(result, BaseException)
    if error:
        return DocumentOutcome(kind, name, ns, error if isinstance(error, str) else error_text(error), False)
    return DocumentOutcome(kind, name, ns, action, ok)


def outcomes(results: Any, documents: list[dict[str, Any]], namespace: str) -> list[DocumentOutcome]:
    listed = list(results or [])
    padded: list[dict[str, Any] | None] = [*documents, *([None] * max(0, len(listed) - len(documents)))]
    return [outcome_of(r, d, namespace) for r, d in zip(listed, padded, strict=False)]


@handler("apply")
async def handle_apply(app: App[Any], target: Target) -> None:
    session, namespace = target.session, target.namespace
    try:
        choice = await ask(app, ManifestPickerDialog(manifest_directories()))
    except Cancelled:
        return
    documents = await asyncio.to_thread(documents_of, choice.text)  # a 4 MB manifest takes seconds
    try:
        dry = await session.call(lambda conn: ops.apply_manifests(conn, choice.text, namespace, dry_run=True))
        preview = [
            replace(o, outcome=f"{o.outcome} (server dry run)") if o.ok else o
            for o in outcomes(dry, documents, namespace)
        ]
    except Exception as err:  # a document the server refuses: show it in the preview, per document
        preview = [outcome_of(err, documents[0] if len(documents) == 1 else None, namespace)]
        if len(documents) > 1:
            preview = [
                DocumentOutcome(
                    str(d.get("kind")), str((d.get("metadata") or {}).get("name")), None, "not applied", False
                )
                for d in documents
            ] + preview
    try:
        await ask(app, ApplyPreviewDialog(choice.path, preview))
    except Cancelled:
        return
    try:
        results = await run_op(
            app,
            session,
            f"apply {choice.path.name}",
            lambda conn: ops.apply_manifests(conn, choice.text, namespace),
        )
    except Exception:
        return
    applied = outcomes(results, documents, namespace)
    # The cluster may have changed since the dry run; then nothing was applied and each document says why.
    failed = any(not o.ok for o in applied)
    if failed and any(o.ok for o in applied):
        await _partly_applied(app, session, choice.path.name, applied, results)
        return
    app.notify(
        "\n".join(f"{o.kind.lower()}/{o.name} {o.outcome}" for o in applied),
        title=f"Not applied: {choice.path.name}" if failed else f"Applied {choice.path.name}",
        severity="error" if failed else "information",
        timeout=10 if failed else 5,
    )
    if failed:
        return
    deployments = [o for o in applied if o.ok and _follows_rollout(o.kind)]
    if len(deployments) == 1:
        only = deployments[0]
        applied_object = next(
            (getattr(r, "object", None) for r in results if _follows_rollout(getattr(r, "kind", ""))), None
        )
        follow_rollout(
            app,
            session,
            only.namespace or namespace,
            only.name,
            f"Applied {choice.path.name}",
            applied_object,
        )


def _follows_rollout(kind: str) -> bool:
    what = kinds.lookup(kind) if kind else None
    return what is not None and what.follows_rollout


def partly_applied_text(applied: list[DocumentOutcome]) -> str:
    """What a part-way apply did, exactly: each object made or changed, and each document that failed."""
    done = [f"  {o.kind.lower()}/{o.name} {o.outcome}" for o in applied if o.ok]
    failed = [f"  {o.kind.lower()}/{o.name}: {o.outcome}" for o in applied if not o.ok]
    return "\n".join(["Applied:", *done, "Failed:", *failed])


async def _partly_applied(
    app: App[Any], session: Any, file: str, applied: list[DocumentOutcome], results: Any
) -> None:
    """Say exactly what is in the cluster now, and offer to delete what this apply created."""
    text = partly_applied_text(applied)
    app.notify(text, title=f"Partly applied: {file}", severity="error", timeout=20)
    created = [r for r in results if getattr(r, "action", "") == "created"]
    if not created:
        return
    names = ", ".join(f"{r.kind.lower()}/{r.name}" for r in created)
    question = f"{text}\n\nDelete what this apply created ({names}) to leave the cluster as it was?"
    try:
        await ask(app, ConfirmDialog(f"Undo the part of {file} that was applied?", question, "Delete", True))
    except Cancelled:
        return
    try:
        lines = await run_op(app, session, "undo apply", lambda conn: ops.undo_created(conn, list(results)))
    except Exception:
        return
    app.notify("\n".join(lines), title=f"Undone: {file}", timeout=10)
