"""KeyFooter: Textual's Footer with the keys that matter most first, so a narrow terminal cuts the least useful.

Textual lists the app's keys, then the screen's, then the focused widget's: at 80 columns the pane's own keys,
``?`` and ``q`` fall off the end. Here ``?`` comes first, then a key the screen asks to show now, then the keys of the focused pane (the widget's own
and the object actions on what it lists), then ``q``, then the rest. A screen may also name bindings hidden
from the footer that it wants shown for now (``footer_extra``), such as the pull-Secret key while pods of a
Deployment cannot pull; and bindings it wants left out though they answer (``footer_hidden``), such as the
change keys of a read-only connection, which only say that they are off.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from kubetui import actions as actions_table


def _rank(node: Any, binding: Binding, screen: Screen[Any], extra: set[str]) -> int:
    if binding.id == "help" or binding.action in ("help", "app.help"):
        return 0
    if binding.id in extra:
        return 1  # asked for now, because it is what the person most likely needs next
    if node is not screen and node is not screen.app:
        return 2  # the focused widget's own keys (a pane's, a log view's)
    action = actions_table.BY_ID.get(binding.id or "")
    if action is not None and action.group == "object":
        return 2
    if binding.id == "quit" or binding.action in ("quit", "app.quit"):
        return 3
    return 4


class KeyFooter(Footer):
    """A Footer ordered by what a person in this pane most needs.

    Its keys copy ``compact`` from it instead of ``data_bind``-ing it: a data binding leaves a watcher on the
    footer that Textual only prunes when ``compact`` changes, so every rebuild (one per focus or selection
    change) kept its old keys alive for the footer's lifetime — 64 widgets per toggle-and-filter cycle.
    """

    def watch_compact(self, compact: bool) -> None:
        for key in self.query(FooterKey):
            key.compact = compact

    _shown: tuple[Any, ...] | None = None  # the keys composed last, as ``_plan`` gives them
    _pending: tuple[Any, ...] | None = None  # the plan ``recompose`` worked out for the ``compose`` it calls

    def _plan(self) -> tuple[tuple[Any, ...], ...]:
        """What the footer shows, in order: (key, display, description, action, disabled, tooltip, classes)."""
        screen = self.screen
        extra: set[str] = set(getattr(screen, "footer_extra", lambda: ())())
        hidden: set[str] = set(getattr(screen, "footer_hidden", lambda: ())())
        active = screen.active_bindings
        shown = [
            (_rank(node, binding, screen, extra), index, binding, enabled, tooltip)
            for index, (node, binding, enabled, tooltip) in enumerate(active.values())
            if (binding.show or (binding.id in extra and enabled)) and binding.id not in hidden
        ]
        by_action: defaultdict[str, list[tuple[Binding, bool, str]]] = defaultdict(list)
        for *_order, binding, enabled, tooltip in sorted(shown, key=lambda s: (s[0], s[1])):
            by_action[binding.action].append((binding, enabled, tooltip))
        plan = []
        for multi in by_action.values():
            binding, enabled, tooltip = multi[0]
            display = self.app.get_key_display(binding)
            plan.append((binding.key, display, binding.description, binding.action, not enabled, tooltip, ""))
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            found = active.get(self.app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, _tooltip = found
                display = self.app.get_key_display(binding)
                tip = binding.tooltip or binding.description
                plan.append(
                    (binding.key, display, binding.description, binding.action, not enabled, tip, "palette")
                )
        return tuple(plan)

    async def recompose(self) -> None:
        """Rebuilt only when what it shows changed: every focus and selection change asks, and rebuilding
        mounts a widget per key (tens of milliseconds), mostly to show the same keys again."""
        if self._bindings_ready and self.is_attached:
            plan = self._plan()
            if self.children and plan == self._shown:
                return
            self._pending = plan  # what ``compose`` builds, worked out once
        await super().recompose()

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        plan = self._shown = self._pending if self._pending is not None else self._plan()
        self._pending = None
        self.styles.grid_size_columns = sum(1 for *_spec, classes in plan if not classes)
        for key, display, description, action, disabled, tooltip, classes in plan:
            if classes:
                yield FooterKey(
                    key,
                    display,
                    description,
                    action,
                    classes="-command-palette",
                    disabled=disabled,
                    tooltip=tooltip,
                )
                continue
            footer_key = FooterKey(key, display, description, action, disabled=disabled, tooltip=tooltip)
            footer_key.set_reactive(FooterKey.compact, self.compact)
            # What its watcher would do; it does not run before mount.
            footer_key.set_class(self.compact, "-compact")
            yield footer_key
