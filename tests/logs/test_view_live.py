"""LogView on live streams from the built-in cluster: a Deployment's pods tagged side by side, pods joining,
the budget's drop note, and the previous container on p."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult

from kubetui.cluster.connection import Connection
from kubetui.cluster.logs import LogLine, LogState
from kubetui.screens.logs import LogsScreen
from kubetui.sim.server import SimServer
from kubetui.widgets.log_lines import LogLines
from kubetui.widgets.log_view import LogView
from tests.logs.helpers import NS, connect, container, create_myapp, create_pod, running_pods, wait_for


class ViewApp(App[None]):
    def __init__(self, budget: int = 100_000, reader_thread: bool = True) -> None:
        super().__init__()
        self.budget = budget
        self.reader_thread = reader_thread

    def compose(self) -> ComposeResult:
        yield LogView(budget=self.budget, poll_interval=0.05, reader_thread=self.reader_thread)

    def on_mount(self) -> None:
        self.query_one(LogLines).focus()


def rows(view: LogView) -> list[str]:
    body = view.lines
    return [body.render_line(y).text.rstrip() for y in range(body.size.height)]


@pytest.mark.parametrize("reader_thread", [True, False], ids=["own-thread", "ui-loop"])
async def test_deployment_pods_shown_interleaved_and_tagged(
    sim: SimServer, kubeconfig: Path, reader_thread: bool
) -> None:
    conn = await connect(kubeconfig)
    await create_myapp(conn)
    pods = await running_pods(conn, "app=myapp", 3)
    app = ViewApp(reader_thread=reader_thread)
    async with app.run_test(size=(120, 30)) as pilot:
        view = app.query_one(LogView)
        view.show_pods(conn, NS, pods, title="deployment/myapp")
        assert (view._reader is not None) is reader_thread
        await wait_for(lambda: view.buffer.shown_count >= 40, what="40 lines in the view")
        await pilot.pause(0.3)
        shown = [r for r in rows(view) if r]
        tags = {r.split()[0] for r in shown if not r.startswith("──")}
        assert tags == set(pods)
        consumer_rows = [r for r in shown if "consumed message" in r]
        assert consumer_rows and len({r.split()[0] for r in consumer_rows}) == 1
        # Search for the consumer: n lands on a line of the one pod that consumes.
        await pilot.press("slash")
        view.query_one("#log-prompt").value = "consumed"  # type: ignore[attr-defined]
        await pilot.press("enter")
        current = view.buffer.shown(view.lines.current)  # type: ignore[arg-type]
        assert isinstance(current, LogLine) and current.text.startswith("consumed message")
        assert "deployment/myapp" in view.status_text()
        view.stop()
    await conn.close()


async def test_pod_joins_the_view_and_budget_drops_with_a_note(sim: SimServer, kubeconfig: Path) -> None:
    conn = await connect(kubeconfig)
    for name in ("one", "two"):
        await create_pod(conn, name, [container("main", "kubetui.test/logger:1", rate=4)])
    app = ViewApp(budget=150)
    async with app.run_test(size=(100, 20)) as pilot:
        view = app.query_one(LogView)
        view.show_pods(conn, NS, ["one"])
        await wait_for(lambda: view.buffer.shown_count >= 20)
        view.set_pods(["one", "two"])
        await wait_for(lambda: any(getattr(i, "pod", "") == "two" for i in view.buffer.iter_shown()))
        await wait_for(lambda: view.buffer.dropped > 0, what="lines dropped over budget")
        await pilot.pause(0.3)
        assert len(view.buffer) == 150
        assert "dropped" in view.status_text() and "budget 150" in view.status_text()
        assert any(r.startswith("two ") for r in rows(view))
        view.stop()
    await conn.close()


async def test_full_screen_view_shows_previous_container_on_p(sim: SimServer, kubeconfig: Path) -> None:
    conn: Connection = await connect(kubeconfig)
    await create_pod(conn, "crashy", [container("main", "kubetui.test/crash:1")])

    class ScreenApp(App[None]):
        def on_mount(self) -> None:
            self.push_screen(LogsScreen(conn, NS, ["crashy"], poll_interval=0.05))

    app = ScreenApp()
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(LogView)
        await wait_for(
            lambda: (
                view.states.get(("crashy", "main")) is not None
                and any(s.state is LogState.CRASH_LOOP for s in view.states.values())
            ),
            timeout=15,
            what="CrashLoopBackOff",
        )
        await pilot.pause()
        assert any("CrashLoopBackOff" in r and "press p" in r for r in rows(view))
        await pilot.press("p")
        await wait_for(
            lambda: any(s.state is LogState.ENDED for s in view.states.values()), what="previous log"
        )
        await pilot.pause()
        assert "previous container" in view.status_text()
        texts = [i.text for i in view.buffer.iter_shown() if isinstance(i, LogLine)]
        assert texts[:2] == ["starting crash demo", "loading configuration from /etc/crash/config.yaml"]
        await pilot.press("escape")
        assert not isinstance(app.screen, LogsScreen)
    await conn.close()


class RecordingSource:
    """The real Connection, with every log request's query written down."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.log_queries: list[dict[str, str]] = []

    async def request(self, method: str, path: str, *, query: dict[str, str] | None = None) -> object:
        return await self.conn.request(method, path, query=query)

    def stream(self, method: str, path: str, *, query: dict[str, str] | None = None) -> object:
        if path.endswith("/log"):
            self.log_queries.append(dict(query or {}))
        return self.conn.stream(method, path, query=query)


async def test_tail_and_since_keys_restart_the_stream_with_them(sim: SimServer, kubeconfig: Path) -> None:
    conn = await connect(kubeconfig)
    words = " ".join(str(i) for i in range(1, 301))
    script = f"for i in {words}; do echo counted $i; done"
    await create_pod(
        conn, "counter", [container("main", "busybox", command=["sh", "-c", script])], restartPolicy="Never"
    )
    source = RecordingSource(conn)
    app = ViewApp()
    async with app.run_test(size=(100, 20)) as pilot:
        view = app.query_one(LogView)
        view.show_pods(source, NS, ["counter"])  # type: ignore[arg-type]
        await wait_for(lambda: any(s.state is LogState.ENDED for s in view.states.values()), timeout=15)
        assert source.log_queries[0]["tailLines"] == "1000"
        assert "sinceSeconds" not in source.log_queries[0]
        await pilot.press("l")  # tail 1000 → 10000
        await pilot.press("l")  # → all
        await pilot.press("l")  # → 100
        await wait_for(lambda: any(s.state is LogState.ENDED for s in view.states.values()), timeout=15)
        await pilot.pause(0.3)
        assert source.log_queries[-1]["tailLines"] == "100"
        texts = [i.text for i in view.buffer.iter_shown() if isinstance(i, LogLine)]
        assert texts == [f"counted {i}" for i in range(201, 301)]
        assert "tail 100" in view.status_text()
        await pilot.press("S")  # since all → 1m
        await wait_for(lambda: "sinceSeconds" in source.log_queries[-1])
        assert source.log_queries[-1]["sinceSeconds"] == "60"
        assert "since 1m" in view.status_text()
        view.stop()
    await conn.close()


async def test_container_key_cycles_all_then_each_container(sim: SimServer, kubeconfig: Path) -> None:
    conn = await connect(kubeconfig)
    sidecar = ["sh", "-c", "while true; do echo sidecar tick; sleep 1; done"]
    await create_pod(
        conn,
        "twins",
        [container("web", "kubetui.test/logger:1", rate=2), container("sidecar", "busybox", command=sidecar)],
    )
    app = ViewApp()
    async with app.run_test(size=(100, 20)) as pilot:
        view = app.query_one(LogView)
        view.show_pods(conn, NS, ["twins"])

        def containers_shown() -> set[str]:
            return {i.container for i in view.buffer.iter_shown() if isinstance(i, LogLine)}

        await wait_for(lambda: containers_shown() == {"web", "sidecar"}, what="both containers")
        await pilot.pause(0.3)
        assert any(r.startswith("twins/sidecar ") for r in rows(view))
        await pilot.press("C")  # → sidecar (names in order)
        assert "container sidecar" in view.status_text()
        await wait_for(lambda: len(view.buffer) >= 3)
        assert containers_shown() == {"sidecar"}
        await pilot.press("C")  # → web
        await wait_for(lambda: len(view.buffer) >= 3)
        assert containers_shown() == {"web"}
        await pilot.press("C")  # → all again
        await wait_for(lambda: containers_shown() == {"web", "sidecar"})
        assert "container " not in view.status_text()
        view.stop()
    await conn.close()
