"""kubetui in the terminals people use over SSH: xterm-256color, screen-256color and a 16-colour screen, in tmux.

Each terminal gets its own detached tmux session at 80×24 running ``kubetui --sim``; ``capture-pane -e`` shows the
colours the app really wrote. Keys are checked twice: the whole key table avoids keys that tmux, screen or a
terminal's flow control take for themselves, and the main ones are pressed through tmux. The last tests check that
the app is frugal with its output: nothing that did not change is drawn again.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SGR = re.compile(r"\x1b\[([0-9;:]*)m")
TERMS_256 = ("xterm-256color", "screen-256color")


class Session:
    """One detached tmux session running kubetui."""

    def __init__(self, name: str) -> None:
        self.name = name

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=20, check=True).stdout

    def send(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def screen(self, colours: bool = False) -> str:
        return self.tmux("capture-pane", "-p", *(["-e"] if colours else []), "-t", self.name)

    def wait_for(self, text: str, timeout: float = 90.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} did not appear; the screen shows:\n{screen}")

    def wait_gone(self, text: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if text not in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} is still on screen:\n{screen}")

    def close(self) -> None:
        subprocess.run(
            ["tmux", "kill-session", "-t", self.name], capture_output=True, timeout=20, check=False
        )


def start(home: Path, term: str, *args: str) -> Session:
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_DATA_HOME": str(home / "data"),
        "TERM": term,
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
    }
    argv = [sys.executable, "-m", "kubetui", "--sim", *args]
    name = f"kubetui-term-{uuid.uuid4().hex[:8]}"
    # env -i: the app sees only this TERM (no COLORTERM from the machine running the tests)
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", name, "-x", "80", "-y", "24", "env", "-i"]
        + [f"{k}={v}" for k, v in env.items()]
        + argv,
        check=True,
        timeout=20,
        cwd=ROOT,
    )
    return Session(name)


def sgr_colours(screen: str) -> tuple[set[str], set[str]]:
    """The colours SGR sequences set: 16-colour codes (30–37, 90–97, 40–47, 100–107) and extended ones
    (``38;5;N`` 256-colour, ``48;2;R;G;B`` truecolor, ...)."""
    basic: set[str] = set()
    extended: set[str] = set()
    for match in SGR.finditer(screen):
        params = [p for p in re.split("[;:]", match.group(1)) if p]
        i = 0
        while i < len(params):
            p = params[i]
            if p in ("38", "48", "58") and i + 1 < len(params):
                width = 3 if params[i + 1] == "5" else 5
                extended.add(";".join(params[i : i + width]))
                i += width
                continue
            n = int(p) if p.isdigit() else -1
            if 30 <= n <= 37 or 40 <= n <= 47 or 90 <= n <= 97 or 100 <= n <= 107:
                basic.add(p)
            i += 1
    return basic, extended


def test_sgr_parser() -> None:
    basic, extended = sgr_colours("\x1b[38;5;251;48;2;1;2;3;1mX\x1b[0m\x1b[93;100mY\x1b[39m")
    assert extended == {"38;5;251", "48;2;1;2;3"}
    assert basic == {"93", "100"}


@pytest.fixture(scope="module")
def sessions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Session]]:
    """Four terminals started together (they take a while to come up): three TERMs, and the 16-colour theme."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    base = tmp_path_factory.mktemp("terminals")
    started: dict[str, Session] = {}
    try:
        for term in (*TERMS_256, "screen"):
            started[term] = start(base / term, term)
        started["kubetui-16"] = start(base / "sixteen", "xterm-256color", "--theme", "kubetui-16")
        for session in started.values():
            session.wait_for("● live")
            # "live" comes with the first watch; the demo's pods reach Running a moment later
            session.wait_for("Running")
        yield started
    finally:
        for session in started.values():
            session.close()


@pytest.mark.tmux
@pytest.mark.slow
@pytest.mark.parametrize("term", TERMS_256)
def test_256_colour_terminals_get_256_colours(sessions: dict[str, Session], term: str) -> None:
    session = sessions[term]
    screen = session.screen(colours=True)
    _, colours = sgr_colours(screen)
    assert any(c.startswith("38;5;") for c in colours), colours  # the theme's colours come out...
    assert not any(";2;" in c for c in colours), colours  # ...as the terminal's 256, never truecolor
    plain = session.screen()
    assert "Pods" in plain and "Running" in plain
    assert all(len(line) <= 80 for line in plain.splitlines())


@pytest.mark.tmux
@pytest.mark.slow
def test_16_colour_terminal_gets_only_16_colours(sessions: dict[str, Session]) -> None:
    session = sessions["screen"]
    screen = session.screen(colours=True)
    basic, extended = sgr_colours(screen)
    assert extended == set()
    assert basic, "colours still come out, as the terminal's own 16"
    assert "Running" in session.screen()


@pytest.mark.tmux
@pytest.mark.slow
def test_16_colour_theme_uses_only_the_16_ansi_colours(sessions: dict[str, Session]) -> None:
    """Even on a 256-colour terminal, kubetui-16 draws with the terminal's own palette only, on every screen."""
    session = sessions["kubetui-16"]
    screens = [session.screen(colours=True)]
    session.send("?")
    session.wait_for("On the selected object")
    screens.append(session.screen(colours=True))
    session.send("Escape")
    session.wait_gone("On the selected object")
    time.sleep(0.5)  # a terminal reads ESC followed at once by a key as alt+key
    session.send(":")
    session.send("deploy", "Enter")
    session.wait_for("Deployments (default)")
    session.send("d")  # describe: a screen of its own
    session.wait_for("describe deployment")
    screens.append(session.screen(colours=True))
    for screen in screens:
        basic, extended = sgr_colours(screen)
        assert extended == set(), screen
        assert basic
    assert "Running" in SGR.sub("", screens[0])


# Keys a terminal session may never deliver: multiplexer prefixes, XON/XOFF flow control, and control keys that
# are the same byte as another key (ctrl+h is backspace, ctrl+i tab, ctrl+j/ctrl+m enter, ctrl+[ escape).
SWALLOWED = {
    "ctrl+a",
    "ctrl+b",
    "ctrl+s",
    "ctrl+q",
    "ctrl+h",
    "ctrl+i",
    "ctrl+j",
    "ctrl+m",
    "ctrl+left_square_bracket",
}
# Keys with a dedicated sequence every terminal description has (kept few on purpose).
SPECIAL = {
    "tab",
    "shift+tab",
    "enter",
    "escape",
    "up",
    "down",
    "left",
    "right",
    "home",
    "end",
    "pageup",
    "pagedown",
    "delete",
    "backspace",
    "space",
}


def _portable(key: str) -> bool:
    if key in SWALLOWED:
        return False
    if key in SPECIAL or len(key) == 1:
        return True
    if key.startswith("ctrl+"):
        rest = key[len("ctrl+") :]
        return len(rest) == 1 and rest.isalpha() and rest.islower()  # ctrl+letter is one control byte
    if re.fullmatch(r"f[0-9]+", key):
        return int(key[1:]) <= 12
    # Anything else must be a printable character by name (question_mark, colon): no alt, shift or super
    return "+" not in key


def _all_bindings() -> list[tuple[str, str]]:
    """(where, key) for every key kubetui binds: the action table, and the bindings of every class kubetui's
    app, screens and widgets define."""
    import importlib
    import pkgutil

    from textual.binding import Binding

    import kubetui.screens
    import kubetui.widgets
    from kubetui import actions

    keys: list[tuple[str, str]] = []
    for action in actions.ACTIONS:
        keys += [(f"action {action.id}", k.strip()) for k in action.key.split(",")]
    modules = [importlib.import_module("kubetui.app")]
    for package in (kubetui.screens, kubetui.widgets):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            modules.append(importlib.import_module(info.name))
    for module in modules:
        for holder in vars(module).values():
            if not (isinstance(holder, type) and holder.__module__ == module.__name__):
                continue
            for binding in holder.__dict__.get("BINDINGS", ()):
                if isinstance(binding, Binding):
                    keys += [(holder.__name__, k.strip()) for k in binding.key.split(",")]
    return keys


def test_every_key_survives_ssh_tmux_and_screen() -> None:
    keys = _all_bindings()
    assert len(keys) > 40
    bad = [(where, key) for where, key in keys if not _portable(key)]
    assert bad == []


@pytest.mark.tmux
@pytest.mark.slow
def test_main_keys_work_through_tmux_on_a_16_colour_terminal(sessions: dict[str, Session]) -> None:
    session = sessions["screen"]
    session.send("Tab")  # pods -> services: tabs at 80x24
    screen = session.wait_for("Services (default)")
    session.send("C-n")  # namespace picker
    session.wait_for("kube-system")
    session.send("Escape")
    session.wait_gone("kube-system")
    time.sleep(0.5)  # ESC followed at once by a key reads as alt+key
    session.send(":")
    session.send("deploy", "Enter")
    screen = session.wait_for("Deployments (default)")
    session.send("j", "k", "G")
    session.send("z")  # zoom the focused pane, and back
    time.sleep(0.5)
    session.send("z")
    session.send("?")
    screen = session.wait_for("Describe the object")
    assert "On the selected object" in screen
    session.send("q")  # closes help
    session.wait_gone("Describe the object")
    time.sleep(0.3)
    session.send("/")
    session.send("boot", "Enter")
    # (the command bar echoes "/boot" while it is typed: wait for the rows to go, not for the text)
    screen = session.wait_gone("hello-node")
    assert "kubernetes-bootcamp" in screen and "/boot" in screen


# -- frugal output: what did not change is not drawn again ------------------------------------------------------


async def test_hidden_logs_pane_and_unchanged_tab_bar_cause_no_layout_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 80×24 the Logs pane sits behind a tab and still follows the selected pod. A layout pass repaints every
    scrollbar on screen, so lines arriving there, and watch batches that change no count, must not cause one."""
    from textual.screen import Screen

    from kubetui.app import KubeApp
    from kubetui.config import Settings
    from kubetui.session import SessionConfig
    from kubetui.sim.server import SimServer
    from kubetui.widgets.log_lines import LogLines
    from tests.ui.helpers import wait_for

    passes: list[str] = []
    real = Screen._refresh_layout

    def counted(self: Screen, *args: object, **kwargs: object) -> None:
        passes.append(type(self).__name__)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Screen, "_refresh_layout", counted)
    # demo at speed 20: myapp's pods log a line every 50 ms, and a crash loop keeps the watches busy
    async with SimServer(scenario="demo", seed=1, speed=20.0) as sim:
        kubeconfig = sim.write_kubeconfig(tmp_path / "kubeconfig", namespace="shop")
        app = KubeApp(SessionConfig(kubeconfig=str(kubeconfig)), settings=Settings(), frozen_ages=True)
        async with app.run_test(size=(80, 24)) as pilot:
            screen: Any = app.screen
            await wait_for(pilot, lambda: app.session.settled and screen.table("pods").row_count >= 3, 30)
            lines = screen.query_one(LogLines)
            await wait_for(pilot, lambda: lines.buffer.shown_count > 5, 15)  # the first pod's logs, hidden
            assert not lines.region.area
            await pilot.pause(0.5)
            before, shown = len(passes), lines.buffer.shown_count
            await pilot.pause(2.0)
            assert lines.buffer.shown_count > shown + 5, "lines kept arriving"
            assert passes[before:] == []
            # The pane, when shown, has every line and is scrolled to the newest (the clock all but stopped,
            # so lines stop arriving).
            sim.cluster.clock.speed = 0.001
            screen.focus_pane("logs")
            await wait_for(pilot, lambda: lines.region.area > 0)
            # (a last batch may still be on its way from the streams' thread)
            await wait_for(
                pilot,
                lambda: (
                    lines.virtual_size.height == lines.buffer.shown_count
                    and lines.scroll_y == lines.max_scroll_y > 0
                ),
                5,
            )


class _TableApp:
    """A ResourceTable alone on a screen, with the regions it asks to repaint recorded."""

    @staticmethod
    def make() -> Any:
        from textual.app import App, ComposeResult

        from kubetui.widgets.resource_table import ResourceTable

        class TableApp(App[None]):
            def compose(self) -> ComposeResult:
                yield ResourceTable("pods", ("NAME", "VALUE", "AGE"), id="t")

        return TableApp()


async def test_a_changed_cell_repaints_that_cell_and_a_grown_column_every_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from textual.geometry import Region

    from kubetui.widgets.resource_table import ResourceTable
    from tests.ui.helpers import screen_text

    regions: list[Region] = []
    real = ResourceTable.refresh

    def recorded(self: ResourceTable, *args: Any, **kwargs: Any) -> Any:
        regions.extend(a for a in args if isinstance(a, Region))
        if not args:
            regions.append(Region(0, 0, self.size.width, self.size.height))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ResourceTable, "refresh", recorded)
    app = _TableApp.make()
    async with app.run_test(size=(60, 10)) as pilot:
        table = app.query_one(ResourceTable)
        table.apply({"a": ("alpha", "1", "5s"), "b": ("beta", "2", "5s")})
        await pilot.pause()
        regions.clear()
        # an age ticks over: only that cell (" " + AGE + " ") is repainted, not the row
        table.apply({"a": ("alpha", "1", "10s"), "b": ("beta", "2", "5s")})
        assert regions == [Region(x=len(" alpha  VALUE "), y=1, width=len(" 10s "), height=1)]
        await pilot.pause()
        # a value wider than its column moves the next column on every row: all rows are repainted
        regions.clear()
        table.apply({"b": ("beta", "2222222", "5s")})
        assert any(r.height > 1 for r in regions), regions
        await pilot.pause()
        rows = [line for line in screen_text(app).splitlines() if line.startswith((" alpha", " beta"))]
        assert len(rows) == 2
        assert rows[0].index("10s") == rows[1].index("5s"), rows  # the AGE column is aligned on both rows
