"""Fixtures for provider tests: stand-in k3d/kind/minikube on PATH, an isolated kubeconfig and data dir."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

STANDINS = Path(__file__).resolve().parents[1] / "standins"


@dataclass
class Standins:
    dir: Path
    kubeconfig: Path
    data: Path

    def calls(self, tool: str | None = None) -> list[list[str]]:
        """Every recorded argv (without the program name), oldest first."""
        path = self.dir / "calls.jsonl"
        if not path.exists():
            return []
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        return [r["argv"] for r in rows if tool is None or r["tool"] == tool]

    def hang_pids(self) -> dict[str, Any]:
        return json.loads((self.dir / "hang.json").read_text())


@pytest.fixture
def standins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Standins:
    return make_standins(tmp_path, monkeypatch)


def make_standins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Standins:
    """Stand-in tools first on PATH (run by this interpreter's python3), everything they write under tmp_path."""
    d = tmp_path / "standin"
    d.mkdir()
    kubeconfig = tmp_path / "kube" / "config"
    data = tmp_path / "data"
    path = os.pathsep.join([str(STANDINS), str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    monkeypatch.setenv("PATH", path)
    monkeypatch.setenv("STANDIN_DIR", str(d))
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")
    for var in ("STANDIN_FAIL", "STANDIN_HANG", "STANDIN_SERVER", "STANDIN_CA", "STANDIN_DELAY"):
        monkeypatch.delenv(var, raising=False)
    return Standins(d, kubeconfig, data)
