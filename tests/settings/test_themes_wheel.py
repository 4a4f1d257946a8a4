"""The themes travel in the wheel: built from the project, installed in a fresh venv away from the checkout."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = {"kubetui-dark", "kubetui-light", "kubetui-high-contrast", "kubetui-16", "kubetui-mono"}

PROBE = """
import json, sys
from pathlib import Path
import kubetui, kubetui.themes as t
found = t.load_themes(user=Path(sys.argv[1]))
print(json.dumps({"file": kubetui.__file__, "themes": sorted(found.themes), "problems": found.problems}))
"""


@pytest.mark.slow
def test_wheel_installed_outside_the_checkout_has_its_themes(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(ROOT)]
    subprocess.run(build, check=True, cwd=tmp_path, timeout=600)
    (wheel,) = dist.glob("kubetui-*.whl")

    fresh = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=False).create(fresh)
    python = fresh / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)]
    subprocess.run(pip, check=True, cwd=tmp_path, timeout=300)
    # The wheel's dependencies come from this test's environment, added after the fresh venv's own
    # site-packages, so `import kubetui` finds the installed wheel and never the checkout.
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    out = subprocess.run(
        [str(python), "-I", "-c", PROBE, str(tmp_path / "no-user-themes")],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    result = json.loads(out.stdout)
    assert Path(result["file"]).is_relative_to(fresh), result["file"]
    assert result["problems"] == []
    assert set(result["themes"]) == BUNDLED
