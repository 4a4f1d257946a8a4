"""Reading notices (toasts) off the screen as a person sees them, cut to their region of the terminal."""

from __future__ import annotations

from typing import Any

from tests.ui.helpers import screen_text


def _flat(text: str) -> str:
    """Words in order, without the line breaks and edges a wrapped notice adds."""
    return " ".join(text.replace("▌", " ").replace("▐", " ").split())


def notices(app: Any) -> list[str]:
    """The text of each notice as it stands on the screen: the screen cut to the notice's region, so a word
    beyond the terminal's edge would be missing here."""
    from textual.widgets._toast import Toast

    lines = screen_text(app).splitlines()
    width = app.size[0]
    out = []
    for toast in app.screen.query(Toast):
        region = toast.region
        assert region.right <= width, "a notice runs past the right edge"
        rows = lines[region.y : region.bottom]
        out.append(_flat(" ".join(row[region.x : region.right] for row in rows)))
    return out


def shown_notice(app: Any, words: str) -> str:
    return next((text for text in notices(app) if words in text), "")
