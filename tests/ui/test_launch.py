"""launch: the built-in cluster runs in its own process for the app's lifetime and is stopped afterwards."""

from __future__ import annotations

import socket
import urllib.request
from urllib.parse import urlparse

import yaml

from kubetui.launch import builtin_cluster


def test_builtin_cluster_process_serves_then_stops() -> None:
    with builtin_cluster(scenario="empty") as kubeconfig:
        config = yaml.safe_load(kubeconfig.read_text())
        server = config["clusters"][0]["cluster"]["server"]
        assert config["current-context"] == "kubetui-sim"
        with urllib.request.urlopen(f"{server}/version", timeout=10) as response:
            assert b"gitVersion" in response.read()
    url = urlparse(server)
    with socket.socket() as sock:
        sock.settimeout(2)
        assert sock.connect_ex((url.hostname, url.port)) != 0, "the built-in cluster still listens"
    assert not kubeconfig.exists()  # its temporary kubeconfig went with it
