"""An Input whose editing keys act in the order they were typed, even when keys arrive in a burst."""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class LineInput(Input):
    """Input that runs its own key bindings (ctrl+u, ctrl+w, arrows, home, enter, ...) as the key arrives.

    Textual runs a widget's bindings only once the key has bubbled up to the App, while a printable key typed after
    it is inserted by the focused Input at once. When several keys arrive together — a slow SSH link delivering
    what was typed in one packet, a terminal sending a burst — ``ctrl+u`` followed by ``v2`` ends with the field
    empty, and ``left`` followed by ``x`` inserts the x before the cursor moved. Handling this widget's own
    bindings here, before the key moves on, keeps what is typed in order. Priority bindings (quit) still come
    first: the App checks those before it forwards the key.
    """

    _moved_on = False  # this field moved focus on with a tab; keys of the same burst may still come here

    async def _on_key(self, event: events.Key) -> None:
        if self._moved_on and self.screen.focused is not self:
            # The app handed this field every key of a burst before the tab among them took effect: the keys
            # after the tab belong to whatever has focus now, so they go round again, in order.
            event.stop()
            event.prevent_default()
            self.app.post_message(events.Key(event.key, event.character))
            return
        if event.key in ("tab", "shift+tab") and self.screen.focused is self:
            event.stop()
            event.prevent_default()
            self._moved_on = True
            if event.key == "tab":
                self.screen.focus_next()
            else:
                self.screen.focus_previous()
            return
        if not event.is_printable:
            for binding in self._bindings.key_to_bindings.get(event.key, ()):
                if not binding.priority and await self.app.run_action(binding.action, self):
                    event.stop()
                    event.prevent_default()
                    return
        await super()._on_key(event)

    def _on_focus(self, event: events.Focus) -> None:
        self._moved_on = False
        super()._on_focus(event)
