"""A staff list that leaves out a worker who still coordinates people says so, with how many.

Found by a review: the import said only "1 worker on the database is not in this file", and
the person's record still named the coordinator as if nothing had changed.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import RunCli
from tests.factories import nhs_number
from tests.importing import person_row, staff_row, write_csv


def _import_world(run_cli: RunCli, tmp_path: Path) -> None:
    staff = [staff_row(1), staff_row(2)]
    assert run_cli("import", "staff", write_csv(tmp_path / "staff.csv", staff)).exit_code == 0
    people = [person_row(0, care_coordinator_id="S001"), person_row(1, care_coordinator_id="S001"),
              person_row(2, care_coordinator_id="S002")]
    assert run_cli("import", "caseload",
                   write_csv(tmp_path / "caseload.csv", people)).exit_code == 0


def test_a_worker_left_off_says_how_many_people_they_coordinate(
        run_cli: RunCli, tmp_path: Path) -> None:
    _import_world(run_cli, tmp_path)
    result = run_cli("import", "staff", write_csv(tmp_path / "fewer.csv", [staff_row(2)]))
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "1 worker on the database is not in this file" in said
    assert "They hold or coordinate 2 people in the caseload" in said
    assert "`transition check` lists them" in said
    # The person's record marks the coordinator as gone from the list.
    record = " ".join(run_cli("person", nhs_number(0)).output.split())
    assert "(S001) not on the latest staff list" in record
    assert "not on the latest staff list" not in " ".join(
        run_cli("person", nhs_number(2)).output.split())


def test_a_worker_left_off_who_coordinates_no_one_gets_the_plain_note(
        run_cli: RunCli, tmp_path: Path) -> None:
    _import_world(run_cli, tmp_path)
    staff = [staff_row(1), staff_row(2), staff_row(3)]
    assert run_cli("import", "staff", write_csv(tmp_path / "more.csv", staff)).exit_code == 0
    result = run_cli("import", "staff", write_csv(tmp_path / "again.csv", staff[:2]))
    said = " ".join(result.output.split())
    assert "1 worker on the database is not in this file" in said
    assert "hold or coordinate" not in said
