"""Handover tasks and a worker the staff list says has left or is leaving: once the person is
moved (``check --apply``, accepted), ``tasks generate`` gives their open incoming tasks to the
new worker; until then every list says the owner has gone ("left 12 Mar 2027") or goes before
the task is due ("leaves ..."), rather than show the task as theirs."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update

from tests.check_world import RULES, check, of, person, with_transfer
from tests.conftest import ACTOR
from tests.factories import make_staff
from transition.allocation import NewAssignment, set_assignments
from transition.checks import run_checks
from transition.db import Database
from transition.models import Person, Staff, Task, TaskOwner
from transition.plan_review import accept_plan
from transition.tasks import generate_tasks, list_tasks
from transition.tasks.listing import TaskQuery
from transition.tasks.owners import owner_gone, owner_label, owners_leaving
from transition.tasks.views import handover_section

PASSED = date(2027, 1, 4)
LEFT = date(2027, 3, 12)
MARCH_15 = date(2027, 3, 15)


def _world(database: Database) -> int:
    """LEAVER is the new worker, from 4 January, of a person whose tasks were generated then."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "TRUST1", employer="trust", role="nurse")
        make_staff(session, "LEAVER")
        make_staff(session, "STAYER", capacity=10)
        made = person(session, coordinator="TRUST1", handover_date=PASSED)
        assert made.id is not None
        set_assignments(
            session, [NewAssignment(made.id, "social_worker", "LEAVER", PASSED)], actor=ACTOR
        )
        generate_tasks(session, RULES, as_of=date(2026, 12, 1), actor=ACTOR, transfer_date=None)
        # The staff list then says she leaves on 12 March.
        session.execute(update(Staff).where(Staff.staff_id == "LEAVER").values(leaving_date=LEFT))
        return made.id


def _incoming(database: Database, person_id: int) -> set[str | None]:
    with database.session() as session:
        return set(
            session.scalars(
                select(Task.owner_staff_id).where(
                    Task.person_id == person_id, Task.owner_kind == TaskOwner.INCOMING
                )
            )
        )


def test_lists_say_an_owner_has_left_until_the_tasks_move(database: Database) -> None:
    person_id = _world(database)
    assert _incoming(database, person_id) == {"LEAVER"}
    with database.session() as session:
        rows = list_tasks(session, TaskQuery(person_id=person_id), as_of=MARCH_15).rows
        leaving = owners_leaving(session, (row.owner_staff_id for row in rows))
        detail = handover_section(session, session.get_one(Person, person_id), as_of=MARCH_15)
    assert leaving == {"LEAVER": LEFT}
    incoming = [row for row in rows if row.owner_staff_id == "LEAVER"]
    assert incoming
    for row in incoming:
        gone = owner_gone(
            leaving, row.owner_staff_id, due=row.due, today=MARCH_15, is_open=row.is_open
        )
        assert gone == "left 12 Mar 2027"
        assert (
            owner_label(row.owner_name, row.owner_kind, row.owner_staff_id, stays=False, gone=gone)
            == "Jo WorkerLEAVER (new worker, left 12 Mar 2027)"
        )
    by_owner = {task["owner_staff_id"]: task["owner_gone"] for task in detail["tasks"]}
    assert by_owner["LEAVER"] == "left 12 Mar 2027"
    # Before she goes: only a task due on or after her last day is marked.
    assert owner_gone(leaving, "LEAVER", due=date(2027, 3, 11), today=date(2027, 3, 1)) is None
    assert owner_gone(leaving, "LEAVER", due=LEFT, today=date(2027, 3, 1)) == "leaves 12 Mar 2027"
    assert owner_gone(leaving, "LEAVER", due=LEFT, today=MARCH_15, is_open=False) is None


def test_once_the_person_is_moved_generate_gives_the_open_incoming_tasks_to_the_new_worker(
    database: Database,
) -> None:
    person_id = _world(database)
    with database.transaction() as session:
        report = run_checks(session, RULES, as_of=MARCH_15, actor=ACTOR, apply=True)
        assert [move["to_staff_id"] for move in report.proposed_moves] == ["STAYER"]
        accept_plan(session, RULES, plan_id=report.plan_id, actor="manager")
        generate_tasks(session, RULES, as_of=MARCH_15, actor=ACTOR, transfer_date=None)
    assert _incoming(database, person_id) == {"STAYER"}
    after = check(database, MARCH_15)
    assert of(after, "worker_unavailable") == [] and of(after, "tasks_behind") == []
