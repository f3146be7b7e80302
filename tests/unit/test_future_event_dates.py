"""A last discharge, last contact or coordinator-since date after the import's date (most
likely mistyped: 01/12 for 01/11) is imported with a warning naming its row and column, and
the risk score, which leaves it out, says so in the person's risk evidence."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from rich.console import Console
from sqlalchemy import select

from tests.conftest import ACTOR
from tests.factories import nhs_number
from tests.importing import person_row, write_csv
from transition.assessment import assessment_detail, refresh_assessments
from transition.db import Database
from transition.importer import ImportOptions, import_file
from transition.models import ImportWarning, Person
from transition.people import find_person
from transition.risk import dates_not_counted
from transition.ruleset import load_rules
from transition.widgets.pathway import risk_section

EXPORTED = date(2026, 11, 20)  # the day the export is imported


def _import(database: Database, path: Path, rejects: Path):
    with database.transaction() as session:
        return import_file(session, path, "caseload", ImportOptions(rejects_dir=rejects),
                           actor=ACTOR, today=EXPORTED)


def _person(database: Database, i: int) -> Person:
    with database.session() as session:
        found = find_person(session, nhs_number(i))
        assert found is not None
        return found


def test_dates_after_the_import_warn_and_the_risk_says_it_did_not_count_them(
        database: Database, tmp_path: Path) -> None:
    rows = [
        # Typed a month (or a year) out: none of these has happened on 20 Nov 2026.
        person_row(0, last_discharge="01/12/2026", last_contact="20/12/2026",
                   coordinator_since="01/03/2027"),
        # On or before the import's date: no warning, and counted.
        person_row(1, last_discharge="20/11/2026", last_contact="19/11/2026",
                   coordinator_since="2024-05-01"),
        person_row(2, last_discharge="", last_contact="", coordinator_since=""),
        # Rejected for its date of birth: the rejects file lists the warning with the reason.
        person_row(3, date_of_birth="31/02/1980", last_discharge="02/12/2026"),
    ]
    path = write_csv(tmp_path / "export.csv", rows)
    result = _import(database, path, tmp_path / "rejects")

    assert (result.file, result.inserted, result.rejected) == ("export.csv", 3, 1)
    assert [(w.row, w.column) for w in result.warning_list] == [
        (2, "last_contact"), (2, "last_discharge"), (2, "coordinator_since")]
    assert result.warnings == 3
    shown = result.warning_list[1].message
    assert shown.startswith("a date after the import's date (2026-11-20): a discharge that has "
                            "not happened yet")
    assert "check it with the trust" in shown and "2026-12-01" not in shown  # no cell value
    with database.session() as session:
        kept = session.scalars(select(ImportWarning.message)
                               .where(ImportWarning.column == "last_discharge")).all()
    assert kept == [("2026-12-01 is after the import's date (2026-11-20): a discharge that has "
                     "not happened yet, most likely a mistyped date; check it with the trust. "
                     "The handover risk does not count it until that day")]
    assert _person(database, 0).last_discharge == date(2026, 12, 1)  # kept as written
    assert result.rejects_path is not None
    with result.rejects_path.open(encoding="utf-8-sig", newline="") as handle:
        (rejected,) = list(csv.DictReader(handle))
    assert "last_discharge: 2026-12-02 is after the import's date" in rejected["Why rejected"]

    with database.transaction() as session:
        refresh_assessments(session, load_rules(), as_of=EXPORTED, actor=ACTOR)
    typo, counted, neither = (_person(database, i) for i in range(3))
    # The score is what it would be with no dates: a date still to come is no evidence.
    assert typo.risk_score == neither.risk_score
    assert {f["factor"] for f in typo.risk_factors or []} == {
        f["factor"] for f in neither.risk_factors or []}
    assert "discharged_very_recently" in {f["factor"] for f in counted.risk_factors or []}

    detail = assessment_detail(typo)
    assert detail["risk_dates_not_counted"] == [
        {"field": "last_discharge", "label": "last discharge", "value": date(2026, 12, 1)},
        {"field": "last_contact", "label": "last contact", "value": date(2026, 12, 20)},
        {"field": "coordinator_since", "label": "care coordinator since",
         "value": date(2027, 3, 1)},
    ]
    assert assessment_detail(counted)["risk_dates_not_counted"] == []
    console = Console(width=200, record=True, color_system=None)
    console.print(risk_section(detail))
    text = console.export_text()
    assert ("Not counted: last discharge 1 Dec 2026 is after the day measured (20 Nov 2026); "
            "check the date with the trust.") in text
    assert "Not counted: last contact 20 Dec 2026" in text
    console = Console(width=200, record=True, color_system=None)
    console.print(risk_section(assessment_detail(counted)))
    assert "Not counted" not in console.export_text()


def test_only_dates_after_the_day_measured_are_not_counted() -> None:
    class Facts:
        last_discharge = date(2026, 11, 20)
        last_contact = date(2026, 11, 21)
        coordinator_since = None

    assert dates_not_counted(Facts(), date(2026, 11, 20)) == [
        {"field": "last_contact", "label": "last contact", "value": date(2026, 11, 21)}]
    assert dates_not_counted(Facts(), date(2026, 11, 21)) == []
    assert dates_not_counted(Facts(), None) == []  # not assessed yet
