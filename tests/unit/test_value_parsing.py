"""Values read as what they mean, or refused saying why: a decimal comma in a staff list, a
date column written month first, a two-digit year with the month in words, a date of birth
too young for an adult caseload, and the words for Excel's day numbers, a letter for a digit,
an unreadable leaving date and Excel's text apostrophe before an NHS number."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from tests.conftest import ACTOR, TODAY
from tests.factories import nhs_number
from tests.importing import person_row, staff_row, write_csv
from transition.columns import CASELOAD_BY_NAME, STAFF_BY_NAME
from transition.db import Database
from transition.importer import ImportOptions, ImportResult, import_file
from transition.models import Person, Staff
from transition.validation import Bad, CellReader, header_date_order

READER = CellReader(today=TODAY, names={})  # 15 January 2027


def read(column: str, cell: Any, *, staff: bool = False, month_first: bool = False) -> Any:
    columns = STAFF_BY_NAME if staff else CASELOAD_BY_NAME
    return READER.reader(columns[column], month_first=month_first)(cell)


def refusal(column: str, cell: Any, *, staff: bool = False, month_first: bool = False) -> Bad:
    with pytest.raises(Bad) as caught:
        read(column, cell, staff=staff, month_first=month_first)
    return caught.value


def run(database: Database, path: Path, kind: str = "caseload") -> ImportResult:
    with database.transaction() as session:
        return import_file(session, path, kind, ImportOptions(), actor=ACTOR, today=TODAY)


def errors(result: ImportResult) -> dict[int, list[tuple[str, str]]]:
    return {reject.row: reject.errors for reject in result.rejects}


# ---------------------------------------------------------------------------------------------
# 1. A decimal comma
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "expected"), [
    ("0,5", 0.5), ("0,6", 0.6), ("1,0", 1.0), (",5", 0.5), ("1,000", 1.0),  # never thousands
    ("0.8", 0.8), ("1", 1.0), ("1.5", 1.5), (0.5, 0.5),
])
def test_a_comma_in_an_fte_is_a_decimal_comma(cell: Any, expected: float) -> None:
    assert read("fte", cell, staff=True) == expected


@pytest.mark.parametrize(("cell", "said"), [
    ("37.5", "if it is hours a week, divide by the full-time hours"),
    ("80", "if a percentage, divide by 100"),
    ("1.6", "more than 1.5, which is no one's FTE"),
    ("-0,5", "negative; FTE is more than 0"),
    ("1,000.5", "write it with a decimal point"),
])
def test_an_implausible_fte_is_rejected_saying_what_it_may_be(cell: str, said: str) -> None:
    bad = refusal("fte", cell, staff=True)
    assert said in bad.shown and not bad.warning


def test_an_fte_of_0_is_kept_with_a_warning() -> None:
    bad = refusal("fte", "0", staff=True)
    assert bad.warning and bad.value == 0.0
    assert "no hours" in bad.shown and "correct it if they work" in bad.shown


@pytest.mark.parametrize(("cell", "expected"), [
    ("1,200", 1200), ("12,000", 12000), ("12,0", 12), ("12", 12),
])
def test_a_comma_in_a_whole_number_separates_thousands_only_before_three_digits(
    cell: str, expected: int
) -> None:
    assert read("capacity", cell, staff=True) == expected


@pytest.mark.parametrize("cell", ["1,5", "2,25"])
def test_a_capacity_with_a_decimal_comma_is_not_a_whole_number(cell: str) -> None:
    bad = refusal("capacity", cell, staff=True)
    assert bad.shown.startswith("not a whole number (read as ")
    assert "decimal comma" in bad.shown


def test_a_semicolon_staff_list_with_decimal_commas_is_read_as_written(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "fte.csv"
    path.write_text("staff_id;given_name;family_name;employer;role;fte;capacity\n"
                    "A1;Ann;Amhp;council;amhp;0,5;0\n"
                    "A2;Bo;Amhp;council;amhp;0,6;0\n"
                    "S1;Cy;Sw;council;social_worker;1,0;12\n"
                    "S2;Di;Sw;council;social_worker;0.8;1,5\n", encoding="utf-8")
    result = run(database, path, "staff")
    assert (result.inserted, result.rejected) == (3, 1)
    why = ("not a whole number (read as 1.5: a comma is a decimal comma unless three digits "
           "follow it, as in 1,200)")
    assert errors(result) == {5: [("capacity", why)]}
    with database.session() as session:
        stored = {staff.staff_id: (staff.fte, staff.capacity)
                  for staff in session.exec(select(Staff))}
    assert stored == {"A1": (0.5, 0), "A2": (0.6, 0), "S1": (1.0, 12)}


# ---------------------------------------------------------------------------------------------
# 2. Month first: a column's other dates, and a header that says so
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "order"), [
    ("DOB (mm/dd/yyyy)", "month first"), ("Date of birth (MM/DD/YY)", "month first"),
    ("Last contact m/d/yy", "month first"), ("DOB [mm-dd-yyyy]", "month first"),
    ("DOB (dd/mm/yyyy)", "day first"), ("Date of Birth (DD.MM.YY)", "day first"),
    ("DOB", None), ("date_of_birth", None), ("DOB (mm/dd/yyyy or dd/mm/yyyy)", None),
    ("Commitment date", None), (None, None),
])
def test_a_header_says_how_its_dates_are_written(header: str | None, order: str | None) -> None:
    assert header_date_order(header) == order


def test_a_column_said_to_be_month_first_is_read_month_first() -> None:
    assert read("date_of_birth", "02/13/1980", month_first=True) == date(1980, 2, 13)
    assert read("date_of_birth", "03/04/1975", month_first=True) == date(1975, 3, 4)
    assert read("date_of_birth", "3/4/75", month_first=True) == date(1975, 3, 4)
    assert read("date_of_birth", "1975-04-03", month_first=True) == date(1975, 4, 3)  # ISO
    bad = refusal("date_of_birth", "13/02/1980", month_first=True)
    assert "it looks day-first; the column's header says month first" in bad.shown


def _us_rows(dates: list[str]) -> list[dict[str, Any]]:
    return [person_row(i, date_of_birth=born) for i, born in enumerate(dates)]


def test_dates_that_read_either_way_are_held_back_in_a_column_with_month_first_dates(
    database: Database, tmp_path: Path
) -> None:
    dates = ["02/13/1980", "03/04/1975", "12/25/1960", "05/05/1975", "25/12/1960", "06/07/1990"]
    result = run(database, write_csv(tmp_path / "us.csv", _us_rows(dates)))
    assert (result.inserted, result.rejected) == (2, 4)
    by_row = errors(result)
    assert sorted(by_row) == [2, 3, 4, 7]
    assert "looks month-first" in by_row[2][0][1]
    held = by_row[3]
    assert held == by_row[7] and held[0][0] == "date_of_birth"
    assert held[0][1].startswith("held back: rows 2 and 4 of this column are written month "
                                 "first (MM/DD/YYYY)")
    assert "say so in its header ('date_of_birth (mm/dd/yyyy)')" in held[0][1]
    assert "03/04/1975" not in held[0][1]  # what is shown never quotes a date of birth
    with database.session() as session:
        born = {person.nhs_number: person.date_of_birth for person in session.exec(select(Person))}
    # The same day either way round, and a date that can only be day first.
    assert born == {nhs_number(3): date(1975, 5, 5), nhs_number(4): date(1960, 12, 25)}


def test_a_column_with_no_month_first_date_is_read_day_first_as_before(
    database: Database, tmp_path: Path
) -> None:
    result = run(database, write_csv(tmp_path / "uk.csv",
                                     _us_rows(["03/04/1975", "25/12/1960", "31/02/1980"])))
    assert (result.inserted, result.rejected) == (2, 1)
    with database.session() as session:
        stored = session.exec(select(Person).where(Person.nhs_number == nhs_number(0))).one()
        assert stored.date_of_birth == date(1975, 4, 3)


def test_a_header_saying_month_first_is_honoured_and_the_import_says_so(
    database: Database, tmp_path: Path
) -> None:
    rows = _us_rows(["02/13/1980", "03/04/1975", "12/25/1960"])
    header = [("DOB (mm/dd/yyyy)" if name == "date_of_birth" else name) for name in rows[0]]
    result = run(database, write_csv(tmp_path / "us.csv", rows, header=header))
    assert (result.inserted, result.rejected) == (3, 0)
    assert ("Dates in column 'DOB (mm/dd/yyyy)' were read month first (MM/DD/YYYY), as its "
            "header says.") in result.notices
    with database.session() as session:
        born = {person.nhs_number: person.date_of_birth for person in session.exec(select(Person))}
    assert born == {nhs_number(0): date(1980, 2, 13), nhs_number(1): date(1975, 3, 4),
                    nhs_number(2): date(1960, 12, 25)}


def test_a_day_first_date_under_a_month_first_header_holds_back_the_ambiguous_ones(
    database: Database, tmp_path: Path
) -> None:
    rows = _us_rows(["13/02/1980", "03/04/1975", "12/25/1960"])
    header = [("DOB (MM/DD/YYYY)" if name == "date_of_birth" else name) for name in rows[0]]
    result = run(database, write_csv(tmp_path / "mixed.csv", rows, header=header))
    assert (result.inserted, result.rejected) == (1, 2)
    assert errors(result)[3] == [("date_of_birth", (
        "held back: the column's header says month first, but row 2 is written day first, so "
        "this date, which reads either way round (day and month both 12 or under), is not "
        "guessed: correct those rows, or the header, and import the file again"))]


def test_leaving_dates_that_read_either_way_are_held_back_too(
    database: Database, tmp_path: Path
) -> None:
    rows = [staff_row(1, leaving_date="12/25/2027"), staff_row(2, leaving_date="03/04/2027"),
            staff_row(3, leaving_date="25/12/2027")]
    result = run(database, write_csv(tmp_path / "staff.csv", rows), "staff")
    assert (result.inserted, result.rejected) == (1, 2)
    (column, message), = errors(result)[3]
    assert column == "leaving_date" and message.startswith("held back: row 2 of this column")


def test_saying_month_first_in_the_header_rereads_the_same_cells(
    database: Database, tmp_path: Path
) -> None:
    rows = _us_rows(["03/04/1975"])
    run(database, write_csv(tmp_path / "a.csv", rows))
    header = [("DOB (mm/dd/yyyy)" if name == "date_of_birth" else name) for name in rows[0]]
    again = run(database, write_csv(tmp_path / "b.csv", rows, header=header))
    assert again.updated == 1
    with database.session() as session:
        stored = session.exec(select(Person).where(Person.nhs_number == nhs_number(0))).one()
        assert stored.date_of_birth == date(1975, 3, 4)


# ---------------------------------------------------------------------------------------------
# 3. Two-digit years with the month in words
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cell", "expected"), [
    ("1 Feb 70", date(1970, 2, 1)), ("01-Feb-70", date(1970, 2, 1)),  # Excel's dd-mmm-yy
    ("1/2/70", date(1970, 2, 1)), ("01-Feb-56", date(1956, 2, 1)),
    ("1 Feb 45", date(1945, 2, 1)),  # the import's date decides, not the computer's clock
    ("3 Apr 1980", date(1980, 4, 3)), ("1 Feb 70 12:00", date(1970, 2, 1)),
])
def test_a_two_digit_year_with_the_month_in_words_follows_the_figures_rule(
    cell: str, expected: date
) -> None:
    assert read("date_of_birth", cell) == expected


def test_a_two_digit_year_in_words_elsewhere_may_be_ahead() -> None:
    assert read("last_contact", "1 Nov 26") == date(2026, 11, 1)
    assert read("leaving_date", "31 Mar 27", staff=True) == date(2027, 3, 31)
    assert read("leaving_date", "31-Mar-45", staff=True) == date(2045, 3, 31)  # within 20 years
    assert read("leaving_date", "31-Mar-56", staff=True) == date(1956, 3, 31)


# ---------------------------------------------------------------------------------------------
# 4. A date of birth too young for the caseload
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["01/02/2026", "14/01/2027", "16/01/2013", "1 Feb 2020"])
def test_a_date_of_birth_under_14_is_rejected(cell: str) -> None:
    bad = refusal("date_of_birth", cell)
    assert not bad.warning
    assert bad.shown.startswith("date of birth gives an age under 14 on the import's date "
                                "(15/01/2027): no adult mental health service, nor early "
                                "intervention (from 14), holds a child that young")
    assert cell not in bad.shown and "write the year in full" not in bad.shown


def test_a_two_digit_year_read_as_a_child_says_it_may_mean_the_1900s() -> None:
    # The pivot still reads '14/01/27' as yesterday: a date of birth is never in the future.
    assert READER.date("14/01/27", past_only=True) == date(2027, 1, 14)
    bad = refusal("date_of_birth", "14/01/27")
    assert "gives an age of 0" in bad.message
    assert "read as 2027: if 1927 was meant, write the year in full" in bad.message
    assert "if the 1900s were meant, write the year in full" in bad.shown
    assert "1927" not in bad.shown


@pytest.mark.parametrize(("cell", "expected"), [
    ("15/01/2013", date(2013, 1, 15)),  # 14 today: early intervention
    ("01/02/2010", date(2010, 2, 1)),
    ("01/02/10", date(2010, 2, 1)),
])
def test_a_date_of_birth_of_14_to_17_is_kept_with_a_warning(cell: str, expected: date) -> None:
    bad = refusal("date_of_birth", cell)
    assert bad.warning and bad.value == expected
    assert bad.shown.startswith("date of birth gives an age under 18")
    assert "early intervention" in bad.shown
    assert ("1910 was meant" in bad.message) is (cell == "01/02/10")


def test_an_adult_date_of_birth_is_no_warning() -> None:
    assert read("date_of_birth", "15/01/2009") == date(2009, 1, 15)  # 18 today


def test_young_dates_of_birth_name_the_row_and_column(database: Database, tmp_path: Path) -> None:
    rows = [person_row(0, date_of_birth="01/02/26"), person_row(1, date_of_birth="01/02/10"),
            person_row(2)]
    result = run(database, write_csv(tmp_path / "young.csv", rows))
    assert (result.inserted, result.rejected) == (2, 1)
    assert errors(result)[2][0][0] == "date_of_birth"
    warned = [(warning.row, warning.column) for warning in result.warning_list]
    assert warned == [(3, "date_of_birth")]


# ---------------------------------------------------------------------------------------------
# 5. Clearer words
# ---------------------------------------------------------------------------------------------


def test_an_excel_day_number_in_a_csv_date_column_says_so_and_how_to_fix_it() -> None:
    bad = refusal("date_of_birth", "29221")
    assert bad.shown.startswith("looks like an Excel day number, not a date")
    assert "format the column as a date (Format Cells, Date) before saving as CSV" in bad.shown
    assert bad.message.endswith("(Excel's day 29221 is 01/01/1980)")
    assert "1980" not in bad.shown
    assert "Excel day number" in refusal("last_contact", "45689.5").shown


@pytest.mark.parametrize(("cell", "letter"), [
    ("01/02/2O26", "the letter O where a digit, 0 (zero), is expected"),
    ("O1/02/2026", "the letter O where a digit, 0 (zero), is expected"),
    ("2026-02-l5", "the letter l where a digit, 1 (one), is expected"),
])
def test_a_letter_for_a_digit_is_named(cell: str, letter: str) -> None:
    bad = refusal("last_contact", cell)
    assert bad.shown == f"not a date: it has {letter}: type the digit"
    assert "day first or month first" not in bad.message


def test_an_unreadable_leaving_date_says_why_the_worker_is_held_back(
    database: Database, tmp_path: Path
) -> None:
    rows = [staff_row(1, leaving_date="46477"), staff_row(2, leaving_date="31/03/2027")]
    result = run(database, write_csv(tmp_path / "staff.csv", rows), "staff")
    assert (result.inserted, result.rejected) == (1, 1)
    (column, message), = errors(result)[2]
    assert column == "leaving_date"
    assert message.startswith("looks like an Excel day number")
    assert message.endswith("; the worker's row is held back, as a wrong leaving date would give "
                            "people to a worker who has gone, or keep them from one who stays: "
                            "correct the date, or empty the cell if no leaving date is known")


def test_excels_text_apostrophe_before_an_nhs_number_is_dropped(
    database: Database, tmp_path: Path
) -> None:
    number = nhs_number(0)
    assert read("nhs_number", f"'{number}") == number
    assert read("nhs_number", f"'{number[:3]} {number[3:6]} {number[6:]}") == number
    assert "Modulus 11" in refusal("nhs_number", f"'{number[:9]}{(int(number[9]) + 1) % 10}").shown
    result = run(database, write_csv(tmp_path / "quoted.csv",
                                     [person_row(0, nhs_number=f"'{number}")]))
    assert (result.inserted, result.rejected) == (1, 0)


def test_one_slip_in_a_clearly_day_first_column_holds_back_only_itself(
    database: Database, tmp_path: Path
) -> None:
    """Twenty dates that can only be day first and one written month first: the column is day
    first, the one is a slip (rejected), and the dates that read either way are imported."""
    clearly = [f"{day}/04/1970" for day in range(13, 33) if day <= 30]  # 13/04 .. 30/04: 18
    clearly += ["31/05/1970", "31/07/1970"]
    dates = [*clearly, "02/13/1980", "03/04/1975"]
    result = run(database, write_csv(tmp_path / "uk.csv", _us_rows(dates)))
    assert (result.inserted, result.rejected) == (21, 1)
    assert sorted(errors(result)) == [len(clearly) + 2]  # the slip's own row only
    with database.session() as session:
        stored = session.exec(select(Person).where(
            Person.nhs_number == nhs_number(len(dates) - 1))).one()
        assert stored.date_of_birth == date(1975, 4, 3)
