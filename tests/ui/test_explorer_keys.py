"""Keys and views of the main screen: read-only, palette, zoom, theme colours, lists, pickers, Logs pane keys."""

from __future__ import annotations

import base64
from typing import Any

from kubetui.app import KubeApp
from kubetui.config import Settings
from kubetui.launch import wants_builtin
from kubetui.screens.main import MainScreen
from kubetui.screens.object_view import MASK, to_yaml
from kubetui.screens.pickers import PickerScreen
from kubetui.screens.resource_list import ResourceListScreen, event_last_seen
from kubetui.session import SessionConfig
from tests.ui.conftest import Journey
from tests.ui.helpers import wait_for
from tests.ui.support import on_main_screen


def _app(journey: Journey, **config: Any) -> KubeApp:
    return KubeApp(SessionConfig(kubeconfig=str(journey.kubeconfig), **config), settings=Settings())


def _footer_actions(app: KubeApp) -> set[str]:
    """The actions the footer offers: enabled bindings, less those it leaves out (read-only changes, which
    answer only to say they are off)."""
    hidden = set(getattr(app.screen, "footer_hidden", set)())
    return {
        b.binding.id
        for b in app.screen.active_bindings.values()
        if b.enabled and b.binding.id and b.binding.id not in hidden
    }


async def test_read_only_hides_every_mutation_from_footer_and_palette(journey: Journey) -> None:
    app = _app(journey, readonly=True)
    async with on_main_screen(app) as (pilot, screen):
        await wait_for(pilot, lambda: screen.table("deployments").row_count == 2)
        screen.focus_pane("deployments")
        await pilot.pause()
        shown = _footer_actions(app)
        assert {"describe", "yaml", "logs"} <= shown
        assert not shown & {"new", "scale", "set_image", "undo", "restart", "delete", "apply"}
        palette = {c.title for c in app.get_system_commands(screen)}
        assert "Describe" in palette and "Scale" not in palette and "Delete" not in palette
        assert "[read-only]" in str(screen.query_one("#header").content)
    writable = _app(journey)
    async with writable.run_test(size=(160, 48)) as pilot:
        screen = writable.screen
        assert isinstance(screen, MainScreen)
        screen.focus_pane("deployments")
        await pilot.pause()
        assert {"scale", "set_image", "undo", "delete"} <= _footer_actions(writable)
        assert "Scale" in {c.title for c in writable.get_system_commands(screen)}
        # keys only where the kind supports them: no scaling a Service
        screen.focus_pane("services")
        await pilot.pause()
        assert "scale" not in _footer_actions(writable) and "expose" in _footer_actions(writable)


async def test_zoom_shows_the_focused_pane_alone_and_back(journey: Journey) -> None:
    app = _app(journey)
    async with on_main_screen(app) as (pilot, screen):
        await pilot.pause()
        assert len([p for p in screen.query("Pane") if p.display]) == 5
        await pilot.press("z")
        await pilot.pause()
        assert [p.kind for p in screen.query("Pane") if p.display] == ["pods"]
        await pilot.press("z")
        await pilot.pause()
        assert len([p for p in screen.query("Pane") if p.display]) == 5


async def test_status_cells_take_their_colour_from_the_theme(journey: Journey) -> None:
    app = _app(journey)
    async with on_main_screen(app) as (pilot, screen):
        table = screen.table("pods")

        def running_rows() -> list[Any]:
            rows = [table.get_row(uid) for uid in table.ordered_uids()]
            return [r for r in rows if r[2].plain == "Running"]

        await wait_for(pilot, lambda: len(running_rows()) == 3)
        colour = app.theme_variables["status-running"]
        assert all(str(r[2].style).lower() == colour.lower() for r in running_rows())


async def test_lists_and_pickers(journey: Journey) -> None:
    app = _app(journey)
    async with on_main_screen(app, pods=3) as (pilot, screen):
        await pilot.press("colon", *"rs", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResourceListScreen))
        listing = app.screen
        assert isinstance(listing, ResourceListScreen)
        await wait_for(pilot, lambda: listing.query_one("#list").row_count == 2)
        await pilot.press("escape")
        await pilot.press("colon", *"events", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResourceListScreen))
        events = app.screen
        assert isinstance(events, ResourceListScreen) and events.kind == "events"
        await wait_for(pilot, lambda: events.query_one("#list").row_count > 0)
        await pilot.press("escape")
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press(*"kube-sys", "enter")
        await wait_for(pilot, lambda: app.session.view_namespace == "kube-system")
        assert app.screen is screen


async def test_slash_in_the_logs_pane_searches_the_logs(journey: Journey) -> None:
    app = _app(journey)
    async with on_main_screen(app, pods=3) as (pilot, screen):
        await pilot.press("enter")  # drill from a pod into its logs
        await wait_for(pilot, lambda: screen.focused_kind() == "logs")
        await pilot.press("slash")
        await pilot.pause()
        assert screen.query_one("#log-prompt").has_class("-active")
        assert not screen.query_one("#command").has_class("-open")


def test_yaml_folds_managed_fields_and_masks_secret_values() -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": "my-secret",
            "managedFields": [{"manager": "kubectl"}, {"manager": "kubetui"}],
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": '{"data":{"p":"c2VjcmV0"}}'},
        },
        "data": {".dockerconfigjson": base64.b64encode(b'{"auths":{}}').decode()},
        "stringData": {"password": "hunter2"},
    }
    text = to_yaml(secret)
    assert "hunter2" not in text and "c2VjcmV0" not in text and "eyJhdXRocyI6e319" not in text
    assert f".dockerconfigjson: {MASK}" in text and f"password: {MASK}" in text
    assert "managedFields: '<folded: 2 entries by kubectl, kubetui>'" in text
    pod = {"kind": "Pod", "metadata": {"name": "p"}, "data": {"x": "y"}}
    assert "x: y" in to_yaml(pod)


def test_no_kubeconfig_means_the_built_in_cluster(tmp_path: Any, monkeypatch: Any) -> None:
    import argparse

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    args = argparse.Namespace(sim=False, kubeconfig=None)
    assert wants_builtin(args)
    (tmp_path / ".kube").mkdir()
    (tmp_path / ".kube" / "config").write_text("apiVersion: v1\nkind: Config\n")
    assert not wants_builtin(args)
    assert wants_builtin(argparse.Namespace(sim=True, kubeconfig=None))


async def test_table_keys_are_remappable_by_binding_id(journey: Journey) -> None:
    app = KubeApp(
        SessionConfig(kubeconfig=str(journey.kubeconfig)), settings=Settings(keymap={"table.down": "f2"})
    )
    async with on_main_screen(app) as (pilot, screen):
        table = screen.table("pods")
        await wait_for(pilot, lambda: table.row_count == 3)
        await pilot.press("j")
        await pilot.pause()
        assert table.cursor_row == 0  # j no longer moves down: the keymap replaced it
        await pilot.press("f2")
        await pilot.pause()
        assert table.cursor_row == 1
        assert app.key_for("table.down") == "f2"


async def test_colon_typed_right_after_tab_keeps_the_command_line_focused(journey: Journey) -> None:
    """Keys arriving together (a slow SSH link, a loaded machine): tab's deferred focus must not steal ':'."""
    from textual import events

    from kubetui.widgets.command_line import CommandLine

    app = _app(journey)
    async with on_main_screen(app, size=(80, 24)) as (pilot, screen):
        await wait_for(pilot, lambda: screen.table("services").row_count >= 1)
        # posted in one go, as a terminal delivers a burst: nothing runs between them
        for key, char in (("tab", "\t"), ("colon", ":"), ("n", "n"), ("o", "o"), ("d", "d")):
            app.post_message(events.Key(key, char))
        await pilot.pause()
        await pilot.pause()
        command = screen.query_one(CommandLine)
        assert app.focused is command and command.value == "nod"
        await pilot.press(*"es", "enter")
        await wait_for(pilot, lambda: screen.focused_kind() == "nodes")


async def test_events_are_ordered_by_their_real_last_time_newest_first(journey: Journey) -> None:
    """By real last-seen time, newest first: "10s" is newer than "5m" though it sorts after it as text."""
    import time
    from datetime import UTC, datetime

    from textual import events

    def event(name: str, ago: float) -> dict[str, Any]:
        at = datetime.fromtimestamp(time.time() - ago, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": name, "namespace": "default"},
            "involvedObject": {"kind": "Pod", "name": name, "namespace": "default"},
            "reason": "Tested",
            "message": f"event {name}",
            "type": "Normal",
            "firstTimestamp": at,
            "lastTimestamp": at,
            "count": 1,
        }

    for name, ago in (("newest", 10), ("older", 300), ("oldest", 26 * 3600)):
        await journey.create("/api/v1/namespaces/default/events", event(name, ago))
    app = _app(journey)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("colon", *"events", "enter")
        listing = await wait_for(pilot, lambda: isinstance(app.screen, ResourceListScreen) and app.screen)
        table = listing.query_one("#list")

        def ours() -> list[str]:
            names = [str(table.get_row(uid)[3]) for uid in table.ordered_uids()]
            return [n.removeprefix("pod/") for n in names if n in ("pod/newest", "pod/older", "pod/oldest")]

        await wait_for(pilot, lambda: len(ours()) == 3)
        assert ours() == ["newest", "older", "oldest"]  # the list opens at what just happened

        # "/" filters as in every list; the letters typed after it are text, not keys (d is describe)
        burst = [("slash", "/"), *((c, c) for c in "older")]
        for key, char in burst:
            app.post_message(events.Key(key, char))
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: ours() == ["older"])
        assert app.screen is listing  # no describe opened
        await pilot.press("escape")  # clears the filter first
        await wait_for(pilot, lambda: len(ours()) == 3)
        assert app.screen is listing
        assert "newest first" in str(listing.query_one("#pane-list").border_title)
        # every event, not only ours: their real times never go forwards down the list
        times = [event_last_seen(app.session.store.get("events", uid)) for uid in table.ordered_uids()]
        assert times == sorted(times, reverse=True)


async def test_a_table_wider_than_its_pane_scrolls_by_columns_from_the_keyboard(journey: Journey) -> None:
    """At 80x24 the Services columns do not fit: right/">" bring the cut ones in, left/"<" go back, remappable."""
    from kubetui.screens.help import help_table
    from tests.ui.conftest import load_balancer
    from tests.ui.helpers import plain

    # a long Service name, as people give them: the columns no longer fit in 80
    await journey.create(
        "/api/v1/namespaces/default/services", load_balancer("kubernetes-bootcamp-v2-preview", 80, 8080)
    )
    app = KubeApp(
        SessionConfig(kubeconfig=str(journey.kubeconfig)),
        settings=Settings(keymap={"table.scroll_right": "f3"}),
    )
    async with on_main_screen(app, size=(80, 24)) as (pilot, screen):
        table = screen.table("services")
        await wait_for(pilot, lambda: table.row_count == 3)
        screen.focus_pane("services")
        await wait_for(pilot, lambda: table.size.width > 0 and table.virtual_size.width > table.size.width)

        def header() -> str:
            return table.render_line(0).text

        assert "NAME" in header() and "AGE" not in header()
        await pilot.press("right")
        await pilot.pause()
        assert table.scroll_offset.x == 0  # remapped: right no longer scrolls
        await pilot.press("f3")
        await wait_for(pilot, lambda: table.scroll_offset.x > 0)
        # a column at a time, never past the right edge: the view starts where the second column starts, or
        # shows the last column's end when that comes first
        starts = table._column_starts()
        assert table.scroll_offset.x == min(starts[1], table.max_scroll_x)
        for _ in range(len(table.column_names)):
            await pilot.press("f3")
        await wait_for(pilot, lambda: "AGE" in header())
        assert table.scroll_offset.x == table.max_scroll_x
        await pilot.press("less_than_sign")
        await pilot.pause()
        assert table.scroll_offset.x < table.max_scroll_x and table.scroll_offset.x in starts
        for _ in range(len(table.column_names)):
            await pilot.press("left")
        await wait_for(pilot, lambda: table.scroll_offset.x == 0)
        assert "NAME" in header()
        listed = plain(help_table(app.key_for, False))
        assert "table.scroll_left" in listed and "table.scroll_right" in listed
        assert "f3" in listed and "left,<" in listed


async def test_rows_that_come_into_view_show_their_age_as_of_now(journey: Journey, monkeypatch: Any) -> None:
    """Ages tick only for rows on screen; a pane shown by its tab or rows scrolled to must not show stale ones."""
    import time

    from tests.ui.helpers import plain

    monkeypatch.setattr(
        MainScreen, "AGE_TICK", 3600.0
    )  # no periodic tick: only coming into view may age a row
    for i in range(30):
        pod = {
            "metadata": {"name": f"filler-{i:02d}"},
            "spec": {"containers": [{"name": "c", "image": "nginx"}]},
        }
        await journey.create("/api/v1/namespaces/default/pods", pod)
    app = _app(journey)
    async with on_main_screen(app, size=(80, 24)) as (pilot, screen):
        pods, deployments = screen.table("pods"), screen.table("deployments")
        await wait_for(pilot, lambda: pods.row_count == 33 and deployments.row_count == 2)

        def ages(table: Any, uids: list[str]) -> set[str]:
            column = table.column_names.index("AGE")
            return {plain(table.get_row(uid)[column]) for uid in uids}

        bottom = pods.ordered_uids()[-5:]
        assert not set(pods.visible_uids()) & set(bottom)
        monkeypatch.setattr(app, "now_for", lambda obj: time.time() + 7200)  # two hours on
        await pilot.press("G")
        await wait_for(pilot, lambda: set(bottom) <= set(pods.visible_uids()))
        await wait_for(pilot, lambda: ages(pods, pods.visible_uids()) == {"120m"}, timeout=10)

        assert "4h" not in ages(deployments, deployments.ordered_uids())
        monkeypatch.setattr(app, "now_for", lambda obj: time.time() + 4 * 3600)  # four hours on
        await pilot.press(":", *"deploy", "enter")
        await wait_for(pilot, lambda: screen.focused_kind() == "deployments")
        await wait_for(pilot, lambda: ages(deployments, deployments.ordered_uids()) == {"4h"}, timeout=10)


async def test_the_footer_is_rebuilt_only_when_its_keys_change(journey: Journey) -> None:
    """The screen asks the footer to rebuild on every focus, selection and pods change; with the same keys to
    show, its key widgets stay the same objects. Another pane's keys rebuild it."""
    from textual.widgets._footer import FooterKey

    app = _app(journey)
    async with on_main_screen(app) as (pilot, screen):
        await wait_for(pilot, lambda: screen.table("deployments").row_count == 2)
        screen.focus_pane("deployments")
        await pilot.pause()
        await pilot.pause(0.2)
        before = list(screen.query(FooterKey))
        assert any(k.action == "object('scale')" for k in before)
        for key in ("j", "k", "j"):
            await pilot.press(key)
            screen.refresh_bindings()  # as a pods change or a registry offer does
            await pilot.pause()
        await pilot.pause(0.2)
        assert list(screen.query(FooterKey)) == before
        assert all(a is b for a, b in zip(screen.query(FooterKey), before, strict=True))
        screen.focus_pane("services")
        await pilot.pause()
        await wait_for(pilot, lambda: not any(k.action == "object('scale')" for k in screen.query(FooterKey)))
        assert any(k.action == "object('expose')" for k in screen.query(FooterKey))
