"""A task's owner in a manager's words: current worker, new worker, team manager.

A worker who stays with the person (the trust's coordinator carrying on, holding one of their
roles after the change) owns outgoing tasks (the letters, the records) and, for a kept role,
incoming ones too (the Care Act assessment of an ``assess`` person who keeps their worker, the
Care Act review of a joint person who keeps their social worker). Said as "outgoing" on some
and "incoming" on others, they read as leaving; they are the current worker, who stays.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from tests import task_world
from tests.task_world import ACTOR, TRANSFER, assign
from transition.db import Database
from transition.models import Person, Role
from transition.ruleset import load_rules
from transition.tasks import TaskQuery, generate_tasks, list_tasks
from transition.tasks.owners import owner_label, owner_role, staying_workers

AS_OF = date(2027, 3, 1)
RULES = load_rules()


def generate(session: Session) -> None:
    generate_tasks(session, RULES.tasks, as_of=AS_OF, actor=ACTOR, transfer_date=TRANSFER)


def labels(session: Session, person_id: int) -> dict[str, str]:
    """Each of the person's tasks' owner, as lists say it, by key."""
    rows = list_tasks(session, TaskQuery(person_id=person_id), as_of=AS_OF).rows
    staying = staying_workers(session, [person_id])
    return {
        row.key: owner_label(
            row.owner_name,
            row.owner_kind,
            row.owner_staff_id,
            stays=(row.person_id, row.owner_staff_id) in staying,
        )
        for row in rows
    }


def test_a_kept_worker_is_the_current_worker_who_stays_on_every_task(database: Database) -> None:
    with database.transaction() as session:
        ids = task_world.build(session)
        generate(session)
    with database.session() as session:
        staying = staying_workers(session)
        # Joint: OUT1 keeps the social worker's role, KW1 is the new key worker.
        joint = labels(session, ids["joint_kw"])
        # Council: OUT1 hands over to IN1.
        council = labels(session, ids["council"])
        assessed = labels(session, ids["assess"])
        unknown = labels(session, ids["unknown_out"])
        signposted = labels(session, ids["signpost"])
        as_json = {
            row.key: row.as_json(staying)
            for row in list_tasks(session, TaskQuery(person_id=ids["joint_kw"]), as_of=AS_OF).rows
        }
    assert {(ids["joint_kw"], "OUT1"), (ids["assess"], "OUT1"), (ids["kept"], "OUT1")} <= staying
    assert (ids["council"], "OUT1") not in staying
    assert (ids["joint_kw"], "KW1") not in staying

    kept = "Jo WorkerOUT1 (current worker, stays)"
    # Outgoing tasks and the kept role's incoming one say the same thing: they stay.
    assert joint["letter_person"] == joint["records_transferred"] == kept
    assert joint["care_act_review"] == kept  # incoming_role social_worker: OUT1 keeps it
    assert joint["first_contact"] == "Jo WorkerKW1 (new worker)"
    assert assessed == {"assessment_booked": kept}  # incoming, but the same worker
    assert council["letter_person"] == "Jo WorkerOUT1 (current worker)"
    assert council["first_contact"] == "Jo WorkerIN1 (new worker)"
    # GONE9 is on no staff list: the team manager holds the coordinator's tasks.
    assert unknown["letter_person"] == "Team manager (in place of the current worker)"
    assert set(signposted.values()) == {"Team manager"}
    # JSON keeps the stored kind and says who stays.
    assert (as_json["letter_person"]["owner"], as_json["letter_person"]["owner_stays"]) == (
        "outgoing",
        True,
    )
    assert (as_json["care_act_review"]["owner"], as_json["care_act_review"]["owner_stays"]) == (
        "incoming",
        True,
    )
    assert (as_json["first_contact"]["owner"], as_json["first_contact"]["owner_stays"]) == (
        "incoming",
        False,
    )


def test_a_coordinator_returning_after_their_allocation_ended_is_a_new_worker(
    database: Database,
) -> None:
    """Given the role again after the export says their allocation ended before the handover:
    the person has had no one in between, so they are not staying."""
    with database.transaction() as session:
        ids = task_world.build(session)
        person = session.get(Person, ids["kept"])
        assert person is not None
        person.coordinator_until = date(2027, 3, 31)
        session.add(person)
        session.flush()
        generate(session)
    with database.session() as session:
        assert (ids["kept"], "OUT1") not in staying_workers(session, [ids["kept"]])
        returning = labels(session, ids["kept"])
    assert returning["first_contact"] == "Jo WorkerOUT1 (new worker)"
    assert returning["letter_person"] == "Team manager (in place of the current worker)"


def test_staying_workers_asks_by_person_or_for_everyone(database: Database) -> None:
    with database.transaction() as session:
        ids = task_world.build(session)
        assign(session, ids["council"], Role.KEY_WORKER, "OUT1")  # OUT1 keeps one role
    with database.session() as session:
        everyone = staying_workers(session)
        one = staying_workers(session, [ids["council"]])
        none = staying_workers(session, [])
    assert one == {(ids["council"], "OUT1")} and (ids["council"], "OUT1") in everyone
    assert none == frozenset()


def test_owner_words() -> None:
    assert owner_role("outgoing", "S1", stays=False) == "current worker"
    assert owner_role("outgoing", "S1", stays=True) == "current worker, stays"
    assert owner_role("incoming", "S1", stays=True) == "current worker, stays"
    assert owner_role("incoming", "S1", stays=False) == "new worker"
    assert owner_role("incoming", None, stays=False) == "in place of the new worker"
    assert owner_role("manager", None, stays=False) == "team manager"
    assert owner_label(None, "outgoing", "S9", stays=False) == (
        "S9, not on the staff list (current worker)"
    )
