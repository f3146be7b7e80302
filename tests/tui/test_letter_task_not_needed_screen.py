"""A letter whose task a manager marked not needed is not written by "Write all" (helper 126):
the letters screen shows it Skipped (settled: the manager's decision), and the task stays not
needed. Reopened, the letter is due again."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import DataTable

from tests.letter_setup import TEST_COUNCIL
from tests.tui.conftest import drive, settle
from tests.tui.handover_data import populate_handovers
from tests.tui.test_letters_screen import letter_rows, move_to, open_letters, preview_of
from transition.config import Settings
from transition.db import Database
from transition.models import Task
from transition.tasks import set_task_status


@pytest.fixture(autouse=True)
def _council(sqlite_settings: Settings) -> None:
    sqlite_settings.council = TEST_COUNCIL


def _task(database: Database, person_id: int, key: str) -> Task:
    with database.session() as session:
        task = session.scalars(select(Task).where(Task.person_id == person_id,
                                                  Task.key == key)).one()
        session.expunge(task)
        return task


def _set(database: Database, person_id: int, key: str, status: str,
         reason: str | None = None) -> None:
    task = _task(database, person_id, key)
    assert task.id is not None
    with database.transaction() as session:
        set_task_status(session, task.id, status, actor="manager-a", reason=reason)


def test_write_all_skips_a_letter_whose_task_is_not_needed(tui_database, app_on) -> None:
    handovers = populate_handovers(tui_database)
    bilal, eve = handovers[1], handovers[4]
    _set(tui_database, bilal, "letter_person", "not_needed", "Told in person at the clinic")
    # Eve is signposted: her letter (signpost) is the task letter_person too.
    _set(tui_database, eve, "letter_person", "not_needed", "Moved away; the new area writes")
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_letters(pilot)
        table = screen.query_one("#letters-table", DataTable)
        for key in (f"{bilal}:person", f"{eve}:signpost"):
            status = table.get_row(key)[3]
            assert status.plain == "Skipped", key
            assert "red" not in str(status.style)
        assert table.get_row(f"{bilal}:gp")[3].plain == "Due"  # only the task set aside
        await move_to(pilot, screen, f"{bilal}:person")
        shown = " ".join(preview_of(screen).split())
        assert "Skipped, nothing to do: task marked not needed (letter_person)" in shown
        await pilot.press("G", "y")
        await settle(pilot)

    drive(app, scenario)
    assert [kind for kind, _ in letter_rows(tui_database, bilal)] == ["gp"]
    assert [kind for kind, _ in letter_rows(tui_database, eve)] == ["gp"]
    assert _task(tui_database, bilal, "letter_person").status == "not_needed"
    assert _task(tui_database, bilal, "letter_gp").status == "done"

    # Reopened, the letter is due again, and written.
    _set(tui_database, bilal, "letter_person", "todo")
    app = app_on(tui_database)

    async def again(pilot: Pilot[Any]) -> None:
        screen = await open_letters(pilot)
        table = screen.query_one("#letters-table", DataTable)
        assert table.get_row(f"{bilal}:person")[3].plain == "Due"
        await pilot.press("G", "y")
        await settle(pilot)

    drive(app, again)
    assert sorted(kind for kind, _ in letter_rows(tui_database, bilal)) == ["gp", "person"]
    assert _task(tui_database, bilal, "letter_person").status == "done"
