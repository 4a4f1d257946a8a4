"""The rollout view shown after a change: ReplicaSets growing and shrinking, pods changing state, live."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from kubetui.cluster.render import pod_status
from kubetui.screens.dialogs.notices import InlineNotices
from kubetui.screens.dialogs.progress import Progress, rollout_progress
from kubetui.screens.dialogs.pull_backoff import backoff_note
from kubetui.screens.pull_failures import PULL_FAILURES
from kubetui.widgets.keyed_rows import sync_rows

# What the view reads each tick: the Deployment (None when gone), its ReplicaSets and pods, from the live cache.
Snapshot = Callable[[], tuple[dict[str, Any] | None, Sequence[dict[str, Any]], Sequence[dict[str, Any]]]]


class RolloutScreen(InlineNotices, ModalScreen[str]):
    """Follows a Deployment's rollout from the cache until it completes or fails; returns the outcome.

    The outcome is also announced with a notification, so closing the view early loses nothing.
    """

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("ctrl+r", "pull_secret", "Pull secret", id="pull_secret"),
    ]

    DEFAULT_CSS = """
    RolloutScreen { align: center middle; }
    RolloutScreen > #rollout {
        width: 100; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    RolloutScreen #title { text-style: bold; margin-bottom: 1; }
    RolloutScreen #replicasets { height: auto; max-height: 8; }
    RolloutScreen #pods { height: auto; max-height: 12; margin-top: 1; }
    RolloutScreen #status { margin-top: 1; }
    RolloutScreen #hint { color: $text-muted; width: 100%; }
    RolloutScreen #status { width: 100%; }
    RolloutScreen #backoff { width: 100%; height: auto; color: $warning; display: none; }
    RolloutScreen #notices { width: 100%; height: auto; max-height: 4; display: none; }
    """

    POLL_SECONDS = 0.25

    def __init__(
        self,
        title: str,
        deployment: str,
        snapshot: Snapshot,
        min_generation: int = 0,
        on_stuck: Callable[[str], bool] | None = None,
        on_pull_secret: Callable[[], None] | None = None,
        pull_retry: Callable[[dict[str, Any]], float | None] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.deployment = deployment
        self.snapshot = snapshot
        self.min_generation = min_generation
        self.on_stuck = on_stuck
        self.on_pull_secret = on_pull_secret
        self.pull_retry = pull_retry
        """When a pod in ImagePullBackOff pulls again (epoch seconds), to say how long the wait is."""
        """Opens the pull-Secret dialog for this view's Deployment (the registry offer's key, here too)."""
        self.progress: Progress = Progress("Starting...")
        self.outcome: str | None = None
        """'complete' or 'failed' once known; None while in progress."""
        self._stuck_reported = False
        self._seen = False

    def compose(self) -> ComposeResult:
        with Vertical(id="rollout"):
            yield Label(self.title_text, id="title")
            replicasets: DataTable[str] = DataTable(id="replicasets", cursor_type="none")
            replicasets.add_columns("REPLICASET", "REVISION", "DESIRED", "CURRENT", "READY", "")
            yield replicasets
            pods: DataTable[str] = DataTable(id="pods", cursor_type="none")
            pods.add_columns("POD", "REVISION", "STATUS")
            yield pods
            yield Static("", id="status")
            yield Static("", id="backoff")
            yield Static("", id="notices")
            yield Label("esc closes this view; the rollout goes on either way", id="hint")

    def on_mount(self) -> None:
        self.refresh_progress()
        self.set_interval(self.POLL_SECONDS, self.refresh_progress)

    def refresh_progress(self) -> None:
        """Re-read the cache and redraw; announce the outcome once.

        The view keeps following the cache after the outcome: pods a scale-down or a finished rollout
        deletes go on terminating for a while, and the view must drop them when they are gone.
        """
        deployment, replicasets, pods = self.snapshot()
        if deployment is None and not self._seen:
            # Just created: the watch has not brought it yet. Only a Deployment once seen can be "gone".
            progress = Progress(f"Waiting for Deployment {self.deployment} to appear...")
        else:
            self._seen = True
            progress = rollout_progress(deployment, replicasets, pods, self.min_generation)
        if self.outcome is not None:
            # Settled: the outcome stays as announced, while the rows follow the cache.
            progress = replace(self.progress, replicasets=progress.replicasets, pods=progress.pods)
        if progress != self.progress:  # redraw only what changed since the last tick
            self.progress = progress
            self._draw(progress)
        self._backoff(pods)
        if self.outcome is not None:
            return
        if self.progress.done:
            self.outcome = "complete"
            self.app.notify(self.progress.message, title="Rollout complete")
        elif self.progress.failed:
            self.outcome = "failed"
            self.app.notify(self.progress.message, title="Rollout failed", severity="error")
        elif self.progress.stuck and not self._stuck_reported:
            self._stuck_reported = True
            # on_stuck may say more (e.g. how to add registry credentials); then one notice is enough
            if self.on_stuck is None or not self.on_stuck(self.progress.stuck):
                self.app.notify(
                    f"New pods of {self.deployment} are in {self.progress.stuck}",
                    title="Rollout stuck",
                    severity="warning",
                )
        self._hint()

    def _backoff(self, pods: Sequence[dict[str, Any]]) -> None:
        """Pods in ImagePullBackOff wait for the kubelet's next pull: say so, and when (a countdown)."""
        note = ""
        if self.pull_retry is not None and self.outcome is None:
            note = backoff_note(pods, pod_status, self.pull_retry)
        shown = self.query_one("#backoff", Static)
        if str(shown.content) != note:
            shown.update(note)
            shown.display = bool(note)

    def _hint(self) -> None:
        """The keys of the view; the pull-Secret key while new pods cannot pull their image."""
        text = "esc closes this view; the rollout goes on either way"
        if self.on_pull_secret is not None and self.progress.stuck in PULL_FAILURES and self.outcome is None:
            key = getattr(self.app, "key_for", lambda _id: "ctrl+r")("pull_secret")
            text = f"{key}: add a pull Secret to Deployment {self.deployment} · {text}"
        hint = self.query_one("#hint", Label)
        if str(hint.content) != text:
            hint.update(text)

    def _draw(self, progress: Progress) -> None:
        sync_rows(
            self.query_one("#replicasets", DataTable),
            [
                (
                    line.name,
                    (
                        line.name,
                        str(line.revision),
                        str(line.desired),
                        str(line.current),
                        str(line.ready),
                        "new" if line.newest else "old",
                    ),
                )
                for line in progress.replicasets
            ],
        )
        revisions = {line.name: str(line.revision) for line in progress.replicasets}
        # The revision says old or new in a few columns, where the ReplicaSet name would push STATUS off.
        sync_rows(
            self.query_one("#pods", DataTable),
            [
                (
                    pod.name,
                    (
                        pod.name,
                        revisions.get(pod.replicaset, ""),
                        Text(pod.state, style=self._colour(pod.status_class)),
                    ),
                )
                for pod in progress.pods
            ],
        )
        outcome = "running" if progress.done else "failed" if progress.failed else "pending"
        self.query_one("#status", Static).update(
            Text(progress.message, style=f"bold {self._colour(outcome)}")
        )

    def _colour(self, status: str) -> str:
        """The theme's colour for a status class (``status-running`` etc.), '' when the theme has none."""
        return str(self.app.theme_variables.get(f"status-{status}", ""))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pull_secret":
            return self.on_pull_secret is not None
        return True

    def action_pull_secret(self) -> None:
        """The view gives way to the dialog; the rollout it then starts gets a view of its own."""
        if self.on_pull_secret is None:
            return
        self.dismiss(self.outcome or "in progress")
        self.on_pull_secret()

    def action_close(self) -> None:
        self.dismiss(self.outcome or "in progress")
