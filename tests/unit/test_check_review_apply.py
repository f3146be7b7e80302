"""`transition check --apply`: what the draft re-plans, counted as a manager reads it."""

from __future__ import annotations

from tests.check_world import (
    RULES,
    assign,
    caseload_import,
    days,
    person,
    with_transfer,
)
from tests.conftest import ACTOR, TODAY
from tests.factories import make_staff
from transition.checks import run_checks
from transition.db import Database
from transition.models import Plan


def test_apply_counts_only_the_people_the_draft_can_re_plan(database: Database) -> None:
    """A leaving worker's people missing from the latest export are not in the draft (a plan
    leaves them out), yet "re-plans N people" counted them: 2 for a draft of 1."""
    with database.transaction() as session:
        with_transfer(session)
        batch = caseload_import(session, TODAY)
        make_staff(session, "GOING", leaving_date=days(5))
        make_staff(session, "SW1", capacity=5)
        assign(session, person(session, missing_since_batch_id=batch.id), "social_worker",
               "GOING")
        stays = person(session)
        assign(session, stays, "social_worker", "GOING")
    with database.transaction() as session:
        report = run_checks(session, RULES, as_of=TODAY, actor=ACTOR, apply=True)
    assert report.plan_id is not None
    with database.session() as session:
        plan = session.get(Plan, report.plan_id)
        assert plan is not None
        planned = (plan.summary or {})["person_ids"]
    assert planned == [stays.id]
    assert report.affected_people == 1
    assert [move["nhs_number"] for move in report.proposed_moves] == [stays.nhs_number]
