"""A re-plan after a person's handover date has passed: the new worker starts on a fresh date
(``[tasks] new_worker_notice_working_days`` working days after the accept), the person's
handover date moves to it, and their open tasks and letters follow; done tasks, a handover
still ahead and a coordinator carrying on are left as they were (transition.late_start)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from tests.check_world import RULES, TRANSFER, person, with_transfer
from tests.conftest import ACTOR
from tests.factories import make_staff
from transition.allocation import NewAssignment, current_assignments, set_assignments
from transition.checks import run_checks
from transition.db import Database
from transition.late_start import fresh_start
from transition.letter_context import facts_context
from transition.letter_facts import load_facts
from transition.models import AuditEvent, Person, Task
from transition.plan_review import accept_plan, latest_draft
from transition.ruleset import load_rules
from transition.tasks import generate_tasks
from transition.worker_overrides import assign_worker

PASSED = date(2027, 1, 4)  # the own handover date of the person who moved already
LEAVES = date(2027, 3, 12)
MARCH_15 = date(2027, 3, 15)  # a Monday, the leaver gone: the re-plan is accepted
# Ten working days after 15 March 2027: Good Friday (26 March) and Easter Monday (29 March)
# are bank holidays.
START = date(2027, 3, 31)


def test_the_fresh_start_counts_working_days_from_the_day_chosen() -> None:
    assert fresh_start(PASSED, MARCH_15, 10) == START
    assert fresh_start(PASSED, MARCH_15, 1) == date(2027, 3, 16)
    assert fresh_start(MARCH_15, MARCH_15, 10) is None  # today: not passed
    assert fresh_start(TRANSFER, MARCH_15, 10) is None


def _world(database: Database) -> dict[str, int]:
    """LEAVER holds one person whose own handover (4 January) has passed and one moving on the
    transfer date; their tasks were made before the handover; the first's records transfer is done."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "TRUST1", employer="trust", role="key_worker")
        make_staff(session, "LEAVER", leaving_date=LEAVES)
        make_staff(session, "STAYER", capacity=10)
        moved = person(session, coordinator="TRUST1", handover_date=PASSED)
        later = person(session, coordinator="TRUST1")
        assert moved.id is not None and later.id is not None
        set_assignments(session, [NewAssignment(moved.id, "social_worker", "LEAVER", PASSED),
                                  NewAssignment(later.id, "social_worker", "LEAVER", TRANSFER)],
                        actor=ACTOR)
        generate_tasks(session, RULES, as_of=date(2026, 12, 1), actor=ACTOR,
                       transfer_date=TRANSFER)
        visit = session.scalars(select(Task).where(Task.person_id == moved.id,
                                                   Task.key == "records_transferred")).one()
        visit.status = "done"
        session.add(visit)
        return {"moved": moved.id, "later": later.id}


def _tasks(database: Database, person_id: int) -> dict[str, tuple[str, str | None, date, date]]:
    with database.session() as session:
        return {task.key: (task.status, task.owner_staff_id, task.due, task.handover_date)
                for task in session.scalars(select(Task).where(Task.person_id == person_id))}


@pytest.fixture(autouse=True)
def _clock_on_march_15(monkeypatch: pytest.MonkeyPatch) -> None:
    """A role ends (``ended_at``) by the machine's clock: here the day of the re-plan, after
    the first new worker started (the letters tell such a worker from one replaced before
    they began by it)."""
    monkeypatch.setattr("transition.allocation.utcnow",
                        lambda: datetime(2027, 3, 15, 10, tzinfo=UTC))


def _replan_and_accept(database: Database) -> object:
    with database.transaction() as session:
        run_checks(session, RULES, as_of=MARCH_15, actor=ACTOR, apply=True)
        draft = latest_draft(session)
        assert draft is not None
        return accept_plan(session, RULES, plan_id=draft.id, actor="manager", today=MARCH_15)


def test_a_new_worker_after_the_handover_passed_starts_on_a_fresh_date(
    database: Database,
) -> None:
    ids = _world(database)
    before = _tasks(database, ids["moved"])
    result = _replan_and_accept(database)
    assert result.late_starts.people == 1  # type: ignore[attr-defined]
    assert result.to_json()["late_starts"] == 1  # type: ignore[attr-defined]
    said = result.late_starts_in_words()  # type: ignore[attr-defined]
    assert said is not None and said.startswith("1 person's handover date had already passed")

    with database.transaction() as session:
        held = current_assignments(session, ids.values())
        assert (held[ids["moved"]]["social_worker"].staff_id,
                held[ids["moved"]]["social_worker"].since) == ("STAYER", START)
        # A handover still ahead: the new worker starts on it, and it stays as it was.
        assert held[ids["later"]]["social_worker"].since == TRANSFER
        assert session.get(Person, ids["later"]).handover_date is None  # type: ignore[union-attr]
        assert session.get(Person, ids["moved"]).handover_date == START  # type: ignore[union-attr]
        trail = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "person.handover_date",
            AuditEvent.person_id == ids["moved"])).all()
        assert len(trail) == 1
        assert "a new worker after the handover date had passed" in (trail[0].reason or "")

        summary = generate_tasks(session, RULES, as_of=MARCH_15, actor=ACTOR,
                                 transfer_date=TRANSFER)
        assert summary.due_moved > 0

    after = _tasks(database, ids["moved"])
    assert after["records_transferred"] == before["records_transferred"]  # done: its date and owner kept
    assert before["records_transferred"][0] == "done"
    opened = {key: task for key, task in after.items() if task[0] != "done"}
    assert opened, "the person has open tasks"
    for _status, _owner, due, handover in opened.values():
        assert handover == START
        assert due >= MARCH_15, "no task born overdue"
    assert after["first_contact"][1] == "STAYER"
    assert after["first_contact"][2] == date(2027, 4, 7)  # 7 calendar days after the start
    assert before["first_contact"][2] < MARCH_15  # it was overdue before

    with database.session() as session:
        facts = load_facts(session, [ids["moved"]], as_of=MARCH_15)[ids["moved"]]
    assert facts.change_date == START
    assert [worker.staff_id for worker in facts.workers] == ["STAYER"]
    change = facts_context(facts, "person")["change"]
    assert change["date"] == "31 March 2027"
    # The trust's coordinator stopped when the first new worker started, not on the new date.
    assert change["outgoing_ended_iso"] == PASSED.isoformat()


def test_a_later_notice_in_the_rules_file_gives_a_later_start(
    database: Database, tmp_path: object
) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    file = tmp_path / "rules.toml"
    file.write_text('version = "late-start test"\n[tasks]\nnew_worker_notice_working_days = 1\n')
    rules = load_rules(file)
    assert rules.tasks.new_worker_notice_working_days == 1
    ids = _world(database)
    with database.transaction() as session:
        run_checks(session, rules, as_of=MARCH_15, actor=ACTOR, apply=True)
        accept_plan(session, rules, actor="manager", today=MARCH_15)
        held = current_assignments(session, [ids["moved"]])
        assert held[ids["moved"]]["social_worker"].since == date(2027, 3, 16)


def test_the_notice_must_be_a_working_day_or_more(tmp_path: object) -> None:
    from pathlib import Path

    from transition.errors import TransitionError

    assert isinstance(tmp_path, Path)
    file = tmp_path / "rules.toml"
    file.write_text('version = "late-start test"\n[tasks]\nnew_worker_notice_working_days = 0\n')
    with pytest.raises(TransitionError, match="new_worker_notice_working_days"):
        load_rules(file)


def test_a_managers_choice_after_the_handover_passed_starts_later_too(
    database: Database,
) -> None:
    ids = _world(database)
    with database.transaction() as session:
        moved = session.get(Person, ids["moved"])
        assert moved is not None
        result = assign_worker(session, RULES, nhs_number=moved.nhs_number, staff_id="STAYER",
                               role="social_worker", reason="LEAVER has left", lock=False,
                               force=True, as_of=MARCH_15, actor="manager")
        assert result.late_start == START
        assert result.to_json()["late_start"] == "2027-03-31"
        assert "starts on Wednesday 31 March 2027" in (result.late_start_in_words() or "")
        assert result.tasks is not None and result.tasks.due_moved > 0  # brought up to date
        held = current_assignments(session, [ids["moved"]])
        assert held[ids["moved"]]["social_worker"].since == START
        assert session.get(Person, ids["moved"]).handover_date == START  # type: ignore[union-attr]
        # The same worker again (a lock): not new to them, nothing moves.
        again = assign_worker(session, RULES, nhs_number=moved.nhs_number, staff_id="STAYER",
                              role="social_worker", reason="keep", lock=True, force=True,
                              as_of=date(2027, 4, 20), actor="manager")
        assert again.changed and again.late_start is None
        held = current_assignments(session, [ids["moved"]])
        assert held[ids["moved"]]["social_worker"].since == START
        assert session.get(Person, ids["moved"]).handover_date == START  # type: ignore[union-attr]
    after = _tasks(database, ids["moved"])
    assert after["first_contact"][1:] == ("STAYER", date(2027, 4, 7), START)
    assert after["records_transferred"][0] == "done"
