"""`transition import` on the messy exports a reviewer found: a semicolon staff list with
decimal commas, a caseload with month-first dates, two-digit years in words and a child's
date of birth. Each row is imported as written or rejected naming its row and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlmodel import select

from tests.conftest import RunCli
from tests.factories import nhs_number
from transition.db import Database
from transition.models import Person, Staff


def test_a_staff_list_with_decimal_commas(run_cli: RunCli, database: Database,
                                          tmp_path: Path) -> None:
    path = tmp_path / "fte.csv"
    path.write_text("staff_id;given_name;family_name;employer;role;fte;capacity\n"
                    "A1;Ann;Amhp;council;amhp;0,5;0\n"
                    "S1;Cy;Sw;council;social_worker;1,0;12\n"
                    "S2;Di;Sw;council;social_worker;0.8;1,5\n"
                    "S3;Ed;Sw;council;social_worker;37,5;20\n", encoding="utf-8")
    data = run_cli("import", "staff", path, "--json").json()
    assert (data["inserted"], data["rejected"]) == (2, 2)
    rejects = {reject["row"]: reject["errors"] for reject in data["rejects"]}
    assert rejects[4][0]["column"] == "capacity"
    assert rejects[4][0]["message"].startswith("not a whole number (read as 1.5")
    assert rejects[5][0]["column"] == "fte"
    assert "if it is hours a week, divide by the full-time hours" in rejects[5][0]["message"]
    with database.session() as session:
        stored = {staff.staff_id: (staff.fte, staff.capacity)
                  for staff in session.exec(select(Staff))}
    assert stored == {"A1": (0.5, 0), "S1": (1.0, 12)}


def test_a_caseload_with_month_first_and_worded_dates(run_cli: RunCli, database: Database,
                                                      tmp_path: Path) -> None:
    numbers = [nhs_number(i) for i in range(6)]
    path = tmp_path / "us.csv"
    path.write_text(
        "nhs_number,given_name,family_name,date_of_birth,last_contact\n"
        f"'{numbers[0]},Ann,Able,02/13/1980,1 Nov 26\n"  # Excel's text apostrophe: dropped
        f"{numbers[1]},Ben,Bell,03/04/1975,01-Nov-26\n"
        f"{numbers[2]},Cy,Cole,01-Feb-70,\n"
        f"{numbers[3]},Di,Dale,01/02/26,\n"
        f"{numbers[4]},Ed,Eve,01/02/2O26,\n"
        f"{numbers[5]},Fi,Fox,29221,\n", encoding="utf-8")
    result = run_cli("import", "caseload", path)
    assert result.exit_code == 1 and "Traceback" not in result.output
    shown = " ".join(result.output.split())  # the table wraps its cells
    assert "date_of_birth: not a real date (it looks month-first" in shown
    assert "date_of_birth: held back: row 2 of this column is written month first" in shown
    assert "date_of_birth: date of birth gives an age under 14" in shown
    assert "date_of_birth: not a date: it has the letter O where a digit" in shown
    assert "date_of_birth: looks like an Excel day number" in shown
    assert "1970" not in shown and "02/13/1980" not in shown  # no date of birth is shown
    assert "day first or month first" not in shown
    with database.session() as session:
        people = {person.nhs_number: person.date_of_birth
                  for person in session.exec(select(Person))}
    assert people == {numbers[2]: date(1970, 2, 1)}


def test_a_header_that_says_month_first(run_cli: RunCli, database: Database,
                                        tmp_path: Path) -> None:
    path = tmp_path / "us.csv"
    path.write_text(
        "nhs_number,given_name,family_name,Date of birth (MM/DD/YYYY)\n"
        f"{nhs_number(0)},Ann,Able,02/13/1980\n"
        f"{nhs_number(1)},Ben,Bell,03/04/1975\n", encoding="utf-8")
    data = run_cli("import", "caseload", path, "--json").json()
    assert (data["inserted"], data["rejected"]) == (2, 0)
    assert ("Dates in column 'Date of birth (MM/DD/YYYY)' were read month first (MM/DD/YYYY), "
            "as its header says.") in data["notices"]
    with database.session() as session:
        people = {person.nhs_number: person.date_of_birth
                  for person in session.exec(select(Person))}
    assert people == {nhs_number(0): date(1980, 2, 13), nhs_number(1): date(1975, 3, 4)}
