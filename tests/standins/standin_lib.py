"""Shared by the stand-in k3d, kind and minikube executables: record argv, keep state, write kubeconfig.

Environment: STANDIN_DIR (where calls.jsonl and state.json live), STANDIN_FAIL (a sub-command that fails as the
real tool does), STANDIN_HANG (the create command hangs after its first lines, with a child process, so
cancellation can be tested; "stubborn": both ignore SIGTERM), STANDIN_DELAY (seconds between output lines), STANDIN_SERVER (the API server URL
written into the kubeconfig), STANDIN_CA (a CA certificate file written into it as certificate-authority-data), KUBECONFIG (the file the real tools write to).
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

DIR = Path(os.environ.get("STANDIN_DIR", "."))
TOOL = Path(sys.argv[0]).name


def record() -> None:
    """Append this call (tool and argv) to calls.jsonl."""
    with open(DIR / "calls.jsonl", "a") as fh:
        fh.write(json.dumps({"tool": TOOL, "argv": sys.argv[1:], "pid": os.getpid()}) + "\n")


def fails(sub: str) -> bool:
    return os.environ.get("STANDIN_FAIL", "") == sub


def say(line: str, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(line + "\n")
    stream.flush()
    time.sleep(float(os.environ.get("STANDIN_DELAY", "0.01")))


def hang_if_asked() -> None:
    """Block like a tool waiting on Docker, with a child of our own, until killed; pids go to hang.json."""
    mode = os.environ.get("STANDIN_HANG")
    if not mode:
        return
    code = "import time; time.sleep(600)"
    if mode == "stubborn":
        # Ignores SIGTERM, as a tool stuck in a blocking call can: only SIGKILL ends it.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"
    child = subprocess.Popen([sys.executable, "-c", code])
    (DIR / "hang.json").write_text(json.dumps({"pid": os.getpid(), "child": child.pid}))
    say("waiting for the node containers ...")
    time.sleep(600)


def load() -> dict[str, Any]:
    try:
        return json.loads((DIR / "state.json").read_text()).get(TOOL, {})
    except (OSError, ValueError):
        return {}


def save(clusters: dict[str, Any]) -> None:
    path = DIR / "state.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        data = {}
    data[TOOL] = clusters
    path.write_text(json.dumps(data))


def kubeconfig_path() -> Path:
    first = os.environ.get("KUBECONFIG", "").split(os.pathsep)[0]
    return Path(first) if first else Path.home() / ".kube" / "config"


def _doc() -> dict[str, Any]:
    path = kubeconfig_path()
    doc = (yaml.safe_load(path.read_text()) if path.exists() else None) or {}
    for key in ("clusters", "contexts", "users"):
        doc.setdefault(key, [])
    doc.setdefault("apiVersion", "v1")
    doc.setdefault("kind", "Config")
    return doc


def _write(doc: dict[str, Any]) -> None:
    path = kubeconfig_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


def add_context(context: str, default_server: str, user: str | None = None) -> None:
    """Merge a context into the kubeconfig and make it current, as the real tools do after create."""
    doc = _doc()
    user = user or context
    cluster: dict[str, Any] = {"server": os.environ.get("STANDIN_SERVER", default_server)}
    if os.environ.get("STANDIN_CA"):
        cluster["certificate-authority-data"] = base64.b64encode(
            Path(os.environ["STANDIN_CA"]).read_bytes()
        ).decode()
    for key, entry in (
        ("clusters", {"name": context, "cluster": cluster}),
        ("users", {"name": user, "user": {"token": "standin-token"}}),
        ("contexts", {"name": context, "context": {"cluster": context, "user": user}}),
    ):
        doc[key] = [e for e in doc[key] if e.get("name") != entry["name"]] + [entry]
    doc["current-context"] = context
    _write(doc)


def remove_context(context: str, user: str | None = None) -> None:
    doc = _doc()
    for key, name in (("clusters", context), ("users", user or context), ("contexts", context)):
        doc[key] = [e for e in doc[key] if e.get("name") != name]
    if doc.get("current-context") == context:
        doc["current-context"] = ""
    _write(doc)


def flag(args: list[str], name: str, default: str | None = None) -> str | None:
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a.split("=", 1)[1]
    return default


def flags(args: list[str], name: str) -> list[str]:
    return [args[i + 1] for i, a in enumerate(args) if a == name and i + 1 < len(args)]
