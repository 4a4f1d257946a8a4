"""Saving a log view to a file: the default path proposed, and the check that nothing is overwritten unasked."""

from __future__ import annotations

import re
import time
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def default_path(title: str, cwd: Path | None = None, now: float | None = None) -> Path:
    """``POD-TIMESTAMP.log`` (or the workload's name) in the current directory, as a whole path.

    ``title`` is the view's title: ``pod NAME`` or ``deployment NAME (3 pods)``.
    """
    words = title.split()
    name = words[1] if len(words) > 1 else (words[0] if words else "logs")
    name = _UNSAFE.sub("-", name).strip("-") or "logs"
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    return (cwd or Path.cwd()) / f"{name}-{stamp}.log"


def resolve(text: str, cwd: Path | None = None) -> Path:
    """What was typed as a path: ``~`` expanded, a relative path taken from the current directory."""
    path = Path(text).expanduser()
    return path if path.is_absolute() else (cwd or Path.cwd()) / path


def refusal(path: Path) -> str | None:
    """Why ``path`` cannot be written at all (no question would help), or None."""
    if path.is_dir():
        return f"{path} is a directory; add a file name"
    if not path.parent.is_dir():
        return f"no such directory: {path.parent}"
    return None
