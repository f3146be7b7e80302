"""The rows the latest imports rejected: row, record, column and reason, to fix and re-import."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Header, Static

from transition.models import ImportKind
from transition.nhs import format_334
from transition.overview import BatchSummary, Reject, batch_rejects, import_batch, latest_import
from transition.screens.base import DetailScreen
from transition.widgets.chrome import AppFooter, NavBar
from transition.widgets.format import plural, uk_time

REJECT_COLUMNS = ("Row", "NHS number / staff id", "Column", "Reason")
REASON_WIDTH = 58  # long reasons wrap onto more lines rather than being cut off at 120 columns


def add_reject_columns(table: DataTable[object]) -> None:
    for label in REJECT_COLUMNS:
        table.add_column(label, key=label, width=REASON_WIDTH if label == "Reason" else None)


def fill_rejects(
    table: DataTable[object], rejects: list[Reject], *, label: str | None = None
) -> None:
    """One line per reason; a row with several reasons shows its row number once.

    With ``label`` the table has a leading "Import" column, filled on the batch's first line.
    """
    first = True
    for reject in rejects:
        for position, (column, message) in enumerate(reject.errors or [("", "rejected")]):
            cells: list[object] = [
                str(reject.row) if position == 0 else "",
                _record_key(reject.record_key) if position == 0 else "",
                column,
                Text(message, style="red"),
            ]
            if label is not None:
                cells.insert(0, label if first else "")
            first = False
            table.add_row(*cells, height=None)


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
            table: DataTable[object] = DataTable(id="rejects-table", zebra_stripes=True,
                                                 cursor_type="row")
            yield table
        yield AppFooter()

    def on_mount(self) -> None:
        table = self.query_one("#rejects-table", DataTable)
        table.add_column("Import", key="import")
        add_reject_columns(table)

    def _batches(self) -> list[tuple[BatchSummary, list[Reject]]]:
        with self.database.session() as session:
            if self.batch_id is not None:
                found = import_batch(session, self.batch_id)
                batches = [found] if found else []
            else:
                batches = [latest_import(session, kind.value) for kind in ImportKind]
            return [(batch, batch_rejects(session, batch.id)) for batch in batches if batch]

    def reload(self) -> None:
        table = self.query_one("#rejects-table", DataTable)
        table.clear()
        batches = self._batches()
        lines = []
        for batch, rejects in batches:
            where = f" Fixed rows can be re-imported; the rejects file is {batch.rejects_path}." \
                if batch.rejects_path and rejects else ""
            lines.append(
                f"{batch.kind.capitalize()} import #{batch.id}, {batch.file_name} "
                f"({uk_time(batch.started_at)} by {batch.actor}): {plural(batch.rejected, 'row')} rejected.{where}"
            )
            fill_rejects(table, rejects, label=f"{batch.kind} #{batch.id}")
        if not batches:
            lines.append("No imports yet.")
        elif table.row_count == 0:
            lines.append("Nothing was rejected.")
        self.query_one("#rejects-summary", Static).update("\n".join(lines))
