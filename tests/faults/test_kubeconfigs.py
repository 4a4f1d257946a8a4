"""Broken kubeconfigs and unreachable servers: every message names the problem (with its line, its command,
its fix), the context keeps its name, and the cause and fix are on screen at 80x24 as at 160 columns."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from textual.app import App, ComposeResult

from kubetui.cluster.connection import Connection
from kubetui.cluster.errors import ConfigError
from kubetui.cluster.exec_plugin import BoundedExecProvider
from kubetui.session import ClusterSession, SessionConfig
from kubetui.widgets.header import ClusterHeader


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def kubeconfig(path: Path, server: str, user: str = "{}", context: str = "prod") -> Path:
    path.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: c\n  cluster:\n    server: {server}\n"
        f"users:\n- name: u\n  user: {user}\n"
        f"contexts:\n- name: {context}\n  context:\n    cluster: c\n    user: u\n"
        f"current-context: {context}\n"
    )
    return path


def exec_user(script: Path) -> str:
    return (
        "\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
        f"      command: {script}\n      interactiveMode: Never"
    )


def plugin(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "plugin.sh"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return script


async def open_error(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        await Connection.open(str(path))
    return caught.value.message


async def test_a_yaml_error_keeps_its_line_and_column_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text("apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  bad: [unclosed\ncontexts: []\n")
    message = await open_error(path)
    assert "yaml: line 6, column 9" in message and "\n" not in message


async def test_missing_and_empty_kubeconfigs_say_so(tmp_path: Path) -> None:
    assert "no such file or directory" in await open_error(tmp_path / "missing")
    (tmp_path / "empty").write_text("")
    assert "current-context is not set" in await open_error(tmp_path / "empty")


async def test_an_unknown_context_is_named(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "config", f"https://127.0.0.1:{closed_port()}")
    with pytest.raises(ConfigError, match='context "staging" does not exist'):
        await Connection.open(str(path), context="staging")


async def test_exec_plugin_failures_show_what_it_said(tmp_path: Path) -> None:
    server = f"https://127.0.0.1:{closed_port()}"
    script = plugin(tmp_path, 'echo "sso: no account is logged in" >&2; exit 1')
    message = await open_error(kubeconfig(tmp_path / "c1", server, exec_user(script)))
    assert "sso: no account is logged in" in message
    script = plugin(tmp_path, "echo 'this is not json'")
    message = await open_error(kubeconfig(tmp_path / "c2", server, exec_user(script)))
    assert 'context "prod"' in message


async def test_a_hanging_exec_plugin_times_out_and_says_what_it_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(BoundedExecProvider, "timeout", 1.5)
    script = plugin(tmp_path, 'echo "opening a browser to log in to sso.example.com" >&2; exec sleep 37.25')
    started = time.monotonic()
    message = await open_error(kubeconfig(tmp_path / "config", "https://127.0.0.1:1", exec_user(script)))
    assert time.monotonic() - started < 4.0
    assert str(script) in message and "did not finish within 2s" in message
    assert "opening a browser to log in to sso.example.com" in message
    # It was stopped, not left running: nothing of it is still alive.
    assert not [p for p in Path("/proc").iterdir() if p.name.isdigit() and _runs(p, "37.25")]


def _runs(proc: Path, script: str) -> bool:
    try:
        return script.encode() in (proc / "cmdline").read_bytes()
    except OSError:
        return False


async def test_the_context_is_named_while_its_server_is_unreachable(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "config", f"https://127.0.0.1:{closed_port()}")
    session = ClusterSession(SessionConfig(kubeconfig=str(path)), lambda m: None)
    session.start()
    try:
        for _ in range(100):
            if session.connection_state()[0] in ("unreachable", "reconnecting"):
                break
            await asyncio.sleep(0.1)
        header = ClusterHeader.compose_text(session, {}).plain
        assert "prod" in header and "?" not in header.split("ns:")[0]
    finally:
        await session.close()


X509 = (
    "Unable to connect to the server: tls: failed to verify certificate: x509: certificate is not valid for "
    "localhost (the server's certificate is not valid for localhost; use https://127.0.0.1:6443 in your "
    "kubeconfig)"
)


class HeaderApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.session = SimpleNamespace(
            context="k3d-mykubecluster",
            config=SimpleNamespace(builtin=False),
            view_namespace="default",
            readonly=False,
            version={},
            server="https://localhost:6443",
            connection_state=lambda: ("unreachable", None, X509),
        )

    def compose(self) -> ComposeResult:
        yield ClusterHeader(id="header")

    def on_mount(self) -> None:
        self.query_one(ClusterHeader).show(self.session, {})


@pytest.mark.parametrize("size", [(80, 24), (160, 40)], ids=["80x24", "160"])
async def test_the_x509_cause_and_fix_are_on_screen(size: tuple[int, int]) -> None:
    app = HeaderApp()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        header: Any = app.query_one(ClusterHeader)
        lines = [strip.text for strip in header.render_lines(header.region.reset_offset)]
    shown = "".join(line.strip() for line in lines)
    assert "k3d-mykubecluster" in lines[0]
    assert "x509:certificateisnotvalidforlocalhost" in shown.replace(" ", "")
    assert "usehttps://127.0.0.1:6443" in shown.replace(" ", "")
