"""The rows the latest imports rejected: row, record, column and reason, to fix and re-import."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Header, Static

from transition.models import ImportKind
from transition.nhs import format_334, mask_cell
from transition.overview import BatchSummary, Reject, batch_rejects, import_batch, latest_import
from transition.screens.base import DetailScreen
from transition.widgets.chrome import AppFooter, NavBar
from transition.widgets.fitted_table import FILL, FitColumn, FittedTable
from transition.widgets.format import count, plural, uk_time

KEY_LABELS = {ImportKind.CASELOAD.value: "NHS number", ImportKind.STAFF.value: "Staff id"}
BOTH_KEYS = "NHS number / staff id"
# A table lays out every row as it is added (about 1.5 ms each, wrapped): tens of thousands of
# rows, a file whose every row was rejected, froze the screen for a minute or more. The
# rejects file has them all.
SHOWN_ROWS = 500


def reject_columns(key_label: str = BOTH_KEYS, *, with_import: bool = False) -> list[FitColumn]:
    """Row, record, column and reason (after the import's name, ``with_import``). The reason
    takes the width left over and wraps; on an 80-column terminal the other columns narrow
    (their cells wrap too) so that no reason goes off the right edge."""
    columns = [
        FitColumn("row", "Row", 6, squeeze=4),
        FitColumn("key", key_label, 12, most=max(12, len(key_label))),  # 999 000 0018 whole
        FitColumn("column", "Column", 13, most=20, squeeze=10),
        FitColumn("reason", "Reason", 26, most=FILL),
    ]
    if with_import:
        columns.insert(0, FitColumn("import", "Import", 11, most=13, squeeze=8))
    return columns


def fill_rejects(
    table: FittedTable, rejects: list[Reject], *, label: str | None = None, style: str = "red",
    masked: bool = False,
) -> None:
    """One line per reason (in ``style``); a row with several reasons shows its row number
    once.

    With ``label`` the table has a leading "Import" column, filled on the batch's first line.
    ``masked``: the keys are NHS number cells, shown as the CLI shows them (``******0018``, or
    ``(not a number)`` for a cell that may hold anything, such as a name: :func:`nhs.mask_cell`).
    """
    first = True
    for reject in rejects:
        for position, (column, message) in enumerate(reject.errors or [("", "rejected")]):
            cells: list[RenderableType] = [
                str(reject.row) if position == 0 else "",
                (_masked_key(reject.record_key) if masked else _record_key(reject.record_key))
                if position == 0 else "",
                column,
                Text(message, style=style),
            ]
            if label is not None:
                cells.insert(0, label if first else "")
            first = False
            table.add_row(*cells, height=None)


def _masked_key(key: str | None) -> str | Text:
    return mask_cell(key) if key else Text("(blank)", style="dim")


def _record_key(key: str | None) -> str | Text:
    """An NHS number as the rest of the app shows it (999 000 0018); a staff id as it is."""
    if not key:
        return Text("(blank)", style="dim")
    return format_334(key) if len(key) == 10 and key.isdigit() else key


class RejectsScreen(DetailScreen):
    """Rejected rows of one import run, or of the latest caseload and staff imports."""

    CSS_PATH = "rejects.tcss"
    TITLE = "Rejected rows"

    def __init__(self, batch_id: int | None = None) -> None:
        super().__init__()
        self.batch_id = batch_id

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield NavBar()
        with Vertical(id="rejects"):
            yield Static(id="rejects-summary")
            yield FittedTable(reject_columns(with_import=True), id="rejects-table",
                              zebra_stripes=True, cursor_type="row")
        yield AppFooter()

    def _batches(self) -> list[tuple[BatchSummary, list[Reject]]]:
        with self.database.session() as session:
            if self.batch_id is not None:
                found = import_batch(session, self.batch_id)
                batches = [found] if found else []
            else:
                batches = [latest_import(session, kind.value) for kind in ImportKind]
            return [(batch, batch_rejects(session, batch.id)) for batch in batches if batch]

    def reload(self) -> None:
        table = self.query_one("#rejects-table", FittedTable)
        table.clear()
        batches = self._batches()
        kinds = {batch.kind for batch, rejects in batches if rejects}
        key_label = KEY_LABELS.get(kinds.pop(), BOTH_KEYS) if len(kinds) == 1 else BOTH_KEYS
        table.set_columns(reject_columns(key_label, with_import=True))
        lines = []
        for batch, rejects in batches:
            where = f" Fixed rows can be re-imported; the rejects file is {batch.rejects_path}." \
                if batch.rejects_path and rejects else ""
            shown = "" if len(rejects) <= SHOWN_ROWS else f" The first {count(SHOWN_ROWS)} are shown."
            lines.append(
                f"{batch.kind.capitalize()} import #{batch.id}, {batch.file_name} "
                f"({uk_time(batch.started_at)} by {batch.actor}): "
                f"{plural(batch.rejected, 'row')} rejected.{shown}{where}"
            )
            # A caseload's keys are NHS numbers: masked, as the import screen and the CLI
            # show them (a name shifted into that column shows as "(not a number)").
            fill_rejects(table, rejects[:SHOWN_ROWS], label=f"{batch.kind} #{batch.id}",
                         masked=batch.kind != ImportKind.STAFF)
        if not batches:
            lines.append("No imports yet.")
        elif table.row_count == 0:
            lines.append("Nothing was rejected.")
        self.query_one("#rejects-summary", Static).update("\n".join(lines))
