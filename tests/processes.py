"""What tests ask of the processes they start: whether one still runs."""

from __future__ import annotations

import os
from pathlib import Path


def alive(pid: int) -> bool:
    """Whether ``pid`` runs; a zombie (exited, not yet reaped by a parent outside the test) counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:
        state = stat.read_text().rsplit(")", 1)[-1].split()[0]
    except FileNotFoundError:  # it ended between the two looks
        return False
    return state != "Z"
