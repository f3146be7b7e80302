"""The team handover dialog (H on the caseload) at 80x24: it opened scrolled down, so its
heading and what it is about were out of sight. It opens at the top with the focus in the box
the manager types in; the rest is reached by scrolling and the buttons stay on screen. And a
date it refuses says what is wrong with it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, Select

from tests.tui.conftest import drive, settle
from tests.tui.handover_data import populate_handovers
from tests.tui.test_handover_dialog import problem
from tests.tui.test_team_handover import fill, open_dialog
from transition.db import Database
from transition.handover import Place
from transition.screens.team_handover import TeamHandoverScreen


@pytest.fixture
def handovers(tui_database: Database) -> Database:
    populate_handovers(tui_database)
    return tui_database


def seen(widget: Widget, body: VerticalScroll) -> bool:
    """The whole widget is inside the body's visible part (and the body on screen)."""
    return (body.region.contains_region(widget.region)
            and widget.screen.region.contains_region(body.region))


def on_screen(widget: Widget) -> bool:
    return widget.screen.region.contains_region(widget.region)


def test_it_opens_at_the_top_with_the_date_box_focused_at_80x24(handovers, app_on) -> None:
    app = app_on(handovers)

    async def scenario(pilot: Pilot[Any]) -> None:
        dialog = await open_dialog(pilot)  # the team under the cursor: straight to the date
        body = dialog.query_one("#body", VerticalScroll)
        assert body.max_scroll_y > 0  # too tall for 24 rows: it scrolls
        assert body.scroll_y == 0
        assert seen(dialog.query_one("#question"), body)
        assert app.focused is dialog.query_one("#date", Input)
        assert seen(dialog.query_one("#date"), body)
        assert on_screen(dialog.query_one("#save")) and on_screen(dialog.query_one("#cancel"))
        # The reason, below, is reached: enter in the date box moves there, into view.
        await pilot.press(*"1 June 2027", "enter")
        await settle(pilot)
        assert app.focused is dialog.query_one("#reason", Input)
        assert seen(dialog.query_one("#reason"), body)
        assert on_screen(dialog.query_one("#save"))

    drive(app, scenario, size=(80, 24))


def test_with_no_team_chosen_the_team_box_has_the_focus_at_the_top(tui_database,
                                                                   app_on) -> None:
    app = app_on(tui_database)
    teams = [Place("North CMHT", 8, 0), Place("South CMHT", 5, 1)]

    async def scenario(pilot: Pilot[Any]) -> None:
        app.push_screen(TeamHandoverScreen(teams, [Place("Westhaven", 13, 1)],
                                           date(2027, 4, 1)))
        await settle(pilot)
        dialog = app.screen
        body = dialog.query_one("#body", VerticalScroll)
        assert body.scroll_y == 0 and seen(dialog.query_one("#question"), body)
        assert app.focused is dialog.query_one("#team", Select)

    drive(app, scenario, size=(80, 24))


@pytest.mark.parametrize(("typed", "said"), [
    ("31/02/2027x", ("'31/02/2027x' is not a date: 'x' follows the date, and 31 February 2027 "
                     "does not exist (February 2027 has 28 days). Write it like the example: 1 June")),
    ("12/31/2027", "'12/31/2027' is not a date: there is no month 31 (it looks month-first"),
])
def test_a_bad_date_is_said_for_what_it_is(handovers, app_on, typed: str,
                                           said: str) -> None:
    app = app_on(handovers)

    async def scenario(pilot: Pilot[Any]) -> None:
        await open_dialog(pilot)
        dialog = await fill(pilot, typed, "Phase 2")
        assert dialog.is_current
        assert said in problem(dialog)
        assert "could be read day first or month first" not in problem(dialog)
        assert app.focused is dialog.query_one("#date", Input)

    drive(app, scenario, size=(80, 24))
