"""The plan screen says who holds each role now, and never replaces them without asking:

- k locks whoever holds the role now (a manager's choice made since the plan included), names
  them, and a second k unlocks it, the holder staying;
- an accepted plan's rows a manager has changed since are marked (*, chosen or locked) and the
  summary counts those changes;
- a role a new plan leaves unassigned while someone holds it says it stays with them until a
  manager decides, in the table ("stays", not "none"), the Why box, the summary, the accept
  question and the accept notice alike;
- the worker picker names the worker who holds the role now as such, not as "keeps current
  worker", and counts caseloads as the plan's Why box does (with this person).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from textual.pilot import Pilot
from textual.widgets import OptionList

from tests.conftest import ACTOR, TODAY
from tests.factories import nhs_number
from tests.tui.conftest import drive, notifications, settle, text_of
from transition.db import Database
from transition.models import Assignment, Person, Staff
from transition.plan_review import accept_plan
from transition.planning import propose_plan
from transition.ruleset import load_rules
from transition.screens.confirm import ConfirmScreen
from transition.screens.plan import PlanScreen
from transition.screens.worker_picker import WorkerPickerScreen
from transition.widgets.fitted_table import FittedTable
from transition.worker_overrides import assign_worker

ASHWORTH = nhs_number(100)


def accepted(database: Database) -> None:
    """Plan 1 proposed and accepted, as of the tests' today."""
    rules = load_rules(None)
    with database.transaction() as session:
        propose_plan(session, rules, as_of=TODAY, actor=ACTOR)
    with database.transaction() as session:
        accept_plan(session, rules, actor=ACTOR, today=TODAY)


def holding(database: Database, family: str, role: str) -> tuple[str, bool]:
    with database.session() as session:
        staff_id, locked = session.execute(
            select(Assignment.staff_id, Assignment.locked)
            .join(Person, Person.id == Assignment.person_id)
            .where(Person.family_name == family, Assignment.role == role,
                   Assignment.ended_at.is_(None))).one()  # type: ignore[union-attr]
    return staff_id, locked


def cells(screen: PlanScreen, position: int) -> list[str]:
    table = screen.query_one("#plan-rows", FittedTable)
    return [str(cell) for cell in table.get_row_at(position)]


async def open_plan(pilot: Pilot[Any]) -> PlanScreen:
    await pilot.press("p")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, PlanScreen)
    return screen


def test_k_locks_the_managers_choice_not_the_plans_worker(plan_world, app_on) -> None:
    accepted(plan_world)
    assert holding(plan_world, "Ashworth", "social_worker") == ("SW1", False)
    with plan_world.transaction() as session:  # a manager's choice since, not locked
        assign_worker(session, load_rules(None), nhs_number=ASHWORTH, staff_id="SW3",
                      role="social_worker", reason="Knows the family", lock=False,
                      force=True, as_of=TODAY, actor=ACTOR)
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_plan(pilot)
        assert screen.page is not None and screen.page.plan is not None
        assert screen.page.plan.status == "accepted"
        row = screen.current_row
        assert row is not None and row.staff_id == "SW1"  # the plan's worker
        # The row says who holds it now: the manager's choice, marked.
        assert cells(screen, 0)[3:5] == ["*Sam Reid", "chosen"]
        summary = " ".join(text_of(screen.query_one("#plan-summary")).split())
        assert "Since it was accepted, managers changed 1 role (1 to another worker)" in summary
        why = " ".join(text_of(screen.query_one("#plan-detail")).split())
        assert "Holds it now Sam Reid (SW3), a manager's choice, since plan 1 was accepted" in why

        app.clear_notifications()
        await pilot.press("k")
        await settle(pilot)
        assert holding(plan_world, "Ashworth", "social_worker") == ("SW3", True)
        said = " ".join(notifications(app)[-1].split())
        assert said.startswith("Locked: Sam Reid (SW3) keeps the social worker in every later "
                               "plan. The plan proposed Ana Okafor (SW1): press o to choose "
                               "them instead."), said
        assert cells(screen, 0)[3:5] == ["*Sam Reid", "locked"]
        summary = " ".join(text_of(screen.query_one("#plan-summary")).split())
        assert "managers changed 1 role (1 to another worker, 1 locked)" in summary

        app.clear_notifications()
        await pilot.press("k")  # unlocks: Sam Reid still holds it
        await settle(pilot)
        assert holding(plan_world, "Ashworth", "social_worker") == ("SW3", False)
        said = " ".join(notifications(app)[-1].split())
        assert said.startswith("Unlocked: Sam Reid (SW3) still holds the social worker"), said
        assert cells(screen, 0)[3:5] == ["*Sam Reid", "chosen"]

    drive(app, scenario)


def test_k_on_the_plans_own_holder_locks_them_and_the_summary_counts_it(plan_world,
                                                                         app_on) -> None:
    accepted(plan_world)
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_plan(pilot)
        assert cells(screen, 0)[3] == "Ana Okafor"
        await pilot.press("k")
        await settle(pilot)
        assert holding(plan_world, "Ashworth", "social_worker") == ("SW1", True)
        assert cells(screen, 0)[3:5] == ["*Ana Okafor", "locked"]
        summary = " ".join(text_of(screen.query_one("#plan-summary")).split())
        assert "managers changed 1 role (1 locked)" in summary

    drive(app, scenario)


def leaving_with_no_room(database: Database) -> None:
    """Plan 1 accepted; then SW1 leaves before the transfer and the other council workers
    have no room, so a new plan cannot place SW1's people: they stay with SW1 meanwhile."""
    accepted(database)
    with database.transaction() as session:
        session.execute(update(Staff).where(Staff.staff_id == "SW1")
                        .values(leaving_date=TODAY.replace(month=3, day=1)))
        session.execute(update(Staff).where(Staff.staff_id.in_(["SW2", "SW3"]))  # type: ignore[attr-defined]
                        .values(capacity=0))


def test_a_role_left_unassigned_that_someone_holds_says_it_stays_with_them(plan_world,
                                                                          app_on) -> None:
    leaving_with_no_room(plan_world)
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_plan(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert screen.page is not None and screen.page.plan is not None
        plan = screen.page.plan
        assert plan.status == "draft" and plan.unassigned_staying >= 1
        staying = plan.unassigned_staying
        said = " ".join(notifications(app)[-1].split())
        assert "stay with who holds them now until a manager decides" in said or \
            "stays with who holds it now until a manager decides" in said, said
        await pilot.press("u")
        await settle(pilot)
        row = screen.current_row
        assert row is not None and row.staff_id is None
        assert screen.page.stays_with(row) is not None
        name = screen.page.stays_with(row)["name"]  # type: ignore[index]
        worker, change = cells(screen, 0)[3:5]
        assert (worker, change) == (name, "stays")  # not "—" and "none"
        why = " ".join(text_of(screen.query_one("#plan-detail")).split())
        assert f"Planned unassigned stays with {name}" in why
        assert "until a manager decides" in why
        assert "current worker SW1 not active" in why  # why they cannot keep it
        summary = " ".join(text_of(screen.query_one("#plan-summary")).split())
        assert f"{plan.unassigned} unassigned (" in summary

        app.clear_notifications()
        await pilot.press("A")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        question = " ".join(dialog.detail.split())
        assert f"{plan.unassigned} unassigned for a decision (" in question
        assert "with who holds" in question and "now until a manager decides" in question
        await pilot.press("y")
        await settle(pilot)
        said = " ".join(next(message for message in notifications(app)
                             if message.startswith(f"Plan {plan.plan_id} accepted")).split())
        assert f"{plan.unassigned} still unassigned (" in said
        assert "now until a manager decides" in said
        # True: the holder kept them.
        assert holding(plan_world, "Ashworth", "social_worker")[0] == "SW1"
        assert screen.page.plan is not None and screen.page.plan.status == "accepted"
        assert screen.page.plan.unassigned_staying == staying

    drive(app, scenario)


def test_the_picker_names_who_holds_the_role_now_and_counts_as_the_why_box(plan_world,
                                                                         app_on) -> None:
    accepted(plan_world)
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_plan(pilot)
        row = screen.current_row
        assert row is not None and row.staff_id == "SW1"
        why = " ".join(text_of(screen.query_one("#plan-detail")).split())
        assert "Holds it now Ana Okafor (SW1), from the accepted plan" in why
        after = next(reason for reason in row.reasons
                     if reason.startswith("caseload after plan: "))
        await pilot.press("o")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, WorkerPickerScreen)
        options = picker.query_one("#workers", OptionList)
        listed = " ".join(" ".join(
            [text_of(picker.query_one("#explanation-text"))]
            + [str(options.get_option_at_index(index).prompt)
               for index in range(options.option_count)]).split())
        assert "holds the role now (since plan 1 was accepted)" in listed
        assert "keeps current worker" not in listed
        # The same figure as the Why box's "caseload after plan: N of M".
        figure = after.removeprefix("caseload after plan: ")
        assert f"Ana Okafor (SW1) · planned · North Council · {figure} with them" in listed
        assert "N of M with them: the worker's caseload after the plan with this person" \
            in listed
        await pilot.press("escape")
        await settle(pilot)

    drive(app, scenario)
