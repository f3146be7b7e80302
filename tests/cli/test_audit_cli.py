"""`transition audit`, and that nothing in the tool edits or deletes audit rows."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

import transition
from tests.conftest import RunCli
from tests.factories import make_person, make_staff, nhs_number
from transition.allocation import NewAssignment, set_assignments
from transition.db import Database
from transition.models import AuditEvent
from transition.overrides import set_pathway_override


def _history(database: Database) -> None:
    with database.transaction() as session:
        make_staff(session, "SW1")
        first = make_person(session, nhs_number=nhs_number(1), pathway="council")
        second = make_person(session, nhs_number=nhs_number(2), pathway="council")
        assert first.id is not None and second.id is not None
        set_assignments(session, [NewAssignment(first.id, "social_worker", "SW1",
                                                date(2027, 4, 1), source="manager",
                                                reason="Knows the family")], actor="ana")
        set_pathway_override(session, second, "joint", reason="Needs both", actor="ben")


def test_audit_lists_changes_newest_first_with_who_and_why(run_cli: RunCli,
                                                           database: Database) -> None:
    _history(database)
    result = run_cli("audit", "--json")
    assert result.exit_code == 0, result.output
    rows = result.json()
    assert [row["action"] for row in rows] == ["pathway.override", "assignment.manager"]
    override, assignment = rows
    assert (override["actor"], override["nhs_number"], override["reason"]) == (
        "ben", nhs_number(2), "Needs both")
    assert override["after"] == {"pathway": "joint", "override": "joint"}
    assert assignment["actor"] == "ana" and assignment["after"]["staff_id"] == "SW1"
    human = run_cli("audit")
    assert human.exit_code == 0 and "pathway.override" in human.stdout
    assert "Knows" in human.stdout and "ana" in human.stdout
    said = " ".join(human.stdout.split())
    assert "→ pathway joint · override" in said  # a record in words, not JSON
    assert "staff id SW1 · locked no · since 1 Apr 2027" in said
    assert "{" not in human.stdout


def test_audit_filters(run_cli: RunCli, database: Database) -> None:
    _history(database)

    def actions(*args: str) -> list[str]:
        result = run_cli("audit", "--json", *args)
        assert result.exit_code == 0, result.output
        return [row["action"] for row in result.json()]

    assert actions("--nhs", nhs_number(1)) == ["assignment.manager"]
    assert actions("--nhs", nhs_number(2)[:3] + " " + nhs_number(2)[3:]) == ["pathway.override"]
    assert actions("--action", "assignment") == ["assignment.manager"]
    assert actions("--action", "pathway.override") == ["pathway.override"]
    assert actions("--action", "pathway.over") == []  # a family is a whole dotted part
    assert actions("--limit", "1") == ["pathway.override"]
    assert actions("--since", "2099-01-01") == []
    assert len(actions("--since", "01/01/2000")) == 2
    missing = run_cli("audit", "--nhs", nhs_number(9))
    assert missing.exit_code == 1 and nhs_number(9) not in missing.output
    bad = run_cli("audit", "--since", "yesterday-ish")
    assert bad.exit_code == 2 and "not a date" in bad.stderr
    assert actions("--by", "ANA") == ["assignment.manager"]  # who made it, any case
    assert actions("--by", "nobody") == []
    malformed = run_cli("audit", "--nhs", "12345")  # bad input: exit 2, not 'not found'
    assert malformed.exit_code == 2 and "10 digits" in malformed.stderr
    backwards = run_cli("audit", "--since", "2027-02-01", "--until", "2027-01-01")
    assert backwards.exit_code == 2 and "before --since" in backwards.stderr


def test_audit_days_are_uk_days(run_cli: RunCli, database: Database) -> None:
    """00:30 on 1 June in the UK is 23:30 on 31 May in UTC: it is a 1 June change, as every
    screen shows it, and the table shows the UK time."""
    with database.transaction() as session:
        session.add(AuditEvent(at=datetime(2026, 5, 31, 23, 30, tzinfo=UTC), actor="ana",
                               action="test.summer", entity="test"))
        session.add(AuditEvent(at=datetime(2026, 12, 1, 0, 30, tzinfo=UTC), actor="ana",
                               action="test.winter", entity="test"))

    def actions(*args: str) -> list[str]:
        return [row["action"] for row in run_cli("audit", "--json", *args).json()]

    assert actions("--since", "2026-06-01", "--until", "2026-06-01") == ["test.summer"]
    assert actions("--until", "2026-05-31") == []
    assert actions("--since", "2026-12-01", "--until", "2026-12-01") == ["test.winter"]
    table = run_cli("audit").stdout
    assert "1 Jun 2026 00:30" in table and "1 Dec 2026 00:30" in table and "When (UK)" in table


def _rows(session: Session) -> list[tuple[Any, ...]]:
    query = select(AuditEvent).order_by(AuditEvent.id)  # type: ignore[arg-type]
    return [(row.id, row.actor, row.before, row.after) for row in session.scalars(query)]


def test_the_database_refuses_to_edit_or_delete_audit_rows(database: Database) -> None:
    _history(database)
    with database.session() as session:
        before = _rows(session)
    with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
        row = session.get(AuditEvent, before[0][0])
        assert row is not None
        row.actor = "someone else"
    with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
        row = session.get(AuditEvent, before[0][0])
        session.delete(row)
    with database.session() as session:
        after = _rows(session)
    assert after == before


def test_no_code_in_the_tool_edits_or_deletes_audit_rows() -> None:
    """Only the first migration (which installs the triggers) names UPDATE/DELETE on the trail."""
    package = Path(transition.__file__).parent
    forbidden = re.compile(
        r"(update|delete)\(\s*AuditEvent|UPDATE\s+audit_event|DELETE\s+FROM\s+audit_event"
        r"|AuditEvent\.__table__\.(update|delete)\(|session\.delete\(\s*(event|audit)",
        re.IGNORECASE,
    )
    offenders = []
    for path in package.rglob("*.py"):
        if path.parent.name == "versions":
            continue  # migrations: the triggers that refuse it
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if forbidden.search(line):
                offenders.append(f"{path.relative_to(package)}:{number}: {line.strip()}")
    assert offenders == []
