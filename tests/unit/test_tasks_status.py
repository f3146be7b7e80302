from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import Session

from tests import task_world
from tests.task_world import ACTOR, TRANSFER
from transition.audit import events
from transition.db import Database
from transition.errors import ConflictError, NotFoundError, TransitionError
from transition.models import AuditEvent, Task
from transition.ruleset import load_rules
from transition.tasks import (
    DependencyError,
    generate_tasks,
    mark_task_done,
    mark_tasks_done,
    set_task_note,
    set_task_status,
    task_history,
)


def build(session: Session) -> dict[str, int]:
    ids = task_world.build(session)
    generate_tasks(session, load_rules(), as_of=date(2027, 3, 1), actor=ACTOR,
                   transfer_date=TRANSFER)
    return ids


def task_id(session: Session, person_id: int, key: str) -> int:
    found = session.scalar(select(Task.id).where(Task.person_id == person_id, Task.key == key))
    assert found is not None
    return found


def test_a_task_cannot_be_done_before_its_dependencies(database: Database) -> None:
    with database.transaction() as session:
        ids = build(session)
        first = task_id(session, ids["council"], "first_contact")
        records = task_id(session, ids["council"], "records_transferred")
    with database.transaction() as session, pytest.raises(DependencyError) as caught:
        set_task_status(session, first, "done", actor=ACTOR)
    message = caught.value.message
    assert (f"First contact by the new worker (task {first}) cannot be done before Records "
            f"and risk assessment transferred to the new worker (task {records}, due ") in message
    assert message.endswith(", to do).") and "records_transferred" not in message
    assert "records_transferred" not in caught.value.for_screen()
    assert f"task {records}" not in caught.value.for_screen()
    assert caught.value.exit_code == 1
    with database.transaction() as session:
        set_task_status(session, records, "done", actor=ACTOR)
        change = set_task_status(session, first, "done", actor=ACTOR, note="Met at home")
        assert (change.before, change.after, change.version) == ("todo", "done", 2)
    with database.session() as session:
        task = session.get(Task, first)
        assert task is not None and task.completed_at is not None and task.note == "Met at home"
        trail = [e for e in events(session, entity="task") if e.entity_key == str(first)]
        assert [e.action for e in trail][:2] == ["task.note", "task.status"]
        assert all(e.actor == ACTOR for e in trail)


def test_a_dependency_not_needed_counts_as_out_of_the_way(database: Database) -> None:
    with database.transaction() as session:
        ids = build(session)
        set_task_status(session, task_id(session, ids["council"], "records_transferred"),
                        "not_needed", actor=ACTOR, reason="Same team, same records")
        set_task_status(session, task_id(session, ids["council"], "first_contact"), "done",
                        actor=ACTOR)


def test_blocked_needs_a_reason_and_keeps_it(database: Database) -> None:
    with database.transaction() as session:
        ids = build(session)
        visit = task_id(session, ids["red"], "joint_visit")
        with pytest.raises(TransitionError, match="without a reason"):
            set_task_status(session, visit, "blocked", actor=ACTOR)
        set_task_status(session, visit, "blocked", actor=ACTOR, reason="Person in hospital")
        task = session.get(Task, visit)
        assert task is not None
        assert (task.status, task.blocked_reason) == ("blocked", "Person in hospital")
        set_task_status(session, visit, "in_progress", actor=ACTOR)
        assert session.get(Task, visit).blocked_reason is None  # type: ignore[union-attr]
        with pytest.raises(TransitionError, match="A reason is kept only"):
            set_task_status(session, visit, "todo", actor=ACTOR, reason="x")
        with pytest.raises(TransitionError, match="not a task status"):
            set_task_status(session, visit, "finished", actor=ACTOR)


def test_an_edit_from_a_stale_screen_is_refused(database: Database) -> None:
    with database.transaction() as session:
        ids = build(session)
        letter = task_id(session, ids["council"], "letter_gp")
    # Two managers read version 1; the first saves, the second is refused.
    with database.transaction() as session:
        set_task_status(session, letter, "in_progress", actor="manager-a", expected_version=1)
    with database.transaction() as session, pytest.raises(ConflictError):
        set_task_status(session, letter, "done", actor="manager-b", expected_version=1)
    with database.session() as session:
        task = session.get(Task, letter)
        assert task is not None and (task.status, task.version, task.updated_by) == (
            "in_progress", 2, "manager-a")


def test_an_unknown_task_is_not_found(database: Database) -> None:
    with database.transaction() as session, pytest.raises(NotFoundError, match="no task 999"):
        set_task_status(session, 999, "done", actor=ACTOR)


def test_letters_mark_their_task_done(database: Database) -> None:
    with database.transaction() as session:
        ids = build(session)
        assert mark_task_done(session, ids["council"], "letter_person", actor="letters")
        assert not mark_task_done(session, ids["signpost"], "letter_person", actor="letters")
        # Done already: still True, nothing new audited.
        assert mark_task_done(session, ids["council"], "letter_person", actor="letters")
        letter = session.get(Task, task_id(session, ids["council"], "letter_person"))
        assert letter is not None and letter.status == "done" and letter.version == 2
        with pytest.raises(DependencyError, match=r"\*{6}\d{4}"):
            mark_task_done(session, ids["council"], "care_act_review", actor="letters")
        created = events(session, actions=["task.status"], person_id=ids["council"])
        assert [(e.actor, e.after) for e in created] == [("letters", "done")]
        # A task someone marked not needed is left alone.
        carer = task_id(session, ids["council"], "letter_carer")
        set_task_status(session, carer, "not_needed", actor=ACTOR, reason="No carer any more")
        assert not mark_task_done(session, ids["council"], "letter_carer", actor="letters")
        assert session.get(Task, carer).status == "not_needed"  # type: ignore[union-attr]


def test_marking_many_done_reports_what_it_could_not(database: Database) -> None:
    with database.transaction() as session:
        ids = build(session)
        result = mark_tasks_done(
            session,
            [(ids["council"], "letter_gp"), (ids["red"], "letter_gp"),
             (ids["kept"], "letter_gp"), (ids["red"], "first_contact")],
            actor="letters",
        )
    assert result.done == 2
    assert result.missing == [(ids["kept"], "letter_gp")]
    assert result.waiting == {(ids["red"], "first_contact"): ["records_transferred"]}


def test_marking_done_leaves_a_blocked_task_blocked_with_its_reason(database: Database) -> None:
    """A manager's block is never overridden by letters marking their tasks done: the task
    stays blocked with its reason, nothing is audited for it, and the result says so."""
    with database.transaction() as session:
        ids = build(session)
        gp = task_id(session, ids["council"], "letter_gp")
        set_task_status(session, gp, "blocked", actor="manager-a",
                        reason="Waiting for the GP practice's new address")
        result = mark_tasks_done(
            session, [(ids["council"], "letter_gp"), (ids["council"], "letter_person")],
            actor="letters", reason="letter generated")
        assert result.done == 1
        assert result.blocked == [(ids["council"], "letter_gp")]
        assert not mark_task_done(session, ids["council"], "letter_gp", actor="letters")
    with database.session() as session:
        task = session.get(Task, gp)
        assert task is not None
        assert (task.status, task.blocked_reason, task.completed_at, task.version) == (
            "blocked", "Waiting for the GP practice's new address", None, 2)
        assert [(e.actor, e.after) for e in task_history(session, gp)
                if e.action == "task.status"] == [("manager-a", "blocked")]


@pytest.mark.parametrize("status", ["blocked", "not_needed"])
def test_a_reason_too_long_to_keep_is_refused_with_the_limit(
    database: Database, status: str
) -> None:
    """The reason is kept in the task and the audit trail, both VARCHAR(1000): a longer one is
    refused (PostgreSQL would fail; SQLite would keep more than the column says), whoever
    asks, and nothing is changed. The limit is the columns' own."""
    limit = min(Task.__table__.c.blocked_reason.type.length,  # type: ignore[attr-defined]
                AuditEvent.__table__.c.reason.type.length)  # type: ignore[attr-defined]
    assert limit == 1000
    with database.transaction() as session:
        ids = build(session)
        gp = task_id(session, ids["council"], "letter_gp")
    with database.transaction() as session, pytest.raises(TransitionError) as caught:
        set_task_status(session, gp, status, actor=ACTOR, reason="x" * (limit + 1))
    assert "1,001 characters" in caught.value.message and "at most 1,000" in caught.value.message
    with database.transaction() as session, pytest.raises(TransitionError, match="at most 1,000"):
        mark_tasks_done(session, [(ids["council"], "letter_gp")], actor="letters",
                        reason="y" * (limit + 1))
    with database.session() as session:
        task = session.get(Task, gp)
        assert task is not None and (task.status, task.blocked_reason, task.version) == (
            "todo", None, 1)
        assert [e.action for e in task_history(session, gp)] == ["task.create"]
    # Exactly the limit fits, spaces around it aside.
    with database.transaction() as session:
        set_task_status(session, gp, status, actor=ACTOR, reason=f"  {'z' * limit}  ")
    with database.session() as session:
        task = session.get(Task, gp)
        assert task is not None and task.blocked_reason == "z" * limit


def test_a_tasks_history_starts_with_its_creation(database: Database) -> None:
    with database.transaction() as session:
        ids = build(session)
        letter = task_id(session, ids["council"], "letter_gp")
        set_task_status(session, letter, "not_needed", actor="manager-a",
                        reason="No longer applies: GP already told")
        history = task_history(session, letter)
        task = session.get(Task, letter)
    assert [event.action for event in history] == ["task.create", "task.status"]
    assert [event.actor for event in history] == [ACTOR, "manager-a"]
    # A manager's reason never looks like the generator's, so generate leaves it alone.
    assert task is not None
    assert task.blocked_reason == "(manager-a) No longer applies: GP already told"


def test_a_note_is_replaced_audited_and_keeps_the_status_and_reason(database: Database) -> None:
    with database.transaction() as session:
        ids = build(session)
        visit = task_id(session, ids["red"], "joint_visit")
        set_task_status(session, visit, "blocked", actor=ACTOR, reason="Person in hospital")
    with database.transaction() as session:
        change = set_task_note(session, visit, "  Ward 3 says next week  ", actor="manager-a",
                               expected_version=2)
        assert (change.before, change.after, change.version) == ("blocked", "blocked", 3)
        set_task_note(session, visit, "Ward 3 says next week", actor="manager-a")  # no change
    with database.session() as session:
        task = session.get(Task, visit)
        assert task is not None
        assert (task.note, task.status, task.blocked_reason, task.version, task.updated_by) == (
            "Ward 3 says next week", "blocked", "Person in hospital", 3, "manager-a")
        notes = [e for e in events(session, entity="task")
                 if e.entity_key == str(visit) and e.action == "task.note"]
        assert [(e.before, e.after, e.actor) for e in notes] == [
            (None, "Ward 3 says next week", "manager-a")]
    with database.transaction() as session:
        set_task_note(session, visit, "", actor=ACTOR)
        assert session.get(Task, visit).note is None  # type: ignore[union-attr]


def test_a_note_from_a_stale_screen_or_too_long_is_refused(database: Database) -> None:
    with database.transaction() as session:
        ids = build(session)
        letter = task_id(session, ids["council"], "letter_gp")
        set_task_status(session, letter, "in_progress", actor="manager-a")
    with database.transaction() as session, pytest.raises(ConflictError, match="nothing was saved"):
        set_task_note(session, letter, "Posted", actor="manager-b", expected_version=1)
    with database.transaction() as session, pytest.raises(TransitionError, match="at most 2,000"):
        set_task_note(session, letter, "x" * 2001, actor=ACTOR)
    with database.session() as session:
        task = session.get(Task, letter)
        assert task is not None and (task.note, task.version) == (None, 2)
    with database.transaction() as session, pytest.raises(NotFoundError):
        set_task_note(session, 999_999, "x", actor=ACTOR)


def test_a_note_given_when_marking_done_is_checked_and_audited(database: Database) -> None:
    """Letters mark their tasks done with a note: it replaces the old one as set_task_note
    does, stripped, at most 2,000 characters, and the audit trail keeps the one it replaced."""
    with database.transaction() as session:
        ids = build(session)
        letter = task_id(session, ids["council"], "letter_gp")
        set_task_note(session, letter, "Phoned the practice first", actor="manager-a")
    with database.transaction() as session, pytest.raises(TransitionError, match="at most 2,000"):
        mark_task_done(session, ids["council"], "letter_gp", actor="letters", note="x" * 2001)
    with database.transaction() as session, pytest.raises(TransitionError, match="at most 2,000"):
        mark_tasks_done(session, [(ids["council"], "letter_gp")], actor="letters",
                        note="x" * 2001)
    with database.session() as session:
        task = session.get(Task, letter)
        assert task is not None and (task.status, task.note) == ("todo", "Phoned the practice first")
    with database.transaction() as session:
        assert mark_task_done(session, ids["council"], "letter_gp", actor="letters",
                              note="  Sent first class  ", reason="letter generated")
        # A note the same as the task's is not a change: nothing more audited.
        mark_tasks_done(session, [(ids["council"], "letter_person")], actor="letters", note="")
    with database.session() as session:
        task = session.get(Task, letter)
        assert task is not None and (task.status, task.note) == ("done", "Sent first class")
        trail = [(e.action, e.before, e.after, e.actor) for e in task_history(session, letter)
                 if e.action != "task.create"]
        assert trail == [
            ("task.note", None, "Phoned the practice first", "manager-a"),
            ("task.status", "todo", "done", "letters"),
            ("task.note", "Phoned the practice first", "Sent first class", "letters"),
        ]
        person_letter = task_id(session, ids["council"], "letter_person")
        assert [e.action for e in events(session, entity="task")
                if e.entity_key == str(person_letter)] == ["task.status"]
