"""Tasks on the dashboard (countdown, progress, burndown) and on the person screen."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot

from tests.tui.conftest import drive, settle, text_of
from tests.tui.handover_data import person_id, populate_handovers
from transition.db import Database
from transition.models import Task
from transition.screens.dashboard import DashboardScreen
from transition.screens.person import PersonScreen
from transition.tasks import set_task_status
from transition.widgets.burndown import bar_chart, sample


@pytest.fixture
def handovers(tui_database: Database) -> dict[int, int]:
    return populate_handovers(tui_database)


def test_the_countdown_is_in_working_days(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        card = text_of(app.screen.query_one("#programme-card"))
        # Fri 15 Jan to Thu 1 Apr 2027: 11 weeks less a day, less Good Friday and Easter Monday.
        assert "Working  52 days to go" in card
        progress = text_of(app.screen.query_one("#task-progress-body"))
        assert "No tasks yet" in progress and "transition tasks generate" in progress

    drive(app, scenario)


def test_the_dashboard_shows_task_progress_and_the_burndown(tui_database, handovers,
                                                            app_on) -> None:
    app = app_on(tui_database)
    with tui_database.transaction() as session:
        letter = session.scalars(select(Task.id).where(Task.person_id == handovers[2],
                                                       Task.key == "letter_gp")).one()
        set_task_status(session, letter, "done", actor="someone")

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        progress = text_of(screen.query_one("#task-progress-body"))
        # 34: the featured person needs Polish, so accessible_communication too (h115).
        assert "1 done of 34 tasks (3%)" in progress
        assert "31 open, not yet overdue" in progress
        assert "2 overdue" in progress
        chart = text_of(screen.query_one("#task-burndown-body"))
        assert "33 open tasks, 2 overdue" in chart
        assert "15 Jan 2027" in chart and "1 Apr 2027" in chart
        assert "not Good Friday 26 Mar, Easter Monday 29 Mar" in chart
        # A change elsewhere shows when the dashboard is next shown.
        await pilot.press("t")
        await settle(pilot)
        await pilot.press("s", "i")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        progress = text_of(app.screen.query_one("#task-progress-body"))
        assert "1 done of 34 tasks" in progress  # in progress is still open

    drive(app, scenario)


def test_the_chart_has_one_column_per_value_and_scales_to_the_top() -> None:
    chart = bar_chart([8, 4, 0], height=2, width=6, first="a", last="b")
    lines = [line.plain for line in chart.renderables]  # type: ignore[attr-defined]
    assert lines == ["8 ┤█  ", "0 ┤██ ", "   a b"]
    wide = bar_chart([8, 4, 0], height=2, width=12, first="a", last="b")
    assert [line.plain for line in wide.renderables][:2] == [  # type: ignore[attr-defined]
        "8 ┤███      ", "0 ┤██████   "]
    assert sample(list(range(100)), 5) == [0, 25, 50, 74, 99]
    assert sample([1, 2], 5) == [1, 2]


def test_the_person_screen_lists_the_persons_tasks(tui_database, handovers, app_on) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        app.open_person(handovers[1])
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        shown = text_of(app.screen.query_one("#tasks"))
        lines = [line for line in shown.splitlines() if "2027" in line]
        assert "11 Jan 2027" in lines[0] and "Overdue: to do" in lines[0]
        assert "Records and risk assessment transferred" in lines[2]
        assert "0 of 5 tasks done · 2 overdue" in shown
        # Where the handover stands, above who holds each role.
        workers = " ".join(text_of(app.screen.query_one("#workers")).split())
        assert workers.startswith("Handover on 25 Jan 2027: social worker ")
        assert "No joint handover visit among their tasks." in workers
        with tui_database.session() as session:
            no_handover = person_id(session, 8)  # not in the plan: no tasks, no box
        app.open_person(no_handover)
        await settle(pilot)
        assert not app.screen.query_one("#tasks").display

    drive(app, scenario)
