"""A short terminal (macOS opens at 80x24): the screens with a table over a detail panel shrink
the panel and their filters, so the table shows more than three rows (transition/app.py,
SHORT_TERMINAL)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Button, Checkbox, DataTable, Input, OptionList, Static

from tests.factories import make_staff
from tests.tui.conftest import SIZE, drive, settle, text_of
from transition.app import SHORT_TERMINAL
from transition.db import Database
from transition.screens.pathway_override import PathwayOverrideScreen
from transition.screens.plan import PlanScreen
from transition.screens.worker_picker import WorkerPickerScreen

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


# -- dialogs: their buttons and their problem line are always on screen ------------------------


def on_screen(widget: Widget) -> bool:
    """Whether all of ``widget`` shows: inside its dialog, and inside the part of the
    scrolling body that shows (not clipped below the dialog's edge)."""
    region = widget.region
    if region.height == 0 or not widget.screen.region.contains_region(region):
        return False
    containers = [ancestor for ancestor in widget.ancestors
                  if isinstance(ancestor, Widget) and ancestor.id in ("dialog", "body")]
    return all(container.region.contains_region(region) for container in containers)


def hollins_row(pilot: Pilot[Any]) -> int:
    screen = pilot.app.screen
    assert isinstance(screen, PlanScreen) and screen.page is not None
    names = [screen.page.people[row.person_id] for row in screen.page.rows]
    return next(index for index, name in enumerate(names) if name.startswith("Hollins"))


@pytest.mark.parametrize("size", [SHORT, SIZE])
@pytest.mark.parametrize("anyway", [False, True], ids=["feasible", "anyway"])
def test_the_worker_dialog_keeps_its_buttons_and_problem_on_screen(plan_world, app_on,
                                                                   size: tuple[int, int],
                                                                   anyway: bool) -> None:
    """At 80x24 the reason, Lock, the problem line and the buttons were below the dialog's
    edge; at 120x40, choosing anyway, 'Assign anyway' was. The buttons and the problem line
    now stay put and the rest scrolls; tab brings the reason into view."""
    with plan_world.transaction() as session:  # a long list, as a real team's is
        for number in range(10, 18):
            make_staff(session, f"SW{number}", team="North Council")
    seen: list[str] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("p", "n")
        await settle(pilot)
        if anyway:
            await pilot.press("u")
            await settle(pilot)
            await pilot.press(*["down"] * hollins_row(pilot))
        else:
            await pilot.press("down", "down", "down", "down", "down")
        pilot.app.clear_notifications()
        await pilot.press("o")
        await settle(pilot)
        picker = pilot.app.screen
        assert isinstance(picker, WorkerPickerScreen)
        assert (picker.anyway is not None) is anyway
        for selector in ("#save", "#cancel", "#problem"):
            assert on_screen(picker.query_one(selector)), f"{selector} hidden at {size}"
        await pilot.press("ctrl+s")  # no reason yet: refused, and it says so where it shows
        await settle(pilot)
        problem = picker.query_one("#problem", Static)
        assert "Say why" in text_of(problem) and on_screen(problem)
        reason = picker.query_one("#reason", Input)
        assert reason.has_focus and on_screen(reason)  # scrolled into view
        await pilot.press("tab")
        await settle(pilot)
        assert picker.query_one("#lock", Checkbox).has_focus
        assert on_screen(picker.query_one("#lock", Checkbox))
        seen.append(str(picker.query_one("#save", Button).label))

    drive(app_on(plan_world), scenario, size=size)
    assert seen == ["Assign anyway (ctrl+s)" if anyway else "Assign (ctrl+s)"]


def test_the_pathway_override_dialog_keeps_its_buttons_on_screen(plan_world, app_on) -> None:
    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("c", "enter")
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, PathwayOverrideScreen)
        for selector in ("#save", "#cancel", "#problem"):
            assert on_screen(dialog.query_one(selector)), f"{selector} hidden at 80x24"
        await pilot.press("end")  # signpost, the last choice, shows when chosen
        assert on_screen(dialog.query_one("#pathways", OptionList))

    drive(app_on(plan_world), scenario, size=SHORT)


def test_the_plans_warnings_keep_to_a_line_each_at_80x24(plan_world, app_on) -> None:
    """Long warnings took seven lines over the table at 80x24, leaving it three rows: under
    SHORT_TERMINAL each is one line, cut with "…" (whole on a taller screen)."""
    with plan_world.transaction() as session:  # workers no role a plan fills suits
        for number in range(3):
            make_staff(session, f"AM{number}", role="amhp", team="North Council")
    seen: dict[int, tuple[int, int, str]] = {}

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("p", "n")
        await settle(pilot)
        pilot.app.clear_notifications()
        screen = pilot.app.screen
        assert isinstance(screen, PlanScreen) and screen.page is not None
        assert screen.page.plan is not None and screen.page.plan.warnings
        table = screen.query_one("#plan-rows", DataTable)
        summary = screen.query_one("#plan-summary", Static)
        seen[pilot.app.size.height] = (summary.size.height,
                                       table.scrollable_content_region.height
                                       - table.header_height, text_of(summary))

    for size in (SHORT, SIZE):
        drive(app_on(plan_world), scenario, size=size)
    lines, rows, said = seen[SHORT[1]]
    assert rows >= 6, f"{rows} rows shown at 80x24"
    assert "…" in said and lines <= 5
    tall_lines, _rows, tall = seen[SIZE[1]]
    assert "…" not in tall and tall_lines > lines
