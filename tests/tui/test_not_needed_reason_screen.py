"""Setting a task aside as not needed asks why, and will not save without a reason (helper
126): the status box refuses an empty one, says so, and keeps the focus in the box."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.tui.conftest import drive, settle, text_of
from tests.tui.test_tasks_screen import handovers, open_tasks, task_of, type_text
from transition.screens.task_dialogs import StatusScreen

__all__ = ["handovers"]  # the fixture, for pytest


def test_not_needed_is_refused_without_a_reason(tui_database, handovers, app_on) -> None:
    app = app_on(tui_database)
    task = task_of(tui_database, handovers[3], "letter_gp")

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot, task.id)
        await pilot.press("s", "n")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, StatusScreen)
        box = dialog.query_one("#reason", Input)
        assert box.placeholder == "Why is it not needed? (required)"
        await pilot.press("space", "enter")  # blank: refused
        await settle(pilot)
        assert app.screen is dialog and app.focused is box
        hint = dialog.query_one("#status-hint", Static)
        assert "needs a reason: say why it is not needed" in text_of(hint)
        assert hint.has_class("-error")
        assert task_of(tui_database, handovers[3], "letter_gp").status == "todo"
        await type_text(pilot, "GP told at the review")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen

    drive(app, scenario)
    saved = task_of(tui_database, handovers[3], "letter_gp")
    assert (saved.status, saved.blocked_reason) == ("not_needed", "GP told at the review")
