"""A check reads the database as it stood at one moment: an import (or a manager's change)
committed while the check is part-way through is wholly after it, never half in its findings.
On PostgreSQL each query used to see the latest commit (READ COMMITTED), so the findings could
mix the caseload before an import with the caseload after it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sqlalchemy import update

from tests.check_world import RULES, caseload_import, person, with_transfer
from tests.conftest import ACTOR, TODAY
from tests.factories import make_staff
from transition.check_runs import run_check
from transition.checks import CheckReport
from transition.db import Database
from transition.locks import IMPORT_LOCK, advisory_lock
from transition.models import Person


def test_the_findings_are_read_from_one_snapshot(database: Database) -> None:
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY)
        make_staff(session, "SW1")
        waiting = person(session, coordinator=None)  # unassigned
    other = Database(database.url.render_as_string(hide_password=False),
                     busy_timeout_seconds=2.0)
    committed: list[int] = []

    def import_meanwhile(done: int, _total: int) -> None:
        if done == 1:  # after `unassigned`, before `not_assessed` and `missing_from_export`
            with other.transaction() as session:  # the next export: pathway unknown again
                session.execute(update(Person).where(Person.id == waiting.id)
                                .values(pathway=None))
            committed.append(done)

    try:
        report = run_check(database, RULES, as_of=TODAY, actor=ACTOR,
                           progress=import_meanwhile)
    finally:
        other.dispose()
    assert committed == [1]
    # As before the change throughout: unassigned, and not also "no pathway decided".
    assert report.counts["unassigned"] == 1
    assert report.counts["not_assessed"] == 0


def _import_running(database: Database, seconds: float) -> Callable[[], CheckReport]:
    """The check, run while another connection imports (holds the import's locks, one new
    person not assessed yet) for ``seconds``."""
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY)
        make_staff(session, "SW1")
        person(session, coordinator="SW1", pathway="council")

    def check() -> CheckReport:
        other = Database(database.url.render_as_string(hide_password=False),
                         busy_timeout_seconds=2.0)
        holding = threading.Event()

        def import_running() -> None:
            with other.transaction() as session:
                advisory_lock(session, IMPORT_LOCK)  # as transition.importer does
                person(session, coordinator="SW1", pathway=None)  # new: not assessed yet
                session.flush()
                holding.set()
                time.sleep(seconds)  # still writing when the check starts

        writer = threading.Thread(target=import_running)
        writer.start()
        try:
            assert holding.wait(10)
            return run_check(database, RULES, as_of=TODAY, actor=ACTOR)
        finally:
            writer.join()
            other.dispose()

    return check


def test_a_check_started_during_an_import_reads_what_the_import_brings(
    database: Database,
) -> None:
    """Cron's import at 02:00 still writing when the 02:15 check starts: the check read the
    caseload from before the import, then waited to record it, so the morning's findings were
    yesterday's (an export "8 days old" that had just been imported). It waits for the import
    (up to the busy timeout, 2 s here) and reads after it."""
    report = _import_running(database, 1.0)()
    assert report.counts["not_assessed"] == 1
    assert report.notes == []


def test_an_import_longer_than_the_busy_timeout_is_said_in_the_report(
    database: Database,
) -> None:
    report = _import_running(database, 3.0)()
    assert report.counts["not_assessed"] == 0  # read as the database stood
    [note] = report.notes
    assert "still running after 2 seconds" in note and "Run the check again" in note
