"""The workers screen's bars are as long on every row, their numbers right-aligned: at 80
columns "░░░░░░░ 0/5" sat over "████░ 10/13", a bar a cell shorter for each wider number, so
the bars could not be compared by eye."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import update
from textual.geometry import Region
from textual.pilot import Pilot

from tests.tui.conftest import drive
from tests.tui.test_plan_screens import open_workers
from transition.models import Staff
from transition.screens.workers import LoadBar, figures_width
from transition.widgets.fitted_table import FittedTable

BAR = re.compile(r"[█░]+ +\d+/\d+")


def bars(table: FittedTable) -> list[list[tuple[int, int, int]]]:
    """Each row's bars as on screen: (where the bar starts, its length, where its numbers end)."""
    lines = table.render_lines(Region(0, 0, table.size.width, table.size.height))
    found = []
    for line in lines:
        row = []
        for match in BAR.finditer(line.text):
            bar = len(match.group().split(" ")[0])
            row.append((match.start(), bar, match.end()))
        if row:
            found.append(row)
    return found


def test_numbers_of_different_widths_leave_every_bar_as_long() -> None:
    wide = figures_width([(0, 5), (10, 13), (6, 7), (None, 4), (3, 0)])
    assert wide == len("10/13")  # no plan and no capacity show no bar
    shown = [LoadBar(load, capacity, 10, wide).text(16).plain for load, capacity in
             ((0, 5), (10, 13), (6, 7))]
    assert shown == ["░░░░░░░░░░   0/5", "████████░░ 10/13", "█████████░   6/7"]
    # Narrower, every bar shortens alike and the numbers stay whole.
    assert {len(text.split(" ")[0]) for text in
            (LoadBar(load, capacity, 10, wide).text(11).plain
             for load, capacity in ((0, 5), (10, 13)))} == {5}
    assert str(LoadBar(10, 13, 10, wide)) == "████████░░ 10/13"
    assert str(LoadBar(3, 4, 10)) == "████████░░ 3/4"  # alone, no padding


def test_at_80_columns_the_workers_bars_line_up(plan_world, app_on) -> None:
    with plan_world.transaction() as session:  # a worker with two-figure numbers
        session.execute(update(Staff).where(Staff.staff_id == "SW1").values(capacity=13))

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_workers(pilot)
        table = screen.query_one("#workers-table", FittedTable)
        rows = bars(table)
        assert len(rows) >= 3
        assert any(str(table.row_cells(key)[2]).endswith("/13") for key in table.rows)
        current = {row[0] for row in rows}
        assert len(current) == 1, rows  # the same start, length and end on every row

    drive(app_on(plan_world), scenario, size=(80, 24))
