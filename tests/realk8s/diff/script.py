"""The differential script: requests in order, each sent to both clusters, grouped by category.

A ``Step`` is one compared request; its path and body may be functions of the answers so far (``ctx`` maps a
step's name to that server's response body, and ``"ns"`` to the namespace). A ``Wait`` is not compared: it polls
each server until a condition holds, where a controller has to act before the next step makes sense.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Ctx = dict[str, Any]
JSON = "application/json"
MERGE = "application/merge-patch+json"
JSONPATCH = "application/json-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
APPLY = "application/apply-patch+yaml"


@dataclass(frozen=True)
class Step:
    category: str
    name: str
    method: str
    path: str | Callable[[Ctx], str]
    body: Any = None
    ctype: str = JSON
    watch: bool = False
    accept: str = JSON
    # Applied to both answers before they are compared, where only part of them is comparable.
    only: Callable[[Any], Any] | None = None

    @property
    def describe(self) -> str:
        return self.path if isinstance(self.path, str) else f"({self.name})"


@dataclass(frozen=True)
class Wait:
    what: str
    path: str | Callable[[Ctx], str]
    until: Callable[[int, Any], bool]
    timeout: float = 60.0


Item = Step | Wait


def cm(
    name: str, labels: dict[str, str] | None = None, data: dict[str, str] | None = None, **extra: Any
) -> Any:
    meta: dict[str, Any] = {"name": name}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data or {"k": "v"}, **extra}


def deployment(name: str, replicas: int = 1, **spec: Any) -> Any:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
            },
            **spec,
        },
    }


def pod(name: str, **spec: Any) -> Any:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"run": name}},
        "spec": {"containers": [{"name": "main", "image": "nginx:1.27"}], **spec},
    }


def exists(code: int, body: Any) -> bool:
    return code == 200


def gone(code: int, body: Any) -> bool:
    return code == 404


def script(ns: str) -> list[Item]:
    from tests.realk8s.diff import script_changes, script_objects

    return [
        *script_objects.items(ns),
        *script_changes.items(ns),
    ]
