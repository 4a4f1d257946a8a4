"""The Textual messages that carry cluster data and operation results from workers to the UI."""

from __future__ import annotations

from typing import Any

from textual.message import Message


class DeltasArrived(Message):
    """Watch deltas of one kind, already applied to the session's Store; bursts are coalesced.

    ``uids`` are the objects that changed; ``deltas`` the raw watcher deltas (possibly several per uid).
    """

    def __init__(
        self, kind: str, deltas: list[Any], uids: set[str] | None = None, reset: bool = False
    ) -> None:
        super().__init__()
        self.kind = kind
        self.deltas = deltas
        self.uids = uids if uids is not None else _uids(deltas)
        # True when the store for this kind was replaced wholesale (relist, namespace or context switch).
        self.reset = reset


def _uids(deltas: list[Any]) -> set[str]:
    out: set[str] = set()
    for delta in deltas:
        uid = ((getattr(delta, "obj", None) or {}).get("metadata") or {}).get("uid")
        if uid:
            out.add(uid)
    return out


class WatchStateChanged(Message):
    """A watcher moved between syncing, live, reconnecting and forbidden."""

    def __init__(self, state: Any) -> None:
        super().__init__()
        self.state = state


class ConnectionChanged(Message):
    """The session connected, failed to connect, or switched context or namespace."""

    def __init__(self, connected: bool, error: Exception | None = None) -> None:
        super().__init__()
        self.connected = connected
        self.error = error


class OperationDone(Message):
    """An operation started by an action finished; ``result`` is what the ops function returned."""

    def __init__(self, action_id: str, result: Any) -> None:
        super().__init__()
        self.action_id = action_id
        self.result = result


class OperationFailed(Message):
    """An operation started by an action failed with a ClusterError (or another exception)."""

    def __init__(self, action_id: str, error: Exception) -> None:
        super().__init__()
        self.action_id = action_id
        self.error = error
