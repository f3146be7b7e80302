"""The import screen with the real importer, on the shipped sample files.

sample_data/README.md says what each import must report: the staff list 111 rows, all in; the
caseload 792 rows = 784 inserted + 7 rejected + 1 duplicate, with 4 warnings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, RadioButton

from tests.tui.conftest import drive, settle, text_of
from transition.overview import latest_import
from transition.screens.dashboard import DashboardScreen
from transition.screens.imports import ImportScreen
from transition.screens.welcome import WelcomeScreen

SAMPLES = Path(__file__).parents[2] / "sample_data"


async def run_import(pilot: Pilot[Any], kind: str, path: Path, *, strict: bool = False) -> ImportScreen:
    app = pilot.app
    if not isinstance(app.screen, ImportScreen):
        await pilot.press("i")
    screen = app.screen
    assert isinstance(screen, ImportScreen)
    screen.query_one(f"#{kind}", RadioButton).value = True
    screen.query_one("#path", Input).value = str(path)
    screen.query_one("#strict").value = strict  # type: ignore[attr-defined]
    await pilot.press("ctrl+r")
    await settle(pilot)
    assert not screen.running
    return screen


def test_import_the_sample_files_from_the_welcome(tui_database, app_on) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        assert isinstance(app.screen, WelcomeScreen)
        screen = await run_import(pilot, "staff", SAMPLES / "staff.csv")
        assert "staff.csv: 111 rows: 111 new · 0 rejected" in text_of(screen.query_one("#result"))
        assert not screen.query_one("#import-rejects").display
        # Ready for the usual next step: the caseload, from the same folder.
        assert screen.kind == "caseload"
        path = screen.query_one("#path", Input)
        assert path.value == f"{SAMPLES}/"
        # The box's suggestion (→ or tab takes it) is not the staff list just imported, which
        # ctrl+r would then import as a caseload.
        path.focus()
        await settle(pilot)
        assert path._suggestion == f"{SAMPLES}/trust_caseload."

        screen = await run_import(pilot, "caseload", SAMPLES / "trust_caseload.csv")
        with tui_database.session() as session:
            batch = latest_import(session, "caseload")
        assert batch is not None and batch.rows == 792 and batch.rejected > 0
        result = text_of(screen.query_one("#result"))
        assert f"trust_caseload.csv: 792 rows: {batch.inserted} new" in result
        assert f"{batch.rejected} rejected" in result
        assert batch.rejects_path and f"saved in {batch.rejects_path}" in result.replace("\n", "")
        assert Path(batch.rejects_path).is_file()  # written where the CLI writes it
        table = screen.query_one("#import-rejects", DataTable)
        rejected_rows = {str(table.get_row_at(i)[0]) for i in range(table.row_count)} - {""}
        assert len(rejected_rows) == batch.rejected and all(row.isdigit() for row in rejected_rows)

        await pilot.press("escape")  # back to the welcome, which moves on to the dashboard
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        people = text_of(app.screen.query_one("#caseload-card"))
        assert f"{batch.inserted} people on the caseload" in people
        assert f"{batch.rejected} rejected" in text_of(app.screen.query_one("#imports-card"))

    drive(app, scenario)


def test_a_file_the_importer_cannot_use(tui_database, app_on, tmp_path: Path) -> None:
    unusable = tmp_path / "not_a_caseload.csv"
    unusable.write_text("colour,size\nred,large\n")
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await run_import(pilot, "caseload", unusable)
        result = screen.query_one("#result")
        assert result.has_class("-error")
        text = text_of(result)
        assert "Nothing was imported." in text and "not_a_caseload.csv" in text
        assert app.data_version == 0

    drive(app, scenario)


def test_strict_import_with_rejects_imports_nothing(tui_database, app_on) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await run_import(pilot, "caseload", SAMPLES / "trust_caseload.csv", strict=True)
        result = screen.query_one("#result")
        assert "Strict: nothing was imported" in text_of(result) and result.has_class("-error")
        await pilot.press("escape", "c")
        await settle(pilot)
        assert "No people on the caseload yet" in str(app.screen.query_one("#status").content)

    drive(app, scenario)


def test_a_spreadsheet_of_managers_choices(plan_world, app_on, tmp_path: Path) -> None:
    """The third kind: each row recorded as a choice of worker, or rejected with why."""
    from sqlalchemy import select

    from transition.models import Assignment, Person

    with plan_world.session() as session:
        egbuna, baines = (session.scalars(select(Person.nhs_number).where(
            Person.family_name == name)).one() for name in ("Egbuna", "Baines"))
    choices = tmp_path / "meeting.csv"
    choices.write_text("NHS No,Staff ID,Reason\n"
                       f"{egbuna},SW2,Speaks Polish\n"
                       f"{baines},NOBODY,Agreed\n", encoding="utf-8")
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await run_import(pilot, "choices", choices, strict=True)
        said = " ".join(text_of(screen.query_one("#result")).split())
        assert "meeting.csv: 2 rows, 1 recorded, 0 already so, 1 rejected." in said
        assert "Strict: nothing was recorded" in said
        with plan_world.session() as session:
            assert session.scalars(select(Assignment)).all() == []

        screen = await run_import(pilot, "choices", choices)
        said = " ".join(text_of(screen.query_one("#result")).split())
        assert "1 recorded, 0 already so, 1 rejected." in said and "Strict" not in said
        table = screen.query_one("#import-rejects", DataTable)
        assert table.display and table.row_count == 1
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[0] == "3" and row[2] == "Staff ID"
        assert "No worker with staff id 'NOBODY'" in row[3]
        with plan_world.session() as session:
            held = session.execute(select(Person.family_name, Assignment.staff_id, Assignment.reason)
                                   .join(Person, Person.id == Assignment.person_id)).all()
        assert held == [("Egbuna", "SW2", "Speaks Polish [meeting.csv row 2]")]

    drive(app, scenario)


def test_what_the_last_import_said_about_its_columns_is_shown_next_time(
        tui_database, app_on, tmp_path: Path) -> None:
    slim = tmp_path / "slim.csv"
    slim.write_text("NHS No,Forename,Surname,DOB,Carers name\n"
                    "9990000018,Robin,Ashdown,03/04/1980,Sam Ashdown\n", encoding="utf-8")
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await run_import(pilot, "caseload", slim)
        said = " ".join(text_of(screen.query_one("#result")).split())
        assert "'Carers name' (did you mean carer_name?)" in said
        await pilot.press("escape")
        await settle(pilot)
        card = " ".join(text_of(app.screen.query_one("#imports-card")).split())
        assert "3 notes on its columns (i)" in card  # unrecognised, lacking, rules
        # Opened again (say, by a colleague): the notes are still there, with where from.
        await pilot.press("i")
        await settle(pilot)
        again = " ".join(text_of(app.screen.query_one("#result")).split())
        assert again.startswith("The latest caseload import (slim.csv, ")
        assert "said about its columns: • 1 column not recognised" in again
        assert "The rules read columns 'forensic_history'" in again

    drive(app, scenario)
