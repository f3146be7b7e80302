"""`transition handover-date`: what a phased date changes, said when it is set (a worker who
will not be there, letters written with the old date, tasks added or set aside, a date after
the partnership ends), and bad input refused with nothing written."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update

from tests import task_world
from tests.conftest import RunCli
from tests.letter_setup import handover_person, use_test_council, with_transfer_date
from transition.audit import events
from transition.db import Database
from transition.models import AuditEvent, Person, Staff


def _world(database: Database) -> dict[str, str]:
    with database.transaction() as session:
        ids = task_world.build(session)
        return {name: session.get(Person, pid).nhs_number for name, pid in ids.items()}  # type: ignore[union-attr]


def _said(text: str) -> str:
    return " ".join(text.split())


def test_a_worker_gone_before_the_new_date_is_named(run_cli: RunCli, database: Database) -> None:
    """IN1 takes the council person on the programme's date (1 April 2027) and leaves on
    14 May: moving that person to 1 June leaves them handed to no one. The manager is told at
    once, not at the next check."""
    numbers = _world(database)
    with database.transaction() as session:
        session.execute(update(Staff).where(Staff.staff_id == "IN1")
                        .values(leaving_date=date(2027, 5, 14)))
    late = run_cli("handover-date", numbers["council"], "2027-06-01", "--json")
    assert late.exit_code == 0, late.output
    assert late.json()["workers_not_there"] == [
        {"role": "social_worker", "staff_id": "IN1", "why": "leaving on 2027-05-14"}]
    text = run_cli("handover-date", numbers["council"], "2027-06-02")
    said = _said(text.stderr)
    assert ("their social worker (IN1) will not be there for the handover on Wednesday 2 June "
            "2027: leaving on 14 May 2027") in said
    assert "transition assign" in said
    assert numbers["council"] not in text.output
    # A date before they go: nothing to say.
    early = run_cli("handover-date", numbers["council"], "2027-05-04", "--json")
    assert early.json()["workers_not_there"] == []
    assert "will not be there" not in early.stderr


def test_a_date_after_the_transfer_date_gets_a_note(run_cli: RunCli, database: Database) -> None:
    """A year typed wrong (2028 for 2027) puts the handover after the partnership ends."""
    numbers = _world(database)
    late = run_cli("handover-date", numbers["council"], "2028-05-04")
    assert late.exit_code == 0, late.output
    said = _said(late.stderr)
    assert ("Thursday 4 May 2028 is after the programme's transfer date (Thursday 1 April 2027), "
            "the day the partnership ends") in said
    early = run_cli("handover-date", numbers["council"], "2027-03-15")
    assert "after the programme's transfer date" not in early.stderr


def test_tasks_set_aside_by_the_new_date_are_reported(run_cli: RunCli,
                                                      database: Database) -> None:
    """The export says OUT1's allocation of the kept person ends on 20 March 2027: on the
    programme's date OUT1 is returning (a handover, with tasks). An own date of 15 March, while
    OUT1 still holds them, means no handover: their tasks are set aside, and the manager must
    be told, not only that due dates moved."""
    numbers = _world(database)
    with database.transaction() as session:
        session.execute(update(Person).where(Person.nhs_number == numbers["kept"])
                        .values(coordinator_until=date(2027, 3, 20)))
    assert run_cli("tasks", "generate").exit_code == 0
    before = run_cli("tasks", "list", "--nhs", numbers["kept"], "--json").json()
    assert before
    moved = run_cli("handover-date", numbers["kept"], "2027-03-15", "--json")
    assert moved.exit_code == 0, moved.output
    data = moved.json()
    assert data["tasks_not_needed"] == len([task for task in before if task["status"] == "todo"])
    assert data["tasks_added"] == 0
    back = run_cli("handover-date", numbers["kept"], "--clear")
    assert "Their tasks:" in back.stdout and "added" in back.stdout


def test_a_person_with_no_tasks_yet_gets_them_when_the_date_makes_a_handover(
    run_cli: RunCli, database: Database
) -> None:
    """Tasks were generated while the kept person's own date (15 March) fell before OUT1's
    allocation ends (20 March): no handover, no tasks. Back on the programme's date, OUT1 is
    returning to a role their allocation has ended in, a handover: their tasks are made then and
    there, as for a manager's choice of worker once the programme has tasks (they were not,
    because this person had none yet)."""
    numbers = _world(database)
    with database.transaction() as session:
        session.execute(update(Person).where(Person.nhs_number == numbers["kept"])
                        .values(coordinator_until=date(2027, 3, 20)))
    assert run_cli("handover-date", numbers["kept"], "2027-03-15").exit_code == 0
    assert run_cli("tasks", "generate").exit_code == 0
    assert run_cli("tasks", "list", "--nhs", numbers["kept"], "--json").json() == []
    back = run_cli("handover-date", numbers["kept"], "--clear", "--json")
    assert back.exit_code == 0, back.output
    made = run_cli("tasks", "list", "--nhs", numbers["kept"], "--json").json()
    assert made and back.json()["tasks_added"] == len(made)


def test_letters_written_with_the_old_date_are_flagged(
    run_cli: RunCli, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_test_council(monkeypatch)
    with database.transaction() as session:
        with_transfer_date(session)
        number = handover_person(session).nhs_number
    assert run_cli("letters", "generate", "--format", "md").exit_code == 0
    moved = run_cli("handover-date", number, "2027-03-10", "--json")
    assert moved.exit_code == 0, moved.output
    assert moved.json()["letters_out_of_date"] == 2  # the person's and the GP's
    said = _said(moved.stderr)
    assert "2 letters already written for them are now out of date" in said
    assert "do not post them" in said
    # Setting the same date again changes nothing, and says nothing of letters.
    again = run_cli("handover-date", number, "2027-03-10", "--json")
    assert again.json()["changed"] is False and again.json()["letters_out_of_date"] == 0


@pytest.mark.parametrize("args, code, words", [
    (("9990000018", "2027-05-04"), 1, "No person with NHS number"),
    (("999000001", "2027-05-04"), 2, "is not an NHS number"),
    (("{council}", "2027-02-30"), 2, "is not a date"),
    (("{council}", "May 2027"), 2, "is not a date"),
    (("{council}", "2027-05-04", "--clear"), 2, "either a DATE or --clear"),
])
def test_bad_input_is_refused_with_nothing_written(
    run_cli: RunCli, database: Database, args: tuple[str, ...], code: int, words: str
) -> None:
    numbers = _world(database)
    with database.session() as session:
        audited = session.scalar(select(func.count()).select_from(AuditEvent))
    result = run_cli("handover-date", *(arg.format(**numbers) for arg in args))
    assert result.exit_code == code, result.output
    assert words in _said(result.stderr)
    assert "Traceback" not in result.output
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == audited
        assert session.scalars(select(Person.handover_date)
                               .where(Person.handover_date.is_not(None))).all() == []  # type: ignore[union-attr]


def test_setting_and_clearing_is_audited_with_the_reason(run_cli: RunCli,
                                                         database: Database) -> None:
    numbers = _world(database)
    assert run_cli("handover-date", numbers["council"], "2027-05-04", "--reason",
                   "Phase 2: Westhaven").exit_code == 0
    assert run_cli("handover-date", numbers["council"], "--clear").exit_code == 0
    with database.session() as session:
        person_id = session.scalars(select(Person.id).where(
            Person.nhs_number == numbers["council"])).one()
        trail = events(session, person_id=person_id, actions=["person.handover_date"])
    assert [(event.before, event.after, event.reason) for event in trail] == [
        ("2027-05-04", None, None), (None, "2027-05-04", "Phase 2: Westhaven")]
