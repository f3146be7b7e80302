"""`transition status` on and after the transfer date with no plan accepted (export review).

The trust's care coordinators hold people "until a plan is accepted"; once the transfer date
has come that is no longer a state a weekly update or a cron e-mail may pass over with exit
status 0."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import RunCli
from tests.factories import make_person, make_staff
from transition.allocation import NewAssignment, set_assignments
from transition.config import Settings
from transition.db import Database
from transition.models import Person


@pytest.fixture(autouse=True)
def _decisions_as_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caseload's pathways are set directly; planning must not re-decide them."""
    monkeypatch.setattr("transition.planning.bring_assessments_up_to_date",
                        lambda *args, **kwargs: None)


def test_no_plan_accepted_by_the_transfer_date_needs_attention(
        run_cli: RunCli, settings: Settings) -> None:
    database = Database.from_settings(settings)
    with database.transaction() as session:
        make_staff(session, "S1")
        make_person(session, pathway="council", care_coordinator_id="S1")
        make_person(session, pathway="council", care_coordinator_id="S1")
    assert run_cli("programme", "set", "--transfer-date", "2027-04-01").exit_code == 0

    before = run_cli("status", "--as-of", "2027-03-31")
    assert before.exit_code == 0, before.output  # the coordinator holds them until a plan
    assert "Needs attention" not in before.stdout

    for day in ("2027-04-01", "2027-04-06"):
        result = run_cli("status", "--as-of", day)
        said = " ".join(result.stdout.split())
        assert result.exit_code == 1, result.output
        assert ("Needs attention: the transfer date (1 Apr 2027) has come and no plan is "
                "accepted: 2 people wait for one (transition plan status).") in said
        data = run_cli("status", "--as-of", day, "--json").json()
        assert data["attention"][0].startswith("the transfer date (1 Apr 2027) has come")

    # Once a manager has chosen a worker for each, no one waits for a plan.
    with database.transaction() as session:
        ids = list(session.scalars(select(Person.id)))
        set_assignments(session, [NewAssignment(person_id, "social_worker", "S1",
                                                date(2027, 4, 1), source="manager")
                                  for person_id in ids], actor="test")
    database.dispose()
    settled = run_cli("status", "--as-of", "2027-04-06")
    assert "has come and no plan" not in settled.stdout, settled.output
