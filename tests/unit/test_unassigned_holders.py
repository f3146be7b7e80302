"""A role a plan leaves unassigned while someone holds it stays with them (accepting never
takes it): every place that counts the plan's unassigned roles says so alike, the workers'
caseloads keep it with them, and the reasons say why they could not keep it. An accepted
plan's roles managers changed since are counted. On SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import update

from tests.conftest import ACTOR, TODAY
from tests.factories import nhs_number
from tests.tui.plan_data import populate_plan_world
from transition.allocation import current_assignments
from transition.allocation_status import allocation_status, plan_sentences
from transition.db import Database
from transition.models import Staff
from transition.plan_review import (
    ManagerChanges,
    accept_plan,
    caseloads,
    load_plan,
    manager_changes,
    unassigned_holders,
    unassigned_in_words,
    unassigned_staying_note,
)
from transition.planning import propose_plan
from transition.ruleset import load_rules
from transition.worker_overrides import assign_worker, unlock

RULES = load_rules(None)


def accepted_then_sw1_leaving(database: Database) -> int:
    """Plan 1 accepted; SW1 leaves before the transfer, no other council worker has room;
    plan 2 (a draft) cannot place SW1's people. Returns plan 2's id."""
    populate_plan_world(database)
    with database.transaction() as session:
        propose_plan(session, RULES, as_of=TODAY, actor=ACTOR)
    with database.transaction() as session:
        accept_plan(session, RULES, actor=ACTOR, today=TODAY)
    with database.transaction() as session:
        session.execute(update(Staff).where(Staff.staff_id == "SW1")
                        .values(leaving_date=TODAY.replace(month=3, day=1)))
        session.execute(update(Staff).where(Staff.staff_id.in_(["SW2", "SW3"]))  # type: ignore[attr-defined]
                        .values(capacity=0))
    with database.transaction() as session:
        result = propose_plan(session, RULES, as_of=TODAY, actor=ACTOR)
    assert result.plan_id is not None
    return result.plan_id


def test_words() -> None:
    assert unassigned_staying_note(8, 0) == ""
    assert unassigned_in_words(8, 2) == ("8 unassigned (2 stay with who holds them now until a "
                                         "manager decides)")
    assert unassigned_in_words(3, 1) == ("3 unassigned (1 stays with who holds it now until a "
                                         "manager decides)")
    assert unassigned_in_words(2, 2) == ("2 unassigned (all stay with who holds them now until "
                                         "a manager decides)")
    assert ManagerChanges().in_words() is None
    assert ManagerChanges(chosen=1, relocked=1, locked=1).in_words() == (
        "since it was accepted, managers changed 2 roles (1 to another worker, 1 locked)")
    assert ManagerChanges(relocked=1).in_words() == (
        "since it was accepted, managers changed 1 role (unlocked)")


def test_unassigned_roles_someone_holds_stay_with_them_and_say_so(database: Database) -> None:
    plan_id = accepted_then_sw1_leaving(database)
    with database.session() as session:
        staying = unassigned_holders(session, plan_id)
        # SW1's people, and (over their capacity, now none) SW2's and SW3's.
        assert "SW1" in set(staying.values())
        plan = load_plan(session, plan_id)
        assert plan.unassigned_staying == len(staying) <= plan.unassigned
        assert plan.to_json()["unassigned_staying"] == len(staying)
        # Why SW1 could not keep them, in the row's own reasons.
        rows = [row for row in plan.rows if staying.get((row.person_id, row.role or "")) == "SW1"]
        assert rows and all(any(reason.startswith("current worker SW1 not active on ")
                       for reason in row.reasons) for row in rows), [r.reasons for r in rows]
        # Plan status says the same.
        said = " ".join(plan_sentences(allocation_status(session, TODAY)))
        assert unassigned_in_words(plan.unassigned, len(staying)) + "." in said
        # The workers' caseloads keep them with SW1: not "leaving" them.
        loads = caseloads(session, RULES, as_of=TODAY, plan_id=plan_id)
        sw1 = next(worker for worker in loads.workers if worker.staff_id == "SW1")
        assert sw1.proposed == len(rows)
        assert sw1.leaving == sw1.current - len(rows)
        for worker in loads.workers:
            assert worker.current - (worker.leaving or 0) + (worker.joining or 0) \
                == worker.proposed, worker
        before = {(person_id, role): item.staff_id
                  for person_id, roles in current_assignments(session).items()
                  for role, item in roles.items()}
    with database.transaction() as session:
        result = accept_plan(session, RULES, plan_id=plan_id, actor=ACTOR, today=TODAY)
    assert result.unassigned_staying == len(staying)
    assert result.to_json()["unassigned_staying"] == len(staying)
    with database.session() as session:
        now = current_assignments(session)
        for (person_id, role), staff_id in staying.items():
            assert now[person_id][role].staff_id == staff_id == before[person_id, role]


def test_manager_changes_since_an_accepted_plan(database: Database) -> None:
    populate_plan_world(database)
    with database.transaction() as session:
        propose_plan(session, RULES, as_of=TODAY, actor=ACTOR)
    with database.transaction() as session:
        plan_id = accept_plan(session, RULES, actor=ACTOR, today=TODAY).plan_id
    with database.session() as session:
        assert manager_changes(session, plan_id) == ManagerChanges()
    with database.transaction() as session:
        assign_worker(session, RULES, nhs_number=nhs_number(100), staff_id="SW3",
                      role="social_worker", reason="Knows the family", lock=False, force=True,
                      as_of=TODAY, actor=ACTOR)
    with database.session() as session:
        assert manager_changes(session, plan_id) == ManagerChanges(chosen=1)
    with database.transaction() as session:  # the plan's own worker, locked
        assign_worker(session, RULES, nhs_number=nhs_number(101), staff_id="SW1",
                      role="social_worker", reason="Keep", lock=True, force=True,
                      as_of=TODAY, actor=ACTOR)
    with database.session() as session:
        assert manager_changes(session, plan_id) == ManagerChanges(chosen=1, relocked=1,
                                                                   locked=1)
    with database.transaction() as session:
        unlock(session, nhs_number=nhs_number(101), role="social_worker", actor=ACTOR)
    with database.session() as session:  # back as the plan left it
        assert manager_changes(session, plan_id) == ManagerChanges(chosen=1)
