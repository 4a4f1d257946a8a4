"""A restarted built-in cluster replays container logs unchanged; SIGTERM stops ``kubetui sim serve`` promptly
with its state saved, even with watches and log streams open."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kubetui.sim.server import SimServer

from .controller_support import container_state, create, deployment, pods_of, wait_for

AGNHOST = "registry.k8s.io/e2e-test-images/agnhost:2.39"


@pytest.mark.parametrize("with_state", [False, True], ids=["no-state", "state-file"])
async def test_logs_replay_with_the_same_timestamps_after_restart(tmp_path: Path, with_state: bool) -> None:
    state = tmp_path / "state.json" if with_state else None
    async with SimServer(scenario="empty", nodes=2, speed=50.0, state=state) as sim:
        app = deployment("web", AGNHOST, command=["/agnhost", "netexec", "--http-port=8080"])
        create(sim.cluster, "deployments.apps", app)
        await wait_for(lambda: [p for p in pods_of(sim.cluster, "web") if container_state(p) == "running"])
        pod = pods_of(sim.cluster, "web")[0]["metadata"]["name"]
        await wait_for(lambda: len(sim.cluster.pod_log("default", pod)) >= 2, what="first log lines")
        before = sim.cluster.pod_log("default", pod)
        # Sub-second start times are what a seconds-only startedAt loses.
        assert any(not ts.endswith(".000000000Z") for ts, _ in before)
        await sim.restart()
        after = sim.cluster.pod_log("default", pod)
        assert after[: len(before)] == before


def test_sigterm_stops_serve_promptly_and_saves_state(tmp_path: Path) -> None:
    kubeconfig, state = tmp_path / "kubeconfig", tmp_path / "state.json"
    argv = [sys.executable, "-m", "kubetui", "sim", "serve", "--port", "0", "--scenario", "demo"]
    argv += ["--kubeconfig", str(kubeconfig), "--state", str(state)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    streams: list[subprocess.Popen[bytes]] = []
    stalled: socket.socket | None = None
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "Ctrl-C" in line:
                break
        url = _server(kubeconfig)
        # A client that stalls half-way through sending a request (sent first, so the server has read it by the
        # time the streams below are open) ...
        host, port = url.removeprefix("http://").rsplit(":", 1)
        stalled = socket.create_connection((host, int(port)))
        head = "POST /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        stalled.sendall(f"{head}Content-Length: 100\r\n\r\n{{".encode())
        # ... and a watch and a followed log stay open while the server is told to stop.
        client = (
            "import sys, urllib.request\n"
            "r = urllib.request.urlopen(sys.argv[1])\n"
            "r.readline(); print('open', flush=True); r.read()\n"
        )
        for path in ("/api/v1/pods?watch=true", "/api/v1/namespaces/staging/pods/log-writer/log?follow=true"):
            stream = subprocess.Popen([sys.executable, "-c", client, url + path], stdout=subprocess.PIPE)
            streams.append(stream)
            assert stream.stdout is not None and stream.stdout.readline() == b"open\n"
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)  # aiohttp's default shutdown waits up to a minute for the stalled request
    finally:
        if stalled is not None:
            stalled.close()
        for stream in streams:
            stream.kill()
            stream.wait()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0
    saved = json.loads(state.read_text())
    assert saved["objects"]["pods"] and state.with_name(state.name + ".runtime").exists()


def _server(kubeconfig: Path) -> str:
    import yaml

    config = yaml.safe_load(kubeconfig.read_text())
    return str(config["clusters"][0]["cluster"]["server"])
