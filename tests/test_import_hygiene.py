"""The data layers (cluster, sim, providers) must not pull in textual or rich, directly or indirectly."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import kubetui

LAYERS = ("cluster", "sim", "providers", "kinds")


def _modules(layer: str) -> list[str]:
    path = Path(kubetui.__file__).parent / layer
    return [f"kubetui.{layer}.{m.name}" for m in pkgutil.walk_packages([str(path)]) if not m.ispkg] + [
        f"kubetui.{layer}"
    ]


@pytest.mark.parametrize("layer", LAYERS)
def test_layer_imports_no_ui_toolkit(layer: str) -> None:
    modules = _modules(layer)
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"kubetui.{layer} imports {out.stdout.strip()}"


def test_hygiene_check_detects_a_ui_import() -> None:
    """The check above can fail: importing a UI module does load textual."""
    code = "import sys, textual.app\nprint('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "True"
