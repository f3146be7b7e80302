"""A short terminal (macOS opens at 80x24): the screens with a table over a detail panel shrink
the panel and their filters, so the table shows more than three rows (transition/app.py,
SHORT_TERMINAL)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from tests.factories import make_staff
from tests.tui.conftest import SIZE, drive, settle
from transition.app import SHORT_TERMINAL
from transition.db import Database

SHORT = (80, 24)

# screen key (after a plan is proposed), its table, and the rows it must show at 80x24 (it
# showed 4, 3 and 3 before the short layout)
SCREENS = [("a", "#at-risk-table", 9), ("p", "#plan-rows", 6), ("w", "#workers-table", 6)]


def more_teams(database: Database) -> None:
    """Twelve more workers in as many teams: the workers screen's teams fill their panel."""
    with database.transaction() as session:
        for number in range(12):
            make_staff(session, f"T{number:02d}", team=f"Team {number:02d}")


@pytest.mark.parametrize(("key", "table_id", "rows"), SCREENS)
def test_a_short_terminal_leaves_the_table_room(plan_world, app_on, key: str, table_id: str,
                                                rows: int) -> None:
    more_teams(plan_world)
    seen: dict[tuple[int, int], tuple[bool, int]] = {}

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("p", "n")  # a draft plan, so every screen has rows
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.press(key)
        await settle(pilot)
        screen = pilot.app.screen
        table = screen.query_one(table_id, DataTable)
        assert table.row_count >= rows
        # The rows the table can show: its height less its header (and border, if any).
        shown = table.scrollable_content_region.height - table.header_height
        seen[pilot.app.size.width, pilot.app.size.height] = (screen.has_class("-short"),
                                                             shown)

    for size in (SHORT, SIZE):
        drive(app_on(plan_world), scenario, size=size)
    assert SHORT[1] < SHORT_TERMINAL <= SIZE[1]
    short, shown = seen[SHORT]
    assert short and shown >= rows, f"{shown} rows shown at 80x24"
    tall, _shown = seen[SIZE]
    assert not tall
