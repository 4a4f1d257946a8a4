"""The simulated container's shell, tty, SPDY framing and metrics, without a server."""

from __future__ import annotations

import zlib
from typing import Any

from kubetui.sim import container_fs, metrics, spdy
from kubetui.sim.exec_shell import Shell
from kubetui.sim.store import ObjectStore
from kubetui.sim.tty import LineDiscipline


def _pod(image: str, **container: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "p-1", "namespace": "default", "uid": "u1"},
        "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": image, **container}]},
        "status": {
            "phase": "Running",
            "podIP": "10.42.0.9",
            "containerStatuses": [{"name": "c", "state": {"running": {}}}],
        },
    }


def _shell(image: str, shell: str = "/bin/sh", tty: bool = False) -> Shell:
    store = ObjectStore()
    pod = _pod(image)
    return Shell(store, container_fs.build(store, pod, "c"), shell, tty=tty)


def test_busybox_and_bash_say_not_found_in_their_own_words() -> None:
    assert _shell("busybox").run_line("frobnicate") == ("", "sh: frobnicate: not found\n")
    assert _shell("nginx", "/bin/bash").run_line("ps") == ("", "bash: ps: command not found\n")


def test_files_follow_the_pod_and_the_image() -> None:
    sh = _shell("nginx", "/bin/bash")
    assert sh.run_line("cat /etc/hostname") == ("p-1\n", "")
    out, _ = sh.run_line("cd /usr/share/nginx/html && ls && pwd")
    assert out == "index.html\n/usr/share/nginx/html\n"
    assert "Welcome to nginx!" in sh.run_line("cat index.html")[0]
    assert sh.prompt() == "root@p-1:/usr/share/nginx/html# "
    assert _shell("busybox", tty=True).prompt() == "/ # "


def test_variables_and_exit() -> None:
    sh = _shell("busybox")
    assert sh.run_line("X=7; echo $X ${HOSTNAME}; false || echo $?") == ("7 p-1\n1\n", "")
    sh.run_line("exit 5")
    assert sh.exited == 5


def test_distroless_images_have_no_shell() -> None:
    store = ObjectStore()
    c = container_fs.build(store, _pod("registry.k8s.io/coredns/coredns:v1.11.3"), "c")
    assert c.box.shells == () and not c.box.tools


def test_line_discipline_echoes_erases_and_splits() -> None:
    tty = LineDiscipline(echo=True)
    tty.feed("lx\x7fs\x1b[A\r")
    assert tty.take() == [("echo", "lx\b \bs\n"), ("line", "ls")]
    tty.feed("\x04")
    assert tty.take() == [("eof", "")]


def test_spdy_dictionary_is_the_protocols() -> None:
    assert zlib.adler32(spdy.DICTIONARY) == 3821447106  # the dictionary id every SPDY/3 peer checks


def test_spdy_headers_round_trip() -> None:
    block = spdy.encode_headers({"streamtype": "data", "port": "8080"})
    assert spdy.decode_headers(block) == {"streamtype": "data", "port": "8080"}


def test_usage_is_stable_and_kept_under_the_limit() -> None:
    limits = {"requests": {"cpu": "500m", "memory": "256Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}}
    pod = _pod("nginx", resources=limits)
    first = metrics.pod_usage(pod)
    assert first == metrics.pod_usage(pod)
    assert first is not None
    (_, cpu, mem) = first[0]
    assert cpu <= 95_000_000 and mem <= 64 * 1024 * 1024 * 0.95
    pending = _pod("nginx")
    pending["status"]["phase"] = "Pending"
    assert metrics.pod_usage(pending) is None
