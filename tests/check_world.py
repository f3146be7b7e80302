"""Helpers for the nightly check's tests: a transfer date, staff, people and tasks, crafted so
each finding code has a case that raises it and one that does not."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlmodel import Session

from tests.conftest import ACTOR, TODAY
from tests.factories import make_person
from transition.allocation import NewAssignment, set_assignments
from transition.checks import CheckReport, Finding, collect_findings
from transition.db import Database
from transition.models import ImportBatch, Person, Task
from transition.programme import set_transfer_date
from transition.ruleset import load_rules

TRANSFER = date(2027, 4, 1)
RULES = load_rules(None)


def person(session: Session, *, pathway: str | None = "council", band: str = "green",
           coordinator: str | None = None, **fields: Any) -> Person:
    made = make_person(session, care_coordinator_id=coordinator, pathway=pathway,
                       risk_band=band, **fields)
    assert made.id is not None
    return made


def assign(session: Session, made: Person, role: str, staff_id: str, **options: Any) -> None:
    assert made.id is not None
    set_assignments(session, [NewAssignment(made.id, role, staff_id, TRANSFER, **options)],
                    actor=ACTOR)


def task(session: Session, made: Person, key: str, due: date, status: str = "todo",
         owner: str | None = None) -> Task:
    assert made.id is not None
    item = Task(person_id=made.id, key=key, title=key.replace("_", " "), owner_kind="outgoing",
                owner_staff_id=owner, due=due, offset_working_days=-3, handover_date=TRANSFER,
                status=status)
    session.add(item)
    session.flush()
    return item


def caseload_import(session: Session, day: date) -> ImportBatch:
    batch = ImportBatch(kind="caseload", file_name="export.csv", file_sha256="0" * 64,
                        actor=ACTOR, started_at=datetime(day.year, day.month, day.day, 9,
                                                         tzinfo=UTC),
                        finished_at=datetime(day.year, day.month, day.day, 9, 1, tzinfo=UTC))
    session.add(batch)
    session.flush()
    return batch


def with_transfer(session: Session, day: date = TRANSFER) -> None:
    set_transfer_date(session, day, actor=ACTOR)


def check(database: Database, as_of: date = TODAY) -> CheckReport:
    with database.session() as session:
        return collect_findings(session, RULES, as_of=as_of)


def of(report: CheckReport, code: str) -> list[Finding]:
    return [finding for finding in report.findings if finding.code == code]


def days(n: int) -> date:
    return TODAY + timedelta(days=n)
