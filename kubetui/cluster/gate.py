"""The read-only gate: every change kubetui makes, to a cluster or to the local clusters it manages, asks here.

``Connection.check_mutation`` (every API request) and the providers' create/start/stop/delete/add-node
(``Provider`` wraps them on definition) both call :func:`check_write`, so a new write path cannot forget the rule.
"""

from __future__ import annotations

from kubetui.cluster.errors import ReadOnlyError


def check_write(readonly: bool, verb: str, target: str) -> None:
    """Raise ReadOnlyError when ``readonly``: kubetui refuses to ``verb`` ``target``."""
    if readonly:
        raise ReadOnlyError(f"kubetui is read-only: refusing to {verb} {target}", 0)
