"""``kubetui sim serve``: loopback only, prints how to connect, writes the kubeconfig, saves state on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import yaml


def test_serve_refuses_a_non_loopback_host(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kubetui",
            "sim",
            "serve",
            "--host",
            "0.0.0.0",
            "--kubeconfig",
            str(tmp_path / "k"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "loopback only" in result.stderr
    assert not (tmp_path / "k").exists()


def test_serve_runs_until_sigterm_and_keeps_state(tmp_path: Path) -> None:
    kubeconfig, state = tmp_path / "kubeconfig", tmp_path / "state.json"
    argv = [
        sys.executable,
        "-m",
        "kubetui",
        "sim",
        "serve",
        "--port",
        "0",
        "--kubeconfig",
        str(kubeconfig),
        "--state",
        str(state),
        "--nodes",
        "1",
    ]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "Ctrl-C" in line:
                break
        text = "".join(lines)
        url = next(line for line in lines if "serving at" in line).rsplit(" ", 1)[-1].strip()
        assert url.startswith("http://127.0.0.1:")
        assert f"KUBECONFIG={kubeconfig} kubectl get nodes" in text
        config = yaml.safe_load(kubeconfig.read_text())
        assert config["current-context"] == "kubetui-sim"
        assert config["clusters"][0]["cluster"]["server"] == url
        with urllib.request.urlopen(f"{url}/api/v1/nodes") as resp:
            assert len(json.load(resp)["items"]) == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    assert proc.returncode == 0
    saved = json.loads(state.read_text())
    assert saved["resourceVersion"] > 0 and saved["objects"]["nodes"]
