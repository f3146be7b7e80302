"""Each role a person's pathway needs, as the person screen and `transition person` show it:
who holds it, or why no one does (the accepted plan's reason, the trust's coordinator until a
plan is accepted, or no one), and what the newest draft plan proposes."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from tests.check_world import RULES, assign, caseload_import, person, with_transfer
from tests.conftest import ACTOR, TODAY
from tests.factories import make_staff
from transition.db import Database
from transition.models import Person
from transition.plan_review import accept_plan, describe_role, person_roles
from transition.planning import propose_plan


def roles_of(session: Session, made: Person) -> dict[str, dict]:
    session.refresh(made)
    return {entry["role"]: entry for entry in person_roles(session, made)}


def said(session: Session, made: Person) -> dict[str, tuple[str, str]]:
    return {role: describe_role(entry, TODAY) for role, entry in roles_of(session, made).items()}


def test_before_a_plan_the_trust_coordinator_holds_them_and_after_it_the_plan_says_why_not(
    database: Database,
) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1", given_name="Ana", family_name="Okafor", capacity=2)
        make_staff(session, "KW1", given_name="Ben", family_name="Carter", employer="trust",
                   role="nurse")
        forensic = person(session, pathway="joint", coordinator="SW1",
                          extra={"forensic_history": "Y"}, cto=True)
        nobody = person(session, coordinator=None)
        gone = person(session, coordinator="GONE9")  # not on the staff list
        signposted = person(session, pathway="signpost", coordinator="SW1")

        before = roles_of(session, forensic)
        assert [(role, entry["state"]) for role, entry in before.items()] == [
            ("social_worker", "with_coordinator"), ("key_worker", "with_coordinator")]
        assert said(session, forensic)["social_worker"] == (
            "Ana Okafor (SW1)", "the trust's care coordinator, until a plan is accepted for them")
        assert roles_of(session, nobody)["social_worker"]["state"] == "none"
        assert roles_of(session, gone)["social_worker"]["state"] == "none"
        assert person_roles(session, signposted) == []  # a letter, no worker

        propose_plan(session, RULES, as_of=TODAY, actor=ACTOR, refresh=False)
        draft = roles_of(session, forensic)
        # Not accepted yet: the coordinator still holds them; the draft says it cannot place.
        assert draft["key_worker"]["state"] == "with_coordinator"
        who, notes = said(session, forensic)["key_worker"]
        assert "draft plan" in notes and "cannot fill it: no trust key worker with skill " \
            "forensic" in notes
        who, notes = said(session, nobody)["social_worker"]
        assert who == "none" and "draft plan" in notes and "proposes Ana Okafor (SW1)" in notes

        accept_plan(session, RULES, actor=ACTOR)
        after = roles_of(session, forensic)
        assert {role: entry["state"] for role, entry in after.items()} == {
            "social_worker": "unfilled", "key_worker": "unfilled"}
        assert any("no council social worker with skill forensic" in reason
                   for reason in after["social_worker"]["reasons"])
        who, notes = said(session, forensic)["key_worker"]
        assert who == "none"
        assert notes.startswith("the accepted plan could not fill it: no trust key worker with "
                                "skill forensic")
        held = roles_of(session, nobody)["social_worker"]
        assert held["state"] == "held" and held["holder"]["staff_id"] == "SW1"
        assert held["assignment_id"] is not None
        assert said(session, nobody)["social_worker"] == ("Ana Okafor (SW1)", "from 1 Apr 2027")


def test_a_manager_choice_a_lock_and_a_role_the_pathway_no_longer_needs(
    database: Database,
) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1", given_name="Ana", family_name="Okafor")
        make_staff(session, "KW1", given_name="Ben", family_name="Carter", employer="trust",
                   role="nurse")
        made = person(session, pathway="council", coordinator="SW1")
        assign(session, made, "social_worker", "SW1", source="manager", locked=True)
        assign(session, made, "key_worker", "KW1")  # held from when they were joint

        roles = roles_of(session, made)
        assert [(role, entry["needed"]) for role, entry in roles.items()] == [
            ("social_worker", True), ("key_worker", False)]
        described = said(session, made)
        assert described["social_worker"] == (
            "Ana Okafor (SW1)", "from 1 Apr 2027; a manager's choice; locked")
        assert described["key_worker"][1].endswith(
            "the pathway no longer needs this role: the next plan ends it")
        assert describe_role(roles["social_worker"], date(2027, 4, 2))[1].startswith(
            "since 1 Apr 2027")


def test_a_coordinator_whose_allocation_ended_holds_no_role(database: Database) -> None:
    """The export says the coordinator's allocation ended yesterday: no one holds the roles;
    the entry names who did and when it ended, and the draft's proposal is still shown even
    when it is the same worker again."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1", given_name="Ana", family_name="Okafor", capacity=2)
        ended = person(session, coordinator="SW1", coordinator_until=TODAY - timedelta(days=1))
        today = person(session, coordinator="SW1", coordinator_until=TODAY)
        session.refresh(ended)
        [entry] = person_roles(session, ended, as_of=TODAY)
        assert (entry["state"], entry["holder"], entry["ended"]) == (
            "coordinator_ended", None, TODAY - timedelta(days=1))
        assert entry["coordinator"] == {"staff_id": "SW1", "name": "Ana Okafor"}
        yesterday = TODAY - timedelta(days=1)
        assert describe_role(entry, TODAY) == ("none", (
            f"the export says Ana Okafor (SW1) stopped being their care coordinator on "
            f"{yesterday.day} {yesterday:%b %Y}: choose a worker, or accept a plan that "
            "places them"))
        session.refresh(today)
        assert person_roles(session, today, as_of=TODAY)[0]["state"] == "with_coordinator"
        propose_plan(session, RULES, as_of=TODAY, actor=ACTOR, refresh=False)
        session.refresh(ended)
        [entry] = person_roles(session, ended, as_of=TODAY)
        assert describe_role(entry, TODAY)[1].endswith("draft plan 1 proposes Ana Okafor (SW1)")


def test_a_coordinator_missing_from_the_latest_staff_list_holds_no_role(
    database: Database,
) -> None:
    """As the check's `unassigned` reads it: a coordinator the latest staff list no longer
    has holds no one."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "LEFT1", missing_since_batch_id=caseload_import(session, TODAY).id)
        left = person(session, coordinator="LEFT1")
        assert roles_of(session, left)["social_worker"]["state"] == "none"
