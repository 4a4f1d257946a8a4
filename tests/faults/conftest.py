"""Fixtures for the fault-injection suite: a built-in cluster in its own process, to kill, stop and restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.served import ServedSim


@pytest.fixture
def served(tmp_path: Path) -> Iterator[ServedSim]:
    server = ServedSim(tmp_path / "cluster")
    server.start()
    try:
        yield server
    finally:
        server.close()
