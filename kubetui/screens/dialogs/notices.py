"""InlineNotices: a modal view shows the app's notices in a line of its own instead of under toasts.

Toasts are drawn on top of the screen, bottom right: on a small terminal that is exactly where a dialog's
buttons or the rollout view's STATUS column are. A modal view with this mixin removes its toast rack and
shows the latest notices, short and wrapped, in its ``#notices`` line; when it closes, the screen below shows
whatever is still current as toasts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import Static
from textual.widgets._toast import ToastRack

SHOWN = 2  # the newest notices shown at once
WIDTH = 160  # characters of one notice shown; the rest is cut with an ellipsis


class InlineNotices:
    """Mixed into a Screen that composes a ``Static`` with id ``notices``."""

    NOTICE_POLL = 0.2

    if TYPE_CHECKING:  # provided by Screen; declared for the type checker only
        app: Any

        def query(self, selector: Any) -> Any: ...
        def query_one(self, selector: Any, expect_type: Any = None) -> Any: ...
        def set_interval(self, interval: float, callback: Any) -> Any: ...

    _notices_shown: tuple[Any, ...] = ()

    def on_mount(self) -> None:
        for rack in self.query(ToastRack):
            rack.remove()
        self._show_notices()
        self.set_interval(self.NOTICE_POLL, self._show_notices)

    def _show_notices(self) -> None:
        # Textual keeps the current notifications on the app; it has no public way to read them.
        current = [n for n in getattr(self.app, "_notifications", ()) if not n.has_expired][-SHOWN:]
        key = tuple(id(n) for n in current)
        if key == self._notices_shown:
            return
        self._notices_shown = key
        text = Text()
        for notice in current:
            colour = {"error": "$error", "warning": "$warning"}.get(notice.severity, "")
            style = str(self.app.theme_variables.get(colour[1:], "")) if colour else ""
            line = f"{notice.title}: {notice.message}" if notice.title else notice.message
            line = " ".join(line.split())
            if len(line) > WIDTH:
                line = line[: WIDTH - 1] + "…"
            if text:
                text.append("\n")
            text.append(line, style=style)
        notices = self.query_one("#notices", Static)
        notices.update(text)
        notices.display = bool(current)
