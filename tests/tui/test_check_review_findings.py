"""The check's findings screen and worker screen on a terminal 80 columns wide (macOS opens at
80x24; so does a manager's ssh session): the advice, and the people's risk band, on screen, and
what a finding quotes shown as written."""

from __future__ import annotations

from typing import Any

from textual.geometry import Region
from textual.pilot import Pilot

from tests.conftest import ACTOR, TODAY
from tests.tui.conftest import drive, settle, text_of
from tests.tui.data import batch
from transition.checks import check_history, latest_run, run_checks, run_findings
from transition.db import Database
from transition.ruleset import load_rules
from transition.screens.findings import FindingsScreen, WorkerScreen
from transition.widgets.fitted_table import FittedTable

SHORT = (80, 24)
FILE_NAME = "westshire[/final].csv"
NOTE = "Header 'Risk [local]' not recognised (it looks like risk_band)."


def _checked(database: Database) -> None:
    """The populated world, whose last caseload file was rejected, checked once."""
    with database.transaction() as session:
        rejected = batch(session, "caseload", FILE_NAME)
        rejected.status = "rejected"
        rejected.column_notes = [NOTE]
    with database.transaction() as session:
        run_checks(session, load_rules(None), as_of=TODAY, actor=ACTOR)


def shown(table: FittedTable) -> str:
    """What the table shows on screen now, its lines joined."""
    lines = table.render_lines(Region(0, 0, table.size.width, table.size.height))
    return "\n".join(line.text for line in lines)


def fits(table: FittedTable) -> bool:
    """Every column shown lies within the table's width (none off the right edge)."""
    used = sum(column.get_render_width(table) for column in table.columns.values())
    return used <= table.size.width


def test_the_findings_keep_their_advice_on_an_80_column_screen(populated, app_on) -> None:
    """At 80 columns the severity, NHS number, name and worker took 86 columns: "What to do",
    the column the screen is for, started at the right edge and was cut off."""
    _checked(populated)
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        await app.push_screen(FindingsScreen(code="import_columns"))
        await settle(pilot)
        table = app.screen.query_one("#findings-table", FittedTable)
        assert table.row_count == 1
        assert "message" in table.shown_keys and fits(table)
        text = " ".join(shown(table).split())
        # Shown as written: '[local]' was read as markup and dropped, '[/final]' stopped the app.
        assert "Risk [local]" in text and FILE_NAME in text.replace(" ", "")
        # enter on a finding about the whole programme did nothing, and said nothing.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FindingsScreen)
        assert [note.title for note in app._notifications] == ["Nothing to open"]

    drive(app, scenario, size=SHORT)


def test_a_workers_people_keep_their_risk_band_on_an_80_column_screen(populated, app_on) -> None:
    _checked(populated)
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        await app.push_screen(WorkerScreen("S001"))
        await settle(pilot)
        table = app.screen.query_one("#worker-people", FittedTable)
        assert table.row_count > 0
        assert "band" in table.shown_keys and fits(table)

    drive(app, scenario, size=SHORT)


def test_k_says_so_when_the_check_stops_unexpectedly_and_the_app_carries_on(
    populated, app_on, monkeypatch
) -> None:
    """A bug in the check (or a lock file it cannot open) raised in the worker thread and took
    the manager's app down with it (Textual exits on a worker's error)."""
    import transition.check_runs

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(transition.check_runs, "collect_findings", broken)
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("k")
        await settle(pilot)
        assert app.is_running and app.return_code is None
        said = [str(note.message) for note in app._notifications
                if note.title == "The check could not run"]
        assert len(said) == 1 and "RuntimeError" in said[0] and "a bug" not in said[0]
        with populated.session() as session:
            assert [run.status for run in check_history(session)] == ["failed"]

    drive(app, scenario)


def test_the_findings_come_a_page_at_a_time(populated, app_on, monkeypatch) -> None:
    """A run a week before the transfer can hold 200,000 findings: the screen read them all
    and drew 2,000 rows of wrapped advice, freezing the app for seconds; now a page at a time,
    ] and [ to move."""
    import transition.screens.findings

    monkeypatch.setattr(transition.screens.findings, "PAGE", 10)
    _checked(populated)
    with populated.session() as session:
        run = latest_run(session)
        assert run is not None and run.id is not None
        everything = [item.finding_id for item in run_findings(session, run.id)]
    assert len(everything) > 20  # the populated world was never assessed: 24 people
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = FindingsScreen()
        await app.push_screen(screen)
        await settle(pilot)
        table = screen.query_one("#findings-table", FittedTable)

        def page() -> list[int]:
            return [int(str(key.value)) for key in table.rows]

        def summary() -> str:
            return text_of(screen.query_one("#findings-summary"))

        assert page() == everything[:10]
        assert f"findings 1-10 of {len(everything)}" in summary()
        assert screen.check_action("page", (-1,)) is None  # greyed: the first page
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert page() == everything[10:20]
        last = (len(everything) - 1) // 10 * 10
        for _ in range(len(everything)):  # past the last page: stays on it
            await pilot.press("right_square_bracket")
        await settle(pilot)
        assert page() == everything[last:]
        assert f"findings {last + 1}-{len(everything)} of" in summary()
        assert screen.check_action("page", (1,)) is None
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert page() == everything[last - 10:last]

    drive(app, scenario)
