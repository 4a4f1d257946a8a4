"""Kubeconfig files for the real control plane: one cluster entry trusting the stack's CA, one user, one
context named ``realk8s``; the credentials are whatever the caller passes (certificate, token or exec plugin)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

CONTEXT = "realk8s"


def write_kubeconfig(
    path: Path,
    server: str,
    ca: Path | None,
    user: str,
    credentials: dict[str, Any],
    *,
    cluster_extra: dict[str, Any] | None = None,
) -> Path:
    """Write a one-context kubeconfig (mode 0600: it holds credentials) and return its path."""
    cluster: dict[str, Any] = {"server": server}
    if ca is not None:
        cluster["certificate-authority"] = str(ca)
    cluster.update(cluster_extra or {})
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT, "cluster": cluster}],
        "users": [{"name": user, "user": credentials}],
        "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": user}}],
        "current-context": CONTEXT,
    }
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    path.chmod(0o600)
    return path


def exec_credentials(
    command: str, args: list[str] | None = None, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """The ``user`` entry of a kubeconfig that runs an exec credential plugin, as client-go expects it."""
    return {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": command,
            "args": list(args or []),
            "env": [{"name": k, "value": v} for k, v in (env or {}).items()],
            "interactiveMode": "Never",
        }
    }
