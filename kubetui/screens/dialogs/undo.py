"""The rollout-undo dialog (``u``): revision history, the template difference, then confirm."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.text import Text
from textual import on
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import DataTable, Static

from kubetui.screens.dialogs.base import FormDialog
from kubetui.screens.dialogs.rollout_history import RevisionLike, age, default_revision, template_diff
from kubetui.screens.dialogs.validation import FieldError


def diff_text(lines: list[str]) -> Text:
    """Diff lines coloured as additions/removals."""
    text = Text()
    for line in lines:
        style = ""
        if line.startswith("+") and not line.startswith("+++"):
            style = "green"
        elif line.startswith("-") and not line.startswith("---"):
            style = "red"
        text.append(line + "\n", style=style)
    return text


class RolloutUndoDialog(FormDialog[int]):
    """Returns the revision to roll back to; any revision other than the current one can be chosen."""

    DEFAULT_CSS = """
    RolloutUndoDialog > #dialog { width: 110; }
    RolloutUndoDialog #revisions { height: auto; max-height: 10; }
    RolloutUndoDialog #diff-box { height: auto; max-height: 14; border: round $panel; }
    """

    ok_label = "Roll back"

    def __init__(self, deployment: str, revisions: Sequence[RevisionLike], now: float | None = None) -> None:
        super().__init__()
        self.deployment = deployment
        self.revisions = sorted(revisions, key=lambda r: r.revision, reverse=True)
        self.now = now
        self.title_text = f"Roll back Deployment {deployment}"
        self.chosen: int | None = default_revision(self.revisions)

    def compose_form(self) -> Iterable[Widget]:
        table: DataTable[str] = DataTable(id="revisions", cursor_type="row", zebra_stripes=True)
        # The current marker and the short columns first, so an 80-column terminal shows what matters.
        table.add_columns("", "REVISION", "AGE", "IMAGES", "CHANGE-CAUSE")
        for rev in self.revisions:
            table.add_row(
                "●" if rev.current else "",
                str(rev.revision),
                age(rev.created, self.now),
                ", ".join(rev.images),
                rev.change_cause or "<none>",
                key=str(rev.revision),
            )
        yield table
        with VerticalScroll(id="diff-box"):
            yield Static("", id="diff")

    def on_mount(self) -> None:
        table = self.query_one("#revisions", DataTable)
        if self.chosen is not None:
            table.move_cursor(row=table.get_row_index(str(self.chosen)))
        table.focus()
        self._show_diff()

    @on(DataTable.RowHighlighted, "#revisions")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.chosen = int(event.row_key.value)
            self._show_diff()

    @on(DataTable.RowSelected, "#revisions")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.submit()

    def current_revision(self) -> RevisionLike | None:
        return next((r for r in self.revisions if r.current), self.revisions[0] if self.revisions else None)

    def _show_diff(self) -> None:
        current = self.current_revision()
        chosen = next((r for r in self.revisions if r.revision == self.chosen), None)
        diff = self.query_one("#diff", Static)
        if current is None or chosen is None:
            diff.update("There is no older revision to roll back to.")
        elif chosen.revision == current.revision:
            diff.update(f"Revision {chosen.revision} is the current one.")
        else:
            lines = template_diff(current.template, chosen.template)
            header = Text(f"Rolling back to revision {chosen.revision} changes the pod template:\n")
            diff.update(header + diff_text(lines) if lines else "The templates are the same.")

    def collect(self) -> int:
        current = self.current_revision()
        if self.chosen is None:
            raise FieldError("revisions", "there is no older revision to roll back to")
        if current is not None and self.chosen == current.revision:
            raise FieldError("revisions", f"revision {self.chosen} is already the current one; pick another")
        return self.chosen
