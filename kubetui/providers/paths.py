"""Where kubetui keeps provider files: the XDG data directory."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """``$XDG_DATA_HOME/kubetui`` (default ``~/.local/share/kubetui``)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path("~/.local/share").expanduser())
    return Path(base) / "kubetui"


def builtin_clusters_dir() -> Path:
    return data_dir() / "clusters"
