"""What a person sees on an 80x24 terminal when the real API server refuses the connection: the cause and its
fix under the header line, whole, and "unauthorized" rather than a wait."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kubetui.app import KubeApp
from kubetui.config import Settings
from kubetui.session import SessionConfig
from tests.realk8s.kubeconfigs import write_kubeconfig
from tests.realk8s.notices import header_shown
from tests.realk8s.tls_relay import TLSRelay
from tests.ui.helpers import screen_text, wait_for

pytestmark = [pytest.mark.realk8s]


async def test_name_mismatch_notice_shows_the_whole_fix_at_80_columns(realk8s: Any, tmp_path: Path) -> None:
    async with TLSRelay(realk8s.pki_dir, realk8s.ports["apiserver"]) as relay:
        kubeconfig = write_kubeconfig(
            tmp_path / "kubeconfig",
            f"https://localhost:{relay.port}",
            realk8s.ca_file,
            "u",
            {"token": realk8s.tokens["token-admin"]},
        )
        app = KubeApp(SessionConfig(kubeconfig=str(kubeconfig)), settings=Settings())
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            fix = f"https://127.0.0.1:{relay.port}"
            words = await wait_for(pilot, lambda: fix in header_shown(app) and header_shown(app), timeout=30)
            assert "certificate is not valid for localhost" in words
            assert words.endswith(f"set the cluster's server to {fix} in your kubeconfig)")  # all of it
            assert app.session.connection_state()[0] == "reconnecting"


async def test_garbage_token_is_shown_as_refused_credentials(realk8s: Any, tmp_path: Path) -> None:
    kubeconfig = realk8s.token_kubeconfig("nobody", tmp_path / "kubeconfig", token="garbage")
    app = KubeApp(SessionConfig(kubeconfig=str(kubeconfig)), settings=Settings())
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        words = await wait_for(
            pilot, lambda: "refused the bearer token" in header_shown(app) and header_shown(app)
        )
        assert "error: You must be logged in to the server (Unauthorized)" in words
        assert words.endswith('bearer token of user "nobody": it is wrong, expired or revoked)')
        screen = screen_text(app)
        assert "● unauthorized" in screen  # the header's state: an answer, not "reconnecting"
        assert "garbage" not in screen  # the token itself is never shown
