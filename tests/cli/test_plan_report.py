"""`transition plan show --report FILE`: the plan's rows as a spreadsheet with names, for the
people who carry it out; owner-only, formula-safe and audited, on both databases."""

from __future__ import annotations

import csv
import io
import os
import stat
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from tests.caseloads import caseload_numbers
from tests.conftest import RunCli
from transition.config import Settings
from transition.db import Database
from transition.models import AuditEvent, Person
from transition.plan_report import HEADER


@pytest.fixture(autouse=True)
def _decisions_as_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pathways and bands as tests/caseloads.py built them (see tests/cli/test_plan.py)."""
    monkeypatch.setattr("transition.planning.bring_assessments_up_to_date",
                        lambda *args, **kwargs: None)


def _csv(path: Path) -> list[dict[str, str]]:
    text = path.read_text(encoding="utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _reports(database: Database) -> list[AuditEvent]:
    with database.session() as session:
        return list(session.scalars(select(AuditEvent).where(
            AuditEvent.action == "plan.report").order_by(AuditEvent.id)))


def test_every_row_with_names_outcomes_and_reasons(run_cli: RunCli, settings: Settings,
                                                   database: Database, tmp_path: Path) -> None:
    people = caseload_numbers(settings)
    run_cli("plan")
    target = tmp_path / "reports" / "plan.csv"
    result = run_cli("plan", "show", "--report", target)
    assert result.exit_code == 0, result.output
    shown = run_cli("plan", "show", "--json").json()
    rows = _csv(target)
    assert list(rows[0]) == list(HEADER)
    assert len(rows) == len(shown["assignments"]) + len(shown["unassigned_people"]) == 10
    assert f"Report written to {target}: 10 roles" in " ".join(result.stderr.split())
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600

    by_number = {(row["NHS number"], row["Role"]): row for row in rows}
    kept = by_number[people["keeps"], "social worker"]
    assert kept["Outcome"] == "stays" and kept["Worker"] == kept["Care coordinator now"] == "SW1"
    assert kept["Worker (name)"] == kept["Care coordinator now (name)"] != ""
    assert kept["Worker's team"] == "North Council"  # a seconded worker's team after the move
    assert kept["Handover date"] == "2027-04-01" and kept["Pathway"] == "council"
    assert "keeps current worker" in kept["Why"]
    waiting = by_number[people["no_pathway"], ""]
    assert waiting["Outcome"] == "no one yet" and waiting["Worker"] == ""
    assert waiting["Why"] == "no pathway decided yet: run transition assess"
    moving = [row for row in rows if row["Outcome"] == "new worker"]
    assert moving and all(row["Worker (name)"] and row["Worker"] != row["Care coordinator now"]
                          for row in moving)

    # Audited, without the rows: how many, the format, the filters, by whom.
    [event] = _reports(database)
    assert event.after == {"rows": 10, "format": "csv", "filters": {"sort": "person"}}
    assert event.entity_key == str(shown["plan_id"]) and event.person_id is None


def test_a_workers_handover_list_as_excel(run_cli: RunCli, settings: Settings,
                                          database: Database, tmp_path: Path) -> None:
    people = caseload_numbers(settings)
    with database.transaction() as session:  # a name a spreadsheet would run as a formula
        session.execute(update(Person).where(Person.nhs_number == people["trust"]).values(
            family_name="=HYPERLINK(\"http://x\")"))
    run_cli("plan")
    target = tmp_path / "sw1.xlsx"
    result = run_cli("plan", "show", "--from", "sw1", "--report", target)
    assert result.exit_code == 0, result.output
    sheet = load_workbook(target).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header == HEADER
    assert {row[0] for row in rows} == {people["keeps"], people["keeps_red"], people["trust"]}
    assert all(isinstance(row[0], str) for row in rows)  # NHS numbers stay text
    assert all(row[8] == "SW1" for row in rows)
    assert rows[0][6] == datetime(2027, 4, 1) and sheet["G2"].number_format == "dd/mm/yyyy"
    formula = next(row for row in rows if row[0] == people["trust"])
    assert formula[2] == "'=HYPERLINK(\"http://x\")"  # shown as text, never run
    assert _reports(database)[0].after["filters"] == {"coordinator": "SW1", "sort": "person"}


def test_a_report_in_another_format_is_refused_and_nothing_written(
        run_cli: RunCli, settings: Settings, database: Database, tmp_path: Path) -> None:
    caseload_numbers(settings)
    run_cli("plan")
    result = run_cli("plan", "show", "--report", tmp_path / "out" / "plan.pdf")
    assert result.exit_code == 2
    assert "written as CSV or Excel, not '.pdf'" in " ".join(result.stderr.split())
    assert not (tmp_path / "out").exists() and not _reports(database)
    assert "Traceback" not in result.output
