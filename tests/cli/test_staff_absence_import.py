"""`transition import staff` reads a planned absence's first day (``absent_from``) under the
names staff lists give it, and rejects a row whose absence starts after it ends."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select

from tests.conftest import RunCli
from tests.importing import staff_row, write_csv
from transition.db import Database
from transition.models import Staff


def _header(alias: str) -> list[str]:
    header = list(staff_row(0))
    header[header.index("absent_until")] = "Absent Until"
    return [*header, alias]


@pytest.mark.parametrize("alias", ["Absent From", "Absence Start", "Absence Start Date",
                                   "LTA From", "Off From", "Long Term Absence From",
                                   "absent_from"])
def test_the_first_day_is_read_under_each_name(run_cli: RunCli, database: Database,
                                                tmp_path: Path, alias: str) -> None:
    rows = [staff_row(1, absent_until="30/09/2027", absent_from="01/05/2027"),
            staff_row(2, absent_from="01/05/2027"),  # no return date
            staff_row(3)]
    path = write_csv(tmp_path / "staff.csv", rows, header=_header(alias))
    result = run_cli("import", "staff", path, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["columns"][alias] == "absent_from"
    with database.session() as session:
        stored = {staff.staff_id: (staff.absent_from, staff.absent_until)
                  for staff in session.exec(select(Staff))}
    assert stored == {"S001": (date(2027, 5, 1), date(2027, 9, 30)),
                      "S002": (date(2027, 5, 1), None), "S003": (None, None)}


def test_a_start_after_the_end_is_rejected_naming_the_row_and_column(
    run_cli: RunCli, database: Database, tmp_path: Path,
) -> None:
    rows = [staff_row(1, absent_until="30/09/2027", absent_from="01/05/2027"),
            staff_row(2, absent_until="30/04/2027", absent_from="01/05/2027"),
            staff_row(3, absent_until="01/05/2027", absent_from="01/05/2027")]  # one day
    path = write_csv(tmp_path / "staff.csv", rows, header=_header("Absence Start"))
    data = run_cli("import", "staff", path, "--json").json()
    assert (data["inserted"], data["rejected"]) == (2, 1)
    assert data["rejects"] == [{"row": 3, "staff_id": "S002", "errors": [{
        "column": "absent_from",
        "message": "the absence starts (absent_from) after it ends (absent_until): correct one "
                   "of the dates"}]}]
    text = run_cli("import", "staff", path)
    assert text.exit_code == 1 and "Traceback" not in text.output
    assert "staff.csv" in text.output and "absent_from: the absence starts" in text.output
    # The rejects file (owner-only) says which dates.
    rejects = Path(data["rejects_path"]).read_text(encoding="utf-8-sig")
    assert "the absence starts (2027-05-01) after it ends (2027-04-30)" in rejects


def test_a_staff_list_without_the_column_reimports_unchanged(run_cli: RunCli,
                                                            tmp_path: Path) -> None:
    path = write_csv(tmp_path / "staff.csv", [staff_row(1), staff_row(2)])
    assert run_cli("import", "staff", path).exit_code == 0
    again = run_cli("import", "staff", path, "--json").json()
    assert (again["unchanged"], again["updated"]) == (2, 0)
