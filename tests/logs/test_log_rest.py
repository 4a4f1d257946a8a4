"""A full-screen log view over another log view: the covered one stops reading until it is uncovered."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from textual.app import App, ComposeResult

from kubetui.screens.logs import LogsScreen
from kubetui.widgets.log_view import LogView
from tests.logs.helpers import wait_for


class TickingPod:
    """A log source with one running pod whose container writes a line every few milliseconds, forever."""

    def __init__(self) -> None:
        self.open_streams = 0

    async def request(self, method: str, path: str, *, query: dict[str, Any] | None = None) -> Any:
        name = path.rsplit("/", 1)[-1]
        running = {"name": "app", "restartCount": 0, "containerID": "c1", "state": {"running": {}}}
        return {
            "metadata": {"name": name},
            "spec": {"containers": [{"name": "app"}]},
            "status": {"phase": "Running", "containerStatuses": [running]},
        }

    async def stream(
        self, method: str, path: str, *, query: dict[str, Any] | None = None
    ) -> AsyncIterator[bytes]:
        self.open_streams += 1
        try:
            k = 0
            while True:
                k += 1
                yield f"2026-01-01T00:00:{k // 1000 % 60:02d}.{k % 1000:03d}000000Z tick {k}".encode()
                await asyncio.sleep(0.005)
        finally:
            self.open_streams -= 1


class Covered(App[None]):
    def __init__(self, source: TickingPod) -> None:
        super().__init__()
        self.source = source

    def compose(self) -> ComposeResult:
        yield LogView(reader_thread=False, poll_interval=0.05, id="below")

    def on_mount(self) -> None:
        self.query_one(LogView).show_pods(self.source, "default", ["web-0"], title="pod web-0")


async def test_a_full_screen_log_view_rests_the_view_it_covers_and_wakes_it_on_close() -> None:
    below_source, full_source = TickingPod(), TickingPod()
    app = Covered(below_source)
    async with app.run_test() as pilot:
        below = app.query_one("#below", LogView)
        await wait_for(lambda: len(below.buffer) > 5, what="the covered view's first lines")
        screen = LogsScreen(full_source, "default", ["web-0"], title="pod web-0", poll_interval=0.05)
        await app.push_screen(screen)
        await wait_for(lambda: len(screen.view.buffer) > 5, what="the full-screen view's lines")
        await wait_for(lambda: below_source.open_streams == 0, what="the covered view's stream to close")
        assert below.resting and len(below.buffer) == 0  # its lines were let go, nothing read since
        shown = len(screen.view.buffer)
        await wait_for(lambda: len(screen.view.buffer) > shown + 5, what="more lines on the full screen")
        assert len(below.buffer) == 0
        screen.action_close()
        await pilot.pause()
        assert not below.resting
        await wait_for(lambda: len(below.buffer) > 5, what="the uncovered view following again")
        assert full_source.open_streams == 0


async def test_a_resting_view_remembers_what_it_is_asked_to_follow_and_follows_it_on_waking() -> None:
    below_source, full_source, other_source = TickingPod(), TickingPod(), TickingPod()
    app = Covered(below_source)
    async with app.run_test() as pilot:
        below = app.query_one("#below", LogView)
        await wait_for(lambda: len(below.buffer) > 0, what="the covered view's first lines")
        screen = LogsScreen(full_source, "default", ["web-0"], poll_interval=0.05)
        await app.push_screen(screen)
        await wait_for(lambda: below_source.open_streams == 0, what="the covered view's stream to close")
        below.show_pods(
            other_source, "default", ["web-1"], title="pod web-1"
        )  # the selection moved meanwhile
        await wait_for(lambda: len(screen.view.buffer) > 10, what="the full-screen view's lines")
        assert other_source.open_streams == 0 and len(below.buffer) == 0
        screen.action_close()
        await pilot.pause()
        await wait_for(lambda: len(below.buffer) > 5, what="the uncovered view following web-1")
        assert {item.pod for item in below.buffer.iter_shown()} == {"web-1"}
        assert below.title == "pod web-1" and below_source.open_streams == 0
