"""A letter task is done only while its letter tells the truth (helper 115): once the letter is
out of date (a new handover date, a carer letter written before the person was asked), the next
task generation opens its task again, saying why; a carer letter the person said no to does
not reopen its task."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select

from tests.letter_setup import TODAY, TRANSFER, handover_person, with_transfer_date
from transition.audit import events
from transition.config import CouncilDetails
from transition.db import Database
from transition.letters import generate_letters, out_of_date_letters
from transition.models import Person, Task
from transition.ruleset import load_rules
from transition.tasks import generate_tasks

COUNCIL = CouncilDetails()
CARER = {"carer": True, "carer_name": "Rita", "carer_address": "5 Carer Row, Westhaven",
         "carer_consent": True}


def _statuses(session, person_id: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {task.key: task.status for task in session.scalars(
        select(Task).where(Task.person_id == person_id, Task.key.like("letter_%")))}  # type: ignore[attr-defined]


def test_a_new_handover_date_reopens_the_letter_tasks(database: Database, tmp_path: Path) -> None:
    rules = load_rules()
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, **CARER)
        other = handover_person(session)
        assert person.id is not None and other.id is not None
        generate_tasks(session, rules, as_of=TODAY, actor="tester", transfer_date=TRANSFER)
        generate_letters(session, council=COUNCIL, out_dir=tmp_path / "out", as_of=TODAY,
                         actor="tester", fmt="md")
        assert set(_statuses(session, person.id).values()) == {"done"}
        changed = session.get(Person, person.id)
        assert changed is not None
        changed.handover_date = date(2027, 5, 3)
        session.add(changed)
        session.flush()
        assert {letter.person_id for letter in out_of_date_letters(session)} == {person.id}
        summary = generate_tasks(session, rules, as_of=TODAY, actor="tester",
                                 transfer_date=TRANSFER)
        reopened = _statuses(session, person.id)
        due = {task.key: task.due for task in session.scalars(
            select(Task).where(Task.person_id == person.id, Task.key.like("letter_%")))}  # type: ignore[attr-defined]
        untouched = _statuses(session, other.id)
        trail = [event for event in events(session, entity="task")
                 if event.action == "task.status" and event.after == "todo"]
        again = generate_tasks(session, rules, as_of=TODAY, actor="tester",
                               transfer_date=TRANSFER)
        generate_letters(session, council=COUNCIL, out_dir=tmp_path / "out", as_of=TODAY,
                         actor="tester", fmt="md")
        rewritten = _statuses(session, person.id)
    assert reopened == {"letter_person": "todo", "letter_gp": "todo", "letter_carer": "todo"}
    assert summary.letter_tasks_reopened == 3
    assert set(due.values()) == {date(2027, 4, 19)}  # 10 working days before 3 May 2027
    assert "Letter tasks open again, their letter out of date: 3" in summary.describe(TODAY)
    assert set(untouched.values()) == {"done"}
    assert len(trail) == 3 and all((event.reason or "").startswith(
        "Its letter is out of date (") for event in trail)
    assert again.letter_tasks_reopened == 0  # still out of date, already open: nothing to do
    assert set(rewritten.values()) == {"done"}


def test_a_carer_letter_the_person_since_refused_does_not_reopen_its_task(
    database: Database, tmp_path: Path
) -> None:
    rules = load_rules()
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, **CARER)
        assert person.id is not None
        generate_tasks(session, rules, as_of=TODAY, actor="tester", transfer_date=TRANSFER)
        generate_letters(session, council=COUNCIL, out_dir=tmp_path / "out", as_of=TODAY,
                         actor="tester", fmt="md")
        changed = session.get(Person, person.id)
        assert changed is not None
        changed.carer_consent = False
        session.add(changed)
        session.flush()
        summary = generate_tasks(session, rules, as_of=TODAY, actor="tester",
                                 transfer_date=TRANSFER)
        statuses = _statuses(session, person.id)
    # The GP's letter said the carer is written to: that one is to write again.
    assert summary.letter_tasks_reopened == 1
    assert statuses == {"letter_person": "done", "letter_gp": "todo", "letter_carer": "done"}


def test_a_carer_letter_written_before_the_person_was_asked_reopens_its_task(
    database: Database, tmp_path: Path
) -> None:
    rules = load_rules()
    with database.transaction() as session:
        with_transfer_date(session)
        person = handover_person(session, **CARER)
        assert person.id is not None
        generate_tasks(session, rules, as_of=TODAY, actor="tester", transfer_date=TRANSFER)
        generate_letters(session, council=COUNCIL, out_dir=tmp_path / "out", as_of=TODAY,
                         actor="tester", fmt="md")
        changed = session.get(Person, person.id)
        assert changed is not None
        changed.carer_consent = None  # as an earlier version wrote carer letters: never asked
        session.add(changed)
        session.flush()
        generate_tasks(session, rules, as_of=TODAY, actor="tester", transfer_date=TRANSFER)
        statuses = _statuses(session, person.id)
    assert statuses["letter_carer"] == "todo"
