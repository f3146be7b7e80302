"""Rejected rows: kept in the database with their raw values and reasons, and written to a
rejects CSV that a manager can fix in Excel and import again.

The rejects file has the file's own columns (so it imports again as it is), then
``Rejected row`` (the row number in the original file) and ``Why rejected``; the importer
ignores those two columns. It is created owner-only (0600, folder 0700), with every cell a
spreadsheet would run as a formula neutralised, and it appears only when the import's
transaction commits.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from transition.errors import InputFileError
from transition.files import csv_text, inside, private_dir, private_temporary
from transition.headers import REJECTS_ERRORS_HEADER, REJECTS_ROW_HEADER
from transition.models import RejectedRow
from transition.tabular import Table, cell_text
from transition.validation import CheckedRow

log = logging.getLogger(__name__)




def _raw(table: Table, cells: Sequence[Any]) -> dict[str, str]:
    width = max(len(table.headers), len(cells))
    raw: dict[str, str] = {}
    for position in range(width):
        name = table.column_label(position)
        while name in raw:
            name += "'"
        raw[name] = cell_text(cells[position]) if position < len(cells) else ""
    return raw


def record_rejects(session: Session, batch_id: int, table: Table,
                    rejected: Sequence[CheckedRow]) -> None:
    if not rejected:
        return
    by_number = {row.number: row for row in table.rows}
    session.execute(
        RejectedRow.__table__.insert(),  # type: ignore[attr-defined]
        [
            {"batch_id": batch_id, "row_number": row.number, "record_key": row.key,
             "raw": _raw(table, by_number[row.number].cells),
             "errors": [{"column": p.column, "message": p.message} for p in row.errors]}
            for row in rejected
        ],
    )


def rejects_target(path: Path | None, folder: Path | None, file_name: str,
                   batch_id: int) -> Path | None:
    """The rejects file: ``path`` if given, else one named after the file and batch in
    ``folder``, else None (no file)."""
    if path is not None:
        return Path(path).expanduser().absolute()
    if folder is None:
        return None
    stem = re.sub(r"[^\w\-]+", "_", Path(file_name).stem)[:60] or "import"
    return inside(Path(folder).expanduser(), f"{stem}-rejects-batch{batch_id}.csv")


def rejects_csv(table: Table, rejected: Sequence[CheckedRow]) -> str:
    """The rejects file: the original columns (fix them and import the file again), then the
    row number and every reason. Cells a spreadsheet would run as formulas are neutralised."""
    # A line longer than the others only by empty fields keeps them: joining back the cell
    # its separator split then puts every value, and the two columns below, in place.
    width = max([len(table.headers)] + [len(row.cells) for row in table.rows]
                + [table.rows[index].fields for index in table.padded])
    header = [table.column_label(position) for position in range(width)]
    by_number = {row.number: row for row in table.rows}
    lines = []
    for row in rejected:
        cells = by_number[row.number].cells
        values = [cell_text(cells[p]) if p < len(cells) else "" for p in range(width)]
        reasons = "; ".join(f"{problem.column}: {problem.with_value}" for problem in row.errors)
        if row.warnings:  # worth fixing at the same time
            reasons += "; also check " + "; ".join(
                f"{problem.column}: {problem.with_value}" for problem in row.warnings)
        lines.append([*values, row.number, reasons])
    return csv_text([*header, REJECTS_ROW_HEADER, REJECTS_ERRORS_HEADER], lines)


def stage_rejects_file(session: Session, target: Path, table: Table,
                       rejected: Sequence[CheckedRow]) -> Path:
    """Write the rejects CSV (0600, folder 0700) so that it appears only if the transaction
    commits: it is written beside ``target`` under a temporary name now (so a folder that
    cannot be written fails the import before anything is committed) and moved into place
    after the commit; a rollback removes it."""
    temporary: Path | None = None
    try:
        private_dir(target.parent)
        descriptor, temporary = private_temporary(target)
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(rejects_csv(table, rejected))
    except OSError as exc:
        if temporary is not None:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)
        raise InputFileError(
            f"The rejects file {target} could not be written: {exc.strerror or exc}. "
            "Nothing was imported.",
            hint="Choose another place with --rejects FILE.",
        ) from None
    assert temporary is not None  # set, or the except above raised
    written = temporary

    def publish(_session: Session) -> None:
        try:
            os.replace(written, target)
        except OSError as exc:  # the import is committed; its rejects are in the database
            log.error("The rejects file could not be moved into place (%s); the rejected rows "
                      "are kept in the database.", exc.strerror or type(exc).__name__)

    def discard(_session: Session, transaction: Any) -> None:
        if transaction.parent is None:
            written.unlink(missing_ok=True)

    event.listen(session, "after_commit", publish, once=True)
    event.listen(session, "after_transaction_end", discard)
    return target


