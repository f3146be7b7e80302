"""The app on a demo database writes letters and reports into the demo's own folder, as the
command line does (tests/cli/test_demo_files.py); and a date box that cannot read what
was typed says its own example's shapes, the example's first."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from tests.tui.conftest import drive, settle
from tests.tui.handover_data import populate_handovers
from tests.tui.test_handover_dialog import problem
from tests.tui.test_team_handover import fill as fill_team
from tests.tui.test_team_handover import open_dialog
from transition.app import make_app
from transition.audit import Change, record
from transition.config import Settings, data_dir
from transition.db import Database
from transition.demo import DEMO_BUILT, demo_files_dir
from transition.screens.equality import EqualityScreen
from transition.screens.handover_dialog import (
    DATE_BOX_EXAMPLE,
    DATE_BOX_HINT,
    DATE_BOX_PLACEHOLDER,
    HandoverDateScreen,
)
from transition.screens.letters import LettersScreen
from transition.validation import typed_date


def _no_output_setting(settings: Settings) -> Settings:
    return settings.model_copy(update={"output_dir": None})


def _where_it_writes(database: Database, settings: Settings) -> tuple[Path, Path]:
    """The letters screen's folder, and where the equality screen's `s` saved its report."""
    app = make_app(settings, database=database)
    found: list[Path] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, LettersScreen)
        found.append(app.screen.out_dir())
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EqualityScreen)
        await pilot.press("s")
        await settle(pilot)
        found.append(screen.report_path())

    drive(app, scenario)
    letters, report = found
    assert report.is_file()
    return letters, report


def test_on_a_demo_the_letters_and_reports_go_to_its_own_folder(
    populated: Database, sqlite_settings: Settings
) -> None:
    with populated.transaction() as session:
        record(session, Change(action=DEMO_BUILT, entity="database"), actor="demo")
    settings = _no_output_setting(sqlite_settings)
    own = demo_files_dir(settings.resolved_database_url)
    letters, report = _where_it_writes(populated, settings)
    assert letters == (own / "output" / "letters").resolve()
    assert report.parent == (own / "output").resolve()
    assert not (data_dir() / "output").exists()


def test_on_a_real_database_they_go_to_the_data_folder(
    populated: Database, sqlite_settings: Settings
) -> None:
    settings = _no_output_setting(sqlite_settings)
    letters, report = _where_it_writes(populated, settings)
    assert letters == (data_dir() / "output" / "letters").resolve()
    assert report.parent == (data_dir() / "output").resolve()
    assert not demo_files_dir(settings.resolved_database_url).exists()


def test_the_date_box_example_is_what_the_error_names_first() -> None:
    """The placeholder's example and the error's advice are one list, the example's shape (the
    month in words, as a date already set is shown) first; each of them is read, as one day."""
    assert DATE_BOX_PLACEHOLDER == f"e.g. {DATE_BOX_EXAMPLE}"
    assert DATE_BOX_HINT.startswith(f"Write it like the example: {DATE_BOX_EXAMPLE.split(',')[0]}")
    shapes = DATE_BOX_EXAMPLE.replace(" or ", ", ").split(", ")
    assert shapes[0] == "1 June 2027"
    assert {typed_date(shape) for shape in shapes} == {date(2027, 6, 1)}
    assert "YYYY" not in DATE_BOX_HINT


def test_a_persons_date_box_says_its_own_example_when_it_cannot_read_a_date(
    tui_database: Database, app_on
) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        app.push_screen(HandoverDateScreen("Test Person", None, date(2027, 4, 1)))
        await settle(pilot)
        dialog = app.screen
        box = dialog.query_one("#date", Input)
        assert box.placeholder == DATE_BOX_PLACEHOLDER
        ambiguous = (
            ": a date in a shape that could be read day first or month first, so it is not guessed"
        )
        for typed, why in (("soon", ""), ("1 2 2027", ambiguous)):
            box.value = typed
            dialog.query_one("#reason", Input).value = "Phase 2"
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert problem(dialog) == f"{typed!r} is not a date{why}. {DATE_BOX_HINT}"
            assert app.focused is box

    drive(app, scenario, size=(80, 24))


def test_the_team_date_box_says_the_same(tui_database: Database, app_on) -> None:
    populate_handovers(tui_database)
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        await open_dialog(pilot)
        dialog = await fill_team(pilot, "soon", "Phase 2")
        assert dialog.query_one("#date", Input).placeholder == DATE_BOX_PLACEHOLDER
        assert problem(dialog) == f"'soon' is not a date. {DATE_BOX_HINT}"

    drive(app, scenario, size=(80, 24))
