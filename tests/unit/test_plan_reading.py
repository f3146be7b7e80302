"""Reading a plan's inputs the quick way gives what the plain way gives: rows straight from the
driver against a Core result, and the remembered skills against working each person out afresh;
on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Text, select, type_coerce, update

from tests.caseloads import build_caseload
from tests.conftest import TODAY
from tests.factories import make_person, make_staff
from transition import plan_inputs
from transition.bulk import read_rows
from transition.db import Database
from transition.matching import MatchingRules
from transition.models import Assignment, Person, Staff
from transition.ruleset import load_rules


def _people_with_every_kind_of_value(database: Database) -> None:
    """People whose facts differ in one thing at a time (the extra column, the age either side
    of 65 or 36 by date of birth or by handover date, the cluster), with dates, booleans and
    JSON set and unset."""
    with database.transaction() as session:
        for index, (born, handover, cluster, extra) in enumerate([
            (date(1962, 4, 1), None, 10, None),
            (date(1962, 4, 2), None, 10, None),  # 64 on the transfer date, not 65
            (date(1962, 4, 2), date(2027, 5, 1), 10, None),  # 65 by a later handover
            (date(1991, 4, 2), None, 10, None),  # 35: early intervention
            (date(1991, 4, 1), None, 10, None),  # 36
            (date(1991, 4, 2), None, 11, None),
            (date(1991, 4, 2), None, 10, {"Forensic History": "Y"}),
            (date(1991, 4, 2), None, 10, {"forensic_history": "no", "Perinatal": "yes"}),
            (date(1991, 4, 2), None, 10, {"perinatal": 1}),
            (date(2000, 1, 1), None, None, {"forensic_history": "Y"}),
            (date(1950, 1, 1), date(2027, 6, 1), None, None),
        ]):
            make_person(session, pathway="council" if index % 2 else "joint",
                        risk_band=("red", "amber", "green")[index % 3], date_of_birth=born,
                        handover_date=handover, cluster=cluster, extra=extra,
                        cto=bool(index % 2), interpreter_language="Polish" if index == 3 else None,
                        preferred_worker_gender=("female", "M", None)[index % 3])


@pytest.mark.parametrize("batch", [1, 3, 2_000])
def test_rows_from_the_driver_are_the_core_result_rows(database: Database, batch: int) -> None:
    build_caseload(database)
    _people_with_every_kind_of_value(database)
    statements = [
        select(Person.id, Person.nhs_number, Person.date_of_birth, Person.handover_date,
               Person.coordinator_since, Person.cto, Person.cluster, Person.extra,
               type_coerce(Person.extra, Text).label("extra_text"), Person.created_at,
               Person.missing_since_batch_id).order_by(Person.id),
        select(Staff.staff_id, Staff.capacity, Staff.fte, Staff.skills, Staff.languages,
               Staff.seconded, Staff.leaving_date, Staff.absent_until).order_by(Staff.staff_id),
        select(Assignment.person_id, Assignment.role, Assignment.locked,
               Assignment.ended_at).order_by(Assignment.id),
    ]
    with database.session() as session:
        connection = session.connection()
        for statement in statements:
            expected = [tuple(row) for row in connection.execute(statement)]
            read = list(read_rows(connection, statement, batch=batch))
            assert read == expected
            assert [[type(value) for value in row] for row in read] == [
                [type(value) for value in row] for row in expected]
        assert len(list(read_rows(connection, statements[0]))) > 10


def test_a_statement_with_parameters_is_refused(database: Database) -> None:
    with database.session() as session, pytest.raises(ValueError, match="without parameters"):
        list(read_rows(session.connection(), select(Person.id).where(Person.id == 1)))


def test_remembered_skills_are_each_persons_own(database: Database,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    build_caseload(database)
    _people_with_every_kind_of_value(database)
    rules = load_rules()

    def read() -> dict[tuple[int, str], Any]:
        with database.session() as session:
            inputs = plan_inputs.read_inputs(session, rules, as_of=TODAY)
        return {need.key: need.required for need in inputs.problem.needs}

    remembered = read()

    def afresh(self: Any, row: tuple[Any, ...], handover: date) -> Any:
        return self.evaluate(self.facts(row, handover))

    monkeypatch.setattr(plan_inputs._SkillsNeeded, "__call__", afresh)
    assert read() == remembered
    required = {skill for skills in remembered.values() for skill, _ in skills}
    assert required == {"forensic", "older_adults", "eip", "perinatal"}


def test_the_peoples_fingerprint_is_worked_out_from_each_persons_stored_values(
        database: Database) -> None:
    """Stored drafts are checked against it: it must not depend on how the rows were read."""
    build_caseload(database)
    _people_with_every_kind_of_value(database)
    with database.session() as session:
        inputs = plan_inputs.read_inputs(session, load_rules(), as_of=TODAY)
        people = session.scalars(select(Person).order_by(Person.id)).all()
        lines = "".join(f"{person.id}|{person.content_hash}|{person.pathway}|{person.risk_band}|"
                        f"{person.assessed_hash}|{person.handover_date}\n"
                        for person in people if person.missing_since_batch_id is None)
    assert inputs.fingerprints["people"] == hashlib.sha256(lines.encode()).hexdigest()


def test_the_staff_fingerprint_is_worked_out_from_each_workers_stored_values(
        database: Database) -> None:
    """Stored drafts are checked against it too: the workers' rows read through the driver
    (bulk.read_rows) must give the text of the ORM's result rows, value for value, type for type
    (a float FTE, JSON lists, dates, booleans and None all in the text hashed)."""
    build_caseload(database)
    with database.transaction() as session:
        make_staff(session, "ZZ1", fte=0.6, capacity=None, skills=None, languages=None,
                   gender=None, leaving_date=date(2027, 6, 30), absent_until=date(2027, 5, 1))
        make_staff(session, "ZZ2", skills=["Forensic", "eip"], languages=["polish", "urdu"],
                   seconded=True, team="North CMHT", council_team="North Council")
        make_staff(session, "ZZ3", skills=["Forensic", "eip"], languages=["polish", "urdu"])
    columns = (Staff.staff_id, Staff.given_name, Staff.family_name, Staff.employer, Staff.role,
               Staff.team, Staff.locality, Staff.capacity, Staff.fte, Staff.skills,
               Staff.languages, Staff.gender, Staff.seconded, Staff.council_team,
               Staff.leaving_date, Staff.absent_until, Staff.missing_since_batch_id,
               Staff.content_hash)
    with database.session() as session:
        inputs = plan_inputs.read_inputs(session, load_rules(), as_of=TODAY)
        _workers, rows = plan_inputs.read_workers(session, MatchingRules(), {}, [])
        expected = [tuple(row) for row in session.execute(select(*columns).order_by(Staff.staff_id))]
    assert rows == expected
    assert repr(rows) == repr(expected)
    assert inputs.fingerprints["staff"] == hashlib.sha256(repr(expected).encode()).hexdigest()


def _warnings(database: Database, tmp_path: Path | None, text: str = "") -> list[str]:
    rules = load_rules()
    if tmp_path is not None:
        council = tmp_path / "council.toml"
        council.write_text('version = "c"\n' + text)
        rules = load_rules(council)
    with database.session() as session:
        return plan_inputs.read_inputs(session, rules, as_of=TODAY).warnings


def test_a_skill_rule_reading_an_extra_column_no_one_has_is_warned_about(
        database: Database, tmp_path: Path) -> None:
    """B4: a misspelt extra.KEY was accepted, and the skill silently needed by no one."""
    build_caseload(database)
    _people_with_every_kind_of_value(database)
    assert not [warning for warning in _warnings(database, None) if "export columns" in warning]
    warnings = _warnings(database, tmp_path, (
        "[[matching.required_skills]]\n"
        'skill = "forensic"\n'
        'when = "extra.forensic_histroy"\n'))
    about = [warning for warning in warnings if "export columns" in warning]
    assert len(about) == 1
    assert ("extra.forensic_histroy (forensic; did you mean extra.forensic_history?)"
            in about[0])
    assert "perinatal" not in about[0]


def test_a_distance_naming_a_locality_no_one_is_in_is_warned_about(
        database: Database, tmp_path: Path) -> None:
    """A6: a misspelt locality made a distance that is never used, without a word."""
    build_caseload(database)
    warnings = _warnings(database, tmp_path, (
        '[[matching.distances]]\nbetween = ["north", "Sooth"]\nkm = 8\n'))
    assert [warning for warning in warnings if "[[matching.distances]]" in warning] == [
        ("the rules' [[matching.distances]] name localities no person, team or worker is in: "
         "Sooth. A pair naming one is never used, so those places are out of each other's "
         "reach: check the spelling against the exports")]
    spelt_right = _warnings(database, tmp_path, (
        '[[matching.distances]]\nbetween = ["north", "South"]\nkm = 8\n'))
    assert not [warning for warning in spelt_right if "[[matching.distances]]" in warning]
    # A council's table naming none of them is warned about; the shipped one (the demo
    # county's, documented to do nothing elsewhere) is not.
    none_known = _warnings(database, tmp_path, (
        '[[matching.distances]]\nbetween = ["Nroth", "Sooth"]\nkm = 8\n'))
    assert any("none of the localities in the rules' [[matching.distances]] (Nroth, Sooth)"
               in warning for warning in none_known)
    assert not [warning for warning in _warnings(database, None)
                if "[[matching.distances]]" in warning]


def test_a_column_the_shipped_rules_read_is_left_to_the_imports_notes(
        database: Database, tmp_path: Path) -> None:
    """No one here has extra.perinatal (the shipped rules read it): the import's notes name a
    file lacking it, so the plan does not; a council's own key no one has is named even when
    no one has any extra value at all."""
    build_caseload(database)
    with database.transaction() as session:
        session.execute(update(Person).values(extra=None))
    assert not [warning for warning in _warnings(database, None) if "export columns" in warning]
    about = [warning for warning in _warnings(database, tmp_path, (
        "[[matching.required_skills]]\nskill = \"dual_diagnosis\"\n"
        "when = \"extra.dual_dx\"\n")) if "export columns" in warning]
    assert len(about) == 1 and "extra.dual_dx (dual_diagnosis)" in about[0]
    assert "perinatal" not in about[0]
