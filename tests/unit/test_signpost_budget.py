"""A signposted person with a personal budget (helper 115): their letter and their GP's say the
same true thing (nothing changes now; we write before anything does), the budget_continuity
task tracks that promise (held by the team manager), and their letter task's title does not
speak of a new worker."""

from __future__ import annotations

from sqlalchemy import select

from tests.factories import make_person
from tests.letter_setup import TODAY, TRANSFER, with_transfer_date
from transition.config import CouncilDetails
from transition.db import Database
from transition.letters import preview_letter
from transition.models import Task
from transition.ruleset import load_rules
from transition.tasks import generate_tasks

COUNCIL = CouncilDetails()


def _text(session, person_id: int, kind: str) -> str:  # type: ignore[no-untyped-def]
    preview = preview_letter(session, person_id, kind, council=COUNCIL, as_of=TODAY)
    assert preview.text is not None, preview.skip_reason
    return " ".join(preview.text.split())


def test_a_signposted_budget_is_described_alike_and_followed_up(database: Database) -> None:
    with database.transaction() as session:
        with_transfer_date(session)
        person = make_person(session, pathway="signpost", care_coordinator_id=None,
                             personal_budget=True)
        assert person.id is not None
        own = _text(session, person.id, "signpost")
        gp = _text(session, person.id, "gp")
        generate_tasks(session, load_rules(), as_of=TODAY, actor="tester", transfer_date=TRANSFER)
        tasks = {task.key: task for task in session.scalars(
            select(Task).where(Task.person_id == person.id))}
    assert "We will write to you about them before anything changes" in own
    assert "continue unchanged" not in gp
    assert ("Personal budget or direct payments: nothing changes now; we will write to your "
            "patient before anything changes.") in gp
    budget = tasks["budget_continuity"]
    assert (budget.owner_kind, budget.owner_staff_id, budget.status) == ("manager", None, "todo")
    assert "new worker" not in tasks["letter_person"].title
