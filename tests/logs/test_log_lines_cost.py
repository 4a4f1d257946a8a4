"""The cheap paths a flood of lines takes: parsing into tuples, ordering batches, paced reads, widths measured
a batch at a time, and repaints without layout passes. Each must give what the slow path gave."""

from __future__ import annotations

import selectors
import socket
from typing import Any

from textual.app import App, ComposeResult

from kubetui.cluster import logs
from kubetui.cluster.logs import LogState, LogStatus, PacedSelector, parse_log_line, parse_raw
from kubetui.widgets.log_lines import LogLines
from kubetui.widgets.log_view import LogView


def test_raw_lines_split_as_the_api_sends_them() -> None:
    assert parse_raw("p", "c", b"2026-01-01T00:00:00.123456789Z GET /healthz 200\r") == (
        "p",
        "c",
        "2026-01-01T00:00:00.123456789Z",
        "GET /healthz 200",
    )
    assert parse_raw("p", "c", b"no timestamp here at all") == ("p", "c", "", "no timestamp here at all")
    assert parse_raw("p", "c", b"2026-01-01T00:00:00Z") == ("p", "c", "2026-01-01T00:00:00Z", "")
    assert parse_raw("p", "c", b"") == ("p", "c", "", "")
    # Bytes that are not UTF-8 are shown replaced, never raised; digits of another script are no year.
    assert parse_raw("p", "c", b"2026-01-01T00:00:00Z caf\xe9")[3] == "caf\N{REPLACEMENT CHARACTER}"
    arabic = "\u0662\u0660\u0662\u0666-01-01T00:00:00Z text"
    assert parse_raw("p", "c", arabic.encode()) == ("p", "c", "", arabic)
    assert parse_log_line("p", "c", b"2026-01-01T00:00:00Z x").text == "x"


def test_batches_interleave_pods_by_time_also_when_go_trimmed_the_fraction() -> None:
    # Go writes .5 for .500000000: as plain strings "…00.5Z" would sort after "…00.25Z".
    a = ("a", "c", "2026-01-01T00:00:00.5Z", "half")
    b = ("b", "c", "2026-01-01T00:00:00.25Z", "quarter")
    c = ("a", "c", "2026-01-01T00:00:01Z", "one")
    assert logs._sorted_runs([a, c, b]) == [b, a, c]
    # One width (the kubelet's nine digits): plain string order; a note keeps its place between runs.
    note = LogStatus("a", "c", LogState.LOST, "connection lost")
    x = ("a", "c", "2026-01-01T00:00:02.000000000Z", "x")
    y = ("b", "c", "2026-01-01T00:00:01.000000000Z", "y")
    z = ("b", "c", "2026-01-01T00:00:00.000000000Z", "z")
    assert logs._sorted_runs([x, y, note, x, z]) == [y, x, note, z, x]


def test_paced_selector_takes_what_arrives_during_its_pause(monkeypatch: Any) -> None:
    first, first_peer = socket.socketpair()
    second, second_peer = socket.socketpair()
    selector = PacedSelector(pace=0.02)
    try:
        selector.register(first, selectors.EVENT_READ)
        selector.register(second, selectors.EVENT_READ)
        slept: list[float] = []

        def meanwhile(seconds: float) -> None:  # the pause: another stream's line arrives during it
            slept.append(seconds)
            second_peer.send(b"b\n")

        monkeypatch.setattr(logs.time, "sleep", meanwhile)
        first_peer.send(b"a\n")
        ready = selector.select(None)
        assert {key.fileobj for key, _ in ready} == {first, second} and slept == [0.02]
        slept.clear()
        selector.select(0)  # the loop has work waiting: no pause
        first.recv(16), second.recv(16)
        selector.select(0.01)  # nothing arrived: an idle wait is not lengthened
        assert slept == []
    finally:
        selector.close()
        for s in (first, first_peer, second, second_peer):
            s.close()


class LogApp(App[None]):
    def compose(self) -> ComposeResult:
        yield LogView(budget=10_000, repaint_interval=0.01)

    def on_mount(self) -> None:
        self.query_one(LogLines).focus()


def batch(start: int, count: int, text: str = "tick {k}") -> list[tuple[str, str, str, str]]:
    return [
        (
            f"web-{k % 3}",
            "app",
            f"2026-01-01T00:00:{k // 1000 % 60:02d}.{k % 1000:03d}000000Z",
            text.format(k=k),
        )
        for k in range(start, start + count)
    ]


async def test_arriving_lines_repaint_the_view_without_a_layout_pass(monkeypatch: Any) -> None:
    app = LogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(LogView)
        body = view.lines
        view.add_items(batch(0, 100))  # the scrollbar appears: that one asks for a layout
        await pilot.pause(0.1)
        layouts: list[int] = []
        original = app.screen._refresh_layout

        def counted(*args: Any, **kwargs: Any) -> None:
            layouts.append(1)
            original(*args, **kwargs)

        monkeypatch.setattr(app.screen, "_refresh_layout", counted)
        for k in range(1, 6):
            view.add_items(batch(100 * k, 100))
            await pilot.pause(0.05)
        assert layouts == []
        assert (
            body.virtual_size.height == 600
            and body.max_scroll_y == 600 - body.scrollable_content_region.height
        )
        assert body.scroll_y == body.max_scroll_y  # following: the newest line is at the bottom
        last = body.render_line(body.scrollable_content_region.height - 1).text
        assert "tick 599" in last


async def test_scroll_width_counts_wide_characters_and_notes() -> None:
    app = LogApp()
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(LogView)
        view.add_items([*batch(0, 3, "plain {k}"), ("web-0", "app", "2026-01-01T00:00:09Z", "日本語" * 30)])
        await pilot.pause(0.1)
        prefix = len("web-0") + 1
        assert view.lines.virtual_size.width == prefix + 180  # each of the 90 characters takes two cells
        note = LogStatus("web-1", "app", LogState.LOST, "x" * 300)
        view.add_items([note])
        await pilot.pause(0.1)
        assert view.lines.virtual_size.width > 300


def cells(strip: Any) -> list[tuple[str, Any]]:
    return [(char, segment.style) for segment in strip for char in segment.text]


async def test_rows_built_in_one_go_match_the_styled_cropped_and_padded_line() -> None:
    app = LogApp()
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(LogView)
        view.add_items([*batch(0, 4), ("web-0", "app", "2026-01-01T00:00:09Z", "long " * 40)])
        await pilot.pause(0.1)
        view.set_search("tick")  # highlighted matches and a current line
        view.action_toggle_timestamps()
        await pilot.pause(0.1)
        body = view.lines
        width = body.scrollable_content_region.width
        checked = 0
        for index in range(view.buffer.shown_count):
            item = view.buffer.shown(index)
            slow = body._render_item(item, index).crop_extend(0, width, body._base_style)
            fast = body._render_row(item, index, 0, width)
            assert fast.cell_length == width and cells(fast) == cells(slow)
            checked += 1
        assert checked == 5 and body.current is not None
