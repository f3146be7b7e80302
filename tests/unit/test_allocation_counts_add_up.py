"""The allocation counts add up and say what is true: the people whose pathway needs a worker
are fully allocated, waiting for a plan, or have no worker in a role they need, and those are
told apart (no worker at all, or missing one role of a joint pathway). And task progress with
no tasks to do has no percentage (null), not 100%."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import Session

from tests.check_world import assign, person, with_transfer
from tests.conftest import ACTOR, TODAY
from tests.factories import make_staff
from transition.allocation_status import allocation_status, status_lines
from transition.at_a_glance import at_a_glance
from transition.checks import CheckRules
from transition.db import Database
from transition.models import Plan, PlanStatus
from transition.people import PeopleQuery, list_people
from transition.tasks.views import TaskProgress


def _accepted_plan(session: Session) -> int:
    plan = Plan(status=PlanStatus.ACCEPTED, created_by=ACTOR, accepted_by=ACTOR,
                accepted_at=datetime(2027, 1, 4, 9, tzinfo=UTC))
    session.add(plan)
    session.flush()
    assert plan.id is not None
    return plan.id


def test_the_people_lines_add_up_and_say_who_has_which_gap(database: Database) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1", capacity=9)
        make_staff(session, "KW1", capacity=9, employer="trust", role="nurse")
        plan_id = _accepted_plan(session)
        full = person(session, pathway="joint", coordinator="SW1", allocated_plan_id=plan_id)
        assign(session, full, "social_worker", "SW1")
        assign(session, full, "key_worker", "KW1")
        # A council social worker, but the joint pathway's key worker is no one's.
        half = person(session, pathway="joint", coordinator="SW1", allocated_plan_id=plan_id)
        assign(session, half, "social_worker", "SW1")
        # The accepted plan found no key worker: no one at all.
        nobody = person(session, pathway="trust", coordinator="SW1", allocated_plan_id=plan_id)
        person(session, pathway="council", coordinator="SW1")  # waits; SW1 holds them
        unheld = person(session, pathway="council", coordinator=None)  # waits; no one holds
        person(session, pathway="signpost", coordinator="SW1")

        status = allocation_status(session, TODAY)
        glance = at_a_glance(session, today=TODAY, checks=CheckRules())
        listed = {row.nhs_number for row in list_people(
            session, PeopleQuery(needs_worker=True, limit=None), as_of=TODAY).rows}

    lines = {line.key: line for line in status_lines(status)}
    assert (status.need_worker, status.allocated, status.fully_allocated) == (5, 3, 1)
    people = [lines[key].value for key in ("fully_allocated", "waiting", "needs_a_worker")]
    assert people == [1, 1, 3] and sum(people) == lines["need_worker"].value
    assert status.no_worker_at_all == 2  # the trust person, and the one no one holds
    assert status.missing_role == {"social_worker": 0, "key_worker": 1}
    assert listed == {half.nhs_number, nobody.nhs_number, unheld.nhs_number}
    assert lines["needs_a_worker"].words == (
        "3 of them, no worker in a role they need (2 with no worker at all, 1 missing a key "
        "worker)")
    assert lines["fully_allocated"].words == (
        "1 of them, fully allocated (a worker in every role they need)")
    # roles: kept + moving + left unfilled = the roles the allocated people need
    assert status.kept + status.moved + status.roles_unfilled == status.roles_needed == 5
    assert glance.attention == [(
        "3 people have no worker in a role they need: 2 with no worker at all, 1 missing a "
        "key worker (transition people --needs-worker)")]

    data = status.to_json()
    # `allocated` keeps its meaning (a plan or a manager decided their roles); the new keys
    # say how many of them are fully allocated and what the others lack.
    assert (data["allocated"], data["fully_allocated"], data["needs_a_worker"]) == (3, 1, 3)
    assert (data["no_worker_at_all"], data["missing_role"]) == (
        2, {"social_worker": 0, "key_worker": 1})


def test_progress_with_nothing_to_do_has_no_percentage() -> None:
    nothing = TaskProgress(as_of=date(2027, 3, 17), total=0, done=0, due=0, overdue=0,
                           blocked=0, not_needed=4)
    assert nothing.percent_done is None and nothing.as_dict()["percent_done"] is None
    assert nothing.percent_words == "none to do" and nothing.open_words == "none open"
    late = TaskProgress(as_of=date(2027, 3, 17), total=1_680, done=3, due=1_674, overdue=3,
                        blocked=1, not_needed=0)
    assert late.as_dict()["open"] == 1_677 and late.as_dict()["due"] == 1_674
    assert late.open_words == "1,677 open, 3 of them overdue"
    assert late.percent_words == "0%"
