"""A manager's choice and the places a worker has: the worker picker (and `plan candidates`)
and `assign` must agree, and a draft plan's own choice can be locked before it is accepted.

Before a plan is accepted a seconded council social worker still holds, as the trust's care
coordinator, people the draft moves to trust workers: they are full now but have room in the
draft."""

from __future__ import annotations

import pytest

from tests.caseloads import TRANSFER
from tests.conftest import ACTOR, TODAY
from tests.factories import make_person, make_staff, nhs_number
from transition.db import Database
from transition.errors import TransitionError
from transition.models import Person
from transition.planning import propose_plan
from transition.programme import set_transfer_date
from transition.ruleset import Rules, load_rules
from transition.worker_overrides import assign_worker, check_assignment, feasible_workers


@pytest.fixture
def rules() -> Rules:
    return load_rules()


def _seconded_worker_full_now(database: Database, *, second_worker: bool) -> dict[str, int]:
    """SW1 (2 places) coordinates a trust-pathway person (who goes to KW1 in the draft) and
    a council one (kept): 2 of 2 now, 1 of 2 in the draft before anyone new."""
    with database.transaction() as session:
        set_transfer_date(session, TRANSFER, actor=ACTOR)
        make_staff(session, "SW1", seconded=True, council_team="North Council", capacity=2)
        if second_worker:
            make_staff(session, "SW2", capacity=5)
        make_staff(session, "KW1", employer="trust", role="nurse", capacity=5)
        people = {
            "trust": make_person(session, pathway="trust", risk_band="green",
                                 care_coordinator_id="SW1", nhs_number=nhs_number(1)),
            "kept": make_person(session, pathway="council", risk_band="green",
                                care_coordinator_id="SW1", nhs_number=nhs_number(2)),
            "new": make_person(session, pathway="council", risk_band="green",
                               nhs_number=nhs_number(3)),
        }
        propose_plan(session, rules=load_rules(), as_of=TODAY, actor=ACTOR, refresh=False)
    return {label: person.id for label, person in people.items()}  # type: ignore[misc]


def test_the_drafts_own_choice_can_be_locked_before_it_is_accepted(
    database: Database, rules: Rules
) -> None:
    """The plan screen's `l` locks the draft's worker for a role. SW1 takes the newcomer in
    the draft (2 of 2 there), but still holds the trust-pathway person now: the lock was
    refused as 'over capacity (3 of 2)'."""
    ids = _seconded_worker_full_now(database, second_worker=False)
    with database.session() as session:
        [option] = feasible_workers(session, rules, person_id=ids["new"],
                                    role="social_worker", as_of=TODAY)
        assert option.staff_id == "SW1"  # the draft's choice, and the only worker
    with database.transaction() as session:
        person = session.get(Person, ids["new"])
        assert person is not None
        result = assign_worker(session, rules, nhs_number=person.nhs_number, staff_id="SW1",
                               role="social_worker", reason="locked from the plan screen",
                               lock=True, force=False, as_of=TODAY, actor=ACTOR)
    assert result.locked and result.changed and result.broken == []


def test_every_worker_the_picker_offers_can_be_chosen_without_force(
    database: Database, rules: Rules
) -> None:
    """The picker (and `plan candidates`) listed a worker as having a place free whom
    `assign` then refused as over capacity; the app cannot force a choice when the list says
    it fits, so the manager was stuck."""
    ids = _seconded_worker_full_now(database, second_worker=True)
    with database.session() as session:
        person = session.get(Person, ids["new"])
        assert person is not None
        offered = feasible_workers(session, rules, person_id=ids["new"], role="social_worker",
                                   as_of=TODAY)
        assert offered
        for option in offered:
            broken, _warnings = check_assignment(session, rules, person=person,
                                                 staff_id=option.staff_id,
                                                 role="social_worker", as_of=TODAY)
            assert broken == [], option.staff_id
        everyone = {option.staff_id: option for option in feasible_workers(
            session, rules, person_id=ids["new"], role="social_worker", as_of=TODAY,
            include_infeasible=True)}
    for option in everyone.values():
        if not option.feasible:
            assert option.why_not, option.staff_id


def test_a_second_choice_still_counts_the_first_against_the_drafts_places(
    database: Database, rules: Rules
) -> None:
    """The draft's places are not handed out twice: a choice made since the draft counts."""
    ids = _seconded_worker_full_now(database, second_worker=True)
    with database.transaction() as session:
        extra = make_person(session, pathway="council", risk_band="green",
                            nhs_number=nhs_number(4))
        extra_number = extra.nhs_number
    with database.transaction() as session:
        # Whoever the draft gave the newcomer, SW1 ends with them: 2 of 2 after the plan.
        person = session.get(Person, ids["new"])
        assert person is not None
        assign_worker(session, rules, nhs_number=person.nhs_number, staff_id="SW1",
                      role="social_worker", reason="knows them", lock=True, force=True,
                      as_of=TODAY, actor=ACTOR)
    with (database.transaction() as session,
          pytest.raises(TransitionError, match="SW1 would be over capacity")):
        assign_worker(session, rules, nhs_number=extra_number, staff_id="SW1",
                      role="social_worker", reason="knows them", lock=True, force=False,
                      as_of=TODAY, actor=ACTOR)
