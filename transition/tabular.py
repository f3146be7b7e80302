"""Reading a spreadsheet export: a CSV in whatever shape Excel saved it, or an XLSX workbook.

CSV: any delimiter a spreadsheet produces (comma, semicolon, tab, pipe), UTF-8 with or without
a byte-order mark, UTF-16 ("Unicode text" from Excel), or Windows-1252 (what Excel saves on a
UK Windows PC), with CRLF, LF or CR line ends; a UTF-8 file (with a BOM or not) with a few
Windows-1252 lines is read line by line (see _mostly_utf8). XLSX: the first worksheet or a named
one, with real date cells and numbers stored as numbers (values, not formulas), and a cell merged
down a column read in every data row it covers (see _fill_merged).

Row numbers are the spreadsheet's own, as a person sees them in Excel: if two title lines sit
above the header, the header is row 3 and the first data row is row 4. (A quoted CSV cell that
spans lines is still one row, as in Excel.) Blank rows are skipped but keep their numbers.

Anything that is not a usable table (empty, binary, too big, a damaged workbook) raises
:class:`InputFileError` before anything is written. Reading arbitrary bytes never raises
anything else.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property
from itertools import chain, islice, pairwise, repeat, zip_longest
from operator import itemgetter
from pathlib import Path

from transition.errors import InputFileError

# Limits: far above any real caseload export, low enough that a wrong file fails fast.
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_XLSX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024  # a zip bomb is refused before unpacking
MAX_DATA_ROWS = 500_000
MAX_COLUMNS = 500
MAX_CELL_CHARS = 32_767  # the most an Excel cell can hold
HEADER_SEARCH_ROWS = 20  # the header must be within this many rows of the top
SNIFF_CHARS = 32 * 1024
DELIMITERS = (",", ";", "\t", "|")
_CONTROL = frozenset(chr(code) for code in range(32)) - {"\t", "\n", "\r", "\x0c"}

Cell = str | int | float | bool | date | datetime | time | None
ScoreHeader = Callable[[Sequence[str]], int]

HINT_SAVE_AS = "Open it in Excel and save it as CSV (UTF-8) or Excel Workbook (.xlsx), then try again."


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One non-blank data row: its spreadsheet row number and raw cells (left to right).

    ``fields`` is how many fields a CSV line held before empty ones at its end were dropped
    (0 for a workbook's row, which has no such count): see :meth:`Table.shape_problem`.
    """

    number: int
    cells: tuple[Cell, ...]
    fields: int = 0


@dataclass
class Table:
    """A file read into a header and data rows."""

    file_name: str
    sha256: str
    format: str  # "csv" | "xlsx"
    header_row: int
    headers: list[str]
    rows: list[SourceRow]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    # CSV only (see LineShapes): how many fields the file's lines hold, and which lines are
    # the pieces of one record broken by a line break.
    shapes: LineShapes | None = None
    # CSV only: the rows read as Windows-1252 in a file otherwise UTF-8 (see decode).
    windows_1252_rows: list[int] = field(default_factory=list)
    # XLSX only: the data cells merged down a column, each given the top cell's value, as
    # (column index, first row, last row) (see _fill_merged).
    merged_fills: list[tuple[int, int, int]] = field(default_factory=list)

    def reading_notes(self) -> list[str]:
        """What reading the file did that its rows do not show: rows read in another encoding,
        merged cells given their top cell's value. Row numbers and headers only."""
        notes = []
        if self.windows_1252_rows:
            rows = self.windows_1252_rows
            one = len(rows) == 1
            notes.append(
                f"This file is UTF-8 text except for {_rows_named(rows)}, which "
                f"{'is' if one else 'are'} not valid UTF-8 and {'was' if one else 'were'} read "
                "as Windows-1252 (what Excel saves on a UK PC: the file was probably put "
                "together from two sources); the rest was read as UTF-8. Check the accented "
                f"letters and quote marks of {'that row' if one else 'those rows'}, and if any "
                "read wrong, correct them, save the file as CSV UTF-8 and import it again.")
        if self.merged_fills:
            notes.append(_merged_note(self))
        return notes

    @property
    def ragged(self) -> bool:
        """The lines disagree on their number of fields without most agreeing on one."""
        return self.shapes is not None and self.shapes.ragged

    def shape_problem(self, row: SourceRow) -> str | None:
        """Why a CSV line whose number of fields differs from the file's others cannot be
        trusted, or None. Such a line's values are in the wrong columns, so it is rejected
        rather than imported wrongly (and its record is then not marked missing)."""
        return self.shapes.problem(row, self) if self.shapes is not None else None

    @cached_property
    def misshapen(self) -> dict[int, str]:
        """:meth:`shape_problem` of every line that has one, by its index in ``rows`` (only
        the lines whose count differs are looked at)."""
        shapes = self.shapes
        if shapes is None:
            return {}
        usual = shapes.usual
        found = {}
        for index, row in enumerate(self.rows):
            if row.fields != usual and (problem := shapes.problem(row, self)) is not None:
                found[index] = problem
        return found

    @cached_property
    def padded(self) -> dict[int, str]:
        """The lines of a regular file that hold more fields than its others, all of the extra
        ones empty, by index in ``rows``, with what that may mean.

        Such a line is read as it stands (a stray separator at its end is harmless), but it is
        also what a separator inside a cell without quotes makes when the field it pushes off
        the end was empty, as an optional last column often is. The importer gives this as the
        first reason of such a row that is rejected for its values (the values it found in the
        wrong columns)."""
        shapes = self.shapes
        if shapes is None or not shapes.regular:
            return {}
        separator = _separator_name(self.delimiter)
        return {
            index: (f"this line has {row.fields} fields where the file's lines have "
                    f"{shapes.usual}, the extra ones empty: a {separator} inside a cell without "
                    "quotes may have moved the values after it into the wrong columns, which "
                    "would explain the problems that follow. Put quotes round that cell, or take "
                    "the separator out of it, and import the row again")
            for index, row in enumerate(self.rows)
            if row.fields > shapes.usual and index not in self.misshapen
        }

    def column_label(self, index: int) -> str:
        """A header as written, or 'Column F' for a column with no header."""
        if index < len(self.headers) and self.headers[index]:
            return self.headers[index]
        return f"Column {column_letter(index)}"


@dataclass(frozen=True)
class LineShapes:
    """How many fields the lines of a CSV file hold, to find the lines whose values moved.

    A system's or a spreadsheet's export writes every line with the same number of fields.
    A line that holds more, with something in the extra fields, had the separator inside a
    cell without quotes: every value after it sits one column to the right (a postcode under
    the GP, a staff id under the team). A line break inside a cell without quotes cuts a
    record in two: two short lines whose fields add up to a whole line's and one more (the
    broken cell is in both).

    The file is ``regular`` when more than half its lines hold one count (``usual``) and, of
    the lines that differ, at most a tenth (or two lines) are not explained as pushed lines
    or pieces of broken records: then any short line is a broken one. Otherwise it is
    ``ragged``, as from a writer that leaves off empty fields at a line's end, where a short
    line is normal (its missing fields are blank) and two short lines may add up to a whole
    one by chance; a whole line is then the header line's length, and only a line longer than
    that is found (the rest of a broken record is still rejected for what it holds: its first
    cell is no NHS number).
    """

    usual: int
    regular: bool
    ragged: bool
    pieces: dict[int, tuple[int, ...]]  # a broken record's row numbers, by each piece's number

    @classmethod
    def of(cls, rows: Sequence[SourceRow], header_fields: int) -> LineShapes | None:
        counts = Counter(row.fields for row in rows)
        if not counts:
            return None
        usual, agreeing = counts.most_common(1)[0]
        pieces = _broken_records(rows, usual)
        pushed = sum(1 for row in rows if row.fields > usual and len(row.cells) > usual)
        unexplained = len(rows) - agreeing - len(pieces) - pushed
        if agreeing * 2 > len(rows) and unexplained <= max(2, len(rows) // 10):
            return cls(usual=usual, regular=True, ragged=False, pieces=pieces)
        # No count is usual: a whole line is as long as the header's. Two short lines that
        # add up to a whole one prove nothing here: short lines are normal.
        return cls(usual=header_fields, regular=False, ragged=len(counts) > 1, pieces={})

    def problem(self, row: SourceRow, table: Table) -> str | None:
        usual, fields = self.usual, row.fields
        if fields == usual or not fields:
            return None
        where = (f"where the file's lines have {usual}" if self.regular
                 else f"where the header line has {usual}")
        if fields > usual:
            if len(row.cells) <= max(usual, len(table.headers)):
                return None  # only empty fields past the usual width
            return (f"this line has {fields} fields {where}: a "
                    f"{_separator_name(table.delimiter)} inside a cell without quotes has "
                    "probably moved the values after it into the wrong columns. Put quotes round "
                    "that cell, or take the separator out of it, and import the row again")
        pieces = self.pieces.get(row.number)
        if pieces is not None:
            if row.number != pieces[0]:
                return (f"this line looks like the rest of row {pieces[0]}, split from it by a "
                        "line break inside a cell without quotes. Join the lines back together "
                        "(or put quotes round that cell) and import the row again")
            rest = ("row " if len(pieces) == 2 else "rows ") + ", ".join(
                str(number) for number in pieces[1:])
            return (f"this line has {fields} fields {where}: a line break inside a cell without "
                    f"quotes cut it short after column {column_letter(fields - 1)} "
                    f"({table.column_label(fields - 1)}), and the rest is {rest}. Join the lines "
                    "back together (or put quotes round that cell) and import the row again")
        if not self.regular:
            return None
        if fields == 1:
            return (f"this line has 1 field {where}: a note or a totals line, not a record? "
                    "If it is a record, its separators are missing")
        return (f"this line has {fields} fields {where}: it ends after column "
                f"{column_letter(fields - 1)} ({table.column_label(fields - 1)}), so the "
                "values of the columns after it are missing (a line break inside a cell without "
                "quotes, or a line cut off). Complete the line and import the row again")


def _listed(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _rows_named(numbers: Sequence[int], shown: int = 10) -> str:
    """'row 3', 'rows 3, 7 and 9', 'rows 3, 7, ... and 12 more'."""
    if len(numbers) <= shown:
        return ("row " if len(numbers) == 1 else "rows ") + _listed([str(n) for n in numbers])
    return "rows " + ", ".join(map(str, numbers[:shown])) + f" and {len(numbers) - shown:,} more"


def _merged_note(table: Table) -> str:
    """One note for every cell merged down a column: 'rows 2-4 and 5-9 of columns A (Team)
    and G (S117)', the columns sharing their rows named together."""
    spans: dict[int, list[str]] = {}
    for column, first, last in table.merged_fills:
        spans.setdefault(column, []).append(f"{first}-{last}")
    by_spans: dict[tuple[str, ...], list[int]] = {}
    for column, rows in spans.items():
        by_spans.setdefault(tuple(rows), []).append(column)
    parts = []
    for rows, columns in by_spans.items():
        named = [f"{column_letter(column)} ({table.column_label(column)})" for column in columns]
        where = _listed(list(rows)) if len(rows) <= 5 else (
            ", ".join(rows[:5]) + f" and {len(rows) - 5:,} more ranges")
        parts.append(f"rows {where} of column{'s' if len(named) > 1 else ''} {_listed(named)}")
    return ("Merged cells in " + "; ".join(parts) + " were filled from the top cell: a cell "
            "merged down over several rows shows one value for all of them in Excel, so each "
            "of those rows was read with it (in a grouped report, the team, coordinator or "
            "s117 of the rows under it). Check this is what the file means.")


def _broken_records(rows: Sequence[SourceRow], usual: int) -> dict[int, tuple[int, ...]]:
    """Runs of two to four adjacent short lines whose fields add up to a whole line's (each
    line break inside a cell adds one field: the cell is counted in both lines)."""
    pieces: dict[int, tuple[int, ...]] = {}
    index = 0
    while index < len(rows):
        if rows[index].fields >= usual:
            index += 1
            continue
        for size in (2, 3, 4):
            run = rows[index:index + size]
            if (len(run) == size
                    and all(later.number == earlier.number + 1 and later.fields < usual
                            for earlier, later in pairwise(run))
                    and sum(line.fields for line in run) - (size - 1) == usual):
                numbers = tuple(line.number for line in run)
                pieces.update(dict.fromkeys(numbers, numbers))
                index += size
                break
        else:
            index += 1
    return pieces


def _separator_name(delimiter: str | None) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe (|)"}.get(
        delimiter or ",", "separator")


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (as Excel names columns)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def cell_text(value: Cell) -> str:
    """A cell as text, the way a person reads it (dates ISO, whole numbers without '.0')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def is_blank(cells: Sequence[Cell]) -> bool:
    try:
        return not "".join(cells).strip()  # type: ignore[arg-type]  # all text: in C
    except TypeError:
        return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


# ---------------------------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------------------------


def read_table(path: Path, *, score: ScoreHeader, sheet: str | None = None) -> Table:
    """Read ``path`` (CSV or XLSX, told apart by content) and find its header row.

    ``score`` counts how many cells of a candidate row are recognised column names; the
    header is the best-scoring row among the first :data:`HEADER_SEARCH_ROWS`.
    """
    name = path.name
    data = _read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    if data.startswith(b"PK\x03\x04"):
        return _read_xlsx(data, name, digest, score=score, sheet=sheet)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputFileError(
            f"{name} is an old-style Excel 97-2003 workbook (.xls), which transition cannot read.",
            hint=HINT_SAVE_AS,
        )
    if sheet is not None:
        raise InputFileError(
            f"--sheet was given, but {name} is a CSV file, which has no sheets.",
            hint="Leave out --sheet for a CSV file.",
        )
    return _read_csv(data, name, digest, score=score)


def _read_bytes(path: Path) -> bytes:
    name = path.name
    try:
        if not path.exists():
            raise InputFileError(f"{path} does not exist.", hint="Check the path and try again.")
        if not path.is_file():
            raise InputFileError(f"{path} is not a file.")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputFileError(
                f"{name} is {size / 1024 / 1024:.0f} MB, more than the "
                f"{MAX_FILE_BYTES // 1024 // 1024} MB transition reads. Nothing was imported.",
                hint="Check this is the right file; a caseload export or staff list is usually a few MB.",
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(
            f"{name} could not be read: {exc.strerror or type(exc).__name__}.",
            hint="Check the file exists and that you may read it.",
        ) from None
    if not data.strip():
        raise InputFileError(f"{name} is empty. Nothing was imported.",
                             hint="Export the file again from the trust's system.")
    return data


def _find_header(rows: Sequence[Sequence[Cell]], score: ScoreHeader) -> int:
    """Index (in ``rows``) of the best-scoring non-blank row near the top; -1 if none."""
    best_index, best_score = -1, 0
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if is_blank(cells):
            continue
        value = score([cell_text(cell).strip() for cell in cells])
        if value > best_score:
            best_index, best_score = index, value
    return best_index


def _split_header(raw_rows: Sequence[tuple[int, Sequence[Cell]]], score: ScoreHeader) -> str:
    """Where no one row is a header, two rows read together may be: a header split over two
    rows (``NHS`` over ``Number``). A sentence naming the pair that names the most columns
    (two at least), or ""."""
    best, pair = 1, None
    top = raw_rows[:HEADER_SEARCH_ROWS]
    for (number, upper), (below, lower) in pairwise(top):
        if below != number + 1 or is_blank(upper) or is_blank(lower):
            continue
        joined = [" ".join(cell_text(cell).strip() for cell in pair_cells if cell is not None)
                  for pair_cells in zip_longest(upper, lower)]
        if (value := score([text.strip() for text in joined])) > best:
            best, pair = value, number
    if pair is None:
        return ""
    return (f"Its header seems to be split across two rows: rows {pair} and {pair + 1} read "
            f"together name {best} known columns.")


def _build_table(
    raw_rows: list[tuple[int, tuple[Cell, ...]]],
    *,
    name: str,
    digest: str,
    score: ScoreHeader,
    fmt: str,
    where: str = "",
    fields: Sequence[int] = (),
    sheets_said: str = "",
    merged: Sequence[tuple[int, int, int, int]] = (),
    **details: object,
) -> Table:
    header_index = _find_header([cells for _number, cells in raw_rows], score)
    if header_index < 0:
        split = _split_header(raw_rows, score)
        raise InputFileError(
            f"{name}{where} has no header row that transition recognises: none of its first "
            f"{HEADER_SEARCH_ROWS} rows names the columns (for example nhs_number, "
            "given_name, family_name)." + (f" {split}" if split else "")
            + " Nothing was imported." + (f" {sheets_said}" if sheets_said else ""),
            hint=" ".join(filter(None, (
                "Put each column's header in one cell of one row, then import the file again."
                if split else "" if sheets_said else
                "Check this is the right file, or name your headers with --mapping FILE.",
                _CHOOSE_SHEET if sheets_said else ""))),
        )
    header_number, header_cells = raw_rows[header_index]
    headers = [cell_text(cell).strip() for cell in header_cells]
    filled = _fill_merged(raw_rows, merged, header_number) if merged else []
    counts = fields[header_index + 1:] if fields else repeat(0)
    rows = [
        SourceRow(number, cells, count)
        for (number, cells), count in zip(raw_rows[header_index + 1:], counts)
        if not is_blank(cells)
    ]
    if not rows:
        raise InputFileError(
            f"{name}{where} has a header (row {header_number}) but no data rows. Nothing was "
            "imported, and nobody was marked as missing.",
            hint="Export the file again from the trust's system.",
        )
    return Table(file_name=name, sha256=digest, format=fmt, header_row=header_number,
                 headers=headers, rows=rows,
                 shapes=LineShapes.of(rows, fields[header_index]) if fields else None,
                 merged_fills=filled, **details)  # type: ignore[arg-type]


def _fill_merged(raw_rows: list[tuple[int, tuple[Cell, ...]]],
                 merged: Sequence[tuple[int, int, int, int]],
                 header_number: int) -> list[tuple[int, int, int]]:
    """Give each data row under a cell merged down a column the top cell's value, in place;
    the (column index, first row, last row) of each range filled.

    A worksheet stores a merged cell's value in its top-left cell only, so a grouped report
    (a team, its coordinator and s117 merged over the rows of the people under them) reads as
    blank for all but the first person, and a re-import would wipe those values. Excel shows
    the value in every row the cell covers, and so it is read. Only the range's first column
    is filled: a cell merged across columns (a title, a heading over two columns) shows one
    value, in the first column, and stays so. A range that starts in or above the header row
    (a title, a header two rows high) is left as it is, and so is a row with nothing else in
    it (a blank row under the merge stays blank)."""
    index_of = {number: index for index, (number, _cells) in enumerate(raw_rows)}
    filled = []
    for first_row, column, last_row, _last_column in sorted(merged, key=itemgetter(1, 0)):
        top = index_of.get(first_row)
        if last_row <= first_row or first_row <= header_number or top is None:
            continue
        cells = raw_rows[top][1]
        value = cells[column] if column < len(cells) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        last = first_row
        # A merge may run far past the last row (a whole column): only the rows read count.
        for number in range(first_row + 1, min(last_row, raw_rows[-1][0]) + 1):
            index = index_of.get(number)
            if index is None:
                continue
            cells = raw_rows[index][1]
            if is_blank(cells):
                continue
            if len(cells) <= column:
                cells += (None,) * (column + 1 - len(cells))
            raw_rows[index] = (number, (*cells[:column], value, *cells[column + 1:]))
            last = number
        if last > first_row:
            filled.append((column, first_row, last))
    return filled


def _check_row(name: str, number: int, cells: Sequence[Cell], where: str = "",
               *, from_csv: bool = False) -> None:
    """Refuse a row too wide, a cell too long, or (XLSX) a cell holding a NUL character.

    CSV text was already checked for NUL as a whole, and its cells are all text, so its check
    stays in C (``max(map(len, ...))``): this runs once per row of a 100,000-row file.
    """
    if len(cells) > MAX_COLUMNS:
        raise InputFileError(
            f"{name}{where} row {number} has {len(cells)} columns; transition reads at most "
            f"{MAX_COLUMNS}. Nothing was imported.",
            hint="Check this is the right file, and that it is not a damaged export.",
        )
    texts = cells if from_csv else [cell for cell in cells if isinstance(cell, str)]
    if not texts:
        return
    if max(map(len, texts)) <= MAX_CELL_CHARS and (  # type: ignore[arg-type]
        from_csv or not any("\x00" in text for text in texts)  # type: ignore[operator]
    ):
        return
    for index, cell in enumerate(cells):
        if not isinstance(cell, str):
            continue
        if "\x00" in cell:
            raise InputFileError(
                f"{name}{where} row {number}, column {column_letter(index)} holds binary data "
                "(a NUL character). Nothing was imported.",
                hint=HINT_SAVE_AS,
            )
        if len(cell) > MAX_CELL_CHARS:
            # A CSV cell this long over several lines: a quote mark that opened it closed
            # only at another stray one further down. On one line (or in a workbook): one
            # long value.
            spans_lines = from_csv and ("\n" in cell or "\r" in cell)
            raise InputFileError(
                f"{name}{where} row {number}, column {column_letter(index)} holds "
                f"{len(cell):,} characters, more than a spreadsheet cell can hold "
                f"({MAX_CELL_CHARS:,}). Nothing was imported.",
                hint="A quote mark (\") probably opens that cell and closes only lines later. "
                "Close it where the cell should end, save the file and try again."
                if spans_lines else "No caseload or staff list value is that long: check this "
                "is the right file, then shorten or empty that cell, save the file and try "
                "again.",
            )


def _too_many_rows(name: str) -> InputFileError:
    return InputFileError(
        f"{name} has more than {MAX_DATA_ROWS:,} rows, more than transition reads. "
        "Nothing was imported.",
        hint="Check this is the right file.",
    )


def _trim(cells: Sequence[Cell]) -> tuple[Cell, ...]:
    """The cells without empty ones at the end of the row."""
    if cells and cells[-1] is not None and cells[-1] != "":
        return tuple(cells)
    values = list(cells)
    while values and (values[-1] is None or values[-1] == ""):
        values.pop()
    return tuple(values)


# ---------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------


def decode(data: bytes, name: str) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was in."""
    text, encoding, _lines = _decode(data, name)
    return text, encoding


def _decode(data: bytes, name: str) -> tuple[str, str, list[int]]:
    """The text of a CSV file, the encoding it was in, and the lines (numbered from 1, as
    ``bytes.splitlines`` splits them) read as Windows-1252 in a file otherwise UTF-8.

    A file that is not valid UTF-8 may still be UTF-8 but for a few lines (rows pasted in from
    a file saved on a UK PC): see :func:`_mostly_utf8`. Read wholly as Windows-1252, every
    UTF-8 accent in it would be garbled ('Renée' as 'RenÃ©e'), and go out on letters.
    """
    utf8 = "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates: tuple[str, ...] = ("utf-16",)
    else:
        if data.startswith(codecs.BOM_UTF8):
            # Dropped, and the rest read as a file without one ("utf-8-sig"): rows pasted in
            # from a UK PC's file can leave Windows-1252 lines in a file saved UTF-8 with a BOM.
            data, utf8 = data[len(codecs.BOM_UTF8):], "utf-8-sig"
        candidates = ("utf-8", "cp1252")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            if encoding == "utf-8" and (mixed := _mostly_utf8(data)) is not None:
                text, lines = mixed
                _refuse_binary(text, name)
                return text, utf8, lines
            continue
        _refuse_binary(text, name)
        return text, utf8 if encoding == "utf-8" else encoding, []
    if candidates == ("utf-8", "cp1252"):
        # Neither: Latin-1 reads any byte; the binary check below still catches non-text.
        text = data.decode("latin-1")
        _refuse_binary(text, name)
        return text, "latin-1", []
    raise InputFileError(
        f"{name} says it is {candidates[0].upper()} text but is not valid {candidates[0]}. "
        "Nothing was imported.",
        hint=HINT_SAVE_AS,
    )


_ASCII = bytes(range(128))


def _mostly_utf8(data: bytes) -> tuple[str, list[int]] | None:
    """A file that is not valid UTF-8, read line by line when it is mostly UTF-8: each line
    as UTF-8, or as Windows-1252 where it is not valid UTF-8; with the numbers of those lines.

    Mostly UTF-8: of its lines with characters beyond ASCII, as many or more are valid UTF-8
    as are not (a line of Windows-1252 is almost never valid UTF-8 by chance). Otherwise, None:
    the whole file is Windows-1252, as Excel saves it on a UK PC, and read as such (a line of
    it that happens to be valid UTF-8 is then read right too)."""
    # First, quickly (two passes in C, the usual case): is there any character beyond ASCII
    # in valid UTF-8 at all? Decoded ignoring what is not UTF-8, the text holds the ASCII
    # bytes and one character for each such.
    ascii_bytes = len(data) - len(data.translate(None, _ASCII))
    if len(data.decode("utf-8", "ignore")) == ascii_bytes:
        return None
    texts: list[str] = []
    windows: list[int] = []
    utf8 = 0
    for number, line in enumerate(data.splitlines(keepends=True), start=1):
        if line.isascii():
            texts.append(line.decode("ascii"))
            continue
        try:
            texts.append(line.decode("utf-8"))
            utf8 += 1
        except UnicodeDecodeError:
            windows.append(number)
            try:
                texts.append(line.decode("cp1252"))
            except UnicodeDecodeError:  # a byte Windows-1252 leaves unused: Latin-1 reads any
                texts.append(line.decode("latin-1"))
    if utf8 < len(windows):
        return None
    return "".join(texts), windows


def _refuse_binary(text: str, name: str) -> None:
    sample = text[:SNIFF_CHARS]
    controls = sum(1 for char in sample if char in _CONTROL)
    if "\x00" in text or controls > max(2, len(sample) // 100):
        raise InputFileError(
            f"{name} is not a CSV or XLSX file (it looks like binary data). Nothing was imported.",
            hint="Export it again from the system it came from, as CSV or .xlsx. " + HINT_SAVE_AS,
        )


def _candidate_delimiters(sample: str) -> list[str]:
    """The sniffed delimiter first, then the others spreadsheets use."""
    order = list(DELIMITERS)
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        return order
    if sniffed in order:
        order.remove(sniffed)
    return [sniffed, *order]


# Read after a CSV text as one more line: it is a row of its own unless a quote mark left open
# swallowed it into a cell. (A NUL is never in a text that is read: see _refuse_binary.)
_END = "\x00"


def _parse_csv(text: str, delimiter: str, name: str, limit: int | None = None,
               fields: list[int] | None = None) -> list[tuple[int, tuple[Cell, ...]]]:
    """The rows of a CSV text; ``fields``, if given, gets each line's field count.

    With a ``limit`` (trying a delimiter on the top of a file) only that many rows are read,
    and they are not checked against the limits: with the wrong delimiter a line of long
    cells is one cell too long to be real. The whole text is read to its end, where a quote
    mark that never closed is refused (the csv module would quietly put every line after it
    into one cell).
    """
    lines = io.StringIO(text, newline="")
    reader = csv.reader(lines if limit is not None else chain(lines, [_END]),
                        delimiter=delimiter)
    rows: list[tuple[int, tuple[Cell, ...]]] = []
    count = fields.append if fields is not None else None
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if limit is not None:
                if number > limit:
                    break
                rows.append((number, _trim(cells)))
                continue
            if cells and cells[-1][-1:] == _END:
                if cells == [_END]:
                    break
                raise _open_quote(name, number, len(cells) - 1, cells[-1])
            if len(rows) > MAX_DATA_ROWS + HEADER_SEARCH_ROWS:
                raise _too_many_rows(name)
            _check_row(name, number, cells, from_csv=True)
            rows.append((number, _trim(cells)))
            if count is not None:
                count(len(cells))
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise _too_long(text, delimiter, name, number) from None
        raise InputFileError(
            f"{name} could not be read as CSV near row {number + 1}: {exc}. Nothing was imported.",
            hint="This usually means a quote mark (\") opens a cell and never closes. "
            "Fix that row and try again.",
        ) from None
    return rows


def _too_long(text: str, delimiter: str, name: str, read: int) -> InputFileError:
    """The error for a cell longer than the csv module reads (``csv.field_size_limit()``) in
    the row after the ``read`` rows read whole: a quote mark left open (the cell runs on over
    the lines after it) or one very long value without quotes, told apart by reading that row
    again here. Only a refused file gets here, so the rows before it are parsed a second time
    rather than their places kept on the way (no work added to reading a good file)."""
    limit = csv.field_size_limit()
    number = read + 1
    lines = io.StringIO(text, newline="")
    for _ in islice(csv.reader(lines, delimiter=delimiter), read):
        pass
    found = _long_cell(text, lines.tell(), delimiter, limit)
    if found is None:  # not found by the simpler reading below: say what is known
        return InputFileError(
            f"{name}: a cell near row {number} is longer than {limit:,} characters, more than "
            "transition reads. Nothing was imported.",
            hint="Either a quote mark (\") opens a cell there and never closes, or a cell holds "
            "a very long value (a pasted document). Close the quote, or shorten the cell, save "
            "the file and try again.",
        )
    index, quoted, closed, breaks = found
    where = f"{name} row {number}, column {column_letter(index)}"
    if not closed:
        return _open_quote(name, number, index, "\n" if breaks else "")
    if quoted and breaks:
        return InputFileError(
            f"{where}: a quote mark (\") opens a cell there that runs on over {breaks + 1:,} "
            f"lines, more than {limit:,} characters, before a quote mark closes it, so the "
            "lines after it would be read into that one cell. Nothing was imported.",
            hint="Close the quote where that cell should end (or take it out), save the file "
            "and try again.",
        )
    return InputFileError(
        f"{where} is longer than {limit:,} characters, more than transition reads (a "
        f"spreadsheet cell holds at most {MAX_CELL_CHARS:,}). It is on one line"
        f"{'' if quoted else ' with no quote marks'}: one very long value, not a quote mark "
        "left open. Nothing was imported.",
        hint="No caseload or staff list value is that long: check this is the right file, "
        "then shorten or empty that cell, save the file and try again.",
    )


def _long_cell(text: str, start: int, delimiter: str,
               limit: int) -> tuple[int, bool, bool, int] | None:
    """The first cell longer than ``limit`` in the CSV row starting at ``start``: (its index,
    whether it opens with a quote mark, whether that quote closes, the line breaks in it (to
    the end of the text if the quote never closes)), read as the csv module reads it: a quote
    mark opens a cell only as its first character, two inside it are one, and what follows the
    closing quote up to the separator is kept."""
    stop = re.compile(f"[{re.escape(delimiter)}\r\n]")
    index, position, end = 0, start, len(text)
    while position <= end:
        opened = position
        length = 0
        quoted = text.startswith('"', position)
        if quoted:
            position += 1
            while True:
                close = text.find('"', position)
                if close < 0:
                    return index, True, False, _line_breaks(text, opened, end)
                length += close - position
                if not text.startswith('"', close + 1):
                    position = close + 1
                    break
                length += 1
                position = close + 2
        found = stop.search(text, position)
        finish = found.start() if found else end
        length += finish - position
        if length > limit:
            return index, quoted, True, _line_breaks(text, opened, finish)
        if finish >= end or text[finish] != delimiter:
            return None
        index += 1
        position = finish + 1
    return None


def _line_breaks(text: str, start: int, end: int) -> int:
    """How many line breaks (CRLF, LF or CR) ``text[start:end]`` holds, without copying it."""
    return (text.count("\n", start, end) + text.count("\r", start, end)
            - text.count("\r\n", start, end))


def _open_quote(name: str, number: int, index: int, swallowed: str) -> InputFileError:
    """The error for a quote mark opened in row ``number``'s cell ``index`` and never closed
    (the cell holds the rest of the file, ``swallowed``); it never quotes the cell."""
    what = ("so every line after it would be read into that one cell"
            if "\n" in swallowed or "\r" in swallowed else "and the file ends inside it")
    return InputFileError(
        f"{name} row {number}, column {column_letter(index)}: a quote mark (\") opens a cell "
        f"there and never closes, {what}. Nothing was imported.",
        hint="Close the quote (or take it out) in that cell, save the file and try again.",
    )


def _read_csv(data: bytes, name: str, digest: str, *, score: ScoreHeader) -> Table:
    text, encoding, windows_lines = _decode(data, name)
    if not text.strip():
        raise InputFileError(f"{name} is empty. Nothing was imported.")
    # Try each delimiter on the top of the file; keep the one whose header is best recognised.
    best: tuple[int, str] | None = None
    for delimiter in _candidate_delimiters(text[:SNIFF_CHARS]):
        top = _parse_csv(text[:SNIFF_CHARS * 4], delimiter, name, limit=HEADER_SEARCH_ROWS)
        index = _find_header([cells for _n, cells in top], score)
        value = score([cell_text(c).strip() for c in top[index][1]]) if index >= 0 else 0
        if best is None or value > best[0]:
            best = (value, delimiter)
    assert best is not None
    delimiter = best[1]
    fields: list[int] = []
    rows = _parse_csv(text, delimiter, name, fields=fields)
    return _build_table(rows, name=name, digest=digest, score=score, fmt="csv", fields=fields,
                        encoding=encoding, delimiter=delimiter,
                        windows_1252_rows=_rows_of_lines(text, delimiter, windows_lines))


def _rows_of_lines(text: str, delimiter: str, lines: Sequence[int]) -> list[int]:
    """The CSV rows (numbered as :func:`_parse_csv` numbers them) holding the given lines of
    ``text`` (numbered from 1): a quoted cell spanning lines makes one row of several. Read
    again only for the lines asked about, which a well-made file has none of."""
    if not lines:
        return []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    wanted = iter(lines)
    line = next(wanted, None)
    found: list[int] = []
    for number, _cells in enumerate(reader, start=1):
        while line is not None and line <= reader.line_num:
            if not found or found[-1] != number:
                found.append(number)
            line = next(wanted, None)
        if line is None:
            break
    return found


# ---------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------


def _check_zip(data: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise InputFileError(f"{name} is a damaged or incomplete zip/Excel file. Nothing was "
                             "imported.", hint=HINT_SAVE_AS) from None
    if "xl/workbook.xml" not in names:
        kind = "an OpenDocument spreadsheet" if "content.xml" in names else "not an Excel workbook"
        raise InputFileError(f"{name} is {kind} (.xlsx is expected). Nothing was imported.",
                             hint=HINT_SAVE_AS)
    if unpacked > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise InputFileError(
            f"{name} unpacks to {unpacked / 1024 / 1024:.0f} MB, more than transition reads. "
            "Nothing was imported.",
            hint="Check this is the right file.",
        )


def _read_xlsx(data: bytes, name: str, digest: str, *, score: ScoreHeader,
               sheet: str | None) -> Table:
    _check_zip(data, name)
    from openpyxl import load_workbook  # imported here: CSV imports never pay for it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 (openpyxl raises many types on damaged input; all mean "unusable", and are said)
        raise InputFileError(
            f"{name} could not be opened as an Excel workbook ({type(exc).__name__}). "
            "Nothing was imported.",
            hint=HINT_SAVE_AS,
        ) from None
    try:
        sheets = list(workbook.sheetnames)
        worksheets = {ws.title: ws for ws in workbook.worksheets}  # chartsheets excluded
        # The sheets a person sees in Excel: the first of them is "the first sheet".
        visible = [ws.title for ws in workbook.worksheets if ws.sheet_state == "visible"]
        if sheet is None:
            if not workbook.worksheets:
                raise InputFileError(f"{name} has no worksheets. Nothing was imported.")
            worksheet = worksheets.get(visible[0]) if visible else workbook.worksheets[0]
        else:
            chosen = worksheets.get(sheet) or next(
                (ws for title, ws in worksheets.items() if title.casefold() == sheet.casefold()),
                None,
            )
            if chosen is None:
                raise InputFileError(
                    f"{name} has no sheet called '{sheet}'. Its sheets are: "
                    + ", ".join(f"'{title}'" for title in sheets) + ".",
                    hint="Give one of those names with --sheet (quote it if it has spaces).",
                )
            worksheet = chosen
        where = f" (sheet '{worksheet.title}')"
        rows = _xlsx_rows(worksheet, name, where)
        uncalculated, merged = _sheet_markup(data, worksheet._worksheet_path)  # type: ignore[attr-defined]
    except InputFileError:
        raise
    except Exception as exc:  # noqa: BLE001 (as above: damaged sheet XML surfaces while iterating)
        raise InputFileError(
            f"{name} could not be read as an Excel workbook ({type(exc).__name__}). "
            "Nothing was imported.",
            hint=HINT_SAVE_AS,
        ) from None
    finally:
        workbook.close()
    if uncalculated:
        shown = ", ".join(uncalculated[:5]) + (
            f" and {len(uncalculated) - 5:,} more" if len(uncalculated) > 5 else "")
        raise InputFileError(
            f"{name}{where} has formulas whose results were never worked out ({shown}): the "
            "file was written by a program that stores formulas without their values, so "
            "those cells would read as empty. Nothing was imported.",
            hint="Open the file in Excel or LibreOffice and save it (saving works the "
            "formulas out), or export the values as CSV; then import it again.")
    # A sheet with no rows or no header: the rows may be on another, so name them all.
    hidden = ", ".join(f"'{title}'" for title in worksheets if title not in visible)
    sheets_said = ("Its sheets are: " + ", ".join(f"'{title}'" for title in visible)
                   + (f" (hidden: {hidden})" if hidden else "") + "."
                   if len(worksheets) > 1 else "")
    if not any(not is_blank(cells) for _n, cells in rows):
        said = f" {sheets_said}" if sheets_said else ""
        raise InputFileError(
            f"{name}{where} is empty. Nothing was imported.{said}",
            hint=_CHOOSE_SHEET if sheets_said else
            "Choose the sheet that holds the rows with --sheet.")
    return _build_table(rows, name=name, digest=digest, score=score, fmt="xlsx", where=where,
                        sheet=worksheet.title, sheets=sheets, sheets_said=sheets_said,
                        merged=merged)


_CHOOSE_SHEET = "Choose the sheet that holds the rows with --sheet NAME."


_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


# A merged range in a worksheet's XML: <mergeCell ref="A2:A4"/> (a prefix is allowed).
_MERGE_CELL = re.compile(rb"<(?:[\w.-]+:)?mergeCell\s[^>]*?\bref\s*=\s*[\"']"
                         rb"([A-Za-z]{1,3})([0-9]{1,7})(?::([A-Za-z]{1,3})([0-9]{1,7}))?[\"']")


def _sheet_markup(data: bytes, member: str) -> tuple[list[str], list[tuple[int, int, int, int]]]:
    """What reading the values of the worksheet stored at ``member`` leaves out, from one
    reading of its XML: the cells whose formulas were never worked out
    (:func:`_uncalculated_formulas`) and the merged ranges (:func:`_merged_ranges`), which
    openpyxl's read-only mode does not give. A trust system's export has neither, and is then
    looked over by two searches of its bytes only (measured on a 100,000-row sheet of 190 MB:
    under a second, against minutes for openpyxl to read its cells)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(member)
    return (_uncalculated_formulas(xml) if _FORMULA.search(xml) else [], _merged_ranges(xml))


def _merged_ranges(xml: bytes) -> list[tuple[int, int, int, int]]:
    """The merged ranges of a worksheet's XML, each as (first row, first column index, last
    row, last column index): rows numbered as in Excel, columns from 0."""
    found = xml.find(b"mergeCell")
    if found < 0:
        return []
    ranges = []
    for match in _MERGE_CELL.finditer(xml, max(0, xml.rfind(b"<", 0, found))):
        first_column, first_row, last_column, last_row = match.groups()
        start = (int(first_row), _column_index(first_column))
        end = (int(last_row), _column_index(last_column)) if last_row else start
        ranges.append((min(start[0], end[0]), min(start[1], end[1]),
                       max(start[0], end[0]), max(start[1], end[1])))
    return ranges


def _column_index(letters: bytes) -> int:
    """b'A' -> 0, b'AA' -> 26 (the inverse of :func:`column_letter`)."""
    index = 0
    for letter in letters.upper():
        index = index * 26 + letter - 64
    return index - 1


def _uncalculated_formulas(xml: bytes) -> list[str]:
    """The cells ('B7') of a worksheet's XML holding a formula with no stored result.
    openpyxl, reading values as the import does, gives such a cell as empty, which would
    silently blank it. Excel and LibreOffice store each result when they save (an empty text
    result as ``t="str"``, which is kept apart here); a program writing the file may not."""
    from xml.etree.ElementTree import iterparse

    found = []
    with io.BytesIO(xml) as sheet:
        for _event, element in iterparse(sheet):
            if element.tag.rpartition("}")[2] != "c":
                continue
            parts = {child.tag.rpartition("}")[2]: child for child in element}
            if "f" in parts and not (parts["v"].text if "v" in parts else None) \
                    and element.get("t") != "str":
                found.append(element.get("r") or "?")
            element.clear()
    return found


def _xlsx_rows(worksheet: object, name: str, where: str) -> list[tuple[int, tuple[Cell, ...]]]:
    worksheet.reset_dimensions()  # type: ignore[attr-defined]  # some writers store wrong ones
    rows: list[tuple[int, tuple[Cell, ...]]] = []
    for number, cells in enumerate(worksheet.iter_rows(values_only=True), start=1):  # type: ignore[attr-defined]
        if number > MAX_DATA_ROWS + HEADER_SEARCH_ROWS:
            raise _too_many_rows(name)
        _check_row(name, number, cells, where)
        rows.append((number, _trim(cells)))
    return rows
