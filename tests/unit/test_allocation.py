import re
from datetime import date, timedelta

import pytest

from tests.factories import make_person, make_staff
from transition.allocation import (
    NewAssignment,
    coordinator_continues,
    current_assignments,
    set_assignments,
    worker_changes,
)
from transition.audit import events
from transition.db import Database
from transition.errors import ConflictError
from transition.models import Assignment
from transition.programme import set_transfer_date


def test_set_assignments_ends_the_old_row_and_audits(database: Database) -> None:
    with database.transaction() as session:
        make_staff(session, "SW1")
        make_staff(session, "SW2")
        person = make_person(session, care_coordinator_id="SW1")
        pid = person.id
        assert pid is not None
        changed = set_assignments(
            session, [NewAssignment(pid, "social_worker", "SW1", date(2027, 4, 1))], actor="a"
        )
        assert changed == 1
        # Same worker again: nothing changes, nothing audited.
        assert set_assignments(
            session, [NewAssignment(pid, "social_worker", "SW1", date(2027, 4, 1))], actor="a"
        ) == 0
        assert worker_changes(session) == []
        set_assignments(
            session,
            [NewAssignment(pid, "social_worker", "SW2", date(2027, 4, 1), source="manager",
                           locked=True, reason="Knows the family")],
            actor="b",
        )
    with database.session() as session:
        current = current_assignments(session)[pid]["social_worker"]
        assert (current.staff_id, current.locked) == ("SW2", True)
        [change] = worker_changes(session)
        assert (change.outgoing_staff_id, change.incoming_staff_id) == ("SW1", "SW2")
        trail = events(session, person_id=pid)
        assert [event.action for event in trail] == ["assignment.manager", "assignment.accept"]
        assert trail[0].before == {"staff_id": "SW1", "locked": False}
        assert trail[0].reason == "Knows the family"


def test_a_role_given_is_stored_as_the_orm_would_store_it(database: Database) -> None:
    # set_assignments writes stored values straight to the driver on SQLite: every column
    # must read back exactly as a row added through the ORM does.
    with database.transaction() as session:
        make_staff(session, "SW1")
        make_staff(session, "SW2")
        first, second = make_person(session), make_person(session)
        assert first.id is not None and second.id is not None
        by_hand = Assignment(person_id=second.id, role="social_worker", staff_id="SW2",
                             since=date(2027, 4, 1), locked=True, reason="Knows the family",
                             source="manager", plan_id=None, created_by="b")
        session.add(by_hand)
        session.flush()
        set_assignments(session, [NewAssignment(
            first.id, "social_worker", "SW1", date(2027, 4, 1), source="manager",
            locked=True, reason="Knows the family")], actor="b")
        ids = first.id, second.id
    with database.session() as session:
        given = current_assignments(session)[ids[0]]["social_worker"]
        added = current_assignments(session)[ids[1]]["social_worker"]
        shown = ("role", "since", "locked", "reason", "source", "plan_id", "created_by",
                 "ended_at", "ended_by", "version")
        assert {name: getattr(given, name) for name in shown} == {
            name: getattr(added, name) for name in shown}
        assert given.created_at.tzinfo is not None and given.created_at.tzinfo.utcoffset(None) == timedelta(0)
        assert (given.since, given.locked, given.version) == (date(2027, 4, 1), True, 1)
        connection = session.connection()
        if connection.dialect.name == "sqlite":  # PostgreSQL's columns fix their own types
            # In the file itself: the same stored types column by column, and the same text
            # for the dates and times, digit for digit aside.
            typed = ", ".join(f"typeof({name})" for name in (*shown, "created_at"))
            rows = connection.exec_driver_sql(
                f"SELECT {typed}, since, created_at FROM assignment ORDER BY person_id").all()
            shapes = [(*row[:-2], *(re.sub("[0-9]", "9", text) for text in row[-2:]))
                      for row in rows]
            assert shapes[0] == shapes[1]


def test_a_role_given_meanwhile_by_someone_else_is_a_conflict_and_nothing_is_saved(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another session gave the role after this one read who holds it (here: the read is made
    # to miss it). The insert meets the one-current-row rule: a clear conflict, not a
    # database error, and the whole change is rolled back.
    with database.transaction() as session:
        make_staff(session, "SW1")
        make_staff(session, "SW2")
        person = make_person(session)
        assert person.id is not None
        pid = person.id
        set_assignments(session, [NewAssignment(pid, "social_worker", "SW1", date(2027, 4, 1))],
                        actor="a")
    monkeypatch.setattr("transition.allocation._held", lambda _session, _ids: {})
    with (pytest.raises(ConflictError, match="Someone else changed who holds"),
          database.transaction() as session):
        set_assignments(session, [NewAssignment(pid, "social_worker", "SW2", date(2027, 4, 1))],
                        actor="b")
    with database.session() as session:
        current = current_assignments(session)[pid]["social_worker"]
        assert current.staff_id == "SW1"
        assert [event.actor for event in events(session, person_id=pid)] == ["a"]


@pytest.mark.parametrize(
    ("staff", "until", "change", "continues"),
    [
        ("SW1", None, date(2027, 4, 1), True),  # no end: carries on
        ("SW1", date(2027, 4, 1), date(2027, 4, 1), True),  # its last day is the change day
        ("SW1", date(2027, 3, 31), date(2027, 4, 1), False),  # ended the day before: returning
        ("SW2", None, date(2027, 4, 1), False),  # someone else
        ("SW1", None, None, True),  # no change date: an allocation with no end carries on
        ("SW1", date(2030, 1, 1), None, False),  # ... one with an end does not
        (None, None, date(2027, 4, 1), False),
    ],
)
def test_who_carries_on_through_the_change(staff: str | None, until: date | None,
                                           change: date | None, continues: bool) -> None:
    assert coordinator_continues(staff, "SW1", until, change) is continues


def test_a_coordinator_given_the_role_again_after_their_allocation_ended_is_a_change(
    database: Database,
) -> None:
    """The rule in SQL (worker_changes) agrees with the rule in Python, on the person's own
    handover date or else the programme's transfer date, and with no coordinator at all."""
    with database.transaction() as session:
        set_transfer_date(session, date(2027, 4, 1), actor="a")
        make_staff(session, "SW1")
        cases = {
            "returning": make_person(session, care_coordinator_id="SW1",
                                     coordinator_until=date(2027, 3, 31)),
            "to_the_day": make_person(session, care_coordinator_id="SW1",
                                      coordinator_until=date(2027, 4, 1)),
            # Their own handover date comes first: the allocation outlasts it.
            "own_day": make_person(session, care_coordinator_id="SW1",
                                   coordinator_until=date(2027, 3, 31),
                                   handover_date=date(2027, 2, 1)),
            "no_end": make_person(session, care_coordinator_id="SW1"),
            "no_coordinator": make_person(session, care_coordinator_id=None),
        }
        ids = {name: made.id for name, made in cases.items()}
        set_assignments(session, [NewAssignment(person_id, "social_worker", "SW1",
                                                date(2027, 4, 1))
                                  for person_id in ids.values() if person_id is not None],
                        actor="a")
        people = {made.id: made for made in cases.values()}
    with database.session() as session:
        changes = worker_changes(session)
        changed = {change.person_id for change in changes}
        assert {name for name, person_id in ids.items() if person_id in changed} == {
            "returning", "no_coordinator"}
        returning = next(change for change in changes if change.person_id == ids["returning"])
        assert (returning.outgoing_staff_id, returning.incoming_staff_id) == ("SW1", "SW1")
        for person_id, made in people.items():
            assert (person_id in changed) is not coordinator_continues(
                "SW1", made.care_coordinator_id, made.coordinator_until,
                made.handover_date or date(2027, 4, 1))
