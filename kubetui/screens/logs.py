"""LogsScreen: the log view full screen, for reading a pod's or a workload's logs without the other panes."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from kubetui.cluster.logs import LogSource
from kubetui.widgets.key_footer import KeyFooter
from kubetui.widgets.log_buffer import DEFAULT_BUDGET
from kubetui.widgets.log_view import LogView


class LogsScreen(Screen[None]):
    """Streams ``pods`` full screen; ``escape`` returns. ``set_pods`` keeps it in step with the selection."""

    BINDINGS = [Binding("escape,q", "close", "Back")]

    def __init__(
        self,
        source: LogSource,
        namespace: str,
        pods: Sequence[str],
        *,
        title: str = "",
        container: str | None = None,
        budget: int = DEFAULT_BUDGET,
        poll_interval: float = 1.0,
    ) -> None:
        super().__init__()
        self._covered: list[LogView] = []
        self._source = source
        self._namespace = namespace
        self._pods = list(pods)
        self._title = title
        self._container = container
        self._budget = budget
        self._poll_interval = poll_interval

    def compose(self) -> ComposeResult:
        yield LogView(budget=self._budget, poll_interval=self._poll_interval, id="logs-full")
        yield KeyFooter()

    def on_mount(self) -> None:
        # The log views this screen covers (the main screen's Logs pane follows the same selection) rest
        # meanwhile: the same flood read twice would cost twice the CPU and twice the memory.
        self._covered = [
            view for screen in self.app.screen_stack if screen is not self for view in screen.query(LogView)
        ]
        for covered in self._covered:
            covered.rest()
        view = self.view
        view.show_pods(
            self._source, self._namespace, self._pods, title=self._title, container=self._container
        )
        view.lines.focus()

    def on_unmount(self) -> None:
        for covered in self._covered:
            if covered.is_attached:
                covered.wake()
        self._covered = []

    @property
    def view(self) -> LogView:
        return self.query_one(LogView)

    def set_pods(self, pods: Sequence[str]) -> None:
        self.view.set_pods(pods)

    def action_close(self) -> None:
        self.view.stop()
        self.dismiss(None)
