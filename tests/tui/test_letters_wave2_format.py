"""The letters screen (wave 2): choosing the format every letter is written in, at 80x24, and
letters that print a council detail since corrected shown as out of date, with why."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, OptionList, Static

from tests.letter_setup import TEST_COUNCIL
from tests.tui.conftest import drive, settle, text_of
from tests.tui.test_letters_screen import letter_rows, move_to, open_letters, preview_of
from transition.config import Settings
from transition.db import Database
from transition.letters import generate_letters
from transition.screens.letters import FormatScreen

NEW_CRISIS_LINE = "0808 157 0999 (24 hours a day) or NHS 111, option 2"


@pytest.fixture(autouse=True)
def _council(sqlite_settings: Settings) -> None:
    """The council's own details: letters are never written with the invented examples."""
    sqlite_settings.council = TEST_COUNCIL


@pytest.fixture
def handovers(tui_database: Database) -> dict[int, int]:
    from tests.tui.handover_data import populate_handovers

    return populate_handovers(tui_database)


def test_the_format_is_chosen_on_the_screen_and_the_letters_are_written_in_it(
    tui_database, handovers, app_on
) -> None:
    app = app_on(tui_database)
    bilal = handovers[1]

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_letters(pilot)
        await move_to(pilot, screen, f"{bilal}:person")
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, FormatScreen)
        dialog = app.screen.query_one("#format-dialog")
        assert dialog.region.height <= 24 and dialog.region.width <= 80  # all on screen
        choices = app.screen.query_one("#format-choices", OptionList)
        assert choices.option_count == 5 and choices.highlighted == 0  # as each needs
        await pilot.press("down", "down", "enter")  # Word (DOCX)
        await settle(pilot)
        assert app.screen is screen and screen.fmt == "docx"
        assert "all as DOCX" in text_of(screen.query_one("#letters-summary", Static))
        table = screen.query_one("#letters-table", DataTable)
        assert table.get_row(f"{bilal}:person")[4] == "docx"
        assert "Letter to the person · DOCX" in preview_of(screen)
        await pilot.press("g")
        await settle(pilot)
        assert table.get_row(f"{bilal}:person")[3].plain == "Written"
        # Back to each as its person needs (PDF here): written in DOCX is not written in PDF.
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("escape")  # cancelled: nothing changes
        await settle(pilot)
        assert screen.fmt == "docx"
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("home", "enter")
        await settle(pilot)
        assert screen.fmt is None
        assert table.get_row(f"{bilal}:person")[3].plain == "Written"
        assert table.get_row(f"{bilal}:person")[4] == "docx"  # what is on file

    drive(app, scenario, size=(80, 24))
    assert letter_rows(tui_database, bilal) == [("person", "docx"), ("gp", "docx")]


def test_a_letter_printing_a_corrected_crisis_line_is_out_of_date_on_the_screen(
    tui_database, handovers, app_on, sqlite_settings, tmp_path
) -> None:
    bilal = handovers[1]
    with tui_database.transaction() as session:
        generate_letters(session, council=TEST_COUNCIL, out_dir=tmp_path / "out",
                         as_of=sqlite_settings.today(), actor="tester", person_ids=[bilal],
                         fmt="pdf")
    sqlite_settings.council = TEST_COUNCIL.model_copy(update={"crisis_line": NEW_CRISIS_LINE})
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_letters(pilot)
        await move_to(pilot, screen, f"{bilal}:person")
        table = screen.query_one("#letters-table", DataTable)
        assert table.get_row(f"{bilal}:person")[3].plain == "Out of date"
        assert table.get_row(f"{bilal}:gp")[3].plain == "Out of date"
        shown = " ".join(preview_of(screen).split())
        assert ("Out of date: the council's details it prints have changed since it was "
                "written: the crisis line") in shown
        await pilot.press("g")
        await settle(pilot)
        assert table.get_row(f"{bilal}:person")[3].plain == "Written"

    drive(app, scenario)
