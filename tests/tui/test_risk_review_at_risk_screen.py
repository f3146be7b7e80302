"""The at-risk screen, found wrong in review: the cursor thrown back to the top, and scores
measured on another day shown as current."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable

from tests.conftest import ACTOR, TODAY
from tests.tui.conftest import drive, settle, text_of
from tests.tui.test_pathway_screens import open_at_risk
from transition.assessment import refresh_assessments
from transition.ruleset import load_rules


def test_more_people_and_a_reload_keep_the_cursor_on_the_same_person(
    plan_world, app_on
) -> None:
    """'+' (50 more) and every reload (coming back after a change) cleared the table and put
    the cursor back on the first person: a manager working down the list lost their place."""
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_at_risk(pilot)
        table = screen.query_one("#at-risk-table", DataTable)
        await pilot.press("down", "down", "down")
        await settle(pilot)
        chosen = screen.people[3]
        title = f"Why: {chosen.family_name}, {chosen.given_name}"
        assert str(screen.query_one("#at-risk-factors").border_title) == title
        await pilot.press("plus")
        await settle(pilot)
        assert table.cursor_row == 3
        assert str(screen.query_one("#at-risk-factors").border_title) == title
        screen.reload()  # what coming back to the screen after a change does
        await settle(pilot)
        assert table.cursor_row == 3 and screen.people[3].person_id == chosen.person_id
        assert str(screen.query_one("#at-risk-factors").border_title) == title
        # Another band is a new list: it starts at the top.
        await pilot.press("b")
        await settle(pilot)
        assert table.cursor_row == 0
        first = screen.people[0]
        assert str(screen.query_one("#at-risk-factors").border_title) == (
            f"Why: {first.family_name}, {first.given_name}")

    drive(app, scenario)


def test_the_status_says_when_the_scores_were_measured(plan_world, app_on) -> None:
    """The screen listed scores measured days ago as if current: a discharge 20 days back still
    "in the last 14 days", and nothing on screen said the list was out of date."""
    app = app_on(plan_world)

    async def today(pilot: Pilot[Any]) -> None:
        screen = await open_at_risk(pilot)
        status = " ".join(text_of(screen.query_one("#at-risk-status")).split())
        assert "scores as of 15 Jan 2027" in status
        assert "not today" not in status

    drive(app, today)

    with plan_world.transaction() as session:
        refresh_assessments(session, load_rules(None), as_of=TODAY - timedelta(days=10),
                            actor=ACTOR)
    app = app_on(plan_world)

    async def earlier(pilot: Pilot[Any]) -> None:
        screen = await open_at_risk(pilot)
        status = " ".join(text_of(screen.query_one("#at-risk-status")).split())
        assert "scores as of 5 Jan 2027, not today: A reassesses" in status

    drive(app, earlier)
