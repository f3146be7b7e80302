"""`tasks list`, `person` and the tasks screen's detail box say when a task's owner has left
("left 12 Mar 2027") or leaves before the task is due, rather than show the task as theirs."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from tests.check_world import RULES, person, with_transfer
from tests.conftest import ACTOR, RunCli
from tests.factories import make_staff
from transition.allocation import NewAssignment, set_assignments
from transition.db import Database
from transition.models import Staff
from transition.screens.tasks import task_detail
from transition.tasks import generate_tasks, list_tasks
from transition.tasks.listing import TaskQuery


def _world(database: Database) -> tuple[int, str]:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "TRUST1", employer="trust", role="nurse")
        make_staff(session, "LEAVER", given_name="Ewa", family_name="Testleaver")
        made = person(session, coordinator="TRUST1", handover_date=date(2027, 1, 4))
        assert made.id is not None
        set_assignments(
            session,
            [NewAssignment(made.id, "social_worker", "LEAVER", date(2027, 1, 4))],
            actor=ACTOR,
        )
        generate_tasks(session, RULES, as_of=date(2026, 12, 1), actor=ACTOR, transfer_date=None)
        session.execute(
            update(Staff).where(Staff.staff_id == "LEAVER").values(leaving_date=date(2027, 3, 12))
        )
        return made.id, made.nhs_number


def flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


def test_tasks_list_and_person_say_the_owner_has_left(
    run_cli: RunCli,
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person_id, number = _world(database)
    monkeypatch.setenv("TRANSITION_AS_OF", "2027-03-15")
    shown = run_cli("tasks", "list", "--nhs", number)
    assert shown.exit_code == 0, shown.output
    assert "Ewa Testleaver (new worker, left 12 Mar 2027)" in flat(shown.stdout)
    data = run_cli("tasks", "list", "--nhs", number, "--json").json()
    assert {task["owner_gone"] for task in data if task["owner_staff_id"] == "LEAVER"} == {
        "left 12 Mar 2027"
    }
    record = run_cli("person", number)
    assert "left 12 Mar 2027" in flat(record.stdout)
    # The tasks screen's box under the list says it too.
    with database.session() as session:
        row = next(
            row
            for row in list_tasks(
                session, TaskQuery(person_id=person_id), as_of=date(2027, 3, 15)
            ).rows
            if row.owner_staff_id == "LEAVER"
        )
    box = str(task_detail(row, gone="left 12 Mar 2027"))
    assert "owner Ewa Testleaver (new worker, left 12 Mar 2027)" in box
    # Before anything says she is going, nothing is marked.
    with database.transaction() as session:
        session.execute(update(Staff).where(Staff.staff_id == "LEAVER").values(leaving_date=None))
    plain = run_cli("tasks", "list", "--nhs", number, "--json").json()
    assert {task["owner_gone"] for task in plain} == {None}
