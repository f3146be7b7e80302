"""After an import the focus leaves the file box for its result, so that the next key acts.

It used to stay in the box: a manager reading the result who pressed `c` for the caseload or
`q` to quit typed the letter into the path instead. After a failed import the box keeps the
focus, to correct the path; `f` goes back to it from the result.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from tests.tui.conftest import drive, settle
from tests.tui.test_import_screen import fake_result, open_import
from transition.errors import InputFileError
from transition.screens import imports
from transition.screens.imports import ImportScreen

SAMPLES = Path(__file__).parents[2] / "sample_data"


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "trust_caseload.csv"
    path.write_text("nhs_number\n")
    return path


def footer_keys(screen: ImportScreen) -> set[str]:
    """The keys the footer offers."""
    return {key.key for key in screen.query(FooterKey) if key.display}


def test_after_an_import_with_rejected_rows_keys_act_on_the_result(
    populated, app_on, a_file, monkeypatch
) -> None:
    many = [
        SimpleNamespace(row=row, record_key=None, errors=[("given_name", "is required")])
        for row in range(2, 40)
    ]
    result = fake_result(rejected=len(many), rejects=many)
    monkeypatch.setattr(imports, "run_import", lambda *args, **kwargs: result)
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_import(pilot, a_file)
        box = screen.query_one("#path", Input)
        await pilot.press("ctrl+r")
        await settle(pilot)
        page = screen.query_one("#import", VerticalScroll)
        assert screen.query_one("#import-rejects").display and app.focused is page
        assert "f" in footer_keys(screen)
        # At 80x24 the rejected rows are below the screen: the page keys bring them up.
        before = page.scroll_y
        await pilot.press("pagedown")
        await settle(pilot)
        assert page.scroll_y > before
        await pilot.press("f")  # back to the file box, as it was
        await settle(pilot)
        assert app.focused is box and box.value == str(a_file)
        assert box.cursor_position == len(box.value)
        assert "f" not in footer_keys(screen)  # typed here, so not offered
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.focused is page
        await pilot.press("c")  # a section key now changes the section...
        await settle(pilot)
        assert app.current_mode == "caseload" and not isinstance(app.screen, ImportScreen)
        assert box.value == str(a_file)  # ...and is not typed into the path

    drive(app, scenario, size=(80, 24))


def test_after_a_staff_list_f_and_tab_take_the_caseload_from_the_same_folder(
    tui_database, app_on
) -> None:
    """The form is ready for the caseload (the folder in the box): coming back to the box
    with f, tab still completes the caseload's name, as it did when the box kept the focus."""
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_import(pilot, SAMPLES / "staff.csv")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert screen.kind == "caseload" and app.focused is screen.query_one("#import")
        await pilot.press("f")
        await settle(pilot)
        box = screen.query_one("#path", Input)
        assert app.focused is box and box.value == f"{SAMPLES}/"
        await pilot.press("tab")
        assert box.value == f"{SAMPLES}/trust_caseload." and app.focused is box

    drive(app, scenario)


def test_after_an_import_with_nothing_to_list_the_page_has_the_focus(
    populated, app_on, a_file, monkeypatch
) -> None:
    clean = fake_result(rejected=0, rejects=[], warnings=0)
    monkeypatch.setattr(imports, "run_import", lambda *args, **kwargs: clean)
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_import(pilot, a_file)
        await pilot.press("enter")  # enter in the file box runs it too
        await settle(pilot)
        assert not screen.query_one("#import-rejects").display
        assert app.focused is screen.query_one("#import", VerticalScroll)
        await pilot.press("q")  # quits, rather than typing "q" after the path
        await settle(pilot)
        assert screen.query_one("#path", Input).value == str(a_file)
        assert app._exit

    drive(app, scenario)


def test_after_a_failed_import_the_file_box_keeps_the_focus(
    populated, app_on, a_file, monkeypatch
) -> None:
    def run_import(*args: Any, **kwargs: Any) -> Any:
        raise InputFileError("The file has no header row.", hint="Check it is the export.")

    monkeypatch.setattr(imports, "run_import", run_import)
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_import(pilot, a_file)
        box = screen.query_one("#path", Input)
        box.cursor_position = len(box.value)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert screen.query_one("#result").has_class("-error")
        assert app.focused is box
        await pilot.press("backspace", "v")  # correcting the path, as typed
        assert box.value == str(a_file)[:-1] + "v"
        assert isinstance(app.screen, ImportScreen)

    drive(app, scenario)
