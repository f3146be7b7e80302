"""Tables that use the terminal's width (widgets/fitted_table.py), and the caseload's *After
transfer* column: who holds each person's roles once a plan is accepted."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from textual.pilot import Pilot

from tests.tui.conftest import drive, settle
from tests.tui.test_allocation_panel import _plan
from transition.db import Database
from transition.models import Person
from transition.screens.at_risk import FACTOR_LEAST, AtRiskScreen, main_factors
from transition.screens.caseload import CaseloadScreen
from transition.widgets.caseload_table import CaseloadTable
from transition.widgets.fitted_table import FittedTable


def after_transfer(database: Database, table: FittedTable) -> dict[str, str]:
    """Family name -> what the After transfer column shows."""
    with database.session() as session:
        names = dict(session.execute(select(Person.id, Person.family_name)).all())
    return {names[int(key.value)]: str(table.get_cell(key, "after"))
            for key in table.rows if key.value is not None}


async def open_caseload(pilot: Pilot[Any]) -> FittedTable:
    await pilot.press("c")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CaseloadScreen)
    return pilot.app.screen.query_one(CaseloadTable).table


def test_before_a_plan_is_accepted_the_coordinator_still_holds_them(plan_world, app_on) -> None:
    _plan(plan_world, accept=False)  # a draft changes nothing yet

    async def scenario(pilot: Pilot[Any]) -> None:
        shown = after_transfer(plan_world, await open_caseload(pilot))
        assert shown["Ashworth"] == "no plan yet"
        assert shown["Garside"] == "none needed"  # signposted

    drive(app_on(plan_world), scenario)


def test_after_acceptance_the_caseload_names_who_holds_each_role(plan_world, app_on) -> None:
    _plan(plan_world, accept=True)

    async def scenario(pilot: Pilot[Any]) -> None:
        shown = after_transfer(plan_world, await open_caseload(pilot))
        assert shown["Egbuna"] == "Chloe Evans"  # no coordinator before; speaks Polish
        assert shown["Ashworth"] == "Ana Okafor"  # kept
        # joint (a CTO), and no one has the forensic skill
        assert shown["Hollins"] == "no social worker + no key worker"
        # joint, both roles held: initials, so that both fit
        assert shown["Dalton"] in ("B. Carter + A. Okafor", "A. Okafor + B. Carter")
        assert shown["Garside"] == "none needed"

    drive(app_on(plan_world), scenario)


def test_a_wider_terminal_widens_the_columns_and_shows_the_left_out_ones(
    plan_world, app_on
) -> None:
    _plan(plan_world, accept=True)

    async def scenario(pilot: Pilot[Any]) -> None:
        table = await open_caseload(pilot)
        assert "locality" not in table.shown_keys  # 100 columns: the team names the place
        assert "after" in table.shown_keys and "risk" in table.shown_keys
        table.move_cursor(row=3)
        await pilot.resize_terminal(200, 40)
        await settle(pilot)
        assert "locality" in table.shown_keys
        assert table.columns["team"].width > 14
        assert table.cursor_row == 3  # the same person is still under the cursor
        assert table.row_count == 9
        assert sum(column.width + 2 for column in table.columns.values()) <= table.size.width
        await pilot.resize_terminal(100, 40)
        await settle(pilot)
        assert "locality" not in table.shown_keys
        assert table.cursor_row == 3

    drive(app_on(plan_world), scenario, size=(100, 40))


def test_the_at_risk_factors_use_a_wide_screen(plan_world, app_on) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("a")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, AtRiskScreen)
        table = screen.query_one("#at-risk-table", FittedTable)
        assert table.columns["factors"].width > 60
        first = table.get_row_at(0)
        factors = main_factors(screen.people[0].risk_factors)
        assert str(first[-1]) == factors  # whole: nothing cut off

    drive(app_on(plan_world), scenario, size=(200, 40))


def test_at_80_columns_the_at_risk_list_keeps_the_handover_and_leaves_out_the_rest(
    plan_world, app_on
) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("a")
        await settle(pilot)
        table = pilot.app.screen.query_one("#at-risk-table", FittedTable)
        assert table.shown_keys == ("name", "risk", "handover", "factors")
        assert sum(column.width + 2 for column in table.columns.values()) <= table.size.width
        # Room for a whole factor's words, not "discharged ve" (the rank's order says it).
        assert table.columns["factors"].width >= len("discharged recently")
        assert table.columns["factors"].width >= FACTOR_LEAST
        # Every cell is kept: widen the terminal and the left-out columns come back.
        await pilot.resize_terminal(140, 30)
        await settle(pilot)
        assert "nhs" in table.shown_keys and "team" in table.shown_keys

    drive(app_on(plan_world), scenario, size=(80, 30))


def test_at_120_columns_the_at_risk_factors_get_a_whole_factor(plan_world, app_on) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("a")
        await settle(pilot)
        table = pilot.app.screen.query_one("#at-risk-table", FittedTable)
        assert table.shown_keys == ("nhs", "name", "team", "pathway", "risk", "handover",
                                    "factors")
        assert table.columns["factors"].width >= FACTOR_LEAST  # every factor's words

    drive(app_on(plan_world), scenario, size=(120, 40))


def test_at_80_columns_the_tasks_keep_their_status_on_screen(tui_database, app_on) -> None:
    """The owner (in the box under the table) is left out and the titles narrow, so the
    status, blocked or in progress, is not off the right edge."""
    from tests.tui.handover_data import populate_handovers

    populate_handovers(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("t")
        await settle(pilot)
        table = pilot.app.screen.query_one("#tasks-table", FittedTable)
        assert table.shown_keys == ("due", "task", "person", "status")
        assert sum(column.width + 2 for column in table.columns.values()) <= table.size.width
        await pilot.resize_terminal(120, 30)
        await settle(pilot)
        assert table.shown_keys == ("due", "task", "person", "owner", "status")
        assert table.columns["task"].width >= 44

    drive(app_on(tui_database), scenario, size=(80, 24))
