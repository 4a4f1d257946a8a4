"""LogView driven with Pilot: search and n/N, filters while lines arrive, follow/pause counts, budget, save."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult

from kubetui.cluster.logs import LogLine, LogState, LogStatus
from kubetui.widgets.log_lines import LogLines, stable_index
from kubetui.widgets.log_view import LogView


class LogApp(App[None]):
    def __init__(self, budget: int = 1000) -> None:
        super().__init__()
        self.budget = budget

    def compose(self) -> ComposeResult:
        yield LogView(budget=self.budget)

    def on_mount(self) -> None:
        self.query_one(LogLines).focus()


def lines(pods: int, count: int, start: int = 0, word: str = "tick") -> list[LogLine]:
    return [
        LogLine(
            f"web-{i % pods}", "app", f"2026-01-01T00:{i // 60 % 60:02d}:{i % 60:02d}.{i:06d}Z", f"{word} {i}"
        )
        for i in range(start, start + count)
    ]


def screen_text(view: LogView) -> list[str]:
    body = view.lines
    return [body.render_line(y).text.rstrip() for y in range(body.size.height)]


async def test_lines_are_tagged_by_pod_and_notes_shown() -> None:
    app = LogApp()
    async with app.run_test(size=(100, 20)) as pilot:
        view = app.query_one(LogView)
        view.add_items(
            [*lines(3, 6), LogStatus("web-1", "app", LogState.CRASH_LOOP, "CrashLoopBackOff: back-off")]
        )
        await pilot.pause()
        shown = [t for t in screen_text(view) if t]
        assert shown[0] == "web-0 tick 0"
        assert shown[1] == "web-1 tick 1"
        assert shown[-1] == "── web-1/app: CrashLoopBackOff: back-off"
        assert "CrashLoopBackOff" in view.status_text()
        # The same pod always gets the same colour; the style of its prefix comes from the palette.
        body = view.lines
        strip = body._render_item(view.buffer.shown(0), 0)
        expected = body._palette[stable_index("web-0", len(body._palette))]
        assert next(iter(strip)).style.color == expected.color  # type: ignore[union-attr]


async def test_a_search_typed_in_one_burst_goes_to_the_prompt_not_to_the_view_keys() -> None:
    """ "/consumed" arriving in one read (a slow SSH link) is a search, not c=clear, s=save, n=next and so on."""
    from textual import events

    app = LogApp()
    async with app.run_test(size=(100, 10)) as pilot:
        view = app.query_one(LogView)
        view.add_items([*lines(2, 50), *lines(2, 1, start=50, word="consumed")])
        await pilot.pause()
        shown_before = view.buffer.shown_count
        burst = [("slash", "/"), *((c, c) for c in "consumed"), ("enter", "\r")]
        for key, char in burst:  # posted in one go, as the driver does for one read
            app.post_message(events.Key(key, char))
        await pilot.pause()
        await pilot.pause()
        assert view.search_text == "consumed"
        assert view.buffer.shown_count == shown_before  # not cleared
        assert view._prompt_kind != "save" and not view.query_one("_Prompt").has_class("-active")
        assert view.buffer.shown(view.lines.current).text == "consumed 50"  # type: ignore[arg-type,union-attr]
        # while the prompt is open, the view's letter keys are text
        await pilot.press("i", *"cix", "enter")
        await pilot.pause()
        assert view.include_text == "cix" and view.exclude_text == ""


async def test_search_highlights_and_moves_with_n_and_shift_n() -> None:
    app = LogApp()
    async with app.run_test(size=(100, 10)) as pilot:
        view = app.query_one(LogView)
        view.add_items(lines(2, 200))
        await pilot.press("slash", *"tick 1.5$", "enter")
        await pilot.pause()
        body = view.lines
        found = [view.buffer.shown(i).text for i in range(view.buffer.shown_count) if i == body.current]
        assert found == ["tick 105"]  # the first match from the top when jumping starts at the end: wraps
        await pilot.press("n")
        assert view.buffer.shown(body.current).text == "tick 115"  # type: ignore[arg-type,union-attr]
        await pilot.press("N", "N")
        assert view.buffer.shown(body.current).text == "tick 195"  # type: ignore[arg-type,union-attr]
        assert not view.follow  # moving between matches stops following so the match stays in view
        strip = body._render_item(view.buffer.shown(body.current), body.current)  # type: ignore[arg-type]
        assert [s.text for s in strip if s.style == body._match_style or (s.style and s.style.bold)][
            -1
        ] == "tick 195"
        row = body.row_of(body.current)  # type: ignore[arg-type]
        assert body.scroll_y <= row < body.scroll_y + body.size.height


async def test_filters_apply_to_kept_and_arriving_lines() -> None:
    app = LogApp()
    async with app.run_test(size=(100, 10)) as pilot:
        view = app.query_one(LogView)
        view.add_items(lines(2, 10) + lines(2, 10, start=10, word="error"))
        await pilot.press("i", *"error|tick [0-4]$", "enter")
        await pilot.pause()
        assert view.buffer.shown_count == 15
        await pilot.press("x", *"error 1[5-9]", "enter")
        await pilot.pause()
        assert view.buffer.shown_count == 10
        view.add_items(lines(2, 5, start=20, word="error") + lines(2, 5, start=25))
        assert [view.buffer.shown(i).text for i in range(10, view.buffer.shown_count)] == [  # type: ignore[union-attr]
            "error 20",
            "error 21",
            "error 22",
            "error 23",
            "error 24",
        ]
        prompt = view.query_one("#log-prompt")
        await pilot.press("i")
        assert prompt.value == "error|tick [0-4]$"  # type: ignore[attr-defined]
        prompt.value = ""  # type: ignore[attr-defined]
        await pilot.press("enter", "x")
        prompt.value = ""  # type: ignore[attr-defined]
        await pilot.press("enter")
        assert view.buffer.shown_count == 30 and not view.buffer.filtering


async def test_pause_counts_unread_lines_and_follow_catches_up() -> None:
    app = LogApp()
    async with app.run_test(size=(100, 10)) as pilot:
        view = app.query_one(LogView)
        view.add_items(lines(3, 50))
        await pilot.pause(0.3)  # arriving lines are shown at the next repaint tick
        body = view.lines
        assert body.scroll_y == body.max_scroll_y > 0
        await pilot.press("f")
        view.add_items(lines(3, 7, start=50))
        view.add_items(lines(3, 5, start=57))
        await pilot.pause(0.3)
        assert view.unread == 12
        assert "paused · 12 new" in view.status_text()
        assert body.scroll_y < body.max_scroll_y
        await pilot.press("f")
        await pilot.pause(0.3)
        assert view.unread == 0 and view.follow
        assert body.scroll_y == body.max_scroll_y
        assert screen_text(view)[-1] == "web-1 tick 61"


async def test_budget_drops_oldest_lines_with_a_note_and_keeps_long_lines_whole(tmp_path: Path) -> None:
    app = LogApp(budget=100)
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(LogView)
        long_text = "x" * 20_000
        view.add_items(lines(2, 150))
        view.add_items([LogLine("web-0", "app", "2026-01-01T01:00:00Z", long_text)])
        await pilot.pause(0.3)
        assert len(view.buffer) == 100
        assert view.buffer.dropped == 51
        assert "dropped 51 oldest (budget 100)" in view.status_text()
        assert view.buffer.shown(0).text == "tick 51"  # type: ignore[union-attr]
        target = tmp_path / "out.log"
        assert view.save(target) == 100
        saved = target.read_text().splitlines()
        assert saved[-1] == "web-0 " + long_text
        # Wrapped, the long line takes as many rows as it needs; unwrapped it scrolls sideways.
        assert view.lines.virtual_size.width >= 20_000
        await pilot.press("w")
        width = view.lines.scrollable_content_region.width
        assert view.lines.virtual_size.height == 99 + -(-(20_000 + 6) // width)


async def test_save_prompt_writes_shown_lines_with_timestamps(tmp_path: Path) -> None:
    app = LogApp()
    async with app.run_test(size=(100, 10)) as pilot:
        view = app.query_one(LogView)
        view.add_items(lines(2, 4))
        await pilot.press("t", "x", *"tick 2", "enter")
        target = tmp_path / "saved.log"
        await pilot.press("s")
        prompt = view.query_one("#log-prompt")
        prompt.value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert target.read_text().splitlines() == [
            "2026-01-01T00:00:00.000000Z web-0 tick 0",
            "2026-01-01T00:00:01.000001Z web-1 tick 1",
            "2026-01-01T00:00:03.000003Z web-1 tick 3",
        ]


async def test_clear_and_timestamps_toggle() -> None:
    app = LogApp()
    async with app.run_test(size=(100, 10)) as pilot:
        view = app.query_one(LogView)
        view.add_items(lines(1, 3))
        await pilot.press("t")
        assert screen_text(view)[0] == "2026-01-01T00:00:00.000000Z web-0 tick 0"
        await pilot.press("t")
        assert screen_text(view)[0] == "web-0 tick 0"
        await pilot.press("c")
        assert view.buffer.shown_count == 0 and screen_text(view)[0] == ""


async def test_container_named_when_a_pod_has_several_and_stale_batches_ignored() -> None:
    app = LogApp()
    async with app.run_test(size=(100, 10)) as pilot:
        view = app.query_one(LogView)
        ts = "2026-01-01T00:00:00Z"
        view.add_items([LogLine("web-0", "app", ts, "serving"), LogLine("web-0", "sidecar", ts, "syncing")])
        await pilot.pause(0.3)
        assert screen_text(view)[:2] == ["web-0/app     serving", "web-0/sidecar syncing"]
        # A batch from the streams of an earlier selection arrives late: it is not shown.
        view._generation = 2  # as after two show_pods
        view.post_message(LogView.ItemsArrived([LogLine("old-pod", "c", ts, "stale")], view._generation - 1))
        view.post_message(LogView.ItemsArrived([LogLine("web-0", "app", ts, "fresh")], view._generation))
        await pilot.pause(0.3)
        assert [i.text for i in view.buffer.iter_shown()] == ["serving", "syncing", "fresh"]  # type: ignore[union-attr]


async def test_status_bar_counts_states_and_forgets_pods_that_left() -> None:
    app = LogApp()
    async with app.run_test(size=(160, 10)) as pilot:
        view = app.query_one(LogView)
        view.add_items(
            [
                LogStatus(
                    "a", "c", LogState.WAITING, "waiting for the container to start (ContainerCreating)"
                ),
                LogStatus("b", "c", LogState.CRASH_LOOP, "CrashLoopBackOff (restarts: 3): back-off 40s"),
                LogStatus(
                    "d", "c", LogState.WAITING, "waiting for the container to start (ContainerCreating)"
                ),
                LogStatus("e", "c", LogState.IMAGE_PULL, "ErrImagePull: not found"),
                LogStatus("f", "c", LogState.STREAMING, "streaming"),
            ]
        )
        await pilot.pause()
        assert "│ 1 CrashLoopBackOff, 1 ErrImagePull, 2 waiting │" in view.status_text()
        view.add_items([LogStatus("b", "", LogState.LEFT, "pod b left the selection")])
        view.add_items([LogStatus("e", "", LogState.DELETED, "pod e was deleted")])
        assert "│ 2 waiting │" in view.status_text()
        # The notes stay among the lines.
        assert [i.state for i in view.buffer.iter_shown()][-2:] == [LogState.LEFT, LogState.DELETED]  # type: ignore[union-attr]


async def test_wrapped_rows_stay_right_while_lines_arrive_and_drop() -> None:
    app = LogApp(budget=60)
    async with app.run_test(size=(40, 12)) as pilot:
        view = app.query_one(LogView)
        await pilot.press("w")
        body = view.lines
        for batch in range(6):
            # Lines of many lengths: some fit in a row, some need several.
            view.add_items(
                [
                    LogLine("p", "c", f"2026-01-01T00:00:{i % 60:02d}Z", "x" * (i * 7 % 90))
                    for i in range(batch * 25, batch * 25 + 25)
                ]
            )
            await pilot.pause(0.15)
        await pilot.pause(0.3)
        width = body.scrollable_content_region.width
        expected = sum(max(1, -(-(2 + len(item.text)) // width)) for item in view.buffer.iter_shown())  # type: ignore[union-attr]
        assert len(view.buffer) == 60
        assert body.virtual_size.height == expected
        # The last row shown is the end of the newest line.
        last = view.buffer.shown(59)
        tail = ("p " + last.text)[-((2 + len(last.text)) % width or width) :]  # type: ignore[union-attr]
        assert screen_text(view)[-1] == tail.rstrip()


async def test_paused_view_keeps_its_lines_in_place_while_old_ones_drop() -> None:
    app = LogApp(budget=100)
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(LogView)
        view.add_items(lines(1, 100))
        await pilot.pause(0.3)
        await pilot.press("f")  # pause
        body = view.lines
        body.scroll_to(y=60, animate=False, immediate=True)
        await pilot.pause()
        top = screen_text(view)[0]
        assert top == "web-0 tick 60"
        view.add_items(lines(1, 20, start=100))  # 20 oldest drop off the top
        await pilot.pause(0.3)
        assert view.buffer.dropped == 20
        assert screen_text(view)[0] == top
        assert view.unread == 20


async def test_colour_codes_and_control_characters_cannot_break_a_row() -> None:
    app = LogApp()
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(LogView)
        coloured = "\x1b[32mINFO\x1b[0m\tready\x07"
        view.add_items([LogLine("web-0", "app", "2026-01-01T00:00:00Z", coloured)])
        await pilot.press("w")
        await pilot.pause(0.3)
        assert screen_text(view)[0] == "web-0 INFO    ready\N{REPLACEMENT CHARACTER}"
        assert view.lines.virtual_size.height == 1
        assert view.buffer.shown(0).text == coloured  # stored as it came; only the screen is cleaned
