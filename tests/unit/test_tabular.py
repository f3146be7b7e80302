"""Reading exports: encodings, delimiters, title lines, XLSX cells, and files that are not usable."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl.utils import get_column_letter

from tests.importing import CASELOAD_HEADER, DATA, csv_bytes, person_row, write_xlsx, xlsx_person
from transition import tabular
from transition.columns import CASELOAD_COLUMNS
from transition.errors import InputFileError
from transition.headers import header_scorer
from transition.tabular import read_table

SCORE = header_scorer(CASELOAD_COLUMNS, {})


def read(path: Path, sheet: str | None = None) -> tabular.Table:
    return read_table(path, score=SCORE, sheet=sheet)


@pytest.mark.parametrize(
    ("name", "encoding", "delimiter", "names"),
    [
        ("caseload_bom_semicolon.csv", "utf-8-sig", ";", ["Renée", "Zoë", "Siân"]),
        ("caseload_cp1252.csv", "cp1252", ",", ["Aoife", "José", "Chloé"]),
        ("caseload_unicode_text.txt", "utf-16", "\t", ["Robin20", "Robin21", "Robin22"]),
        ("caseload_mhsds.csv", "utf-8", "|", ["Robin40", "Robin41", "Robin42"]),
    ],
)
def test_spreadsheet_csv_flavours_are_read(name: str, encoding: str, delimiter: str,
                                           names: list[str]) -> None:
    table = read(DATA / name)
    assert (table.encoding, table.delimiter, table.header_row) == (encoding, delimiter, 1)
    given = table.headers.index("given_name") if "given_name" in table.headers else 2
    assert [row.cells[given] for row in table.rows] == names
    assert [row.number for row in table.rows] == [2, 3, 4]


def test_windows_1252_apostrophes_survive() -> None:
    table = read(DATA / "caseload_cp1252.csv")
    family = table.headers.index("family_name")
    assert [row.cells[family] for row in table.rows] == ["O’Neill", "Martín", "D’Arcy"]


def test_title_lines_above_the_header_keep_spreadsheet_row_numbers() -> None:
    table = read(DATA / "caseload_titles.csv")
    assert table.header_row == 3
    assert table.headers[:3] == ["NHS No", "Forename", "Surname"]
    # Row 5 is blank in the file: skipped, but the rows after it keep their numbers.
    assert [row.number for row in table.rows] == [4, 6, 7]


def test_a_quoted_cell_spanning_lines_is_one_row(tmp_path: Path) -> None:
    row = person_row(1, address="1 Mill Lane\nWesthaven")
    path = tmp_path / "multi.csv"
    path.write_bytes(csv_bytes([row, person_row(2)]))
    table = read(path)
    assert [r.number for r in table.rows] == [2, 3]
    assert table.rows[0].cells[CASELOAD_HEADER.index("address")] == "1 Mill Lane\nWesthaven"


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_any_line_ending(tmp_path: Path, newline: str) -> None:
    path = tmp_path / "endings.csv"
    path.write_bytes(csv_bytes([person_row(1), person_row(2)], newline=newline))
    table = read(path)
    assert [row.number for row in table.rows] == [2, 3]
    assert table.rows[1].cells[-1] == "2024-05-01"


def test_xlsx_dates_and_numbers_arrive_as_values(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "export.xlsx", [xlsx_person(1), xlsx_person(2)],
                      CASELOAD_HEADER, title_lines=["Trust caseload", "As at 14 Jan 2027"],
                      other_sheets=["Notes"])
    table = read(path)
    assert (table.format, table.sheet, table.header_row) == ("xlsx", "Caseload", 3)
    assert table.sheets == ["Caseload", "Notes"]
    first = table.rows[0]
    assert first.number == 4
    assert isinstance(first.cells[0], int)
    assert isinstance(first.cells[CASELOAD_HEADER.index("date_of_birth")], datetime)


def _rewrite_sheet(path: Path, change: Callable[[bytes], bytes]) -> Path:
    """The workbook at ``path`` with its first sheet's XML changed, as another writer saves."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["xl/worksheets/sheet1.xml"] = change(members["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_formula_never_worked_out_is_refused_not_read_as_empty(tmp_path: Path) -> None:
    """openpyxl (like other programs) stores a formula with no result: read for values, the
    cell is empty, and an s117 'yes' written as =IF(...) would silently become blank."""
    rows = [xlsx_person(1), xlsx_person(2)]
    rows[1][CASELOAD_HEADER.index("s117")] = '=IF(1=1,"Y","N")'
    path = write_xlsx(tmp_path / "export.xlsx", rows, CASELOAD_HEADER)
    with pytest.raises(InputFileError) as caught:
        read(path)
    column = get_column_letter(CASELOAD_HEADER.index("s117") + 1)
    assert f"formulas whose results were never worked out ({column}3)" in caught.value.message
    assert "save it" in (caught.value.hint or "")
    # Saved by Excel: the result is stored beside the formula (text as t="str", an empty
    # result too) and is what the import reads.
    saved = _rewrite_sheet(path, lambda xml: xml.replace(
        b'<f>IF(1=1,"Y","N")</f><v></v>', b'<f>IF(1=1,"Y","N")</f><v>Y</v>').replace(
        f'<c r="{column}3">'.encode(), f'<c r="{column}3" t="str">'.encode()))
    assert read(saved).rows[1].cells[CASELOAD_HEADER.index("s117")] == "Y"
    empty = _rewrite_sheet(path, lambda xml: xml.replace(b"<v>Y</v>", b"<v></v>"))
    assert read(empty).rows[1].cells[CASELOAD_HEADER.index("s117")] is None


def test_xlsx_dates_in_the_1904_date_system_are_read_as_written(tmp_path: Path) -> None:
    """A workbook from an old Mac Excel counts days from 1904: openpyxl reads its flag."""
    from openpyxl import Workbook
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    workbook = Workbook()
    workbook.epoch = CALENDAR_MAC_1904
    workbook.active.append(CASELOAD_HEADER)
    workbook.active.append(xlsx_person(1))
    workbook.save(tmp_path / "mac.xlsx")
    [row] = read(tmp_path / "mac.xlsx").rows
    assert row.cells[CASELOAD_HEADER.index("date_of_birth")] == datetime(1980, 4, 3)


def test_xlsx_sheet_by_name_and_a_wrong_name_lists_the_sheets(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "export.xlsx", [xlsx_person(1)], CASELOAD_HEADER,
                      sheet="Front", other_sheets=["Summary"])
    assert read(path, sheet="front").sheet == "Front"
    with pytest.raises(InputFileError) as caught:
        read(path, sheet="Caseload")
    assert "no sheet called 'Caseload'" in caught.value.message
    assert "'Front', 'Summary'" in caught.value.message


def test_sheet_is_refused_for_a_csv() -> None:
    with pytest.raises(InputFileError, match="CSV file, which has no sheets"):
        read(DATA / "caseload_mhsds.csv", sheet="Sheet1")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (b"  \r\n\r\n ", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary data"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "Excel 97-2003"),
        (b"PK\x03\x04garbage that is not a zip", "damaged or incomplete"),
        (b"just,some,words\r\nwith,no,header\r\n", "no header row"),
        (b"nhs_number,given_name,family_name,date_of_birth\r\n", "no data rows"),
        (b"nhs_number,given_name\r\n\"9990000018,Robin\r\n" + b"x" * 200_000, "quote mark"),
    ],
)
def test_unusable_files_are_refused_clearly(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputFileError) as caught:
        read(path)
    assert message in str(caught.value)


def test_a_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "sheet.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office/>")
    with pytest.raises(InputFileError, match="OpenDocument"):
        read(path)


def test_a_damaged_workbook(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not really")
    with pytest.raises(InputFileError, match="could not be opened as an Excel workbook"):
        read(path)


def test_limits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.csv"
    path.write_bytes(csv_bytes([person_row(i) for i in range(5)]))
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 100)
    with pytest.raises(InputFileError, match="more than the 0 MB"):
        read(path)
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 10**9)
    monkeypatch.setattr(tabular, "MAX_DATA_ROWS", 2)
    monkeypatch.setattr(tabular, "HEADER_SEARCH_ROWS", 1)
    with pytest.raises(InputFileError, match="more than 2 rows"):
        read(path)


def test_an_oversized_cell_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_bytes(csv_bytes([person_row(1), person_row(2, address="x" * 40_000)]))
    with pytest.raises(InputFileError) as caught:
        read(path)
    assert "row 3, column G" in caught.value.message


@pytest.mark.parametrize("end", ["\r\n", ""])
def test_a_quote_that_never_closes_is_refused_naming_where_it_opened(tmp_path: Path,
                                                                    end: str) -> None:
    # The csv module reads every line after an open quote into its cell, with no error:
    # person 2 and 3 would vanish into person 1's notes.
    lines = [",".join(CASELOAD_HEADER[:4] + ["notes"]),
             "9990000018,Robin,Ashdown,03/04/1980,\"never closed",
             "9990000026,Ash,Birch,04/05/1981,fine",
             "9990000034,Jo,Cedar,05/06/1982,fine"]
    path = tmp_path / "open.csv"
    path.write_text("\r\n".join(lines) + end, encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read(path)
    assert "row 2, column E: a quote mark" in caught.value.message
    assert "never closes" in caught.value.message
    assert "Ash" not in caught.value.message  # the swallowed rows are not repeated back
    # A quote at the very end of the last line is caught as well.
    path.write_text("\r\n".join(lines[:2]), encoding="utf-8")
    with pytest.raises(InputFileError, match="row 2, column E.*the file ends inside it"):
        read(path)


def test_a_stray_quote_that_is_not_left_open_is_read_as_before(tmp_path: Path) -> None:
    path = tmp_path / "stray.csv"
    path.write_text("nhs_number,given_name,family_name,date_of_birth\r\n"
                    '9990000018,"Robin" Lee,Ashdown,03/04/1980\r\n'
                    "9990000026,Ash,Birch,04/05/1981\r\n", encoding="utf-8")
    table = read(path)
    assert [row.cells[1] for row in table.rows] == ["Robin Lee", "Ash"]


def test_a_row_longer_than_a_cell_in_total_is_read(tmp_path: Path) -> None:
    # Three cells of 12,000 characters: under the limit each, over it together, as one cell
    # of a delimiter tried and not chosen.
    path = tmp_path / "notes.csv"
    path.write_text("nhs_number,given_name,family_name,date_of_birth,n1,n2,n3\r\n"
                    "9990000018,Robin,Ashdown,03/04/1980," + ",".join(["x" * 12_000] * 3)
                    + "\r\n", encoding="utf-8")
    table = read(path)
    assert table.delimiter == ","
    assert [len(cell) for cell in table.rows[0].cells[4:]] == [12_000] * 3


def test_too_many_columns(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("nhs_number,given_name," + ",".join(f"c{i}" for i in range(600)) + "\n")
    with pytest.raises(InputFileError, match="at most 500"):
        read(path)


def test_a_missing_file_and_a_folder(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="does not exist"):
        read(tmp_path / "nope.csv")
    with pytest.raises(InputFileError, match="is not a file"):
        read(tmp_path)


def test_column_letters() -> None:
    assert [tabular.column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


# ---------------------------------------------------------------------------------------------
# The shape of a CSV file's lines
# ---------------------------------------------------------------------------------------------


def _lines(tmp_path: Path, text: str) -> tabular.Table:
    path = tmp_path / "lines.csv"
    path.write_text("nhs_number,given_name,family_name,date_of_birth\n" + text)
    return read(path)


def _usual(table: tabular.Table) -> int | None:
    return table.shapes.usual if table.shapes is not None and table.shapes.regular else None


def test_each_line_keeps_its_field_count_and_the_file_its_usual_one(tmp_path: Path) -> None:
    table = _lines(tmp_path, "1,Ann,Lee,\n2,Bo,Ng,01/01/1980\n3,Cy,Ro,\n")
    assert [row.fields for row in table.rows] == [4, 4, 4]
    assert [len(row.cells) for row in table.rows] == [3, 4, 3]  # empty ends still dropped
    assert (_usual(table), table.ragged) == (4, False)
    assert all(table.shape_problem(row) is None for row in table.rows)


def test_a_line_with_a_stray_separator_is_named_for_what_it_did(tmp_path: Path) -> None:
    table = _lines(tmp_path, "1,Ann,Lee,01/01/1980\n2,Bo,Ng,01/01/1980\n"
                             "3,Cy,Ro,Jr,01/01/1980\n4,Di,Ma,01/01/1980\n")
    assert _usual(table) == 4
    problem = table.shape_problem(table.rows[2])
    assert problem is not None
    assert "5 fields where the file's lines have 4" in problem
    assert "comma inside a cell without quotes" in problem
    assert [table.shape_problem(row) for row in table.rows].count(None) == 3


def test_extra_empty_fields_at_a_lines_end_are_harmless(tmp_path: Path) -> None:
    table = _lines(tmp_path, "1,Ann,Lee,01/01/1980\n2,Bo,Ng,01/01/1980,,\n3,Cy,Ro,01/01/1980\n")
    assert table.rows[1].fields == 6
    assert table.shape_problem(table.rows[1]) is None


def test_a_record_broken_by_a_line_break_is_known_by_its_pieces(tmp_path: Path) -> None:
    good = "".join(f"{n},Di,Ma,01/01/1980\n" for n in range(3, 30))
    table = _lines(tmp_path, "1,Ann,Lee,01/01/1980\n2,Bo,N\ng,01/01/1980\n" + good + "Total 29\n")
    assert [row.fields for row in table.rows][:4] == [4, 3, 2, 4]
    assert _usual(table) == 4  # three odd lines in 30: a regular file with broken lines
    cut, rest = (table.shape_problem(row) for row in table.rows[1:3])
    assert cut is not None and "cut it short after column C (family_name)" in cut
    assert "the rest is row 4" in cut
    assert rest is not None and "the rest of row 3" in rest
    total = table.shape_problem(table.rows[-1])
    assert total is not None and "a note or a totals line" in total


def test_a_line_cut_off_in_a_regular_file_says_where_it_ends(tmp_path: Path) -> None:
    good = "".join(f"{n},Di,Ma,01/01/1980\n" for n in range(2, 30))
    table = _lines(tmp_path, good + "1,Ann\n")
    problem = table.shape_problem(table.rows[-1])
    assert problem is not None and "ends after column B (given_name)" in problem


def test_a_file_whose_lines_never_agreed_is_ragged_and_not_judged(tmp_path: Path) -> None:
    # A writer that leaves off empty fields at a line's end: short lines are normal.
    table = _lines(tmp_path, "1,Ann\n2,Bo,Ng\n3,Cy,Ro,01/01/1980\n4\n5,Ed\n7,Fi,Ray\n")
    assert (_usual(table), table.ragged) == (None, True)
    assert all(table.shape_problem(row) is None for row in table.rows)


def test_even_in_a_ragged_file_a_pushed_line_is_found(tmp_path: Path) -> None:
    table = _lines(tmp_path, "1,Ann\n2,Bo,Ng\n3,Cy,Ro,01/01/1980\n4,Di,Ma\nrie,01/01/1980\n"
                             "5,Ed,Ng,Jr,01/01/1980\n6\n")
    assert table.ragged
    problems = [table.shape_problem(row) for row in table.rows]
    assert problems[5] is not None and "moved the values after it" in problems[5]
    assert "5 fields where the header line has 4" in problems[5]
    # Short lines are normal here, and two of them adding up to a whole line prove nothing.
    assert problems[:5] + problems[6:] == [None] * 6


def test_a_workbook_has_no_field_counts_to_judge(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "book.xlsx", [xlsx_person(0), xlsx_person(1)[:5]],
                      CASELOAD_HEADER)
    table = read(path)
    assert (table.shapes, table.ragged) == (None, False)
    assert [row.fields for row in table.rows] == [0, 0]
    assert all(table.shape_problem(row) is None for row in table.rows)
