"""The letters screen tells a settled skip (the person said no to their carer being told;
braille, which the team makes) from a letter someone must act on, as ``letters generate``
does: skipped, with its reason, not red "could not be written"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from tests.letter_setup import TEST_COUNCIL
from tests.tui.conftest import drive, settle, text_of
from tests.tui.handover_data import populate_handovers
from tests.tui.test_letters_screen import move_to, open_letters, preview_of
from transition.app import TransitionApp
from transition.config import Settings
from transition.db import Database
from transition.letters import GenerationResult, LetterOutcome
from transition.models import Person
from transition.screens.letters import run_summary


@pytest.fixture(autouse=True)
def _council(sqlite_settings: Settings) -> None:
    sqlite_settings.council = TEST_COUNCIL


def _record(database: Database, person_id: int, **fields: object) -> None:
    with database.transaction() as session:
        person = session.get(Person, person_id)
        assert person is not None
        for name, value in fields.items():
            setattr(person, name, value)
        session.add(person)


def _severities(app: TransitionApp) -> list[tuple[str, str]]:
    """Record (message, severity) of every notification the app posts."""
    posted: list[tuple[str, str]] = []
    notify = app.notify

    def keep(message: str, *args: Any, **kwargs: Any) -> None:
        posted.append((str(message), str(kwargs.get("severity", "information"))))
        notify(message, *args, **kwargs)

    app.notify = keep  # type: ignore[method-assign]
    return posted


def _clean(text: str) -> str:
    return " ".join(text.split())


def test_a_settled_skip_is_shown_apart_from_one_to_act_on(tui_database, app_on) -> None:
    handovers = populate_handovers(tui_database)
    carys = handovers[2]  # her carer: she said no to them being told (settled)
    _record(tui_database, carys, carer_consent=False)
    app = app_on(tui_database)
    posted = _severities(app)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_letters(pilot)
        summary = _clean(text_of(screen.query_one("#letters-summary", Static)))
        # Alice's carer (consent not asked) and Grace (no address) need someone to act.
        assert ("11 due · 2 cannot send: needs action · 1 skipped: nothing to do"
                in summary), summary
        table = screen.query_one("#letters-table", DataTable)
        settled = table.get_row(f"{carys}:carer")[3]
        assert settled.plain == "Skipped"
        assert "red" not in str(settled.style)
        to_act = table.get_row(f"{handovers[6]}:person")[3]
        assert to_act.plain == "Cannot send" and "red" in str(to_act.style)
        await move_to(pilot, screen, f"{carys}:carer")
        shown = _clean(preview_of(screen))
        assert "Skipped, nothing to do: the person does not agree to their carer" in shown
        assert "Will not be written" not in shown
        await pilot.press("G", "y")
        await settle(pilot)
        run = _clean(text_of(screen.query_one("#letters-run", Static)))
        assert "11 letters written · 2 not written: needs action · 1 skipped: nothing to do" in run
        assert "could not be written" not in run
        written = [(message, severity) for message, severity in posted
                   if "letters written" in message]
        assert len(written) == 1
        message, severity = written[0]
        assert "2 could not be" in message and "1 skipped: nothing to do" in message
        assert severity == "warning"

    drive(app, scenario)


def test_only_settled_skips_are_no_warning(tui_database, app_on) -> None:
    handovers = populate_handovers(tui_database)
    _record(tui_database, handovers[0], carer_consent=False)
    _record(tui_database, handovers[2], carer_consent=False)
    _record(tui_database, handovers[6], accessible_format="braille")  # the team makes it
    app = app_on(tui_database)
    posted = _severities(app)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_letters(pilot)
        summary = _clean(text_of(screen.query_one("#letters-summary", Static)))
        assert "11 due · 3 skipped: nothing to do" in summary, summary
        assert "cannot send" not in summary
        await move_to(pilot, screen, f"{handovers[6]}:person")
        assert "Skipped, nothing to do: needs braille" in _clean(preview_of(screen))
        await pilot.press("G", "y")
        await settle(pilot)
        run = _clean(text_of(screen.query_one("#letters-run", Static)))
        assert "11 letters written · 3 skipped: nothing to do" in run
        assert "needs action" not in run
        written = [(message, severity) for message, severity in posted
                   if "letters written" in message]
        assert written == [("11 letters written; 3 skipped: nothing to do", "information")]

    drive(app, scenario)


def test_the_run_summary_counts_the_two_kinds_of_skip(tmp_path: Path) -> None:
    def skipped(kind: str, *, settled: bool) -> LetterOutcome:
        return LetterOutcome(1, "9990000018", kind, "skipped", "md", "", reason="why",
                             settled=settled)

    result = GenerationResult(out_dir=tmp_path, outcomes=[
        skipped("carer", settled=True), skipped("person", settled=True),
        skipped("gp", settled=False)])
    said = run_summary(result)
    assert "0 letters written · 1 not written: needs action · 2 skipped: nothing to do" in (
        said.plain)
    styles = {said.plain[span.start:span.end]: str(span.style) for span in said.spans}
    assert "red" in styles[" · 1 not written: needs action"]
    assert not any("red" in style for part, style in styles.items() if "nothing to do" in part)
