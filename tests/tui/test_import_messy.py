"""The import screen fed the files trusts really send, with the real importer: every file ends
in a count of rows imported and rejected, or a message naming the file (and row and column
where there is one) and what to do on this screen; never a crash, and nothing half-saved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select
from textual.pilot import Pilot
from textual.widgets import Input, RadioButton

import transition
from tests.tui.conftest import drive, settle, text_of
from transition.db import Database
from transition.models import ImportBatch, Person
from transition.screens.imports import _SCREEN_WORDS, CHOICES, ImportScreen

DATA = Path(__file__).parents[1] / "data"
HEADER = "nhs_number,given_name,family_name,date_of_birth\n"


def titled_workbook(path: Path) -> Path:
    """A trust's spreadsheet: a title, a blank row, then the headers; one row has no DOB."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Caseload"
    sheet.append(["Westshire NHS Trust: caseload export"])
    sheet.append([])
    sheet.append(["NHS No", "Forename", "Surname", "DOB"])
    sheet.append(["9990000018", "Ann", "Ashdown", "03/04/1980"])
    sheet.append([9990000026, "Bob", "Ashdown", None])
    book.save(path)
    return path


def messy(tmp_path: Path, name: str) -> Path:
    """The file called ``name``: a shipped test file or one made here."""
    if (DATA / name).exists():
        return DATA / name
    path = tmp_path / name
    if name == "titled.xlsx":
        return titled_workbook(path)
    path.write_text({
        "unclosed.csv": HEADER + '9990000018,"Ann,Ashdown,03/04/1980\n9990000026,Bob,Ashdown,'
                                 "03/04/1980\n",
        "empty.csv": "",
        "huge_cell.csv": HEADER + "9990000018,Ann," + "x" * 200_000 + ",03/04/1980\n",
    }[name])
    return path


async def import_file(pilot: Pilot[Any], kind: str, path: Path | str, *,
                      sheet: str = "") -> ImportScreen:
    await pilot.press("i")
    screen = pilot.app.screen
    assert isinstance(screen, ImportScreen)
    screen.query_one(f"#{kind}", RadioButton).value = True
    screen.query_one("#path", Input).value = str(path)
    screen.query_one("#sheet", Input).value = sheet
    await pilot.press("ctrl+r")
    await settle(pilot)
    assert not screen.running and not screen.query_one("#import-form").disabled
    return screen


def people_and_imports(database: Database) -> tuple[int, int]:
    with database.session() as session:
        return (session.scalar(select(func.count()).select_from(Person)) or 0,
                session.scalar(select(func.count()).select_from(ImportBatch)) or 0)


@pytest.mark.parametrize(("name", "kind", "said", "people"), [
    ("caseload_bom_semicolon.csv", "caseload", "3 rows: 3 new · 0 rejected", 3),
    ("caseload_cp1252.csv", "caseload", "3 rows: 3 new · 0 rejected", 3),
    ("caseload_titles.csv", "caseload", "3 rows: 3 new · 0 rejected", 3),
    ("titled.xlsx", "caseload", "2 rows: 1 new · 1 rejected", 1),
    ("unclosed.csv", "caseload", "unclosed.csv row 2, column B: a quote mark", 0),
    ("empty.csv", "caseload", "empty.csv is empty", 0),
    ("huge_cell.csv", "caseload",
     "huge_cell.csv row 2, column C is longer than 131,072 characters", 0),
    ("staff.csv", "caseload", "staff.csv is missing required caseload columns", 0),
])
def test_each_messy_file_is_imported_or_explained(
    tui_database: Database, app_on, tmp_path: Path, name: str, kind: str, said: str,
    people: int,
) -> None:
    path = messy(tmp_path, name)
    app = app_on(tui_database)
    shown: list[str] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await import_file(pilot, kind, path)
        shown.append(" ".join(text_of(screen.query_one("#result")).split()))

    drive(app, scenario)
    [text] = shown
    assert said in text and "unexpectedly" not in text and "Traceback" not in text
    assert text.count("Nothing was imported") <= 1
    assert people_and_imports(tui_database)[0] == people


def test_odd_headers_are_mapped_in_the_mapping_box(tui_database: Database, app_on,
                                                   tmp_path: Path) -> None:
    """The importer's advice is a --mapping file: the screen points at its Mapping box, and the
    same file imports once a mapping is given there (as transition import --mapping does). A
    mapping box naming no file, or used for managers' choices, is refused before anything
    runs."""
    app = app_on(tui_database)
    shown: list[str] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await import_file(pilot, "caseload", DATA / "caseload_odd_headers.csv")
        shown.append(" ".join(text_of(screen.query_one("#result")).split()))
        mapping = screen.query_one("#mapping", Input)
        for kind, value in (("caseload", tmp_path / "nowhere.toml"), (CHOICES, DATA / "mapping.toml")):
            screen.query_one(f"#{kind}", RadioButton).value = True
            mapping.value = str(value)
            await pilot.press("ctrl+r")
            await settle(pilot)
            shown.append(" ".join(text_of(screen.query_one("#result")).split()))
        screen.query_one("#caseload", RadioButton).value = True
        await pilot.press("ctrl+r")
        await settle(pilot)
        shown.append(" ".join(text_of(screen.query_one("#result")).split()))

    drive(app, scenario)
    odd, nowhere, choices, mapped = shown
    assert "caseload_odd_headers.csv is missing required caseload columns" in odd
    assert "Headers found (row 1): Patient NHS Ref" in odd
    assert "give that mapping file in the Mapping box" in odd
    assert odd.count("Nothing was imported") == 1
    assert f"There is no mapping file at {tmp_path / 'nowhere.toml'}" in nowhere
    assert "A mapping file is for a caseload or a staff list" in choices
    assert "caseload_odd_headers.csv: 2 rows: 2 new · 0 rejected" in mapped, mapped
    assert people_and_imports(tui_database) == (2, 1)


def test_a_sheet_that_is_not_there_points_at_the_sheet_box(
        tui_database: Database, app_on, tmp_path: Path) -> None:
    path = titled_workbook(tmp_path / "titled.xlsx")
    app = app_on(tui_database)
    shown: list[str] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await import_file(pilot, "caseload", path, sheet="Sheet1")
        shown.append(" ".join(text_of(screen.query_one("#result")).split()))

    drive(app, scenario)
    [text] = shown
    assert "titled.xlsx has no sheet called 'Sheet1'. Its sheets are: 'Caseload'." in text
    assert "in the Sheet box" in text and "--sheet" not in text
    assert people_and_imports(tui_database) == (0, 0)


def test_a_folder_is_not_called_missing(tui_database: Database, app_on, tmp_path: Path) -> None:
    app = app_on(tui_database)
    shown: list[str] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await import_file(pilot, "caseload", tmp_path)
        result = screen.query_one("#result")
        assert result.has_class("-error")
        shown.append(" ".join(text_of(result).split()))
        screen = await import_file(pilot, "caseload", tmp_path / "nope.csv")
        shown.append(" ".join(text_of(screen.query_one("#result")).split()))

    drive(app, scenario)
    folder, missing = shown
    assert f"{tmp_path} is a folder, not a file" in folder and "There is no file" not in folder
    assert "There is no file at" in missing


def test_each_phrase_the_screen_rewrites_is_still_one_the_importer_says() -> None:
    """The screen rewords the importer's --sheet advice by its words: if the importer's
    wording changes, this says so (rather than the screen quietly naming --sheet again)."""
    sources = "".join(path.read_text(encoding="utf-8")
                      for path in Path(transition.__file__).parent.rglob("*.py")
                      if path.name != "imports.py")
    for command_line, _screen in _SCREEN_WORDS:
        assert command_line in sources, command_line
