"""The tasks section when the list shrinks under the page a manager is on."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tests.tui.conftest import drive, settle, text_of
from tests.tui.handover_data import populate_handovers
from transition.db import Database
from transition.screens.tasks import TasksScreen


@pytest.fixture
def handovers(tui_database: Database) -> dict[int, int]:
    return populate_handovers(tui_database)


def test_finishing_the_only_task_on_the_last_page_goes_back_a_page(
    tui_database, handovers, app_on, monkeypatch
) -> None:
    """34 open tasks, 11 a page: the fourth page holds one task. Closing it empties that
    page; the screen shows the page before (now the last) rather than an empty list that says
    no tasks have been made yet, headed "34-33 of 33"."""
    monkeypatch.setattr("transition.screens.tasks.PAGE_SIZE", 11)
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("t")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, TasksScreen)
        await pilot.press("right_square_bracket", "right_square_bracket",
                          "right_square_bracket")
        await settle(pilot)
        summary = text_of(screen.query_one("#tasks-summary", Static))
        assert "34-34 of 34 open tasks" in summary
        assert len(screen.rows) == 1
        # The one task on this page: not needed (done would wait for its dependencies).
        await pilot.press("s", "n", "o", "k", "enter")  # not needed needs a reason
        await settle(pilot)
        summary = text_of(screen.query_one("#tasks-summary", Static))
        assert "23-33 of 33 open tasks" in summary, summary
        assert "No tasks to show" not in summary
        assert len(screen.rows) == 11
        assert screen.current_task_id() is not None
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert "12-22 of 33" in text_of(screen.query_one("#tasks-summary", Static))

    drive(app, scenario)
