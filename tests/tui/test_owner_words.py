"""The tasks and person screens say a task's owner in a manager's words.

Dominic Dalton (``handover_data`` index 3, joint) keeps his key worker, Dev Patel (S004, the
trust's coordinator), and gets a new social worker, Chloe Evans (S003). Dev owns the letters
and the records as the coordinator; he was shown as "(outgoing)" there, reading as if he were
leaving him. He is the current worker, who stays; Chloe is the new worker.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from tests.tui.conftest import drive, settle, text_of
from tests.tui.handover_data import populate_handovers
from tests.tui.test_tasks_screen import open_tasks, task_of
from transition.db import Database
from transition.screens.person import PersonScreen


@pytest.fixture
def handovers(tui_database: Database) -> dict[int, int]:
    return populate_handovers(tui_database)


def test_the_tasks_detail_says_who_stays_and_who_is_new(tui_database, handovers, app_on) -> None:
    app = app_on(tui_database)
    kept = task_of(tui_database, handovers[3], "letter_person")
    new = task_of(tui_database, handovers[3], "first_contact")
    leaving = task_of(tui_database, handovers[1], "letter_gp")  # Ben Carter hands over
    signposted = task_of(tui_database, handovers[4], "letter_gp")
    assert (kept.owner_kind, kept.owner_staff_id) == ("outgoing", "S004")

    async def scenario(pilot: Pilot[Any]) -> None:
        said = {}
        for task in (kept, new, leaving, signposted):
            screen = await open_tasks(pilot, task.id)
            said[task.id] = " ".join(text_of(screen.query_one("#task-detail", Static)).split())
        assert "owner Dev Patel (current worker, stays) ·" in said[kept.id]
        assert "owner Chloe Evans (new worker) ·" in said[new.id]
        assert "owner Ben Carter (current worker) ·" in said[leaving.id]
        assert "owner Team manager ·" in said[signposted.id]
        assert not any("outgoing" in text or "incoming" in text for text in said.values())

    drive(app, scenario)


def test_the_person_screen_gives_each_owner_their_part(tui_database, handovers, app_on) -> None:
    app = app_on(tui_database)
    kept = task_of(tui_database, handovers[3], "letter_person")

    async def scenario(pilot: Pilot[Any]) -> None:
        await open_tasks(pilot, kept.id)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        lines = [
            " ".join(line.split()) for line in text_of(app.screen.query_one("#tasks")).splitlines()
        ]
        # Each owner's name, and under it their part.
        gp = next(at for at, line in enumerate(lines) if "Letter to the GP" in line)
        assert "Dev Patel" in lines[gp] and lines[gp + 1] == "current worker, stays"
        first = next(at for at, line in enumerate(lines) if "First contact" in line)
        assert "Chloe Evans" in lines[first] and lines[first + 1].endswith("new worker")

    drive(app, scenario)
