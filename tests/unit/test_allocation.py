from datetime import date

from transition.allocation import NewAssignment, current_assignments, set_assignments, worker_changes
from transition.audit import events
from transition.db import Database
from tests.factories import make_person, make_staff


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
