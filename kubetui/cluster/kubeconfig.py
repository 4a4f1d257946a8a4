"""Kubeconfig loading by kubectl's rules: which files, how they merge, the contexts they offer."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PATH = "~/.kube/config"


@dataclass(frozen=True)
class KubeContext:
    """One context entry, with the server of the cluster it names (empty when that cluster is missing)."""

    name: str
    cluster: str
    user: str
    namespace: str  # "" when the context sets none
    server: str


@dataclass
class KubeConfig:
    """The merged kubeconfig. ``found`` is False when no file exists at all, a normal state, not an error."""

    paths: list[str]  # the candidate files, in precedence order
    loaded: list[str] = field(default_factory=list)  # those that existed and were read
    current_context: str = ""
    clusters: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    context_entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: str | None = None  # set when an explicit file is missing or a file is not valid YAML

    @property
    def found(self) -> bool:
        return bool(self.loaded)

    @property
    def contexts(self) -> list[KubeContext]:
        return [self._context(name) for name in self.context_entries]

    def context(self, name: str | None = None) -> KubeContext | None:
        """The named context, or the current one; None when it does not exist."""
        name = name or self.current_context
        if not name or name not in self.context_entries:
            return None
        return self._context(name)

    def default_namespace(self, context: str | None = None) -> str:
        ctx = self.context(context)
        return (ctx.namespace if ctx else "") or "default"

    def as_dict(self) -> dict[str, Any]:
        """A single kubeconfig document equivalent to the merge (paths already absolute)."""
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": self.current_context,
            "clusters": [{"name": n, "cluster": c} for n, c in self.clusters.items()],
            "users": [{"name": n, "user": u} for n, u in self.users.items()],
            "contexts": [{"name": n, "context": c} for n, c in self.context_entries.items()],
        }

    def _context(self, name: str) -> KubeContext:
        entry = self.context_entries[name]
        cluster = str(entry.get("cluster") or "")
        server = str((self.clusters.get(cluster) or {}).get("server") or "")
        return KubeContext(
            name=name,
            cluster=cluster,
            user=str(entry.get("user") or ""),
            namespace=str(entry.get("namespace") or ""),
            server=server,
        )


def candidate_paths(explicit: str | None = None, environ: dict[str, str] | None = None) -> list[str]:
    """The files kubectl would consider: the explicit one only, else KUBECONFIG's list, else the default."""
    if explicit:
        return [os.path.expanduser(explicit)]
    env = os.environ if environ is None else environ
    value = env.get("KUBECONFIG", "")
    if value:
        seen: list[str] = []
        for part in value.split(os.pathsep):
            if part and os.path.expanduser(part) not in seen:
                seen.append(os.path.expanduser(part))
        if seen:
            return seen
    return [os.path.expanduser(DEFAULT_PATH)]


def load_kubeconfig(path: str | None = None, environ: dict[str, str] | None = None) -> KubeConfig:
    """Read and merge kubeconfig files as kubectl does.

    For each named cluster, user and context the first file that defines it wins; so does the first file
    with a non-empty current-context. Missing files in KUBECONFIG are skipped silently; a missing explicit
    file sets ``error``. Relative file references resolve against the file that contains them.
    """
    paths = candidate_paths(path, environ)
    config = KubeConfig(paths=paths)
    for file in paths:
        p = Path(file)
        if not p.is_file():
            if path:
                config.error = f"stat {file}: no such file or directory"
            continue
        try:
            doc = yaml.safe_load(p.read_text()) or {}
        except (OSError, yaml.YAMLError) as exc:
            config.error = f"error loading config file {file!r}: {_one_line(exc)}"
            continue
        if not isinstance(doc, dict):
            config.error = f"error loading config file {file!r}: not a kubeconfig mapping"
            continue
        config.loaded.append(file)
        base = p.resolve().parent
        _merge(config.clusters, doc.get("clusters"), "cluster", base, _resolve_cluster)
        _merge(config.users, doc.get("users"), "user", base, _resolve_user)
        _merge(config.context_entries, doc.get("contexts"), "context", base, None)
        if not config.current_context and doc.get("current-context"):
            config.current_context = str(doc["current-context"])
    return config


def _merge(target: dict[str, dict[str, Any]], entries: Any, key: str, base: Path, resolve: Any) -> None:
    for entry in entries or []:
        if not isinstance(entry, dict) or not entry.get("name"):
            continue
        name = str(entry["name"])
        if name in target:
            continue
        value = dict(entry.get(key) or {})
        if resolve is not None:
            resolve(value, base)
        target[name] = value


def _abs(value: Any, base: Path) -> Any:
    if isinstance(value, str) and value and not os.path.isabs(value):
        return str(base / os.path.expanduser(value))
    return value


def _resolve_cluster(cluster: dict[str, Any], base: Path) -> None:
    if "certificate-authority" in cluster:
        cluster["certificate-authority"] = _abs(cluster["certificate-authority"], base)


def _resolve_user(user: dict[str, Any], base: Path) -> None:
    for key in ("client-certificate", "client-key", "tokenFile"):
        if key in user:
            user[key] = _abs(user[key], base)
    exec_ = user.get("exec")
    # kubectl resolves an exec command only when it is a relative path, not a bare name looked up in PATH.
    if isinstance(exec_, dict) and os.sep in str(exec_.get("command") or ""):
        user["exec"] = {**exec_, "command": _abs(exec_["command"], base)}


def _one_line(exc: BaseException) -> str:
    """A YAML error on one line that keeps where it is, as kubectl's ``yaml: line 8: ...``; a header has
    one line, and PyYAML's own text spreads the position over several."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is not None and problem:
        context = getattr(exc, "context", None)
        what = f"{problem} ({context})" if context else str(problem)
        return f"yaml: line {mark.line + 1}, column {mark.column + 1}: {what}"
    return " ".join(str(exc).split())
