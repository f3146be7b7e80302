"""The import and rejected-rows screens as a team manager uses them: every reason readable on an
80-column terminal, the warnings a result counts listed, a workbook whose rows are on another
sheet, and stopping an import that is still running."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import openpyxl
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from tests.tui.conftest import drive, settle, text_of
from tests.tui.test_import_messy import import_file
from tests.tui.test_import_screen import a_file, fake_result, open_import, result_text
from tests.tui.test_short_terminal import SHORT
from transition.importer import RowWarning
from transition.screens import imports
from transition.screens.confirm import ConfirmScreen
from transition.screens.rejects import RejectsScreen

__all__ = ["a_file"]  # the fixture, used by name

LONG_REASON = ("NHS number fails the Modulus 11 check (a digit is probably mistyped); check it "
               "against the trust's record and correct it in the file")


def fits(table: DataTable[Any]) -> bool:
    """Every column is within the table's width: nothing goes off the right edge."""
    return table.virtual_size.width <= table.scrollable_content_region.width


def imports_give(monkeypatch: Any, result: Any) -> None:
    """Every import from the screen returns ``result`` (no file is read)."""
    monkeypatch.setattr(imports, "run_import", lambda *args, **kwargs: result)


async def imported(pilot: Pilot[Any], path: Path) -> Any:
    """The import screen with ``path`` typed, after ctrl+r and the import's end."""
    screen = await open_import(pilot, path)
    await pilot.press("ctrl+r")
    await settle(pilot)
    return screen


def test_rejected_rows_screen_fits_reasons_into_80_columns(populated, app_on) -> None:
    app = app_on(populated)
    seen: dict[str, Any] = {}

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RejectsScreen)
        table = screen.query_one("#rejects-table", DataTable)
        seen["fits"] = fits(table)
        seen["rows"] = table.row_count
        seen["second"] = [str(cell) for cell in table.get_row_at(1)][1:]
        seen["keys"] = [str(table.get_row_at(row)[2]) for row in range(table.row_count)]

    drive(app, scenario, size=SHORT)
    assert seen["fits"], "the Reason column goes off the right edge at 80 columns"
    assert seen["rows"] == 3
    assert seen["second"] == ["14", "(blank)", "nhs_number", "NHS number is missing"]
    # NHS numbers masked, as the import screen and the CLI show them: never in full.
    numbers = [key for key in seen["keys"] if key not in ("", "(blank)", "(not a number)")]
    assert numbers and all(key.startswith("******") for key in numbers), seen["keys"]


def test_import_result_fits_reasons_into_80_columns(populated, app_on, a_file,
                                                    monkeypatch) -> None:
    result = fake_result(rejects=[fake_result().rejects[0].__class__(
        row=3, record_key="9990000000", errors=[("nhs_number", LONG_REASON)])], rejected=1)
    imports_give(monkeypatch, result)
    app = app_on(populated)
    seen: dict[str, Any] = {}

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await imported(pilot, a_file)
        table = screen.query_one("#import-rejects", DataTable)
        seen["fits"] = fits(table)
        seen["row"] = [str(cell) for cell in table.get_row_at(0)]

    drive(app, scenario, size=SHORT)
    assert seen["fits"], "the Reason column goes off the right edge at 80 columns"
    assert seen["row"] == ["3", "******0000", "nhs_number", LONG_REASON]  # masked, as the CLI


def test_the_warnings_a_result_counts_are_listed(populated, app_on, a_file,
                                                 monkeypatch) -> None:
    """'4 warnings' said where, and what: as transition import lists them."""
    warnings = [
        RowWarning(192, "9990000018", "cluster", "not a mental health cluster (0-21); left blank"),
        RowWarning(572, "9990000026", "care_coordinator_id",
                   "care coordinator is not in the staff list"),
    ]
    result = fake_result(warnings=2, warning_list=warnings)
    imports_give(monkeypatch, result)
    app = app_on(populated)
    seen: dict[str, Any] = {}

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await imported(pilot, a_file)
        table = screen.query_one("#import-warnings", DataTable)
        seen["shown"] = table.display
        seen["rows"] = [[str(cell) for cell in table.get_row_at(index)]
                        for index in range(table.row_count)]
        seen["rejects"] = screen.query_one("#import-rejects", DataTable).row_count
        seen["result"] = " ".join(result_text(screen).split())
        # The next import, with no warnings, hides the list again.
        result.warning_list, result.warnings = [], 0
        await pilot.press("ctrl+r")
        await settle(pilot)
        seen["shown after"] = table.display

    drive(app, scenario)
    assert seen["shown"]
    assert seen["rows"] == [
        ["192", "******0018", "cluster", "not a mental health cluster (0-21); left blank"],
        ["572", "******0026", "care_coordinator_id", "care coordinator is not in the staff list"],
    ]
    assert seen["rejects"] == 3  # the rejected rows stay in their own table
    assert "2 warnings" in seen["result"] and "listed below" in seen["result"]
    assert not seen["shown after"]


def test_a_workbook_whose_first_sheet_is_not_the_rows_names_its_sheets(
        tui_database, app_on, tmp_path: Path) -> None:
    """A trust's workbook with a notes sheet first: the screen names the sheets and the Sheet
    box, rather than suggesting a mapping file for headers that are on another sheet."""
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Notes"
    notes.append(["Exported from the trust's system; the caseload is on the next sheet."])
    rows = book.create_sheet("Caseload 2027")
    rows.append(["nhs_number", "given_name", "family_name", "date_of_birth"])
    rows.append(["9990000018", "Ann", "Ashdown", "03/04/1980"])
    path = tmp_path / "export.xlsx"
    book.save(path)
    app = app_on(tui_database)
    seen: list[str] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await import_file(pilot, "caseload", path)
        seen.append(" ".join(text_of(screen.query_one("#result")).split()))
        screen = await import_file(pilot, "caseload", path, sheet="caseload 2027")
        seen.append(" ".join(text_of(screen.query_one("#result")).split()))

    drive(app, scenario)
    first, second = seen
    assert "Its sheets are: 'Notes', 'Caseload 2027'." in first, first
    assert "Sheet box" in first and "Unexpectedly" not in first
    assert second.startswith("export.xlsx: 1 row: 1 new"), second


def test_stopping_says_so_until_the_import_stops_and_asks_only_once(
        populated, app_on, a_file, monkeypatch) -> None:
    """The import stops at its next progress report, which can be seconds away on a large
    file: until then the screen says it is stopping, and escape does not ask again."""
    started = threading.Event()
    release = threading.Event()

    def run_import(database, settings, path, kind, **options):
        options["progress"](10, 100)
        started.set()
        release.wait(10)  # a long step with no progress report (writing the rows)
        options["progress"](60, 100)
        return fake_result()

    monkeypatch.setattr(imports, "run_import", run_import)
    app = app_on(populated)
    seen: dict[str, Any] = {}

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_import(pilot, a_file)
        await pilot.press("ctrl+r")
        assert started.wait(5)
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        seen["stopping"] = result_text(screen)
        await pilot.press("escape")
        await pilot.pause()
        seen["asked again"] = isinstance(app.screen, ConfirmScreen)
        release.set()
        await settle(pilot)
        seen["after"] = result_text(screen)
        seen["screen"] = app.screen is screen

    drive(app, scenario)
    assert "Stopping the import" in seen["stopping"], seen["stopping"]
    assert not seen["asked again"]
    assert "Import stopped. Nothing from it was saved." in seen["after"]
    assert seen["screen"]


def test_a_path_typed_part_of_the_way_names_the_files_it_could_be(populated, app_on,
                                                                   tmp_path: Path) -> None:
    """Tab completes "trust_caseload" only as far as "trust_caseload." when there are a .csv
    and an .xlsx: enter then says which files the name could be, not only that there is no
    file."""
    for name in ("trust_caseload.csv", "trust_caseload.xlsx", "notes.docx"):
        (tmp_path / name).write_text("nhs_number\n")
    app = app_on(populated)
    seen: list[str] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_import(pilot, tmp_path / "trust_caseload.")
        await pilot.press("enter")
        seen.append(" ".join(result_text(screen).split()))
        screen.query_one("#path", Input).value = str(tmp_path / "nothing_like_it.csv")
        await pilot.press("enter")
        seen.append(" ".join(result_text(screen).split()))

    drive(app, scenario)
    partial, unknown = seen
    assert "Did you mean trust_caseload.csv or trust_caseload.xlsx?" in partial, partial
    assert "There is no file at" in unknown and "Did you mean" not in unknown, unknown


def test_on_an_80x24_terminal_the_result_shows_under_the_form(populated, app_on, a_file,
                                                              monkeypatch) -> None:
    """The form used to fill an 80x24 terminal, so an import ended (or was refused) with
    nothing changing on screen: the result was below the fold."""
    monkeypatch.setattr(imports, "run_import", lambda *args, **kwargs: fake_result())
    app = app_on(populated)
    seen: dict[str, Any] = {}

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await imported(pilot, a_file)
        result = screen.query_one("#result")
        seen["result"] = result.region  # where on the screen it is drawn (empty: not shown)
        seen["height"] = app.size.height
        seen["kinds"] = [button.region.right for button in screen.query("#kind RadioButton")]
        seen["width"] = screen.query_one("#kind").region.right

    drive(app, scenario, size=SHORT)
    region = seen["result"]
    assert region.height > 0 and region.bottom <= seen["height"] - 1, region
    assert max(seen["kinds"]) <= seen["width"], "a kind of import is cut off at 80 columns"


def test_very_many_rejected_rows_list_the_first_few_hundred(populated, app_on, a_file,
                                                            monkeypatch) -> None:
    """Every row of a 60,000-row file rejected: laying out a table row takes a millisecond or
    two, so listing them all froze the screen for minutes. The first SHOWN_ROWS are listed,
    and the rejects file has them all."""
    reject = fake_result().rejects[0]
    rejects = [reject.__class__(row=row, record_key=reject.record_key, errors=reject.errors)
               for row in range(2, 702)]
    result = fake_result(rejects=rejects, rejected=700, rows=700, inserted=0, status="rejected",
                         rejects_path="/data/rejects/trust_caseload-rejects-batch2.csv")
    imports_give(monkeypatch, result)
    app = app_on(populated)
    seen: dict[str, Any] = {}

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await imported(pilot, a_file)
        seen["rows"] = screen.query_one("#import-rejects", DataTable).row_count
        seen["result"] = " ".join(result_text(screen).split())

    drive(app, scenario)
    assert seen["rows"] == 500
    assert "The first 500 of 700 rejected rows are listed below" in seen["result"]
    assert "They are all also saved in /data/rejects/" in seen["result"]
