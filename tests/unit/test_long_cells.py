"""A CSV cell longer than the csv module reads (``csv.field_size_limit()``, 131,072
characters): one very long value is told apart from a quote mark left open, and each is
refused naming the row and column, with advice that fits it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.conftest import RunCli
from transition.columns import CASELOAD_COLUMNS
from transition.errors import InputFileError
from transition.headers import header_scorer
from transition.tabular import read_table

SCORE = header_scorer(CASELOAD_COLUMNS, {})
HEADER = "nhs_number,given_name,family_name,date_of_birth\r\n"
GOOD = "9990000026,Bob,Birch,04/05/1981\r\n"
LONG = "x" * (csv.field_size_limit() + 10)


def refusal(tmp_path: Path, text: str) -> InputFileError:
    path = tmp_path / "caseload.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        read_table(path, score=SCORE)
    return caught.value


@pytest.mark.parametrize(("text", "where"), [
    (HEADER + f"9990000018,Ann,{LONG},03/04/1980\r\n", "row 2, column C"),
    # Later rows, a quoted cell before it on the same row, and a semicolon file.
    (HEADER + GOOD * 3 + f'9990000018,"Ann, Jo",Ash,{LONG}\r\n' + GOOD, "row 5, column D"),
    ((HEADER + GOOD).replace(",", ";") + f"9990000018;{LONG};Ash;03/04/1980\r\n",
     "row 3, column B"),
    # In quotes, but on one line and closed: a long value too.
    (HEADER + f'9990000018,Ann,"{LONG}",03/04/1980\r\n', "row 2, column C"),
], ids=["unquoted", "after-a-quoted-cell", "semicolons", "quoted-on-one-line"])
def test_one_long_value_names_its_row_and_column_and_no_quote_mark(
        tmp_path: Path, text: str, where: str) -> None:
    error = refusal(tmp_path, text)
    assert f"caseload.csv {where} is longer than 131,072 characters" in error.message
    assert "not a quote mark left open" in error.message
    assert "Nothing was imported" in error.message
    assert error.hint is not None and "shorten or empty that cell" in error.hint
    assert "never closes" not in str(error) and "field limit" not in str(error)
    assert "xxxx" not in str(error)  # the cell is never quoted back


def test_a_quote_left_open_over_a_long_file_is_named_where_it_opened(tmp_path: Path) -> None:
    error = refusal(tmp_path, HEADER + '9990000018,"Ann,Ash,03/04/1980\r\n' + GOOD * 6_000)
    assert "caseload.csv row 2, column B: a quote mark (\") opens a cell there and never closes"\
        in error.message
    assert error.hint is not None and "Close the quote" in error.hint
    assert "Bob" not in str(error)


def test_a_stray_quote_closed_by_another_lines_later_is_named_as_a_quote(
        tmp_path: Path) -> None:
    error = refusal(tmp_path, HEADER + '9990000018,"Ann,Ash,03/04/1980\r\n' + GOOD * 6_000
                    + '9990000034,Jo",Cedar,05/06/1982\r\n' + GOOD)
    assert "caseload.csv row 2, column B: a quote mark (\") opens a cell there that runs on " \
        "over 6,002 lines" in error.message
    assert error.hint is not None and "Close the quote where that cell should end" in error.hint
    assert "Bob" not in str(error)


def test_a_cell_over_a_spreadsheets_limit_on_one_line_is_not_blamed_on_a_quote(
        tmp_path: Path) -> None:
    """Between 32,767 and 131,072 characters the csv module reads it, and transition refuses
    it: the advice fits a long value too."""
    error = refusal(tmp_path, HEADER + f"9990000018,Ann,{'x' * 40_000},03/04/1980\r\n")
    assert "row 2, column C holds 40,000 characters" in error.message
    assert error.hint is not None and "quote" not in error.hint
    error = refusal(tmp_path, HEADER + '9990000018,"Ann,Ash,03/04/1980\r\n' + GOOD * 1_500
                    + '9990000034,Jo",Cedar,05/06/1982\r\n')
    assert "row 2, column B holds" in error.message
    assert error.hint is not None and "A quote mark" in error.hint


def test_the_import_command_says_so_and_writes_nothing(run_cli: RunCli,
                                                       tmp_path: Path) -> None:
    path = tmp_path / "huge.csv"
    path.write_text(HEADER + GOOD + f"9990000018,Ann,{LONG},03/04/1980\r\n", encoding="utf-8")
    result = run_cli("import", "caseload", path)
    said = " ".join(result.stderr.split())
    assert result.exit_code == 2
    assert "huge.csv row 3, column C is longer than 131,072 characters" in said
    assert "Traceback" not in result.output and "field limit" not in said
    people = run_cli("people", "--json")
    assert people.exit_code != 0 or people.json() == []
