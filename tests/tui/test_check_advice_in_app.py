"""The findings screen gives a finding's advice for its own person and in the app's keys
(helper 126): the command names the person's NHS number, not NHS_NUMBER, and a line says what
to do here (enter opens the person: A chooses a worker), which does what it says."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tests.cli.test_check_advice_numbers import _unplaceable
from tests.conftest import ACTOR, TODAY
from tests.tui.conftest import drive, settle
from transition.checks import NHS_NUMBER_IN_ADVICE, StoredFinding, run_checks
from transition.db import Database
from transition.ruleset import load_rules
from transition.screens.findings import FindingsScreen, what_to_do
from transition.screens.person import PersonScreen
from transition.screens.worker_picker import WorkerPickerScreen
from transition.widgets.fitted_table import FittedTable


def test_an_unassigned_finding_says_what_to_do_in_the_app(tui_database: Database,
                                                          app_on) -> None:
    number = _unplaceable(tui_database)
    with tui_database.transaction() as session:
        run_checks(session, load_rules(None), as_of=TODAY, actor=ACTOR)
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        await app.push_screen(FindingsScreen(code="unassigned"))
        await settle(pilot)
        table = app.screen.query_one("#findings-table", FittedTable)
        assert table.row_count == 1
        advice = table.get_row_at(0)[4].plain
        assert f"`transition plan candidates {number} --role social_worker --all`" in advice
        assert NHS_NUMBER_IN_ADVICE not in advice
        assert ("In the app: enter opens the person: A chooses a worker (when none fits, the "
                "nearest, each with what they lack)") in advice
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        await pilot.press("A")
        await settle(pilot)
        assert isinstance(app.screen, WorkerPickerScreen)

    drive(app, scenario, size=(100, 30))


def test_the_app_line_comes_only_with_a_command_to_replace() -> None:
    def finding(code: str, message: str) -> StoredFinding:
        return StoredFinding(1, code, "warning", message, 1, "9990000018", None, None)

    # A letter that must not be posted: nothing to write again, so no "g writes" line.
    assert "In the app" not in what_to_do(finding("letter_out_of_date", "Do not post it.")).plain
    again = what_to_do(finding("letter_out_of_date", "Write it again with `transition letters "
                               "generate --kind gp --nhs NHS_NUMBER`."))
    assert "--nhs 9990000018`" in again.plain
    assert "In the app: l opens the letters: on theirs, g writes their letters again" \
        in again.plain
    assert "In the app" not in what_to_do(finding("unassigned", "`transition assign`"),
                                          in_app_keys=False).plain
