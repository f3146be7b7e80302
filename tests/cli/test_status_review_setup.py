"""`transition status` before anything is imported says what to do next (status review).

A manager who has just set the transfer date and runs `status` (or a cron e-mail that does)
was told nothing was wrong (exit 0) and, of the next steps, only to generate tasks and run the
nightly check: neither can do anything before the staff list and the caseload are in."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import RunCli
from tests.importing import person_row, staff_row, write_csv

IMPORT_BOTH = ("nothing has been imported yet: import the staff list (transition import staff "
               "FILE), then the trust's caseload export (transition import caseload FILE)")


def _said(text: str) -> str:
    return " ".join(text.split())


def test_a_transfer_date_and_nothing_imported_says_what_to_do_next(run_cli: RunCli) -> None:
    assert run_cli("programme", "set", "--transfer-date", "2027-04-01").exit_code == 0
    result = run_cli("status")
    said = _said(result.stdout)
    assert result.exit_code == 1, result.output
    assert f"Needs attention: {IMPORT_BOTH}." in said
    assert ("Next import the staff list: transition import staff FILE; then import the "
            "trust's caseload export: transition import caseload FILE") in said
    assert "transition tasks generate" not in said  # nothing to generate tasks for yet
    data = run_cli("status", "--json").json()
    assert data["attention"] == [IMPORT_BOTH]
    assert data["next_steps"] == [
        "import the staff list: transition import staff FILE",
        "import the trust's caseload export: transition import caseload FILE"]


def test_without_a_transfer_date_the_next_steps_start_there(run_cli: RunCli) -> None:
    result = run_cli("status")
    said = _said(result.stdout)
    assert result.exit_code == 1
    assert "Needs attention: no transfer date is set." in said  # the first step only
    assert ("Next set the transfer date: transition programme set --transfer-date DATE; then "
            "import the staff list: transition import staff FILE; then import the trust's "
            "caseload export: transition import caseload FILE") in said


def test_a_staff_list_without_a_caseload_asks_for_the_caseload(run_cli: RunCli,
                                                               tmp_path: Path) -> None:
    run_cli("programme", "set", "--transfer-date", "2027-04-01")
    staff = write_csv(tmp_path / "staff.csv", [staff_row(1)])
    assert run_cli("import", "staff", staff).exit_code == 0
    result = run_cli("status")
    said = _said(result.stdout)
    assert result.exit_code == 1
    assert ("Needs attention: no caseload has been imported yet: import the trust's caseload "
            "export (transition import caseload FILE).") in said
    assert "Next import the trust's caseload export: transition import caseload FILE" in said
    assert "staff list" not in said.split("Next", 1)[1]


def test_a_caseload_file_that_imported_no_one_says_why_to_look(run_cli: RunCli,
                                                               tmp_path: Path) -> None:
    run_cli("programme", "set", "--transfer-date", "2027-04-01")
    run_cli("import", "staff", write_csv(tmp_path / "staff.csv", [staff_row(1)]))
    bad = write_csv(tmp_path / "export.csv", [person_row(1, nhs_number="123")])
    assert run_cli("import", "caseload", bad).exit_code != 0
    result = run_cli("status")
    said = _said(result.stdout)
    assert result.exit_code == 1
    assert ("Needs attention: the latest caseload import (export.csv) imported no one: "
            "transition import history says why; correct the file and import it again.") in said
    assert "123" not in said


def test_once_both_are_imported_there_is_no_next_step_row(run_cli: RunCli,
                                                          tmp_path: Path) -> None:
    run_cli("programme", "set", "--transfer-date", "2027-04-01")
    run_cli("import", "staff", write_csv(tmp_path / "staff.csv", [staff_row(1)]))
    assert run_cli("import", "caseload",
                   write_csv(tmp_path / "export.csv", [person_row(1)])).exit_code == 0
    result = run_cli("status")
    said = _said(result.stdout)
    assert "imported yet" not in said and "Next " not in said, said
    assert run_cli("status", "--json").json()["next_steps"] == []
