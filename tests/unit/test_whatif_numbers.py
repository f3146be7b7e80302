"""What-if numbers that must add up: spare places without the withdrawn workers, and a lock
on a withdrawn worker planned like any other role (placed, or listed unassigned)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from tests.caseloads import TRANSFER, rules_with_red_cap
from tests.conftest import ACTOR, TODAY
from tests.factories import make_person, make_staff, nhs_number
from transition.db import Database
from transition.matching import solve
from transition.plan_inputs import read_inputs
from transition.programme import set_transfer_date
from transition.ruleset import Rules, load_rules
from transition.whatif import WhatIf, what_if
from transition.worker_overrides import assign_worker

COUNCIL = {"pathway": "council", "risk_band": "green", "team": "North Council",
           "locality": "North"}


@pytest.fixture
def rules() -> Rules:
    return load_rules()


def run(database: Database, rules: Rules, **scenario: object) -> WhatIf:
    with database.session() as session:
        return what_if(session, rules, as_of=TODAY, **scenario)  # type: ignore[arg-type]


def lock(database: Database, rules: Rules, number: str, staff_id: str, role: str = "social_worker",
         *, force: bool = False) -> None:
    with database.transaction() as session:
        assign_worker(session, rules, nhs_number=number, staff_id=staff_id, role=role,
                      reason="knows the family", lock=True, force=force, as_of=TODAY,
                      actor=ACTOR)


def assert_listed(result: WhatIf) -> None:
    """Every role counted unassigned is listed, and the capacity gap counts those the
    scenario tried and failed to place (not people with no pathway)."""
    assert len(result.unassigned_people) == result.unassigned
    tried = [item for item in result.unassigned_people if item["role"] is not None
             and not any("pathway" in reason for reason in item["reasons"])]
    assert sum(result.gap_by_team.values()) == len(tried)


def test_a_withdrawn_workers_places_are_not_spare(database: Database, rules: Rules) -> None:
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", team="North Council", capacity=5)
        make_staff(session, "SW2", team="North Council", capacity=10)
        make_staff(session, "SW3", team="South Council", locality="North", capacity=4)
        for index in range(2):
            make_person(session, nhs_number=nhs_number(index), care_coordinator_id="SW1",
                        **COUNCIL)
    as_things_stand = run(database, rules, capacity_scale=1.0)
    assert as_things_stand.spare_by_team == {"North Council": 13, "South Council": 4}
    # SW1's two people move to SW2 (8 places left); SW1's five places are gone with them, and
    # a team whose only worker is withdrawn is still shown, with none.
    gone = run(database, rules, withdraw=["SW1", "SW3"])
    assert gone.assigned == 2 and gone.losing_current_worker == 2
    assert gone.spare_by_team == {"North Council": 8, "South Council": 0}
    assert gone.to_json()["spare_places_by_team"] == gone.spare_by_team


def test_a_lock_on_a_withdrawn_worker_is_planned_like_any_other_role(
    database: Database, rules: Rules
) -> None:
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", team="North Council", capacity=5)
        make_staff(session, "SW2", team="North Council", capacity=5)
        locked = make_person(session, nhs_number=nhs_number(1), **COUNCIL)
        make_person(session, nhs_number=nhs_number(2), care_coordinator_id="SW1", **COUNCIL)
        make_person(session, nhs_number=nhs_number(3), pathway=None, risk_band=None)
    lock(database, rules, locked.nhs_number, "SW1")
    result = run(database, rules, withdraw=["SW1"])
    # As things stand: the lock and SW1's own person filled, the person with no pathway not.
    assert (result.baseline_assigned, result.baseline_unassigned) == (2, 1)
    # The lock cannot hold: the role goes to SW2, who has room, like SW1's other person.
    assert (result.assigned, result.unassigned) == (2, 1)
    assert result.locks_on_withdrawn == [{"nhs_number": locked.nhs_number,
                                          "role": "social_worker", "locked_to": "SW1",
                                          "staff_id": "SW2"}]
    assert result.losing_current_worker == 2 and result.changed_from_baseline == 2
    no_pathway = "no pathway decided yet: run transition assess"
    assert result.unassigned_people == [{"nhs_number": nhs_number(3), "role": None,
                                         "reasons": [no_pathway]}]
    assert result.spare_by_team == {"North Council": 3}
    assert result.to_json()["locks_on_withdrawn"] == result.locks_on_withdrawn
    assert_listed(result)


def test_a_lock_on_a_withdrawn_worker_nobody_can_take_is_listed_with_why(
    database: Database, rules: Rules
) -> None:
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", team="North Council", capacity=5)
        make_staff(session, "SW2", team="North Council", capacity=1)
        locked = make_person(session, nhs_number=nhs_number(1), **COUNCIL)
        make_person(session, nhs_number=nhs_number(2), care_coordinator_id="SW2", **COUNCIL)
    lock(database, rules, locked.nhs_number, "SW1")
    result = run(database, rules, withdraw=["SW1"])
    assert (result.baseline_assigned, result.baseline_unassigned) == (2, 0)
    assert (result.assigned, result.unassigned) == (1, 1)
    [entry] = result.unassigned_people
    assert entry["nhs_number"] == locked.nhs_number and entry["locked_to"] == "SW1"
    assert entry["reasons"] and all("pathway" not in reason for reason in entry["reasons"])
    assert result.gap_by_team == {"North Council": 1}
    assert result.locks_on_withdrawn[0]["staff_id"] is None
    assert_listed(result)


def test_locks_on_a_withdrawn_worker_that_no_plan_would_make(
    database: Database, rules: Rules
) -> None:
    """A forced lock for a role the pathway does not need ends with its worker (counted
    neither way); a lock for a person with no pathway leaves that role unassigned, listed."""
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", team="North Council", capacity=5)
        make_staff(session, "KW1", employer="trust", role="nurse", team="North CMHT",
                   capacity=5)
        council = make_person(session, nhs_number=nhs_number(1), care_coordinator_id="SW1",
                              **COUNCIL)
        undecided = make_person(session, nhs_number=nhs_number(2), pathway=None,
                                risk_band=None)
    lock(database, rules, council.nhs_number, "KW1", "key_worker", force=True)
    lock(database, rules, undecided.nhs_number, "SW1", force=True)
    result = run(database, rules, withdraw=["KW1", "SW1"])
    # As things stand: two locks and SW1's council role filled; the person with no pathway not.
    assert (result.baseline_assigned, result.baseline_unassigned) == (3, 1)
    # Withdrawn: the key worker lock ends; SW1's council role and the locked role of the
    # person with no pathway cannot be filled.
    assert (result.assigned, result.unassigned) == (0, 3)
    by_role = {(item["nhs_number"], item["role"]): item for item in result.unassigned_people}
    assert set(by_role) == {(council.nhs_number, "social_worker"),
                            (undecided.nhs_number, "social_worker"), (undecided.nhs_number, None)}
    assert by_role[undecided.nhs_number, "social_worker"]["locked_to"] == "SW1"
    assert {(item["role"], item["locked_to"], item["staff_id"])
            for item in result.locks_on_withdrawn} == {("key_worker", "KW1", None),
                                                       ("social_worker", "SW1", None)}
    assert_listed(result)


JOINT = {**COUNCIL, "pathway": "joint"}


def test_people_losing_their_worker_are_people_not_roles(database: Database,
                                                          rules: Rules) -> None:
    """A joint person whose social worker and key worker are both withdrawn is one person
    losing their worker; a person squeezed off the worker who keeps them as things stand
    (capacity cut) loses them too; a withdrawn worker who holds no one adds no one."""
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", team="North Council", capacity=5)
        make_staff(session, "SW2", team="North Council", capacity=5)
        make_staff(session, "SW3", team="North Council", capacity=5)  # holds no one
        make_staff(session, "KW1", employer="trust", role="nurse", capacity=5)
        make_staff(session, "KW2", employer="trust", role="nurse", capacity=5)
        joint = make_person(session, nhs_number=nhs_number(1), care_coordinator_id="SW1",
                            **JOINT)
        make_person(session, nhs_number=nhs_number(2), care_coordinator_id="SW2", **COUNCIL)
    with database.transaction() as session:
        # The joint person's key worker is KW1 (a manager's choice, not locked).
        assign_worker(session, rules, nhs_number=joint.nhs_number, staff_id="KW1",
                      role="key_worker", reason="knows them", lock=False, force=False,
                      as_of=TODAY, actor=ACTOR)
    both = run(database, rules, withdraw=["SW1", "KW1", "SW3"])
    assert both.changed_from_baseline == 2  # two roles change ...
    assert both.losing_current_worker == 1  # ... for one person
    # Every worker's capacity cut to nothing: no one is withdrawn, yet everyone kept with
    # their worker as things stand loses them.
    squeezed = run(database, rules, capacity_scale=0.01)
    assert squeezed.assigned == 0
    assert squeezed.losing_current_worker == 2


def test_a_person_with_no_pathway_loses_a_withdrawn_worker(database: Database,
                                                           rules: Rules) -> None:
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", team="North Council", capacity=5)
        make_person(session, nhs_number=nhs_number(1), care_coordinator_id="SW1", **COUNCIL)
        undecided = make_person(session, nhs_number=nhs_number(2), pathway=None,
                                risk_band=None)
    with database.transaction() as session:
        assign_worker(session, rules, nhs_number=undecided.nhs_number, staff_id="SW1",
                      role="social_worker", reason="duty", lock=False, force=True,
                      as_of=TODAY, actor=ACTOR)
    result = run(database, rules, withdraw=["SW1"])
    assert result.losing_current_worker == 2


def test_spare_places_are_only_places_someone_new_could_take(database: Database,
                                                             rules: Rules) -> None:
    """Workers who leave or are away at the transfer, who keep their own people only (no
    council team yet), or whose role fills no role (an AMHP) have no spare places."""
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", team="North Council", capacity=5)
        make_staff(session, "SW2", team="North Council", capacity=7,
                   leaving_date=TRANSFER.replace(day=1, month=2))
        make_staff(session, "SW3", team="North Council", capacity=6,
                   absent_until=TRANSFER.replace(month=12))
        make_staff(session, "AM1", team="North Council", role="amhp", capacity=4)
        make_staff(session, "SW4", team="North CMHT", capacity=9, seconded=True)
        make_person(session, nhs_number=nhs_number(1), care_coordinator_id="SW1", **COUNCIL)
    result = run(database, rules, capacity_scale=1.0)
    assert result.spare_by_team == {"(no team)": 0, "North Council": 4}


def test_the_capacity_gap_as_things_stand_is_shown_beside_the_what_ifs(
    database: Database, rules: Rules
) -> None:
    """A role no one could fill before the what-if is not a gap the what-if made."""
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", team="North Council", capacity=5)
        make_person(session, nhs_number=nhs_number(1), care_coordinator_id="SW1", **COUNCIL)
        make_person(session, nhs_number=nhs_number(2), care_coordinator_id="SW1", **COUNCIL,
                    extra={"forensic_history": "yes"})
    result = run(database, rules, withdraw=["SW1"])
    assert result.gap_by_team == {"North Council": 2}
    assert result.gap_by_skill == {"forensic": 1}
    assert result.baseline_gap_by_team == {"North Council": 1}
    assert result.baseline_gap_by_skill == {"forensic": 1}
    assert result.to_json()["capacity_gap"]["as_things_stand"] == {
        "by_team": {"North Council": 1}, "by_skill": {"forensic": 1}}


@pytest.mark.parametrize(("capacity", "scale", "places"),
                         [(7, 0.9, 6), (45, 1.4, 63), (50, 0.58, 29), (25, 1.16, 29)])
def test_a_scaled_capacity_is_rounded_down_to_whole_places(
    database: Database, rules: Rules, capacity: int, scale: float, places: int
) -> None:
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", team="North Council", capacity=capacity)
    result = run(database, rules, capacity_scale=scale)
    assert result.spare_by_team == {"North Council": places}


def test_people_whose_coordinator_is_withdrawn_are_planned_in_the_band_they_would_have(
    database: Database,
) -> None:
    """Losing their coordinator is a risk factor (2 points in the shipped rules): an amber
    person one point short of red turns red, and the red-band cap spreads them."""
    rules = rules_with_red_cap(1)
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", team="North Council", capacity=10)
        make_staff(session, "SW2", team="North Council", capacity=10)
        stored = {1: (9, "amber"), 2: (9, "amber"), 3: (4, "green"), 4: (2, "green")}
        for index, (score, band) in stored.items():
            make_person(session, nhs_number=nhs_number(index), care_coordinator_id="SW1",
                        **{**COUNCIL, "risk_score": score, "risk_band": band})
        # Someone else's coordinator: nothing about them moves.
        make_person(session, nhs_number=nhs_number(5), care_coordinator_id="SW2",
                    **{**COUNCIL, "risk_score": 9, "risk_band": "amber"})
    result = run(database, rules, withdraw=["SW1"])
    assert result.bands_raised == [
        {"nhs_number": nhs_number(1), "from": "amber", "to": "red"},
        {"nhs_number": nhs_number(2), "from": "amber", "to": "red"},
        {"nhs_number": nhs_number(3), "from": "green", "to": "amber"},
    ]
    assert result.to_json()["bands_raised"] == result.bands_raised
    # SW2 may take one new red handover: the other red person cannot be placed, and says why.
    assert (result.assigned, result.unassigned) == (4, 1)
    [unplaced] = result.unassigned_people
    assert unplaced["nhs_number"] in {nhs_number(1), nhs_number(2)}
    assert any("red" in reason for reason in unplaced["reasons"]), unplaced["reasons"]
    assert_listed(result)


def test_a_coordinator_already_leaving_or_not_withdrawn_raises_no_band(
    database: Database, rules: Rules
) -> None:
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        # Leaving within the factor's window: the stored score has the points already.
        make_staff(session, "SW1", team="North Council", capacity=10,
                   leaving_date=TODAY + timedelta(days=30))
        make_staff(session, "SW2", team="North Council", capacity=10)
        make_person(session, nhs_number=nhs_number(1), care_coordinator_id="SW1",
                    **{**COUNCIL, "risk_score": 9, "risk_band": "amber"})
        make_person(session, nhs_number=nhs_number(2), care_coordinator_id="SW2",
                    **{**COUNCIL, "risk_score": 9, "risk_band": "amber"})
    assert run(database, rules, withdraw=["SW1"]).bands_raised == []
    assert run(database, rules, capacity_scale=0.5).bands_raised == []


def test_only_the_roles_the_change_moves_count_as_changed(database: Database,
                                                          rules: Rules) -> None:
    """With no plan accepted, twenty people new to the council spread over five equally placed
    workers; withdrawing one moves only the people the plan as things stand gave them. The
    other sixteen stay put in the scenario: swapping people between workers who suit them
    equally is not a change the withdrawal makes (it once counted, 156 roles on the demo for
    two workers holding 3 people)."""
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        for index in range(5):
            make_staff(session, f"SW{index}", team="North Council", capacity=10)
        for index in range(20):
            make_person(session, nhs_number=nhs_number(index), **COUNCIL)
    with database.session() as session:
        inputs = read_inputs(session, rules, as_of=TODAY)
        baseline = solve(inputs.problem, rules.matching)
    given = {placement.need.key: placement.staff_id for placement in baseline.placements}
    held_by = Counter(given.values())
    assert held_by == dict.fromkeys(held_by, 4) and len(held_by) == 5  # balanced as things stand
    gone = run(database, rules, withdraw=["SW0"])
    assert gone.assigned == 20
    assert gone.changed_from_baseline == held_by["SW0"] == 4
    assert gone.losing_current_worker == 0  # none of them had a worker yet
