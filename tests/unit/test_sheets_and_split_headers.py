"""A workbook whose first sheet is hidden or a summary, and a header split over two rows:
the first visible sheet is read, and a file with no header row says what to do."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from tests.importing import CASELOAD_HEADER, xlsx_person
from transition.columns import CASELOAD_COLUMNS
from transition.errors import InputFileError
from transition.headers import header_scorer
from transition.tabular import read_table

SCORE = header_scorer(CASELOAD_COLUMNS, {})


def workbook(path: Path, sheets: list[tuple[str, str, list[list[object]]]]) -> Path:
    """A workbook of (title, state, rows) sheets, in order."""
    book = Workbook()
    book.remove(book.active)
    for title, state, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.sheet_state = state
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


CASELOAD = [CASELOAD_HEADER, xlsx_person(0)]
SPLIT = [
    ["NHS", "Given", "Family", "Date of"],
    ["Number", "Name", "Name", "Birth"],
    [9990000018, "Robin", "Ashdown", "03/04/1980"],
]


def test_a_hidden_first_sheet_is_passed_over(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "hidden.xlsx",
        [("Lookups", "hidden", [["codes"], ["A"]]), ("Export", "visible", CASELOAD)],
    )
    table = read_table(path, score=SCORE)
    assert table.sheet == "Export" and len(table.rows) == 1
    # --sheet still reads a hidden sheet when asked to.
    with pytest.raises(InputFileError, match="sheet 'Lookups'"):
        read_table(path, score=SCORE, sheet="Lookups")


def test_a_summary_sheet_first_lists_the_sheets_and_says_sheet(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "multi.xlsx",
        [
            ("Summary", "visible", [["Caseload summary"], ["Total", 6]]),
            ("Lookups", "hidden", [["codes"]]),
            ("Caseload", "visible", CASELOAD),
        ],
    )
    with pytest.raises(InputFileError) as caught:
        read_table(path, score=SCORE)
    assert "multi.xlsx (sheet 'Summary') has no header row" in caught.value.message
    assert caught.value.message.endswith(
        "Nothing was imported. Its sheets are: 'Summary', 'Caseload' (hidden: 'Lookups')."
    )
    assert caught.value.hint == "Choose the sheet that holds the rows with --sheet NAME."
    assert read_table(path, score=SCORE, sheet="Caseload").sheet == "Caseload"


def test_a_one_sheet_workbook_with_no_header_does_not_offer_sheet(tmp_path: Path) -> None:
    path = workbook(tmp_path / "one.xlsx", [("Sheet", "visible", [["nothing", "here"]])])
    with pytest.raises(InputFileError) as caught:
        read_table(path, score=SCORE)
    assert "--sheet" not in (caught.value.hint or "")
    assert "--mapping" in (caught.value.hint or "")
    assert "Its sheets are" not in caught.value.message


def test_an_empty_first_sheet_lists_the_sheets(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "empty.xlsx", [("Notes", "visible", []), ("Caseload", "visible", CASELOAD)]
    )
    with pytest.raises(InputFileError) as caught:
        read_table(path, score=SCORE)
    assert caught.value.message == (
        "empty.xlsx (sheet 'Notes') is empty. Nothing was imported. "
        "Its sheets are: 'Notes', 'Caseload'."
    )
    assert caught.value.hint == "Choose the sheet that holds the rows with --sheet NAME."


def test_a_header_split_over_two_rows_is_said(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "split.xlsx", [("Lookups", "hidden", [["codes"]]), ("Export", "visible", SPLIT)]
    )
    with pytest.raises(InputFileError) as caught:
        read_table(path, score=SCORE)
    message = caught.value.message
    assert "split.xlsx (sheet 'Export') has no header row" in message
    assert (
        "Its header seems to be split across two rows: rows 1 and 2 read together name 4 "
        "known columns."
    ) in message
    assert caught.value.hint == (
        "Put each column's header in one cell of one row, then import the file again. Choose "
        "the sheet that holds the rows with --sheet NAME."
    )
    assert message.endswith("Its sheets are: 'Export' (hidden: 'Lookups').")


def test_a_csv_header_split_under_a_title_line_is_said(tmp_path: Path) -> None:
    path = tmp_path / "split.csv"
    path.write_text(
        "Westshire export\n" + "\n".join(",".join(map(str, row)) for row in SPLIT) + "\n"
    )
    with pytest.raises(InputFileError) as caught:
        read_table(path, score=SCORE)
    assert "rows 2 and 3 read together name 4 known columns" in caught.value.message
    # Words that are no header, read two rows at a time, are still no header.
    path.write_text("just,some\nwords,here\n1,2\n")
    with pytest.raises(InputFileError) as caught:
        read_table(path, score=SCORE)
    assert "across two rows" not in caught.value.message
