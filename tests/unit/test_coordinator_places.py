"""Before a plan decides a person's roles, their trust care coordinator holds them (one place
on their caseload). Every reader counts that place the same way (allocation's
coordinator_place_open): the workers screen and the check (current_caseloads), a person's
roles, a re-plan of others, a manager's choice, and a draft's staleness."""

from __future__ import annotations

import pytest

from tests.caseloads import TRANSFER, rules_with_red_cap
from tests.conftest import ACTOR, TODAY
from tests.factories import make_person, make_staff, nhs_number
from transition.db import Database
from transition.errors import ConflictError, TransitionError
from transition.models import Person, Staff
from transition.plan_inputs import read_inputs
from transition.plan_review import accept_plan, current_caseloads, person_roles
from transition.planning import propose_plan, replan
from transition.programme import set_transfer_date
from transition.ruleset import Rules, load_rules
from transition.worker_overrides import assign_worker, feasible_workers


@pytest.fixture
def rules() -> Rules:
    return load_rules()


def _assign(session, rules: Rules, number: str, staff_id: str, role: str) -> None:  # type: ignore[no-untyped-def]
    assign_worker(session, rules, nhs_number=number, staff_id=staff_id, role=role,
                  reason="a manager's choice", lock=False, force=False, as_of=TODAY,
                  actor=ACTOR)


def test_a_manager_may_confirm_a_full_coordinator_for_their_own_person(
    database: Database, rules: Rules
) -> None:
    """SW1 (2 places) coordinates two people: choosing SW1 for one of them keeps 2 of 2. It
    was refused as "over capacity (3 of 2)": the person was counted twice."""
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", capacity=2)
        mine = [make_person(session, pathway="council", risk_band="green",
                            care_coordinator_id="SW1", nhs_number=nhs_number(number))
                for number in (1, 2)]
    with database.transaction() as session:
        _assign(session, rules, mine[0].nhs_number, "SW1", "social_worker")
        assert current_caseloads(session, TODAY) == {"SW1": 2}
        with pytest.raises(TransitionError, match=r"over capacity \(3 of 2\)"):
            make_person(session, pathway="council", risk_band="green",
                        nhs_number=nhs_number(3))
            _assign(session, rules, nhs_number(3), "SW1", "social_worker")


def test_a_choice_for_one_role_of_a_joint_person_leaves_the_coordinator_the_other(
    database: Database, rules: Rules
) -> None:
    """A manager gives a joint person's social worker role to SW2: their trust coordinator
    KW1 still holds them (the key worker role) until a plan is accepted, on every reading."""
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW2", capacity=5)
        make_staff(session, "KW1", employer="trust", role="nurse", capacity=1)
        joint = make_person(session, pathway="joint", risk_band="green",
                            care_coordinator_id="KW1", nhs_number=nhs_number(1))
        other = make_person(session, pathway="trust", risk_band="green",
                            nhs_number=nhs_number(2))
    with database.transaction() as session:
        _assign(session, rules, joint.nhs_number, "SW2", "social_worker")
    with database.session() as session:
        assert current_caseloads(session, TODAY) == {"SW2": 1, "KW1": 1}
        made = session.get(Person, joint.id)
        assert made is not None
        states = {entry["role"]: entry["state"] for entry in person_roles(session, made,
                                                                          as_of=TODAY)}
        assert states == {"social_worker": "held", "key_worker": "with_coordinator"}
        inputs = read_inputs(session, rules, as_of=TODAY, person_ids=[other.id])
        assert sorted((item.staff_id, item.role) for item in inputs.problem.held) == [
            ("KW1", "key_worker"), ("SW2", "social_worker")]
    with (database.transaction() as session,  # KW1 is full with them
          pytest.raises(TransitionError, match=r"KW1 would be over capacity \(2 of 1\)")):
        _assign(session, rules, other.nhs_number, "KW1", "key_worker")


def test_candidates_rule_out_a_worker_at_the_red_band_cap(database: Database) -> None:
    rules = rules_with_red_cap(1)
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", capacity=10)
        make_staff(session, "SW2", capacity=10)
        first = make_person(session, pathway="council", risk_band="red",
                            nhs_number=nhs_number(1))
        second = make_person(session, pathway="council", risk_band="red",
                             nhs_number=nhs_number(2))
        _assign(session, rules, first.nhs_number, "SW1", "social_worker")
    with database.session() as session:
        assert second.id is not None
        options = {option.staff_id: option for option in feasible_workers(
            session, rules, person_id=second.id, role="social_worker", as_of=TODAY,
            include_infeasible=True)}
    assert not options["SW1"].feasible
    assert options["SW1"].why_not == ["red-band handover cap reached (1 of 1)"]
    assert options["SW2"].feasible


def test_a_re_plan_made_before_people_were_imported_is_out_of_date(
    database: Database, rules: Rules
) -> None:
    """A re-plan of some people counted everyone else's places as they were; people imported
    since onto a worker it filled would take that worker past capacity if it were accepted."""
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", capacity=3)
        newcomer = make_person(session, pathway="council", risk_band="green",
                               nhs_number=nhs_number(1))
        make_person(session, pathway="council", risk_band="green", care_coordinator_id="SW1",
                    nhs_number=nhs_number(2))
        assert newcomer.id is not None
        draft = replan(session, rules, person_ids=[newcomer.id], as_of=TODAY, actor=ACTOR,
                       refresh=False)
        assert [row.staff_id for row in draft.rows] == ["SW1"]  # 2 of 3 with them
        for number in (3, 4):  # imported since: SW1's coordinator places
            make_person(session, pathway="council", risk_band="green",
                        care_coordinator_id="SW1", nhs_number=nhs_number(number))
    with (database.transaction() as session,
          pytest.raises(ConflictError, match="people this re-plan left as they are")):
        accept_plan(session, rules, plan_id=draft.plan_id, actor=ACTOR)
    with database.transaction() as session:  # a plan of everyone is made afresh
        fresh = propose_plan(session, rules, as_of=TODAY, actor=ACTOR, refresh=False)
        accept_plan(session, rules, plan_id=fresh.plan_id, actor=ACTOR)


def test_a_lock_on_a_worker_who_leaves_before_the_handover_is_kept_with_a_warning(
    database: Database, rules: Rules
) -> None:
    from datetime import date

    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", capacity=5)
        make_staff(session, "SW2", capacity=5)
        person = make_person(session, pathway="council", risk_band="green",
                             nhs_number=nhs_number(1))
        assign_worker(session, rules, nhs_number=person.nhs_number, staff_id="SW1",
                      role="social_worker", reason="knows them", lock=True, force=False,
                      as_of=TODAY, actor=ACTOR)
        plan = propose_plan(session, rules, as_of=TODAY, actor=ACTOR, refresh=False)
        assert not [warning for warning in plan.warnings if "locked" in warning]
        staff = session.get(Staff, "SW1")
        assert staff is not None
        staff.leaving_date = date(2027, 2, 1)
        session.add(staff)
        session.flush()
        again = propose_plan(session, rules, as_of=TODAY, actor=ACTOR, refresh=False)
    [warning] = [warning for warning in again.warnings if "locked" in warning]
    assert "SW1, who is leaving on 2027-02-01 at the handover" in warning
    assert "transition unlock" in warning and person.nhs_number not in warning
    assert [row.staff_id for row in again.rows] == ["SW1"]  # kept: a manager's choice


def test_a_lock_after_a_plan_of_everyone_is_said_as_who_holds_a_case(
    database: Database, rules: Rules
) -> None:
    """Locking a worker after a plan of everyone makes it out of date as a change of who
    holds a case: not also as a re-plan's other people moving (that plan has none). (A lock
    of the worker the draft proposes confirms it instead: the other worker is locked.)"""
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", capacity=3)
        make_staff(session, "SW2", capacity=3)
        person = make_person(session, pathway="council", risk_band="green",
                             nhs_number=nhs_number(1))
        draft = propose_plan(session, rules, as_of=TODAY, actor=ACTOR, refresh=False)
        other = "SW2" if draft.rows[0].staff_id == "SW1" else "SW1"
        assign_worker(session, rules, nhs_number=person.nhs_number, staff_id=other,
                      role="social_worker", reason="agreed", lock=True, force=False,
                      as_of=TODAY, actor=ACTOR)
    with (database.transaction() as session,
          pytest.raises(ConflictError) as refused):
        accept_plan(session, rules, plan_id=draft.plan_id, actor=ACTOR)
    assert "who holds a case changed" in refused.value.message
    assert "locked" in refused.value.message and "re-plan" not in refused.value.message


def test_a_worker_whose_role_fits_nothing_is_named_in_the_plans_warnings(
    database: Database, rules: Rules
) -> None:
    """A 'Social Wroker' on the staff list is never given anyone: the plan says so, once,
    with the combination, beside staff who are rightly not care coordinators."""
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", capacity=5)
        make_staff(session, "SW2", role="social wroker", capacity=5)
        make_staff(session, "DR1", employer="trust", role="psychiatrist", capacity=5)
        make_person(session, pathway="council", risk_band="green", nhs_number=nhs_number(1))
        plan = propose_plan(session, rules, as_of=TODAY, actor=ACTOR, refresh=False)
    [warning] = [warning for warning in plan.warnings if "fit no role" in warning]
    assert "2 (council social_wroker (1), trust psychiatrist (1))" in warning
    assert [row.staff_id for row in plan.rows] == ["SW1"]


def test_a_team_counts_only_the_places_of_workers_there_on_the_transfer_date(
    database: Database, rules: Rules
) -> None:
    """`plan workers` (and the workers screen) count a leaving worker's places now, not after
    the transfer: the team's places on the day and a leaving worker's spare places say so."""
    from datetime import date

    from transition.plan_review import caseloads

    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", capacity=5)
        make_staff(session, "SW2", capacity=3, leaving_date=date(2027, 2, 1))
        make_person(session, pathway="council", risk_band="green", care_coordinator_id="SW2",
                    nhs_number=nhs_number(1))
    with database.session() as session:
        before = caseloads(session, rules, as_of=TODAY)
    [team] = before.teams
    assert (team.capacity, team.capacity_after, team.current) == (8, 5, 1)
    leaving = next(worker for worker in before.workers if worker.staff_id == "SW2")
    assert leaving.spare == 2  # no plan: places now
    with database.transaction() as session:
        propose_plan(session, rules, as_of=TODAY, actor=ACTOR, refresh=False)
    with database.session() as session:
        after = caseloads(session, rules, as_of=TODAY)
    leaving = next(worker for worker in after.workers if worker.staff_id == "SW2")
    assert (leaving.proposed, leaving.capacity_after, leaving.spare) == (0, 0, 0)
    data = after.to_json()
    assert data["teams"][0]["capacity_after"] == 5
    assert {worker["staff_id"]: worker["capacity_after"] for worker in data["workers"]} == {
        "SW1": 5, "SW2": 0}
