"""Where the allocation stands (the dashboard's Allocation box and `transition plan status`):
counts read from who holds each case now, through a plan, its acceptance, a manager's choice
and a change of pathway; and the caseload's "needs a worker" filter, which must always list
exactly the people the nightly check's `unassigned` finding names."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlmodel import Session

from tests.check_world import (
    RULES,
    TRANSFER,
    assign,
    caseload_import,
    check,
    of,
    person,
    with_transfer,
)
from tests.conftest import ACTOR, TODAY
from tests.factories import make_staff
from transition.allocation_status import (
    allocation_status,
    handover_ahead,
    plan_sentences,
    status_lines,
)
from transition.db import Database
from transition.models import Person
from transition.people import PeopleQuery, list_people
from transition.plan_review import accept_plan
from transition.planning import propose_plan


def counts(session: Session) -> dict[str, int]:
    status = allocation_status(session, TODAY)
    return {line.key: line.value for line in status_lines(status)}


def needing_a_worker(database: Database) -> set[str]:
    """The caseload filter's people, checked against the nightly check's finding."""
    with database.session() as session:
        listed = {row.nhs_number for row in
                  list_people(session, PeopleQuery(needs_worker=True, limit=None), as_of=TODAY).rows}
    found = {finding.nhs_number for finding in of(check(database), "unassigned")}
    assert listed == found
    return listed


def test_the_counts_follow_the_allocation_from_no_plan_to_a_stale_draft(
    database: Database,
) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1", given_name="Ana", family_name="Okafor", capacity=3)
        make_staff(session, "KW1", given_name="Ben", family_name="Carter", employer="trust",
                   role="nurse")
        forensic = person(session, pathway="joint", coordinator="SW1",
                          extra={"forensic_history": "Y"}, cto=True)  # no one has the skill
        nobody = person(session, coordinator=None)
        gone = person(session, coordinator="GONE9")  # not on the staff list
        kept = person(session, coordinator="SW1")
        person(session, pathway="signpost", coordinator="SW1")
        person(session, pathway=None, coordinator="SW1")  # not assessed yet
        left = person(session, coordinator=None)  # not in the latest export: left out
        left.missing_since_batch_id = caseload_import(session, TODAY).id
        people: dict[str, Person] = {"forensic": forensic, "nobody": nobody, "gone": gone,
                                     "kept": kept}
        numbers = {name: made.nhs_number for name, made in people.items()}

        status = allocation_status(session, TODAY)
        assert (status.people, status.need_worker, status.signposted, status.not_assessed) == (
            6, 4, 1, 1)
        assert status.accepted is None and status.draft is None
        assert counts(session) == {
            "need_worker": 4, "fully_allocated": 0, "waiting": 2, "kept": 0, "moved": 0, "locked": 0,
            "unfilled": 0, "needs_a_worker": 2, "held_not_needed": 0}
        assert plan_sentences(status)[1] == "No draft either: make one with `transition plan`."
    # Before a plan the trust's coordinator holds their people, unless there is none.
    assert needing_a_worker(database) == {numbers["nobody"], numbers["gone"]}

    with database.transaction() as session:
        propose_plan(session, RULES, as_of=TODAY, actor=ACTOR, refresh=False)
        draft = allocation_status(session, TODAY).draft
        assert draft is not None and not draft.stale
        # Unassigned: the forensic person's two roles, and the person with no pathway.
        assert (draft.assigned, draft.changed, draft.unassigned) == (3, 2, 3)
        accept_plan(session, RULES, actor=ACTOR)
        status = allocation_status(session, TODAY)
        assert status.accepted is not None and status.accepted.by == ACTOR
        assert status.draft is None  # the draft became the allocation
        # Kept: SW1 stays with the person they coordinate; two move to SW1; the forensic
        # person's two roles find no one.
        assert counts(session) == {
            "need_worker": 4, "fully_allocated": 3, "waiting": 0, "kept": 1, "moved": 2, "locked": 0,
            "unfilled": 2, "needs_a_worker": 1, "held_not_needed": 0}
        assert status.roles_needed == 5 and status.people_unfilled == 1
    assert needing_a_worker(database) == {numbers["forensic"]}

    with database.transaction() as session:
        propose_plan(session, RULES, as_of=TODAY, actor=ACTOR, refresh=False)
        assign(session, forensic, "key_worker", "KW1", source="manager", locked=True)
        kept_now = session.get(Person, kept.id)
        assert kept_now is not None
        kept_now.pathway = "signpost"  # changed since the plan: SW1's role is not needed
        session.flush()
        status = allocation_status(session, TODAY)
        assert counts(session) == {
            "need_worker": 3, "fully_allocated": 2, "waiting": 0, "kept": 0, "moved": 3, "locked": 1,
            "unfilled": 1, "needs_a_worker": 1, "held_not_needed": 1}
        assert status.draft is not None and status.draft.stale  # a choice made after it
        sentences = plan_sentences(status)
        assert sentences[1].startswith(f"Draft plan {status.draft.plan.plan_id} (a plan of "
                                       "everyone, made ")
        assert sentences[1].endswith("Since it was made, who holds a case changed: plan "
                                     "again before accepting.")
        assert sentences[2] == ("Also in the latest export: 2 signposted (no worker needed); "
                                "1 not assessed yet (run `transition assess`).")
    assert needing_a_worker(database) == {numbers["forensic"]}


def test_an_allocation_the_export_says_ended_leaves_the_person_needing_a_worker(
    database: Database,
) -> None:
    """EndDateAssCareCoord (``coordinator_until``) is the coordinator's last day: from the
    next day the filter, the status and the check all say the person has no one."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1", capacity=5)
        ended = person(session, coordinator="SW1", coordinator_until=TODAY - timedelta(days=1))
        person(session, coordinator="SW1", coordinator_until=TODAY)  # still theirs today
        person(session, coordinator="SW1")
        status = allocation_status(session, TODAY)
        assert (status.waiting, status.waiting_unheld, status.needs_a_worker) == (3, 1, 1)
        assert allocation_status(session, TODAY - timedelta(days=1)).needs_a_worker == 0
    assert needing_a_worker(database) == {ended.nhs_number}
    with database.session() as session:
        yesterday = list_people(session, PeopleQuery(needs_worker=True, limit=None),
                                as_of=TODAY - timedelta(days=1))
        assert yesterday.rows == []
        with pytest.raises(ValueError, match="judged on a day"):
            list_people(session, PeopleQuery(needs_worker=True))


def test_labels_are_singular_for_one() -> None:
    from transition.allocation_status import StatusLine

    assert StatusLine("kept", 1, "role kept", "roles kept").label == "role kept"
    assert StatusLine("kept", 0, "role kept", "roles kept").label == "roles kept"


def test_a_coordinator_given_the_role_again_after_their_allocation_ended_is_not_kept(
    database: Database,
) -> None:
    """Kept means carrying on through the change: the coordinator given the role again
    after the export says their allocation ended before the handover is a change of worker
    (the status's "moved", the at-risk list's "changing worker" filter); one whose
    allocation lasts to the handover day is kept."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1", capacity=5)
        returning = person(session, coordinator="SW1", coordinator_until=TODAY)
        assign(session, returning, "social_worker", "SW1")
        kept = person(session, coordinator="SW1", coordinator_until=TRANSFER)
        assign(session, kept, "social_worker", "SW1")
        status = allocation_status(session, TODAY)
        assert (status.kept, status.moved) == (1, 1)
        ahead = set(session.scalars(select(Person.id).where(handover_ahead(TODAY, TRANSFER))))
        assert ahead == {returning.id}
