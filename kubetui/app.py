"""KubeApp: the Textual application — themes, keymap, the cluster session, and routing of cluster messages."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.markup import escape
from textual.screen import Screen
from textual.timer import Timer

from kubetui import actions as actions_table
from kubetui.config import Settings, load_settings, load_state, remember
from kubetui.keymap import TABLE_KEYS, display_key
from kubetui.messages import (
    ConnectionChanged,
    DeltasArrived,
    OperationDone,
    OperationFailed,
    WatchStateChanged,
)
from kubetui.session import ClusterSession, SessionConfig
from kubetui.themes import choose_theme, load_themes, theme_variable_defaults

STATUS_NAMES = ("running", "pending", "failed", "terminating", "completed", "warning")
# Snapshot runs set this so every age reads the same on every run.
FROZEN_AGES_ENV = "KUBETUI_FROZEN_AGES"
FROZEN_AGE_SECONDS = 300.0
# Watch deltas between two collections of the young generations (see KubeApp._collect_young).
YOUNG_COLLECTION_DELTAS = 100
# Full collections are run early at a moment without keys (see KubeApp._collect_old).
OLD_COLLECTION_QUIET = 2.0  # seconds since the last key
OLD_COLLECTION_EVERY = 30.0  # seconds between two of them at least
OLD_COLLECTION_CHECK = 5.0  # seconds between two looks


class KubeApp(App[int]):
    """Explore and operate a Kubernetes cluster. Delegates: data to ClusterSession, views to screens."""

    TITLE = "kubetui"
    CSS_PATH = str(Path(__file__).parent / "styles" / "app.tcss")
    BINDINGS = [
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
    ]
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        config: SessionConfig,
        *,
        theme_name: str | None = None,
        settings: Settings | None = None,
        frozen_ages: bool | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        # The built-in cluster started for this run (--sim, or no kubeconfig): its kubeconfig is temporary.
        self.session_cluster: Path | None = (
            Path(config.kubeconfig) if config.builtin and config.kubeconfig else None
        )
        self.settings = settings if settings is not None else load_settings()
        self.theme_request = theme_name
        self.frozen_ages = bool(os.environ.get(FROZEN_AGES_ENV)) if frozen_ages is None else frozen_ages
        self._apply_context_settings()
        self.session = ClusterSession(config, self.post_message)
        self.startup_warnings: list[str] = list(self.settings.warnings)

    # -- theme -----------------------------------------------------------------------------------------------

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return theme_variable_defaults()

    _cli_readonly = False
    _themes_ready = False  # after this, a theme change is the person's choice and is remembered

    def status_colours(self) -> dict[str, str]:
        """Status class → colour of the current theme (for cells drawn with Rich styles)."""
        variables = self.theme_variables
        defaults = self.get_theme_variable_defaults()
        return {s: variables.get(f"status-{s}") or defaults[f"status-{s}"] for s in STATUS_NAMES}

    def _setup_themes(self) -> None:
        found = load_themes()
        for theme in found.themes.values():
            self.register_theme(theme)
        self.startup_warnings.extend(found.problems)
        name, problem = choose_theme(
            self.theme_request,
            _remembered_theme(load_state(), self.settings.path),
            found,
            configured=self.settings.theme,
        )
        if problem:
            self.startup_warnings.append(problem)
        self.theme = name
        self._themes_ready = True

    def watch_theme(self, name: str) -> None:
        if self._themes_ready:
            # Chosen from the command palette: kept for the next start, with when, so that an edit of
            # config.yaml made later wins over it.
            remember(theme=name, theme_at=time.time())
        for screen in self.screen_stack:
            refresh = getattr(screen, "theme_changed", None)
            if refresh is not None:
                refresh()

    # -- lifecycle ---------------------------------------------------------------------------------------------

    def on_mount(self) -> None:
        # First: the connection and its lists are under way while themes load and the screen is built.
        self.session.start()
        self._setup_themes()
        keymap = dict(self.settings.keymap)
        if keymap:
            from kubetui.keymap import validate_overrides

            good, warnings = validate_overrides(keymap)
            self.startup_warnings.extend(warnings)
            self.set_keymap(good)
        _register_handlers()
        from kubetui.screens.main import MainScreen

        self.push_screen(MainScreen())
        self.set_interval(OLD_COLLECTION_CHECK, self._collect_old)
        for warning in self.startup_warnings:
            self.notify(warning, severity="warning", timeout=8)

    async def on_unmount(self) -> None:
        from kubetui.screens.forwards import stop_forwards

        await stop_forwards(self)  # no forward outlives kubetui
        await self.session.close()

    def _apply_context_settings(self) -> None:
        self._cli_readonly = self.config.readonly
        context = self.config.context
        if context is None:
            try:
                from kubetui.cluster.kubeconfig import load_kubeconfig

                context = load_kubeconfig(self.config.kubeconfig).current_context
            except Exception:
                context = None
        namespace, readonly = self.context_settings(context)
        self.config.readonly = self._cli_readonly or readonly
        if namespace and not self.config.namespace:
            self.config.namespace = namespace

    def context_settings(self, context: str | None) -> tuple[str | None, bool]:
        """(namespace, read-only) the settings file gives ``context``."""
        ctx = self.settings.for_context(context)
        return ctx.namespace, bool(ctx.readonly)

    def switch_context(self, context: str, kubeconfig: str | None = None) -> None:
        """Moves the session to another context, with that context's namespace and read-only settings."""
        namespace, readonly = self.context_settings(context)
        self.config.readonly = self._cli_readonly or readonly
        self.run_worker(
            self.session.switch_context(context, namespace, kubeconfig=kubeconfig),
            group="session",
            exclusive=True,
        )

    # -- cluster messages: the app owns the session, screens render what they show ----------------------------

    def _forward(self, method: str, message: Any) -> None:
        if getattr(self, "_exit", False) or not self.is_running:
            # Messages still queued while the app shuts down have nowhere to go: the screens' widgets are being
            # removed (a quit sets _exit; a shutdown without one, as at the end of a test, stops the running).
            return
        for screen in self.screen_stack:
            handler = getattr(screen, method, None)
            # Screens catch up in on_mount; until then their widgets do not exist.
            if handler is not None and getattr(screen, "ready", False):
                handler(message)

    _young_debt = 0

    def on_deltas_arrived(self, message: DeltasArrived) -> None:
        self._forward("cluster_deltas", message)
        self._collect_young(len(message.deltas))

    def _collect_young(self, deltas: int) -> None:
        """Collects the young generations after every YOUNG_COLLECTION_DELTAS watch deltas.

        The collector runs when allocations outnumber deallocations by 700. Under a stream of MODIFIED events
        each new object replaces an old one, so that count stays near zero while the young generation fills up
        with every new pod and row; when it finally runs it walks tens of thousands of objects at once (32 ms
        measured at 100,000 pods under 1,000 events/s). Collected at a steady pace, each pass is small.
        """
        self._young_debt += deltas
        if self._young_debt >= YOUNG_COLLECTION_DELTAS and gc.isenabled():  # off during the initial sync
            self._young_debt = 0
            # Python's own order, paced by deltas instead of allocations: the first generation each time, the
            # second once it has had as many first-generation passes as its threshold says. Collecting the
            # second each time would also make full collections come that much sooner (each walks every object
            # not frozen: 110 ms at 100,000 pods after 20 s of events).
            gc.collect(1 if gc.get_count()[1] >= gc.get_threshold()[1] else 0)

    def on_watch_state_changed(self, message: WatchStateChanged) -> None:
        if self.session.connection_state()[0] == "live":
            self.freeze_heap_soon()
        self._forward("cluster_state", message)

    _freeze_timer: Timer | None = None
    _last_key = 0.0
    _last_old_collection = 0.0

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self._last_key = time.monotonic()
        await super().on_event(event)

    def _collect_old(self) -> None:
        """A full collection at a moment without keys, so that Python's own, started whenever the objects
        promoted since the last one reach a quarter of the old generation, comes later or not at all.

        A full collection walks every object not frozen: the pods and rows that events replaced since start-up
        (about 70,000 objects, 70 ms, after 10 s of 1,000 events/s at 100,000 pods; more the longer it goes).
        Python's own stays on: deferring it while keys are pressed let garbage pile up (53 MB over six
        namespace toggles at 2,000 pods).
        """
        now = time.monotonic()
        if (
            not gc.isenabled()  # the initial sync is running
            or gc.get_count()[2] == 0  # nothing was promoted since the last one
            or now - self._last_key < OLD_COLLECTION_QUIET
            or now - self._last_old_collection < OLD_COLLECTION_EVERY
        ):
            return
        self._last_old_collection = now
        gc.collect()

    def freeze_heap_soon(self) -> None:
        """Once a big sync has been drawn, park its objects outside the garbage collector's reach.

        Tens of thousands of objects from the initial lists (and the rows drawn from them) otherwise make every
        full collection scan them all: measured pauses over a second at 10,000 pods, right when keys are
        pressed. They hold no reference cycles, so reference counting still frees them when events replace them.
        """
        if self._heap_frozen:
            # Once only: a later freeze would also park whatever garbage is uncollected at that moment, for
            # good (2 MB per namespace toggle at 2,000 pods, measured).
            return
        if self._freeze_timer is not None:
            self._freeze_timer.stop()
        self._freeze_timer = self.set_timer(1.0, self._freeze_heap)

    _heap_frozen = False

    def _freeze_heap(self) -> None:
        if any(getattr(screen, "drawing_rows", False) for screen in self.screen_stack):
            # The rows of a big list are still drawn slice by slice: they are what most needs parking.
            self._freeze_timer = self.set_timer(1.0, self._freeze_heap)
            return
        self._heap_frozen = True
        actions_table.load_handlers()  # the dialogs are imported now, while nothing waits, not on the first key
        gc.collect()  # garbage from start-up goes first; only what is alive is parked
        gc.freeze()

    def on_app_focus(self) -> None:
        self.session.set_attentive(True)

    def on_app_blur(self) -> None:
        # The terminal lost the focus (where it reports focus at all): nobody is looking, retries may wait.
        self.session.set_attentive(False)

    def on_connection_changed(self, message: ConnectionChanged) -> None:
        self._forward("cluster_state", message)

    def on_clusters_screen_context_selected(self, message: Any) -> None:
        """The clusters view chose a cluster: the session moves to its context, the app keeps running."""
        self.switch_context(message.context, kubeconfig=str(message.kubeconfig))

    def on_operation_done(self, message: OperationDone) -> None:
        self._forward("operation_done", message)

    def on_operation_failed(self, message: OperationFailed) -> None:
        error = message.error
        text = getattr(error, "message", None) or str(error) or type(error).__name__
        hint = getattr(error, "hint", "")
        if hint:  # why in plain words first: a notice shows its first lines only
            text = f"{hint}\n{text}"
        if getattr(error, "reason", "") == "OutcomeUnknown":  # sent, unanswered: it may have been made
            self.notify(
                str(text), title=f"{message.action_id}: outcome unknown", severity="warning", timeout=15
            )
        else:
            self.notify(str(text), title=f"{message.action_id} failed", severity="error", timeout=10)
        self._forward("operation_failed", message)

    # -- helpers screens use -----------------------------------------------------------------------------------

    def now_for(self, obj: dict[str, Any]) -> float:
        """The "now" ages are computed against; frozen runs give every object the same age."""
        if not self.frozen_ages:
            return time.time()
        from kubetui.cluster.render import parse_time

        created = parse_time((obj.get("metadata") or {}).get("creationTimestamp")) or 0.0
        return created + FROZEN_AGE_SECONDS

    def key_for(self, binding_id: str) -> str:
        """The key(s) of an action or table binding after the user's keymap."""
        keys = self._keymap.get(binding_id) if hasattr(self, "_keymap") else None
        if not keys:
            action = actions_table.BY_ID.get(binding_id)
            keys = action.key if action else dict((b, k) for b, k, _ in TABLE_KEYS).get(binding_id, "")
        return display_key(keys)

    # -- command palette ---------------------------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        run = getattr(screen, "run_action_id", None)
        if run is None:
            return
        kind = getattr(screen, "focused_kind", lambda: None)()
        for action in actions_table.ACTIONS:
            if action.group in ("navigation",):
                continue
            if not actions_table.visible(action, kind, self.session.readonly):
                continue
            # escaped: the palette reads help as markup, and keys like "[/]" are markup tags there
            help_text = escape(f"[{self.key_for(action.id)}] {action.description or action.label}")
            yield SystemCommand(action.label, help_text, lambda a=action.id: run(a))

    def action_help(self) -> None:
        from kubetui.screens.help import HelpScreen

        self.push_screen(HelpScreen())


# Modules that register action handlers when imported (each part brings its own).
HANDLER_MODULES = ("kubetui.screens.object_view", "kubetui.screens.dialogs.handlers", "kubetui.screens.edit")


def _register_handlers() -> None:
    actions_table.handlers_in(*HANDLER_MODULES)


def _remembered_theme(state: dict[str, Any], config_path: Path | None) -> str | None:
    """The theme last chosen in the app, unless config.yaml was edited after that choice (the newer one wins)."""
    theme = state.get("theme")
    if not isinstance(theme, str):
        return None
    try:
        edited = config_path.stat().st_mtime if config_path else 0.0
    except OSError:
        edited = 0.0
    chosen_at = state.get("theme_at")
    if edited and (not isinstance(chosen_at, int | float) or edited > chosen_at):
        return None
    return theme
