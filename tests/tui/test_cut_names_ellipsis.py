"""A name cut short by its column ends in "…" (widgets/fitted_table.py): at 80 columns the
dashboard's By team box showed "Brackenford Mental Healt" and the plan "Brenda Butle", which
read as whole names."""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from sqlalchemy import update
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.pilot import Pilot

from tests.tui.conftest import drive, settle
from tests.tui.test_allocation_panel import _plan
from transition.db import Database
from transition.models import Person, Staff, Team
from transition.screens.at_risk import FACTOR_LEAST, AtRiskScreen, main_factor_words
from transition.screens.dashboard import DashboardScreen
from transition.screens.plan import PlanScreen
from transition.widgets.fitted_table import FitColumn, FittedTable, WholeItems, cut_with_ellipsis

LONG_TEAM = "Brackenford Mental Health Social Work Team"


def shown(table: FittedTable) -> list[str]:
    """The table's lines as they are on screen."""
    lines = table.render_lines(Region(0, 0, table.size.width, table.size.height))
    return [line.text for line in lines]


class OneColumn(App[None]):
    def compose(self) -> ComposeResult:
        yield FittedTable((FitColumn("name", "Name", 10), FitColumn("n", "N", 3)), id="t")


def test_a_cell_too_long_for_its_column_ends_in_an_ellipsis() -> None:
    async def main() -> None:
        app = OneColumn()
        async with app.run_test(size=(40, 10)) as pilot:
            table = app.query_one(FittedTable)
            table.add_row("Brenda Butler", "1", key="str")
            table.add_row(Text("Thomas, Christopher", style="bold"), "2", key="text")
            table.add_row(Text("Folded on purpose", overflow="fold"), "3", key="fold")
            table.add_row("Ann Lee", "4", key="short")
            await pilot.pause()
            lines = [line.rstrip() for line in shown(table)]
            assert lines[1].startswith(" Brenda Bu… ")
            assert lines[2].startswith(" Thomas, C… ")
            assert lines[3].startswith(" Folded on  ")  # said how it overflows: kept
            assert lines[4].startswith(" Ann Lee    ")  # fits: no mark
            # What was added is what row_cells gives back; the text is the same.
            assert table.row_cells("str")[0] == "Brenda Butler"
            assert str(table.get_row("str")[0]) == "Brenda Butler"

    asyncio.run(main())


def test_the_ellipsis_keeps_the_cells_style_and_reads_markup_as_the_table_did() -> None:
    bold = Text("Overdue", style="bold red", justify="right")
    cut = cut_with_ellipsis(bold)
    assert isinstance(cut, Text)
    assert (cut.plain, cut.style, cut.justify, cut.overflow) == (
        "Overdue", "bold red", "right", "ellipsis")
    assert bold.overflow is None  # the caller's Text is not changed
    marked = cut_with_ellipsis("[b]North[/b] CMHT")
    assert isinstance(marked, Text) and marked.plain == "North CMHT"
    assert marked.spans and marked.overflow == "ellipsis"


def _long_team(database: Database) -> None:
    with database.transaction() as session:
        north = session.get(Team, "North CMHT")
        assert north is not None
        session.add(Team(name=LONG_TEAM, locality=north.locality, employer=north.employer))
        session.flush()
        session.execute(update(Person).where(Person.team == "North CMHT").values(team=LONG_TEAM))
        session.execute(update(Staff).where(Staff.team == "North CMHT").values(team=LONG_TEAM))


def test_the_dashboards_long_team_name_ends_in_an_ellipsis_at_80_columns(
        populated, app_on) -> None:
    _long_team(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DashboardScreen)
        table = pilot.app.screen.query_one("#by-team", FittedTable)
        width = table.columns[next(iter(table.columns))].width
        assert width < len(LONG_TEAM)
        line = next(line for line in shown(table) if "Brackenford" in line)
        assert f"{LONG_TEAM[:width - 1]}…" in line

    drive(app_on(populated), scenario, size=(80, 24))


def test_the_plans_names_cut_short_end_in_an_ellipsis_at_80_columns(plan_world, app_on) -> None:
    _plan(plan_world, accept=False)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PlanScreen)
        table = pilot.app.screen.query_one("#plan-rows", FittedTable)
        reason = table.columns["why"].width
        reasons = [str(table.row_cells(key)[-1]) for key in table.rows]
        assert any(len(text) > reason for text in reasons)
        lines = shown(table)[1:]  # the rows on screen, under the heading
        assert any(len(text) > reason for text in reasons[:len(lines)])
        for text, line in zip(reasons, lines, strict=False):
            assert line.rstrip().endswith("…") == (len(text) > reason), (text, line)

    drive(app_on(plan_world), scenario, size=(80, 24))


def test_a_list_of_items_is_cut_between_them_and_says_more_were_left_out() -> None:
    factors = WholeItems(("no coordinator known", "communication needs"))
    assert factors.fitted(20) == "no coordinator known"  # whole; no room for the mark
    assert factors.fitted(21) == "no coordinator known…"
    assert factors.fitted(23) == "no coordinator known, …"
    assert factors.fitted(41) == "no coordinator known, communication needs"
    assert WholeItems(("discharged recently", "no follow-up")).fitted(20) == (
        "discharged recently…")
    assert WholeItems(("a very long factor",)).fitted(10) == "a very long factor"  # Text cuts
    assert str(factors) == "no coordinator known, communication needs"


def test_at_80_columns_the_at_risk_first_factor_is_whole_and_more_are_marked(
        plan_world, app_on) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("a")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, AtRiskScreen)
        table = screen.query_one("#at-risk-table", FittedTable)
        assert table.columns["factors"].width == FACTOR_LEAST
        lines = shown(table)
        for person, line in zip(screen.people, lines[1:], strict=False):
            words = main_factor_words(person.risk_factors)
            if not words:
                continue
            assert words[0] in line, line  # never cut inside a factor
            if len(", ".join(words)) > FACTOR_LEAST and len(words[0]) < FACTOR_LEAST:
                assert line.rstrip().endswith("…"), line

    drive(app_on(plan_world), scenario, size=(80, 24))
