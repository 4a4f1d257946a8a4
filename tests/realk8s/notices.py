"""Reading notices (toasts, the connection problem line) off the screen as a person sees them: the screen cut to
the widget's region, so a word beyond the terminal's edge or below the notice's last line is missing."""

from __future__ import annotations

from typing import Any

from tests.ui.helpers import screen_text


def _flat(text: str) -> str:
    """Words in order, without the line breaks and edges a wrapped notice adds."""
    return " ".join(text.replace("▌", " ").replace("▐", " ").split())


def shown_in(app: Any, widget: Any) -> str:
    """The words of ``widget`` as the screen shows them (its region of the screen's text)."""
    region = widget.region
    assert region.right <= app.size[0], "a notice runs past the right edge"
    rows = screen_text(app).splitlines()[region.y : region.bottom]
    return _flat(" ".join(row[region.x : region.right] for row in rows))


def notices(app: Any) -> list[str]:
    """The text of each toast as it stands on the screen."""
    from textual.widgets._toast import Toast

    return [shown_in(app, toast) for toast in app.screen.query(Toast)]


def header_shown(app: Any) -> str:
    """The main screen's header as shown: its state line and, under it, why kubetui cannot connect."""
    return shown_in(app, app.screen.query_one("#header"))


def shown_notice(app: Any, words: str) -> str:
    return next((text for text in notices(app) if words in text), "")
