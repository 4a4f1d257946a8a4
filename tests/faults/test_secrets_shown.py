"""No Secret value, token or password reaches the screen: not in the YAML or describe views, not in the header
or an error when the server refuses the connection, not in a Connection's repr."""

from __future__ import annotations

import asyncio
import base64
import socket
from pathlib import Path

import pytest

from kubetui.actions import Target
from kubetui.cluster.connection import Connection
from kubetui.screens.object_view import describe_text, full_object, to_yaml
from kubetui.session import ClusterSession, SessionConfig
from kubetui.sim.server import SimServer
from kubetui.widgets.header import ClusterHeader

PASSWORD = "hunter2-very-secret"
TOKEN = "s3cr3t-bearer-token-value"


async def test_secret_values_never_reach_the_yaml_or_describe_views(tmp_path: Path) -> None:
    async with SimServer(scenario="empty", nodes=1, speed=50.0) as sim:
        kubeconfig = sim.write_kubeconfig(tmp_path / "kubeconfig")
        async with await Connection.open(str(kubeconfig)) as conn:
            secret = {
                "metadata": {"name": "db", "annotations": {"note": "x"}},
                "stringData": {"password": PASSWORD},
            }
            await conn.request("POST", "/api/v1/namespaces/default/secrets", body=secret)
        session = ClusterSession(SessionConfig(kubeconfig=str(kubeconfig)), lambda m: None)
        session.start()
        try:
            stored = None
            for _ in range(100):
                if session.conn is not None:
                    stored = await session.conn.request("GET", "/api/v1/namespaces/default/secrets/db")
                    break
                await asyncio.sleep(0.05)
            assert stored is not None
            target = Target("secrets", stored, session, "default")
            shown = [
                to_yaml(await full_object(session, "secrets", stored)),
                await describe_text(session, "secrets", stored),
            ]
        finally:
            await session.close()
    encoded = base64.b64encode(PASSWORD.encode()).decode()
    for text in shown:
        assert PASSWORD not in text and encoded not in text
    assert "password" in shown[0]  # the key is shown, its value masked
    assert target.name == "db"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("user", [f"{{token: {TOKEN}}}", f"{{username: admin, password: {TOKEN}}}"])
async def test_tokens_and_passwords_never_reach_the_header_or_reprs(tmp_path: Path, user: str) -> None:
    path = tmp_path / "config"
    path.write_text(
        "apiVersion: v1\nkind: Config\n"
        f"clusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:{closed_port()}\n"
        f"users:\n- name: u\n  user: {user}\n"
        "contexts:\n- name: prod\n  context:\n    cluster: c\n    user: u\n"
        "current-context: prod\n"
    )
    session = ClusterSession(SessionConfig(kubeconfig=str(path)), lambda m: None)
    session.start()
    try:
        for _ in range(100):
            if session.connection_state()[0] in ("unreachable", "reconnecting"):
                break
            await asyncio.sleep(0.05)
        header = ClusterHeader.compose_text(session, {}).plain
        problem = ClusterHeader.problem_text(session)
        seen = [header, problem.plain if problem else "", repr(session.conn), str(session.error or "")]
    finally:
        await session.close()
    for text in seen:
        assert TOKEN not in text
