"""Reading messy trust exports: cells merged down a column in a workbook, a UTF-8 file with a
stray Windows-1252 row, a team spelt two ways (first spelling, whatever the hash seed), and
the NHS number of a rejected row as a summary shows it. All data is synthetic."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from transition import nhs
from transition.columns import CASELOAD_COLUMNS
from transition.headers import header_scorer
from transition.tabular import Table, _merged_ranges, read_table

SCORE = header_scorer(CASELOAD_COLUMNS, {})
HEADER = ["Team", "Care Coordinator", "NHS Number", "Forename", "Surname", "DOB", "S117"]
PEOPLE = [
    ["9991000003", "Ann", "Able", datetime(1980, 2, 1)],
    ["9991000011", "Ben", "Bell", datetime(1981, 2, 1)],
    ["9991000038", "Cy", "Cole", datetime(1982, 2, 1)],
    ["9991000046", "Di", "Dale", datetime(1983, 2, 1)],
    ["9991000054", "Ed", "Eve", datetime(1984, 2, 1)],
]


def grouped_report(path: Path, *, titles: int = 0, title_merge: str | None = None) -> Path:
    """A grouped report as Excel users make one: team, coordinator and S117 merged down over
    the people of each group (rows of PEOPLE: 3 in North, 2 in South), below ``titles``
    title lines (``title_merge`` merges the title over that range)."""
    workbook = Workbook()
    sheet = workbook.active
    for number in range(titles):
        sheet.append([f"Caseload report, part {number + 1}"])
    if title_merge:
        sheet.merge_cells(title_merge)
    sheet.append(HEADER)
    first = titles + 2
    groups = [("North CMHT", "WC11226", "Y", PEOPLE[:3]), ("South CMHT", "WC13609", "N", PEOPLE[3:])]
    for team, coordinator, s117, people in groups:
        for index, person in enumerate(people):
            if index == 0:
                sheet.append([team, coordinator, *person, s117])
            else:
                sheet.append([None, None, *person, None])
        last = first + len(people) - 1
        for column in "ABG":
            sheet.merge_cells(f"{column}{first}:{column}{last}")
        first = last + 1
    workbook.save(path)
    return path


def read(path: Path) -> Table:
    return read_table(path, score=SCORE)


def cells(table: Table, column: int) -> list[object]:
    return [row.cells[column] if column < len(row.cells) else None for row in table.rows]


# ---------------------------------------------------------------------------------------------
# Merged cells
# ---------------------------------------------------------------------------------------------


def test_a_cell_merged_down_a_column_is_read_in_every_row_it_covers(tmp_path: Path) -> None:
    table = read(grouped_report(tmp_path / "grouped.xlsx"))
    assert cells(table, 0) == ["North CMHT"] * 3 + ["South CMHT"] * 2
    assert cells(table, 1) == ["WC11226"] * 3 + ["WC13609"] * 2
    assert cells(table, 6) == ["Y"] * 3 + ["N"] * 2
    assert table.merged_fills == [(0, 2, 4), (0, 5, 6), (1, 2, 4), (1, 5, 6), (6, 2, 4), (6, 5, 6)]
    [note] = table.reading_notes()
    assert note.startswith(
        "Merged cells in rows 2-4 and 5-6 of columns A (Team), B (Care Coordinator) and "
        "G (S117) were filled from the top cell")
    # Row numbers and headers only: no value of any cell.
    for value in ("North", "WC11226", "Ann", "Able", "999"):
        assert value not in note


def test_merged_title_rows_above_the_header_keep_working(tmp_path: Path) -> None:
    across = read(grouped_report(tmp_path / "across.xlsx", titles=1, title_merge="A1:G1"))
    assert across.header_row == 2 and across.headers == HEADER
    assert cells(across, 0) == ["North CMHT"] * 3 + ["South CMHT"] * 2
    # A title merged over two rows and across: above the header, so never filled anywhere.
    tall = read(grouped_report(tmp_path / "tall.xlsx", titles=2, title_merge="A1:G2"))
    assert tall.header_row == 3 and tall.headers == HEADER
    assert [row.number for row in tall.rows] == [4, 5, 6, 7, 8]
    assert cells(tall, 6) == ["Y"] * 3 + ["N"] * 2
    assert tall.merged_fills[0] == (0, 4, 6)


def test_only_a_merges_first_column_is_filled_and_blank_rows_stay_blank(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["North CMHT", "WC11226", *PEOPLE[0], "Y"])
    sheet.append([None, None, *PEOPLE[1], "N"])
    sheet.append([])  # a blank row the team's merge runs over
    sheet.append([None, None, *PEOPLE[2], "N"])
    sheet.merge_cells("A2:B5")  # team and coordinator as one block: one value, column A's
    sheet.merge_cells("F2:G2")  # across only: as before (openpyxl, as Excel, empties G2)
    workbook.save(tmp_path / "block.xlsx")
    table = read(tmp_path / "block.xlsx")
    assert [row.number for row in table.rows] == [2, 3, 5]  # row 4 is still blank
    assert cells(table, 0) == ["North CMHT"] * 3
    assert cells(table, 1) == [None, None, None]  # the block shows one value, in A
    assert cells(table, 6) == [None, "N", "N"]  # G2 is under F2's merge, as Excel shows it
    assert table.merged_fills == [(0, 2, 5)]


def test_a_merge_starting_at_the_header_is_not_read_into_the_data(tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append([None, "WC11226", *PEOPLE[0], "Y"])
    sheet.merge_cells("A1:A2")
    workbook.save(tmp_path / "tall_header.xlsx")
    table = read(tmp_path / "tall_header.xlsx")
    assert cells(table, 0) == [None] and table.merged_fills == []
    assert table.reading_notes() == []


def test_a_workbook_without_merges_has_no_note(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(["North CMHT", "WC11226", *PEOPLE[0], "Y"])
    workbook.save(tmp_path / "plain.xlsx")
    table = read(tmp_path / "plain.xlsx")
    assert table.merged_fills == [] and table.reading_notes() == []


def test_merged_ranges_are_read_from_any_writers_xml() -> None:
    xml = (b'<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>mergeCell'
           b'</t></is></c></row></sheetData><x:mergeCells count="3">'
           b'<x:mergeCell ref="A2:A4"/><mergeCell  ref=\'AB10:AC12\' /><mergeCell ref="C7"/>'
           b'</x:mergeCells></worksheet>')
    assert _merged_ranges(xml) == [(2, 0, 4, 0), (10, 27, 12, 28), (7, 2, 7, 2)]
    assert _merged_ranges(b"<worksheet><sheetData/></worksheet>") == []


# ---------------------------------------------------------------------------------------------
# A UTF-8 file with a stray Windows-1252 row
# ---------------------------------------------------------------------------------------------

CSV_HEADER = b"NHS Number,Forename,Surname,DOB,Postcode\n"


def test_a_utf8_file_with_a_windows_1252_row_reads_each_row_right(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(CSV_HEADER
                     + "9991000003,Renée,Able,01/02/1980,WX1 2AB\n".encode()
                     + "9991000011,José,Bell,01/02/1981,WX1 2AB\n".encode("cp1252")
                     + "9991000038,Zoë,O’Neill,01/02/1982,WX1 2AB\n".encode())
    table = read(path)
    assert [row.cells[1:3] for row in table.rows] == [
        ("Renée", "Able"), ("José", "Bell"), ("Zoë", "O’Neill")]
    assert table.encoding == "utf-8" and table.windows_1252_rows == [3]
    [note] = table.reading_notes()
    assert "except for row 3, which is not valid UTF-8 and was read as Windows-1252" in note
    for value in ("José", "Jos", "Bell", "9991000011"):
        assert value not in note  # row numbers only


def test_the_rows_named_are_the_spreadsheets_rows(tmp_path: Path) -> None:
    """A quoted cell spanning lines is one row: the row numbers named are Excel's, not the
    file's line numbers."""
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        b"Caseload report\n" + CSV_HEADER
        + '9991000003,"Renée\nMarie",Able,01/02/1980,WX1 2AB\n'.encode()  # row 3: lines 3-4
        + b"9991000011,Ann,Bell,01/02/1981,WX1 2AB\n"
        + '9991000038,"Chloé\nAnne",Cole,01/02/1982,WX1 2AB\n'.encode("cp1252")  # row 5
        + "9991000046,Noël,Dale,01/02/1983,WX1 2AB\n".encode()
        + "9991000054,Zoë,Eve,01/02/1984,WX1 2AB\n".encode("cp1252"))  # row 7, line 9
    table = read(path)
    assert table.header_row == 2
    assert table.windows_1252_rows == [5, 7]
    assert [row.cells[1] for row in table.rows] == [
        "Renée\nMarie", "Ann", "Chloé\nAnne", "Noël", "Zoë"]
    assert "except for rows 5 and 7, which are not valid UTF-8" in table.reading_notes()[0]


def test_a_windows_1252_file_still_reads_as_windows_1252(tmp_path: Path) -> None:
    """A file that is Windows-1252 throughout is read so, even where a line of it happens to
    be valid UTF-8 ('É’' is the bytes of one UTF-8 character)."""
    path = tmp_path / "cp1252.csv"
    path.write_bytes((
        "NHS Number,Forename,Surname,DOB,Postcode\n"
        "9991000003,Renée,O’Neill,01/02/1980,WX1 2AB\n"
        "9991000011,JOSÉ’S,Bell,01/02/1981,WX1 2AB\n"
        "9991000038,Chloé,Cole,01/02/1982,WX1 2AB\n").encode("cp1252"))
    table = read(path)
    assert table.encoding == "cp1252" and table.windows_1252_rows == []
    assert [row.cells[1] for row in table.rows] == ["Renée", "JOSÉ’S", "Chloé"]
    assert table.reading_notes() == []


def test_a_utf8_file_reads_as_before(tmp_path: Path) -> None:
    path = tmp_path / "utf8.csv"
    path.write_bytes(CSV_HEADER + "9991000003,Renée,Able,01/02/1980,WX1 2AB\n".encode())
    table = read(path)
    assert table.encoding == "utf-8" and table.windows_1252_rows == []
    assert table.rows[0].cells[1] == "Renée" and table.reading_notes() == []


# ---------------------------------------------------------------------------------------------
# A team spelt two ways: the first spelling, whatever the hash seed
# ---------------------------------------------------------------------------------------------

_SPELLINGS = ["North CMHT", "north cmht", "NORTH CMHT", "North  Cmht", "north CMHT", "NORTH cmht"]

_CHECK_TEAMS = """
import sys
from datetime import date
from pathlib import Path
from transition.columns import CASELOAD_COLUMNS
from transition.headers import header_scorer, match_headers
from transition.tabular import read_table
from transition.validation import NameBook, RowChecker

for name in sys.argv[1:]:
    table = read_table(Path(name), score=header_scorer(CASELOAD_COLUMNS, {}))
    match = match_headers(table, CASELOAD_COLUMNS, {}, "caseload")
    teams = NameBook()
    checker = RowChecker(CASELOAD_COLUMNS, match, key="nhs_number", today=date(2027, 1, 15),
                         names={"team": teams, "council_team": teams, "locality": NameBook()},
                         known_staff=None)
    rows = checker.check_rows(table.rows, text_only=table.format == "csv")
    print(sorted({row.values["team"] for row in rows}))
"""


def test_a_team_spelt_two_ways_keeps_the_first_spelling_whatever_the_hash_seed(
        tmp_path: Path) -> None:
    csv_file = tmp_path / "teams.csv"
    lines = ["NHS Number,Forename,Surname,DOB,Team"]
    lines += [f"{person[0]},{person[1]},{person[2]},01/02/1980,{team}"
              for person, team in zip(PEOPLE * 2, _SPELLINGS, strict=False)]
    csv_file.write_text("\n".join(lines) + "\n")
    workbook = Workbook()  # a workbook's column of text and numbers is read another way
    workbook.active.append(["NHS Number", "Forename", "Surname", "DOB", "Team"])
    for person, team in zip(PEOPLE * 2, _SPELLINGS, strict=False):
        workbook.active.append([person[0], person[1], person[2], person[3], team])
    workbook.active.append(["9991000062", "Flo", "Fox", datetime(1985, 2, 1), 17])
    workbook.save(tmp_path / "teams.xlsx")
    seen = set()
    for seed in ("0", "1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _CHECK_TEAMS, str(csv_file), str(tmp_path / "teams.xlsx")],
            capture_output=True, text=True, env=env, check=True, cwd=Path(__file__).parents[2])
        seen.add(done.stdout)
    assert seen == {"['North CMHT']\n['17', 'North CMHT']\n"}


# ---------------------------------------------------------------------------------------------
# A rejected row's NHS number cell, as a summary shows it
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "shown"),
    [("9991000046", "******0046"), ("99910000", "****0000"), ("Ashdown", "(not a number)"),
     ("999100004x", "(not a number)"), ("9.99E+09", "(not a number)"), ("", ""), (None, "")],
)
def test_a_rejected_rows_nhs_number_is_masked(cell: str | None, shown: str) -> None:
    assert nhs.mask_cell(cell) == shown
