"""The letters section: who needs which letters, the live preview, and writing them."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Static
from textual.worker import WorkerFailed

from tests.letter_setup import TEST_COUNCIL
from tests.tui.conftest import drive, settle, text_of
from tests.tui.data import TRANSFER_DATE
from tests.tui.handover_data import populate_handovers
from transition.allocation import NewAssignment, set_assignments
from transition.config import CouncilDetails, Settings
from transition.db import Database
from transition.models import Letter, Role, Task
from transition.screens.confirm import ConfirmScreen
from transition.screens.letters import LettersScreen
from transition.screens.person import PersonScreen


@pytest.fixture(autouse=True)
def _council(sqlite_settings: Settings) -> None:
    """The council's own details: letters are never written with the invented examples."""
    sqlite_settings.council = TEST_COUNCIL


@pytest.fixture
def handovers(tui_database: Database) -> dict[int, int]:
    return populate_handovers(tui_database)


async def open_letters(pilot: Pilot[Any]) -> LettersScreen:
    await pilot.press("l")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, LettersScreen)
    return screen


def row_keys(screen: LettersScreen) -> list[str]:
    table = screen.query_one("#letters-table", DataTable)
    return [str(row.key.value) for row in table.ordered_rows]


def preview_of(screen: LettersScreen) -> str:
    return (text_of(screen.query_one("#preview-header", Static)) + "\n"
            + text_of(screen.query_one("#preview-body", Static)))


async def move_to(pilot: Pilot[Any], screen: LettersScreen, key: str) -> None:
    """Press down until the cursor is on ``key`` (person id:kind)."""
    for _ in range(len(row_keys(screen))):
        if screen.current_key() == key:
            break
        await pilot.press("down")
        await settle(pilot)
    assert screen.current_key() == key


def letter_rows(database: Database, person_id: int) -> list[tuple[str, str]]:
    with database.session() as session:
        return [(letter.kind, letter.format) for letter in session.scalars(
            select(Letter).where(Letter.person_id == person_id).order_by(Letter.id))]


def test_who_needs_which_letters(tui_database, handovers, app_on) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_letters(pilot)
        keys = row_keys(screen)
        assert f"{handovers[0]}:carer" in keys  # the featured person has a carer
        assert f"{handovers[4]}:signpost" in keys
        assert f"{handovers[4]}:person" not in keys
        assert {key.split(":")[0] for key in keys} == {str(i) for i in handovers.values()}
        summary = text_of(screen.query_one("#letters-summary", Static))
        # The two carers' letters cannot go: consent to tell them is not recorded (h115).
        assert "14 letters for 6 people: 11 due · 3 cannot send" in summary
        table = screen.query_one("#letters-table", DataTable)
        assert table.get_row(f"{handovers[6]}:person")[3].plain == "Cannot send"

    drive(app, scenario)


def test_the_preview_follows_the_cursor(tui_database, handovers, app_on) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_letters(pilot)
        assert screen.current_key() == f"{handovers[0]}:person"
        shown = preview_of(screen)
        assert "Letter to the person · PDF · large print" in shown
        assert "Dear Alice Ashworth" in shown and "From 1 April 2027, Ben Carter" in shown
        assert "15 January 2027" in shown  # dated today (settings.as_of)
        assert "needs Polish" in shown  # the note for the team
        await pilot.press("down")
        await settle(pilot)
        shown = preview_of(screen)
        assert "Letter to the GP practice" in shown
        assert "999 000 0018" in shown  # the GP copy shows the NHS number 3-3-4
        await move_to(pilot, screen, f"{handovers[6]}:person")
        shown = preview_of(screen)
        assert "Will not be written: no address recorded for the person." in shown

    drive(app, scenario)
    assert letter_rows(tui_database, handovers[0]) == []  # a preview writes nothing


def test_write_one_persons_letters(tui_database, handovers, app_on, sqlite_settings) -> None:
    app = app_on(tui_database)
    bilal = handovers[1]

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_letters(pilot)
        await move_to(pilot, screen, f"{bilal}:person")
        await pilot.press("g")
        await settle(pilot)
        table = screen.query_one("#letters-table", DataTable)
        assert table.get_row(f"{bilal}:person")[3].plain == "Written"
        assert table.get_row(f"{bilal}:gp")[3].plain == "Written"
        assert table.get_row(f"{handovers[2]}:person")[3].plain == "Due"  # no one else
        run = text_of(screen.query_one("#letters-run", Static))
        assert "Last run: 2 letters written" in run and "2 letter tasks marked done" in run
        assert screen.current_key() == f"{bilal}:person"  # the cursor stays put
        # The person screen shows the letter history.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        history = text_of(app.screen.query_one("#letters"))
        assert "Person" in history and "GP" in history and "Current" in history
        tasks = text_of(app.screen.query_one("#tasks"))
        assert "2 of 5 tasks done" in tasks

    drive(app, scenario)
    assert letter_rows(tui_database, bilal) == [("person", "pdf"), ("gp", "pdf")]
    folder = Path(sqlite_settings.resolved_output_dir) / "letters"
    assert sorted(path.name for path in folder.iterdir()) == ["RIO1001-gp.pdf",
                                                              "RIO1001-person.pdf"]
    with tui_database.session() as session:
        statuses = dict(session.execute(select(Task.key, Task.status).where(
            Task.person_id == bilal, Task.key.in_(["letter_person", "letter_gp"]))).all())
    assert statuses == {"letter_person": "done", "letter_gp": "done"}


def test_write_everyones_letters_after_saying_yes(tui_database, handovers, app_on) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_letters(pilot)
        await pilot.press("G")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Write 11 letters for 6 people?" in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert letter_rows(tui_database, handovers[0]) == []
        await pilot.press("G", "y")
        await settle(pilot)
        summary = text_of(screen.query_one("#letters-summary", Static))
        assert "11 written · 3 cannot send" in summary
        messages = [notification.message for notification in app._notifications]
        assert any("11 letters written; 3 could not be" in message
                   and "consent to tell the carer not recorded" in message
                   for message in messages)
        await pilot.press("f")  # only letters still to write: none
        await settle(pilot)
        assert row_keys(screen) == []

    drive(app, scenario)
    assert len(letter_rows(tui_database, handovers[0])) == 2  # no carer letter: not asked


def test_a_broken_template_folder_is_explained(tui_database, handovers, app_on,
                                               sqlite_settings, tmp_path) -> None:
    sqlite_settings.letter_templates_dir = tmp_path / "no-such-folder"
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("l")
        await settle(pilot)
        messages = [notification.message for notification in app._notifications]
        assert any("no-such-folder does not exist" in message for message in messages)

    drive(app, scenario)


def test_quitting_while_letters_are_written_asks_and_keeps_nothing(tui_database, handovers,
                                                                   app_on, sqlite_settings) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_letters(pilot)
        screen.running = True  # as while a run is under way
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Letters are being written" in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert app.is_running and app.screen is screen
        screen.running = False
        # A stopped run removes the files it wrote and records nothing.
        screen._start([handovers[1]], "Writing…")
        # The worker thread starts only when the event loop next runs, so this is in time to
        # stop the run at its first letter (after that letter's file was written).
        screen.stop_writing()
        # The stopped run ends its worker with LettersStopped (an error, by design); wait for it
        # here, whether it is still running or already done, before settling the rest.
        for worker in list(pilot.app.workers):
            if worker.group == "letters-generate":
                with contextlib.suppress(WorkerFailed):
                    await worker.wait()
        await settle(pilot)
        assert "stopped; the letters of this run were removed" in text_of(
            screen.query_one("#letters-run", Static))
        assert not screen.running

    drive(app, scenario)
    assert letter_rows(tui_database, handovers[1]) == []
    folder = Path(sqlite_settings.resolved_output_dir) / "letters"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_a_letter_whose_facts_changed_is_out_of_date_and_says_why(tui_database, handovers,
                                                                  app_on) -> None:
    app = app_on(tui_database)
    bilal = handovers[1]

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_letters(pilot)
        await move_to(pilot, screen, f"{bilal}:person")
        await pilot.press("g")
        await settle(pilot)
        assert "Written and still right" in preview_of(screen)
        with tui_database.transaction() as session:  # the manager gives Bilal another worker
            set_assignments(session, [NewAssignment(bilal, Role.SOCIAL_WORKER, "S003",
                                                    TRANSFER_DATE)], actor="manager-b")
        app.data_changed()
        await pilot.press("d", "l")  # back to the letters: they reload
        await settle(pilot)
        table = screen.query_one("#letters-table", DataTable)
        assert table.get_row(f"{bilal}:person")[3].plain == "Out of date"
        shown = preview_of(screen)
        assert "Out of date:" in shown and "Chloe Evans will be your" in shown

    drive(app, scenario)


def test_letters_are_not_written_with_the_example_council_details(tui_database, handovers,
                                                                 app_on, sqlite_settings) -> None:
    sqlite_settings.council = CouncilDetails()  # the council has not set its own
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_letters(pilot)
        assert ("Example details: the council details shown are invented examples, not your "
                "council's.") in " ".join(preview_of(screen).split())
        for key in ("g", "G"):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is screen  # refused at once: nothing asked
            run = " ".join(text_of(screen.query_one("#letters-run", Static)).split())
            assert run.startswith("Nothing was written: Letters cannot be written with the "
                                  "built-in example council details")
            assert "crisis_line" in run and "[council]" in run
        screen._start([handovers[1]], "Writing…")  # the run itself refuses too
        await settle(pilot)
        assert "Nothing was written: Letters cannot be written" in text_of(
            screen.query_one("#letters-run", Static))

    drive(app, scenario)
    assert all(letter_rows(tui_database, person) == [] for person in handovers.values())
    assert not (Path(sqlite_settings.resolved_output_dir) / "letters").exists()


def test_the_run_summary_says_which_letter_tasks_were_left_blocked(tmp_path: Path) -> None:
    """Writing letters leaves a task someone blocked as it is: the screen says so, where it
    used to say only how many tasks were marked done."""
    from transition.letters import GenerationResult, LetterOutcome
    from transition.screens.letters import run_summary

    written = LetterOutcome(1, "9990000018", "gp", "written", "md", "gp.md.j2")
    result = GenerationResult(out_dir=tmp_path, outcomes=[written], tasks_done=2,
                              tasks_blocked=[written])
    said = run_summary(result).plain
    assert "2 letter tasks marked done" in said
    assert "1 letter task left blocked (the letter is written" in said


def test_the_run_summary_says_how_many_letters_were_only_reworded(tmp_path: Path) -> None:
    from transition.letters import GenerationResult, LetterOutcome
    from transition.screens.letters import run_summary

    news = LetterOutcome(1, "9990000018", "gp", "written", "md", "gp.md.j2")
    reworded = LetterOutcome(1, "9990000018", "person", "written", "md", "person.md.j2",
                             reworded=True)
    said = run_summary(GenerationResult(out_dir=tmp_path, outcomes=[news, reworded])).plain
    assert "2 letters written" in said
    assert "1 of them reworded: they say the same about the person" in said
    assert "reworded" not in run_summary(GenerationResult(out_dir=tmp_path,
                                                          outcomes=[news])).plain


def test_showing_only_letters_to_write_from_a_written_row(tui_database, handovers,
                                                          app_on) -> None:
    """The cursor's row is hidden by the filter: the cursor goes to the first row (the screen
    crashed here: Textual's RowDoesNotExist is not a KeyError)."""
    app = app_on(tui_database)
    bilal = handovers[1]

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_letters(pilot)
        await move_to(pilot, screen, f"{bilal}:person")
        await pilot.press("g")
        await settle(pilot)
        assert screen.current_key() == f"{bilal}:person"  # written, and still under the cursor
        await pilot.press("f")
        await settle(pilot)
        keys = row_keys(screen)
        assert f"{bilal}:person" not in keys and keys
        assert screen.current_key() == keys[0]

    drive(app, scenario)
