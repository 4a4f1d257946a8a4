"""InlineNotices: a modal view shows the app's notices in a line of its own instead of under toasts.

Toasts are drawn on top of the screen, bottom right: on a small terminal that is exactly where a dialog's
buttons or the rollout view's STATUS column are. A modal view with this mixin removes its toast rack and
shows the latest notices, short and wrapped, in its ``#notices`` line; when it closes, the screen below shows
whatever is still current as toasts.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static
from textual.widgets._toast import ToastRack

SHOWN = 2  # the newest notices shown at once
WIDTH = 160  # characters of one notice shown; the rest is cut with an ellipsis


class InlineNotices:
    """Mixed into a Screen that composes a ``Static`` with id ``notices``."""

    NOTICE_POLL = 0.2

    _notices_shown: tuple[Any, ...] = ()

    def on_mount(self) -> None:
        screen: Any = self  # a Screen: the mixin only adds to it
        for rack in screen.query(ToastRack):
            rack.remove()
        self._show_notices()
        screen.set_interval(self.NOTICE_POLL, self._show_notices)

    def _show_notices(self) -> None:
        screen: Any = self
        app = screen.app
        # Textual keeps the current notifications on the app; it has no public way to read them.
        current = [n for n in getattr(app, "_notifications", ()) if not n.has_expired][-SHOWN:]
        key = tuple(id(n) for n in current)
        if key == self._notices_shown:
            return
        self._notices_shown = key
        text = Text()
        for notice in current:
            colour = {"error": "$error", "warning": "$warning"}.get(notice.severity, "")
            style = str(app.theme_variables.get(colour[1:], "")) if colour else ""
            line = f"{notice.title}: {notice.message}" if notice.title else notice.message
            line = " ".join(line.split())
            if len(line) > WIDTH:
                line = line[: WIDTH - 1] + "…"
            if text:
                text.append("\n")
            text.append(line, style=style)
        notices = screen.query_one("#notices", Static)
        notices.update(text)
        notices.display = bool(current)
