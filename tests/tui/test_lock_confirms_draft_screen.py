"""The plan screen: locking the draft's own worker (k, or o with the planned worker and Lock
ticked) keeps the draft ready to accept, says so, and A accepts it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from textual.pilot import Pilot

from tests.tui.conftest import drive, notifications, settle, text_of
from transition.models import Assignment, Person, Plan, PlanAssignment
from transition.screens.confirm import ConfirmScreen
from transition.screens.plan import PlanScreen
from transition.screens.worker_picker import WorkerPickerScreen

STAYS_READY = "already proposed this worker, so it stays ready to accept (press A)"


async def proposed(pilot: Pilot[Any]) -> PlanScreen:
    await pilot.press("p")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, PlanScreen)
    await pilot.press("n")
    await settle(pilot)
    return screen


def held(database: Any) -> dict[tuple[str, str], tuple[str, bool]]:
    with database.session() as session:
        rows = session.execute(
            select(Person.family_name, Assignment.role, Assignment.staff_id, Assignment.locked)
            .join(Person, Person.id == Assignment.person_id)
            .where(Assignment.ended_at.is_(None)))  # type: ignore[union-attr]
        return {(family, role): (staff_id, locked) for family, role, staff_id, locked in rows}


def test_k_on_the_planned_worker_keeps_the_draft_ready_and_a_accepts_it(plan_world,
                                                                         app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await proposed(pilot)
        assert screen.page is not None and screen.page.plan is not None
        plan = screen.page.plan
        first = screen.page.rows[0]
        assert screen.page.people[first.person_id].startswith("Ashworth")
        assert (first.staff_id, first.locked) == ("SW1", False)
        app.clear_notifications()
        await pilot.press("k")  # Ashworth: lock the plan's SW1
        await settle(pilot)
        assert held(plan_world) == {("Ashworth", "social_worker"): ("SW1", True)}
        said = " ".join(notifications(app)[-1].split())
        # Nobody holds it yet: k locks the plan's worker, named.
        assert said.startswith("Locked: Ana Okafor (SW1) keeps the social worker in every "
                               "later plan.")
        assert f"Draft plan {plan.plan_id} {STAYS_READY}" in said
        summary = " ".join(text_of(screen.query_one("#plan-summary")).split())
        assert "A draft: nothing changes until you accept it (A)." in summary
        assert "out of date" not in summary.lower()
        assert screen.page.rows[0].locked  # the draft's row, as a new plan would show it
        assert f"{plan.locked + 1} locked" in summary

        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert any(message.startswith(f"Plan {plan.plan_id} accepted")
                   for message in notifications(app)), notifications(app)
        with plan_world.session() as session:
            assert session.get(Plan, plan.plan_id).status == "accepted"  # type: ignore[union-attr]
        now = held(plan_world)
        assert now[("Ashworth", "social_worker")] == ("SW1", True)
        with plan_world.session() as session:  # everyone has the worker the draft gave them
            planned = session.execute(
                select(Person.family_name, PlanAssignment.role, PlanAssignment.staff_id)
                .join(Person, Person.id == PlanAssignment.person_id)
                .where(PlanAssignment.plan_id == plan.plan_id,
                       PlanAssignment.staff_id.is_not(None))).all()  # type: ignore[union-attr]
        assert len(planned) == plan.assigned
        assert {(family, role): staff_id for family, role, staff_id in planned} == {
            key: staff_id for key, (staff_id, _locked) in now.items()}

    drive(app, scenario)


def test_choosing_the_planned_worker_locked_keeps_the_draft_ready(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await proposed(pilot)
        await pilot.press(*["down"] * 5)  # Egbuna, social worker: SW2 planned
        assert screen.current_row is not None and screen.current_row.staff_id == "SW2"
        await pilot.press("o")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, WorkerPickerScreen)
        await pilot.press("enter")  # the first: the planned SW2 (Lock is ticked)
        await pilot.press(*"Speaks Polish", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert held(plan_world) == {("Egbuna", "social_worker"): ("SW2", True)}
        said = " ".join(notifications(app)[-1].split())
        assert STAYS_READY in said and "Press n to plan again" not in said
        summary = text_of(screen.query_one("#plan-summary"))
        assert "A draft: nothing changes until you accept it (A)." in summary

    drive(app, scenario)
