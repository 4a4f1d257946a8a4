"""screenshots/make.py: regenerating gives byte-identical SVGs, and each shows the view it is named after."""

from __future__ import annotations

import html
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.slow

SCRIPT = Path(__file__).resolve().parents[2] / "screenshots" / "make.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kubetui_screenshots", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def svg_text(svg: str) -> str:
    """The characters an SVG screenshot draws, joined (spaces as Rich writes them: no-break spaces)."""
    parts = re.findall(r"<text [^>]*>(.*?)</text>", svg)
    return html.unescape("".join(parts)).replace("\xa0", " ")


def test_regenerating_gives_the_same_bytes(tmp_path: Path) -> None:
    make = _load()
    views = ["rollout-undo", "multi-pod-logs", "theme-kubetui-16"]  # in the order make writes them
    first = make.make(tmp_path / "a", views)
    second = make.make(tmp_path / "b", views)
    assert [p.name for p in first] == [f"{v}.svg" for v in views]
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), f"{a.name} differs between two runs"
        # the id Rich derives from the content is replaced by one derived from the view's name
        assert f"kubetui-{a.stem}-matrix" in a.read_text()
        assert not re.search(r"terminal-\d+", a.read_text())

    logs = svg_text(first[1].read_text())
    pods = set(re.findall(r"myapp-[a-z0-9]+-[a-z0-9]{5}", logs))
    assert len(pods) == 3, pods
    assert "consumed message" in logs and "produced message" in logs
    assert "count=0" in logs  # the pods that do not consume answer 0: journey step 11, on one screen

    undo = svg_text(first[0].read_text())
    assert "Roll back Deployment kubernetes-bootcamp" in undo
    assert "gcr.io/google-samples/kubernetes-bootcamp:v1" in undo
    assert "docker.io/jocatalin/kubernetes-bootcamp:v2" in undo

    sixteen = svg_text(first[2].read_text())
    assert "hello-node" in sixteen and "Running" in sixteen  # the 16-colour theme draws the panes


def test_every_view_is_committed_and_listed() -> None:
    make = _load()
    names = {v.name for v in make.VIEWS}
    assert {"dashboard-80x24", "dashboard-160x48", "traffic-path", "rollout-undo", "multi-pod-logs"} <= names
    assert {"clusters", "help", "secrets", "crd-list"} <= names
    assert {f"theme-{t}" for t in make.THEMES} <= names
    committed = {p.stem for p in SCRIPT.parent.glob("*.svg")}
    assert names == committed, "run python screenshots/make.py and commit the SVGs"
    for view in make.VIEWS:
        text = svg_text((SCRIPT.parent / f"{view.name}.svg").read_text())
        assert "/tmp" not in text and "127.0.0.1" not in text, view.name
