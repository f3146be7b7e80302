"""The dashboard's Allocation box: before and after a plan is accepted, and `n`, which lists on
the caseload the people with no worker in a role they need."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable

from tests.conftest import TODAY
from tests.tui.conftest import drive, settle, text_of
from transition import nhs
from transition.db import Database
from transition.people import PeopleQuery, list_people
from transition.plan_review import accept_plan
from transition.planning import propose_plan
from transition.ruleset import load_rules
from transition.screens.allocation_panel import AllocationPanel
from transition.screens.caseload import CaseloadScreen
from transition.screens.dashboard import DashboardScreen
from transition.widgets.caseload_table import CaseloadTable


def _plan(database: Database, *, accept: bool) -> None:
    rules = load_rules(None)
    with database.transaction() as session:
        propose_plan(session, rules, as_of=TODAY, actor="test")
        if accept:
            accept_plan(session, rules, actor="test")


def _needing(database: Database) -> list[str]:
    with database.session() as session:
        return [row.nhs_number for row in
                list_people(session, PeopleQuery(needs_worker=True, limit=None), as_of=TODAY).rows]


def test_before_acceptance_the_box_shows_the_draft_waiting(plan_world, app_on) -> None:
    _plan(plan_world, accept=False)
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        panel = app.screen.query_one(AllocationPanel)
        shown = " ".join(text_of(panel.query_one("#allocation-body")).split())
        assert "No plan has been accepted yet" in shown
        assert "Draft plan 1 (a plan of everyone, made" in shown
        assert panel.border_subtitle == "p: review the draft on the plan screen"
        assert "0 of them, fully allocated" in shown
        # Egbuna's export names no care coordinator: until a plan is accepted, no one holds her.
        # (the words wrap beside the plan's sentences: the start of the line is whole)
        assert "1 of them, no worker in a role they need (1 with no worker at" in shown

    drive(app, scenario)


def test_n_lists_someone_whose_coordinators_allocation_ended_and_says_so(
    plan_world, app_on,
) -> None:
    """Before any plan, a person whose coordinator's allocation the export says ended
    yesterday needs a worker: the box counts them, `n` lists them, and the Coordinator
    column says the allocation ended (a narrow column still shows it: it comes first)."""
    with plan_world.transaction() as session:
        from sqlalchemy import select

        from transition.models import Person

        ashworth = session.scalars(select(Person).where(Person.family_name == "Ashworth")).one()
        ashworth.coordinator_until = TODAY - timedelta(days=1)
        session.add(ashworth)
    needing = _needing(plan_world)
    assert ashworth.nhs_number in needing
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        shown = " ".join(text_of(app.screen.query_one("#allocation-body")).split())
        assert (f"{len(needing)} of them, no worker in a role they need ({len(needing)} with "
                "no worker at") in shown
        await pilot.press("n")
        await settle(pilot)
        table = app.screen.query_one(CaseloadTable)
        assert [row.nhs_number for row in table.rows] == needing
        grid = table.query_one(DataTable)
        cells = {str(grid.get_row_at(index)[0]): [str(cell) for cell in grid.get_row_at(index)]
                 for index in range(grid.row_count)}
        [coordinator] = [cell for cell in cells[nhs.format_334(ashworth.nhs_number)]
                         if "ended" in cell]
        assert coordinator.startswith("ended ")

    drive(app, scenario)


def test_after_acceptance_n_lists_who_needs_a_worker_on_the_caseload(plan_world, app_on) -> None:
    _plan(plan_world, accept=True)
    needing = _needing(plan_world)
    assert needing  # Hollins: no one in reach has the forensic skill
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        panel = app.screen.query_one(AllocationPanel)
        assert panel.status is not None and panel.status.accepted is not None
        shown = " ".join(text_of(panel.query_one("#allocation-body")).split())
        assert f"Allocation from plan {panel.status.accepted.plan_id}, accepted" in shown
        assert (f"{panel.status.needs_a_worker} of them, no worker in a role they need ("
                in shown) and "(n)" in shown
        assert panel.status.needs_a_worker == len(needing)
        assert app.screen.check_action("needs_worker", ()) is True
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, CaseloadScreen)
        table = app.screen.query_one(CaseloadTable)
        assert table.query.needs_worker and table.filtered
        assert [row.nhs_number for row in table.rows] == needing
        await pilot.press("n")  # again: everyone
        await settle(pilot)
        assert not table.query.needs_worker and table.total == 9

    drive(app, scenario)


def test_n_is_hidden_when_no_one_needs_a_worker(plan_world, app_on) -> None:
    with plan_world.transaction() as session:
        from sqlalchemy import update

        from transition.models import Person

        session.execute(update(Person).values(pathway="signpost"))
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        assert isinstance(app.screen, DashboardScreen)
        assert app.screen.check_action("needs_worker", ()) is False
        shown = " ".join(text_of(app.screen.query_one("#allocation-body")).split())
        assert "0 people whose pathway needs a worker" in shown
        assert "9 signposted (no worker needed)" in shown

    drive(app, scenario)
