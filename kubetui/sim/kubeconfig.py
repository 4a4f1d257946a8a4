"""Writes a kubeconfig that points kubectl (or kubetui) at the built-in cluster."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

CONTEXT = "kubetui-sim"
# Started without a token, the built-in cluster accepts any bearer token; a fixed dummy keeps clients that
# insist on auth happy. Started with one (``kubetui sim serve --token``), it writes that one instead.
DUMMY_TOKEN = "kubetui-sim-token"


def kubeconfig_dict(
    url: str, context: str = CONTEXT, namespace: str | None = None, token: str | None = None
) -> dict[str, object]:
    ctx: dict[str, str] = {"cluster": context, "user": context}
    if namespace:
        ctx["namespace"] = namespace
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": context, "cluster": {"server": url}}],
        "users": [{"name": context, "user": {"token": token or DUMMY_TOKEN}}],
        "contexts": [{"name": context, "context": ctx}],
        "current-context": context,
        "preferences": {},
    }


def write_kubeconfig(
    path: str | Path,
    url: str,
    context: str = CONTEXT,
    namespace: str | None = None,
    *,
    token: str | None = None,
) -> Path:
    """Writes the file (mode 0600, like kubectl's own) and returns its path."""
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(kubeconfig_dict(url, context, namespace, token), sort_keys=False)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    return path
