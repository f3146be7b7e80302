"""The import screen's own behaviour, with the import call replaced by a stand-in.

These tests cover the form, the worker, progress, stopping and every way an import can end;
``test_import_real.py`` runs the real importer through the same screen.
"""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, ProgressBar, RadioButton

from tests.tui.conftest import drive, settle, text_of
from transition.errors import InputFileError
from transition.screens import imports
from transition.screens.confirm import ConfirmScreen
from transition.screens.dashboard import DashboardScreen
from transition.screens.imports import ImportScreen
from transition.widgets.path_input import complete_path


def fake_result(**overrides: Any) -> SimpleNamespace:
    values: dict[str, Any] = dict(
        batch_id=2, file="/data/trust_caseload.csv", rows=5, inserted=3, updated=0,
        unchanged=0, rejected=2, duplicates=0, missing_from_file=0, warnings=1,
        kind="caseload", status="partial", rejects_path=None,
        notices=[("No staff list has been imported yet, so care coordinator ids were not "
                 "checked.")],
        rejects=[
            SimpleNamespace(row=3, record_key="9990000000",
                            errors=[("nhs_number", "NHS number fails the Modulus 11 check")]),
            SimpleNamespace(row=6, record_key=None,
                            errors=[("given_name", "is required"),
                                    ("date_of_birth", "is in the future")]),
        ],
    )
    values.update(overrides)
    return SimpleNamespace(**values)


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "trust_caseload.csv"
    path.write_text("nhs_number\n")
    return path


async def open_import(pilot: Pilot[Any], path: Path | str = "") -> ImportScreen:
    await pilot.press("i")
    screen = pilot.app.screen
    assert isinstance(screen, ImportScreen)
    screen.query_one("#path", Input).value = str(path)
    return screen


def result_text(screen: ImportScreen) -> str:
    return text_of(screen.query_one("#result"))


def test_no_file_chosen_or_no_such_file(populated, app_on, tmp_path: Path) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_import(pilot)
        await pilot.press("ctrl+r")
        assert "Choose a file to import first" in result_text(screen)
        screen.query_one("#path", Input).value = str(tmp_path / "nope.csv")
        await pilot.press("enter")
        assert "There is no file at" in result_text(screen)
        assert screen.query_one("#result").has_class("-error") and not screen.running

    drive(app, scenario)


def test_a_finished_import_shows_counts_and_rejected_rows(
    populated, app_on, a_file, monkeypatch
) -> None:
    calls: list[dict[str, Any]] = []

    def run_import(database, settings, path, kind, **options):
        calls.append({"path": path, "kind": kind, **options})
        options["progress"](5, 5)
        return fake_result()

    monkeypatch.setattr(imports, "run_import", run_import)
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("d")
        screen = await open_import(pilot, a_file)
        screen.query_one("#sheet", Input).value = "Caseload"
        await pilot.click("#strict")
        version = app.data_version
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert calls == [{
            "path": a_file, "kind": "caseload", "sheet": "Caseload", "strict": True,
            "progress": calls[0]["progress"], "rules": calls[0]["rules"], "mapping": None,
        }]
        assert calls[0]["rules"]() is app.rules  # read to look for the columns they need
        text = result_text(screen)
        assert "trust_caseload.csv: 5 rows: 3 new · 2 rejected · 1 warning" in text
        assert "fix them in the file and import it again" in text
        assert "• No staff list has been imported yet" in text
        table = screen.query_one("#import-rejects", DataTable)
        assert table.display and table.row_count == 3
        assert [str(cell) for cell in table.get_row_at(2)] == [
            "", "", "date_of_birth", "is in the future"
        ]
        assert not screen.running and not screen.query_one("#progress").display
        assert app.data_version == version + 1  # other screens reload when shown again
        await pilot.press("escape")
        assert isinstance(app.screen, DashboardScreen)

    drive(app, scenario)


@pytest.mark.parametrize(
    ("error", "shown", "hidden"),
    [
        pytest.param(
            InputFileError("trust_caseload.csv has no nhs_number column (row 1).",
                           hint="Add the column, or map it with --mapping FILE."),
            ["Nothing was imported.", "trust_caseload.csv has no nhs_number column (row 1).",
             "map it with --mapping FILE"],
            [],
            id="unusable file: its message and hint",
        ),
        pytest.param(
            ValueError("Ashworth, Alice 9990000018"),
            ["Nothing was imported", "stopped unexpectedly (ValueError)"],
            ["Ashworth", "9990000018"],  # an unexpected error's text may quote data
            id="unexpected failure: only its type",
        ),
    ],
)
def test_a_failed_import_is_explained_not_crashed_on(
    populated, app_on, a_file, monkeypatch, error, shown, hidden
) -> None:
    def run_import(database, settings, path, kind, **options):
        raise error

    monkeypatch.setattr(imports, "run_import", run_import)
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_import(pilot, a_file)
        await pilot.press("ctrl+r")
        await settle(pilot)
        text = result_text(screen)
        assert all(words in text for words in shown)
        assert not any(words in text for words in hidden)
        assert screen.query_one("#result").has_class("-error")
        assert not screen.running and not screen.query_one("#import-form").disabled
        assert app.is_running and app.data_version == 0

    drive(app, scenario)


def test_progress_shows_and_escape_can_stop_the_import(
    populated, app_on, a_file, monkeypatch
) -> None:
    halfway = threading.Event()
    stopped = threading.Event()

    def run_import(database, settings, path, kind, **options):
        options["progress"](50, 100)
        halfway.set()
        try:
            while True:  # a long import: reports progress until told to stop
                options["progress"](50, 100)
                stopped.wait(0.01)
        finally:
            stopped.set()

    monkeypatch.setattr(imports, "run_import", run_import)
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_import(pilot, a_file)
        await pilot.press("ctrl+r")
        assert halfway.wait(5)
        bar = screen.query_one("#progress", ProgressBar)
        for _ in range(200):
            await pilot.pause()
            if bar.progress == 50:
                break
        assert (bar.total, bar.progress) == (100, 50) and bar.display
        assert screen.running and screen.query_one("#import-form").disabled
        await pilot.press("escape")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert stopped.is_set()
        assert app.screen is screen  # stays to say what happened
        assert "Import stopped. Nothing from it was saved." in result_text(screen)
        assert not screen.running

    drive(app, scenario)


def test_staff_is_suggested_first_until_a_staff_list_is_imported(
    tui_database, populated, app_on
) -> None:
    from transition.screens.imports import ImportScreen as Screen

    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_import(pilot)
        assert screen.kind == "caseload"  # the fixed data has a staff import
        await pilot.press("escape")
        app.push_screen(Screen(kind="staff"))
        await settle(pilot)
        assert app.screen.query_one("#staff", RadioButton).value

    drive(app, scenario)


def test_empty_database_suggests_the_staff_list(tui_database, app_on) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_import(pilot)
        assert screen.kind == "staff"

    drive(app, scenario)


def test_path_completion(tmp_path: Path) -> None:
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "trust_caseload.csv").write_text("")
    (tmp_path / "exports" / "trust_caseload.xlsx").write_text("")
    (tmp_path / "exports" / "notes.docx").write_text("")
    (tmp_path / "exports" / ".hidden.csv").write_text("")
    (tmp_path / "staff.csv").write_text("")
    base = str(tmp_path)
    assert complete_path(f"{base}/exp") == f"{base}/exports/"
    assert complete_path(f"{base}/exports/t") == f"{base}/exports/trust_caseload."
    assert complete_path(f"{base}/exports/trust_caseload.") == f"{base}/exports/trust_caseload.csv"
    assert complete_path(f"{base}/exports/n") is None  # not a file the importer reads
    assert complete_path(f"{base}/exports/") == f"{base}/exports/trust_caseload."
    assert complete_path(f"{base}/exports/.h") == f"{base}/exports/.hidden.csv"
    assert complete_path(f"{base}/nowhere/x") is None
    assert complete_path("") is None
    # A file just imported (the staff list) is never suggested again.
    assert complete_path(f"{base}/s") == f"{base}/staff.csv"
    assert complete_path(f"{base}/s", {(tmp_path / "staff.csv").resolve()}) is None
    assert complete_path(f"{base}/", {(tmp_path / "staff.csv").resolve()}) == f"{base}/exports/"


def test_tab_completes_in_the_file_box(populated, app_on, tmp_path: Path) -> None:
    (tmp_path / "staff_list.csv").write_text("")
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_import(pilot)
        box = screen.query_one("#path", Input)
        box.value = f"{tmp_path}/st"
        box.cursor_position = len(box.value)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("tab")
        assert box.value == f"{tmp_path}/staff_list.csv" and box.has_focus
        await pilot.press("tab")  # nothing left to complete: tab moves on
        assert not box.has_focus

    drive(app, scenario)


def test_a_choices_summary_shows_each_rows_notes_and_columns_not_read() -> None:
    from rich.console import Console

    from transition.choices_file import ChoiceRow, ChoicesResult
    from transition.screens.imports import choices_summary

    result = ChoicesResult("meeting.csv", [
        ChoiceRow(2, "recorded", "9990000018", "social_worker", "SW1",
                  message="SW1 is out of reach (North) for someone in South")],
        dry_run=False, unread_columns=["Background"], reason_given=True)
    console = Console(width=200, record=True)
    console.print(choices_summary(result))
    said = " ".join(console.export_text().split())
    assert "• Row 2: SW1 is out of reach" in said
    assert "Columns not read: 'Background'." in said and "--reason was recorded" in said
