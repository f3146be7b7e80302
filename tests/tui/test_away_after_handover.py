"""The dashboard's last-check box names the ``away_after_handover`` finding in words, its
findings screen says what it is, a finding opens the person, and the plan screen's "Why" box
says when a planned worker's long absence starts, or they leave, soon after the handover."""

from __future__ import annotations

from datetime import date
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable

from tests.check_world import RULES, assign, person
from tests.conftest import ACTOR, TODAY
from tests.factories import make_staff
from tests.tui.conftest import drive, settle, text_of
from tests.unit.test_check_away_after_handover import _world
from transition.checks import run_checks
from transition.db import Database
from transition.planning import propose_plan
from transition.screens.check_panel import CheckFindingsPanel
from transition.screens.findings import FindingsScreen
from transition.screens.person import PersonScreen
from transition.screens.plan import PlanScreen

TITLE = "New worker away or leaving soon after handover"


def test_the_finding_in_words_on_the_dashboard_and_the_note_on_the_plan_screen(
    tui_database: Database, app_on
) -> None:
    _world(tui_database)
    with tui_database.transaction() as session:
        # A worker leaving 10 working days after the transfer date: the same finding.
        make_staff(session, "LEAVER", leaving_date=date(2027, 4, 15))
        assign(session, person(session, coordinator="TRUST1"), "social_worker", "LEAVER")
        run_checks(session, RULES, as_of=TODAY, actor=ACTOR)
        # A draft that keeps everyone with the worker they have (on the pathways as stored).
        propose_plan(session, RULES, as_of=TODAY, actor=ACTOR, refresh=False)
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        panel = app.screen.query_one(CheckFindingsPanel)
        [row] = [row for row in panel.rows if row[0] == "away_after_handover"]
        assert row[1] == TITLE and row[2] == (0, 4, 0)  # four warnings
        table = panel.query_one("#check-codes", DataTable)
        table.focus()
        table.move_cursor(row=[str(key.value) for key in table.rows].index(
            "away_after_handover"))
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FindingsScreen) and screen.code == "away_after_handover"
        assert text_of(screen.query_one("#findings-summary")).startswith(TITLE)
        findings = screen.query_one("#findings-table", DataTable)
        rows = [findings.get_row_at(index) for index in range(findings.row_count)]
        assert sorted(str(cells[3]) for cells in rows) == ["BANKHOL", "INSIDE", "LEAVER",
                                                           "NORETURN"]
        assert all("soon after the first" in str(cells[4]) for cells in rows)
        await pilot.press("enter")  # the first finding: the person moving to that worker
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.person_id in {finding_person for finding_person, _staff
                                        in screen.targets.values()}

        await pilot.press("escape", "escape", "p")
        await settle(pilot)
        plan = app.screen
        assert isinstance(plan, PlanScreen) and plan.page is not None
        by_worker: dict[str | None, list[int]] = {}
        for index, planned in enumerate(plan.page.rows):  # by person: INSIDE's mover first
            by_worker.setdefault(planned.staff_id, []).append(index)
        table = plan.query_one("#plan-rows", DataTable)
        table.move_cursor(row=by_worker["INSIDE"][0])
        await settle(pilot)
        assert ("Away soon absent from 29 Apr 2027 to 30 Nov 2027, 20 working days after the "
                "handover on 1 Apr 2027: another change of worker soon after the handover"
                ) in " ".join(text_of(plan.query_one("#plan-detail")).split())
        table.move_cursor(row=by_worker["LEAVER"][0])
        await settle(pilot)
        assert ("Leaves soon leaves on 15 Apr 2027, 10 working days after the handover on 1 "
                "Apr 2027: another change of worker soon after the handover"
                ) in " ".join(text_of(plan.query_one("#plan-detail")).split())
        # A day later: outside the window; INSIDE as the coordinator carrying on: no change.
        for worker, index in (("OUTSIDE", by_worker["OUTSIDE"][0]),
                              ("INSIDE", by_worker["INSIDE"][-1])):
            table.move_cursor(row=index)
            await settle(pilot)
            detail = text_of(plan.query_one("#plan-detail"))
            assert worker in detail and "Away soon" not in detail

    drive(app, scenario)
