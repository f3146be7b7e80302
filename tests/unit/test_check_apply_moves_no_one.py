"""A check's re-plan (--apply, K on the dashboard) that moves no one has nothing to accept:
its draft is discarded as soon as it is made, so the accepted plan stays the one the plan
screen and `plan show` show, and a note says why."""

from __future__ import annotations

from sqlalchemy import select

from tests.check_world import RULES, assign, person, with_transfer
from tests.conftest import ACTOR, TODAY
from tests.factories import make_staff
from transition.checks import run_checks
from transition.db import Database
from transition.models import CheckRun, Plan
from transition.plan_review import PlanQuery, accept_plan, load_plan
from transition.planning import propose_plan


def test_a_replan_that_moves_no_one_is_discarded_saying_there_is_nothing_to_accept(
    database: Database,
) -> None:
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "FULL", capacity=1)
        assign(session, person(session, coordinator="X"), "social_worker", "FULL")
        waiting = person(session, coordinator=None)  # no one has room for them
        made = propose_plan(session, RULES, as_of=TODAY, actor=ACTOR, refresh=False)
        accept_plan(session, RULES, plan_id=made.plan_id, actor=ACTOR)
        report = run_checks(session, RULES, as_of=TODAY, actor=ACTOR, apply=True)
    assert report.affected_people == 1 and report.plan_id is None
    # The role no one can take is still listed, with why, but in no draft.
    [stuck] = report.proposed_moves
    assert stuck["nhs_number"] == waiting.nhs_number and stuck["to_staff_id"] is None
    assert stuck["plan_id"] is None and stuck["reasons"]
    [note] = report.notes
    assert note.startswith("Nothing to accept: re-planning 1 person moves no one (1 role no "
                           "one can take), so draft plan ")
    assert "was discarded" in note and "transition plan show --unassigned" in note
    with database.session() as session:
        statuses = dict(session.execute(select(Plan.id, Plan.status)).all())
        assert statuses == {made.plan_id: "accepted", report.discarded_plans[0]: "discarded"}
        assert session.scalars(select(CheckRun.plan_id)).one() is None
        assert load_plan(session, None, PlanQuery(limit=0)).plan_id == made.plan_id
