"""A team manager's review of the dashboard, the tasks screen and the caseload at 80x24 and
120x40: nothing a manager needs cut off at 80 columns, empty lists that say what to do, and
the risk sort that puts the highest first."""

from __future__ import annotations

from typing import Any

import pytest
from rich.console import Console
from sqlalchemy import update
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static

from tests.tui.conftest import drive, settle, text_of
from tests.tui.handover_data import populate_handovers
from tests.tui.test_check_panel import _drift
from transition.db import Database
from transition.models import Person, Task
from transition.screens.check_panel import CheckFindingsPanel
from transition.screens.task_dialogs import NoteScreen, StatusScreen
from transition.screens.tasks import TasksScreen
from transition.widgets.caseload_table import CaseloadTable
from transition.widgets.fitted_table import FittedTable
from transition.widgets.format import plural


@pytest.fixture
def handovers(tui_database: Database) -> dict[int, int]:
    return populate_handovers(tui_database)


def rendered(widget: Widget, width: int) -> list[str]:
    """What a Static shows at ``width`` cells, line by line."""
    console = Console(width=width, color_system=None, force_terminal=False)
    with console.capture() as capture:
        console.print(widget.content)  # type: ignore[attr-defined]
    return [line.rstrip() for line in capture.get().splitlines()]


def fits(table: DataTable[Any]) -> bool:
    """Every column on screen: none behind a horizontal scrollbar."""
    widths = sum(column.get_render_width(table) for column in table.columns.values())
    return widths <= table.scrollable_content_region.width


# -- the dashboard ---------------------------------------------------------------------------


def test_tui5_last_check_fits_80_columns_and_uses_the_width_of_120(populated, app_on) -> None:
    _drift(populated)  # a person with no worker, a worker leaving: findings to list
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        panel = app.screen.query_one(CheckFindingsPanel)
        await pilot.press("k")
        await settle(pilot)
        table = panel.query_one("#check-codes", DataTable)
        assert "worker_unavailable" in [str(key.value) for key in table.rows]
        # The counts on screen, and every row too: none behind a scrollbar.
        assert fits(table) and not table.show_horizontal_scrollbar
        assert table.max_scroll_y == 0
        title = str(table.get_row("worker_unavailable")[0])
        assert title == "Leaving or absent worker holds\npeople/tasks"  # 43 cells: two lines
        assert table.styles.height is not None
        assert table.styles.height.value == sum(row.height for row in table.rows.values()) + 1

        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert fits(table)
        assert str(table.get_row("worker_unavailable")[0]) == (
            "Leaving or absent worker holds people/tasks")  # room for it on one line

    drive(app, scenario, size=(80, 24))


def test_tui5_counts_by_place_keep_their_attention_columns_at_80(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        for table_id in ("#by-team", "#by-locality"):
            table = app.screen.query_one(table_id, FittedTable)
            assert table.shown_keys == ("name", "people", "staff", "missing", "no_coordinator")
            assert fits(table), table_id
        teams = app.screen.query_one("#by-team", FittedTable)
        assert [str(teams.get_row_at(i)[0]) for i in range(3)] == [
            "East Recovery Team", "North CMHT", "South CMHT"]
        assert [str(column.label) for column in teams.columns.values()][3:] == [
            "Not in export", "No coordinator"]

    drive(app, scenario, size=(80, 24))


@pytest.mark.parametrize(("width", "stacked"), [(80, True), (117, True), (120, False)])
def test_tui5_stage_boxes_stack_when_two_would_wrap_the_burndown(
    tui_database, handovers, app_on, width: int, stacked: bool
) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        grid = app.screen.query_one("#stage-panels")
        assert grid.has_class("-narrow") is stacked
        chart = app.screen.query_one("#task-burndown")
        # The chart is 52 cells wide: its box leaves it room, so no line wraps.
        assert chart.content_size.width >= 52
        body = app.screen.query_one("#task-burndown-body")
        lines = rendered(body, chart.content_size.width)
        assert sum("┤" in line for line in lines) == 2  # the top and the zero of the axis
        assert lines[0].lstrip().split(" ")[0].replace(",", "").isdigit()

    drive(app, scenario, size=(width, 40))


def test_tui5_allocation_words_go_under_the_counts_at_80(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        box = app.screen.query_one("#plan-status")
        body = app.screen.query_one("#allocation-body", Static)
        narrow = rendered(body, box.content_size.width)
        first_count = next(index for index, line in enumerate(narrow) if "needs a worker" in line)
        words = next(index for index, line in enumerate(narrow) if line.startswith("No plan"))
        # Under the counts, each line of words readable, not a strip a word or two wide.
        assert words > first_count + 5
        assert len(narrow[words]) > 40
        wide = rendered(body, 112)
        assert any("needs a worker" in line and "No plan" in line for line in wide)

    drive(app, scenario, size=(80, 24))


def test_tui5_dashboard_tasks_box_says_how_tasks_are_made(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        progress = text_of(app.screen.query_one("#task-progress-body"))
        assert "accept it on the plan screen (p, then A)" in progress
        assert "transition tasks generate" in progress
        # The burndown beside it does not say it all again.
        assert "No tasks yet: nothing to chart." in text_of(
            app.screen.query_one("#task-burndown-body"))

    drive(app, scenario)


# -- the tasks screen ------------------------------------------------------------------------


async def open_tasks(pilot: Pilot[Any]) -> TasksScreen:
    await pilot.press("t")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TasksScreen)
    return screen


def summary_of(screen: TasksScreen) -> str:
    return text_of(screen.query_one("#tasks-summary", Static))


def test_tui5_no_tasks_yet_says_what_to_do(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot)
        summary = summary_of(screen)
        assert "No handover tasks yet" in summary
        assert "accept it on the plan screen (p, then A)" in summary
        assert "transition tasks generate" in summary
        assert "none overdue" in summary
        assert "No task to show" in text_of(screen.query_one("#task-detail", Static))

    drive(app, scenario)


def test_tui5_every_task_done_says_so_and_how_to_see_them(tui_database, handovers,
                                                           app_on) -> None:
    with tui_database.transaction() as session:
        session.execute(update(Task).values(status="done"))
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot)
        summary = summary_of(screen)
        assert "Every task is done or not needed. h shows them." in summary
        assert "No handover tasks yet" not in summary
        await pilot.press("h")
        await settle(pilot)
        assert screen.rows and "Every task is done" not in summary_of(screen)

    drive(app, scenario)


def test_tui5_empty_filters_say_how_to_clear_them(tui_database, handovers, app_on) -> None:
    with tui_database.transaction() as session:
        # Nobody overdue, and nobody in the green band.
        session.execute(update(Task).where(Task.due < "2027-01-15").values(status="done"))
        session.execute(update(Person).where(Person.risk_band == "green")
                        .values(risk_band="amber"))
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot)
        await pilot.press("o")
        await settle(pilot)
        summary = summary_of(screen)
        assert "0 overdue tasks · grouped by due week" in summary  # not "· none overdue" too
        assert "No task is overdue. o shows every open task." in summary
        await pilot.press("o", "b", "b", "b")  # the green band
        await settle(pilot)
        assert screen.band == "green" and not screen.rows
        assert "Nothing matches these filters: escape clears them." in summary_of(screen)
        await pilot.press("escape")
        await settle(pilot)
        assert screen.band is None and screen.rows

    drive(app, scenario)


def test_tui5_group_headings_keep_their_counts_at_80_columns(tui_database, handovers,
                                                             app_on) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot)
        await pilot.press("g")  # by owner: the longest headings
        await settle(pilot)
        table = screen.query_one("#tasks-table", FittedTable)
        assert "owner" not in table.shown_keys  # left out at 80 columns
        headings = {str(table.get_row_at(index)[1]): table.get_row_at(index)
                    for index in range(table.row_count)
                    if str(table.get_row_at(index)[0]) == "▼"}
        for group in screen.groups:
            row = headings[group.label]
            assert str(row[2]) == plural(len(group.tasks), "task")  # in the person's column
            assert (str(row[3]) == f"{group.overdue} overdue") if group.overdue \
                else str(row[3]) == ""
            # The count fits its column: nothing of it is cut.
            assert len(str(row[2])) <= table.columns["person"].width
        assert any(group.overdue for group in screen.groups)

    drive(app, scenario, size=(80, 24))


def test_tui5_status_dialog_speaks_plainly_and_gives_the_focus_back(tui_database, handovers,
                                                                    app_on) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot)
        table = screen.query_one("#tasks-table", DataTable)
        task_id = screen.current_task_id()
        assert app.focused is table and task_id is not None
        await pilot.press("s", "n")
        await settle(pilot)
        assert isinstance(app.screen, StatusScreen)
        hint = text_of(app.screen.query_one("#status-hint", Static))
        assert hint.startswith("Not needed: type the reason") and "not_needed" not in hint
        await pilot.press("escape")  # cancelled
        await settle(pilot)
        assert app.screen is screen and app.focused is table
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen)
        app.screen.query_one("#note", Input).value = "Rang the GP"
        await pilot.press("enter")  # saved
        await settle(pilot)
        assert app.screen is screen and app.focused is table
        assert screen.current_task_id() == task_id and screen.rows[task_id].note == "Rang the GP"

    drive(app, scenario)


# -- the caseload ----------------------------------------------------------------------------


async def open_caseload(pilot: Pilot[Any]) -> CaseloadTable:
    await pilot.press("c")
    await settle(pilot)
    return pilot.app.screen.query_one(CaseloadTable)


def test_tui5_sorting_by_risk_puts_the_highest_first(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        table = await open_caseload(pilot)
        while table.query.sort != "risk_score":
            await pilot.press("s")
            await settle(pilot)
        scores = [row.risk_score for row in table.rows if row.risk_score is not None]
        assert table.query.descending and scores == sorted(scores, reverse=True)
        assert len(set(scores)) > 1
        assert "sorted by risk score, highest first" in table.describe()
        assert str(table.table.columns["risk"].label) == "Risk ▼"
        await pilot.press("r")
        await settle(pilot)
        assert "sorted by risk score, lowest first" in table.describe()
        # A click on the heading, as s: highest first.
        table.sort_by("family_name")
        await settle(pilot)
        table.sort_by("risk_score")
        await settle(pilot)
        assert table.query.descending
        table.sort_by("date_of_birth")  # other columns still start at the lowest
        await settle(pilot)
        assert not table.query.descending and "(reversed)" not in table.describe()

    drive(app, scenario)


def test_tui5_a_search_that_finds_no_one_says_how_to_clear_it(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        table = await open_caseload(pilot)
        table.set_query(search="zzzz-nobody")
        await settle(pilot)
        assert table.total == 0
        assert table.describe().startswith(
            "No one matches: esc clears the search and filters")
        await pilot.press("escape")
        await settle(pilot)
        assert table.query.search is None and table.total == 24

    drive(app, scenario)

