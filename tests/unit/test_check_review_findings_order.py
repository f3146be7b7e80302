"""A recorded run's findings, read for a screen: most urgent first, the first few thousand
asked of the database rather than all of them (a run a week before the transfer can hold
200,000 overdue tasks, and reading them all froze the findings screen for seconds)."""

from __future__ import annotations

from sqlalchemy import event

from tests.check_world import RULES
from tests.conftest import ACTOR, TODAY
from tests.factories import make_staff
from transition.checks import (
    CheckReport,
    Finding,
    count_findings,
    record_check,
    run_findings,
)
from transition.db import Database


def _recorded(database: Database) -> int:
    findings = [  # in no order: the check sorts them, a stored run is read back in order
        Finding("stale_import", "warning", "old export"),
        Finding("overdue_task", "warning", "task 1", staff_id="S1"),
        Finding("unassigned", "critical", "no worker"),
        Finding("overdue_task", "critical", "task 2", staff_id="S1"),
        Finding("over_capacity", "warning", "too many", staff_id="S1"),
        Finding("worker_unavailable", "critical", "leaving", staff_id="S2"),
    ]
    report = CheckReport(as_of=TODAY, findings=findings)
    with database.transaction() as session:
        make_staff(session, "S1")
        make_staff(session, "S2")
        record_check(session, RULES, report, actor=ACTOR)
    assert report.run_id is not None
    return report.run_id


def test_the_first_findings_are_the_most_urgent_and_asked_for_with_a_limit(
    database: Database,
) -> None:
    run_id = _recorded(database)
    asked: list[str] = []

    def seen(_conn, _cursor, statement: str, *_args: object) -> None:  # type: ignore[no-untyped-def]
        if "check_finding" in statement:
            asked.append(statement.upper())

    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        with database.session() as session:
            everything = run_findings(session, run_id)
            first = run_findings(session, run_id, limit=3)
            worker = run_findings(session, run_id, staff_id="S1", limit=2)
            assert count_findings(session, run_id) == 6
            assert count_findings(session, run_id, code="overdue_task") == 2
            assert count_findings(session, run_id, staff_id="S1") == 3
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
    assert [(item.severity, item.code) for item in everything] == [
        ("critical", "unassigned"), ("critical", "worker_unavailable"),
        ("critical", "overdue_task"), ("warning", "overdue_task"),
        ("warning", "over_capacity"), ("warning", "stale_import"),
    ]
    assert first == everything[:3]
    assert [item.message for item in worker] == ["task 2", "task 1"]
    assert sum("LIMIT" in statement for statement in asked) == 2
