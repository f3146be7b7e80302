"""The plan screen at 80x24 with more roles than a page: the footer keeps q Quit beside the
page keys, the table keeps the change, the band and the reason on screen, an out-of-date
draft's warning takes two lines, and accepting counts the locked roles as the summary does."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from tests.tui.conftest import drive, settle, text_of
from transition.models import Person
from transition.overrides import set_pathway_override
from transition.screens import plan as plan_screen
from transition.screens.confirm import ConfirmScreen
from transition.screens.plan import PlanScreen
from transition.widgets.fitted_table import FittedTable

SHORT = (80, 24)


def test_the_plan_at_80x24_keeps_quit_its_columns_and_room_for_rows(
    plan_world, app_on, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(plan_screen, "PAGE_SIZE", 3)  # more roles than a page: ] [ Page shown
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("p", "n")
        await settle(pilot)
        pilot.app.clear_notifications()
        await settle(pilot)  # the footer without ctrl+n Dismiss, shown while a notice was
        screen = pilot.app.screen
        assert isinstance(screen, PlanScreen) and screen.page is not None
        assert screen.check_action("page", (1,)) is True

        keys = [key for key in screen.query(FooterKey) if key.display]
        described = [key.description for key in keys]
        quit_key = next((key for key in keys if key.description == "Quit"), None)
        assert quit_key is not None, described
        assert all(key.region.right <= SHORT[0] for key in keys), described
        assert "Export" not in described  # S: the help panel lists it

        table = screen.query_one("#plan-rows", FittedTable)
        assert {"status", "risk", "why"} <= set(table.shown_keys)
        used = sum(column.get_render_width(table) for column in table.columns.values())
        assert used <= table.size.width
        changes = {str(table.row_cells(key)[4]) for key in table.rows}
        assert changes and changes <= {"new", "kept", "locked", "none"}

        summary = screen.query_one("#plan-summary", Static)
        before = summary.size.height
        table.move_cursor(row=next(position for position, row in enumerate(screen.page.rows)
                                   if row.staff_id is not None))
        with plan_world.transaction() as session:  # another manager, meanwhile
            baines = session.scalars(select(Person).where(Person.family_name == "Baines")).one()
            set_pathway_override(session, baines, "joint", reason="Agreed at panel",
                                 actor="other")
        # A lock of the draft's own worker leaves it as it was, but the pathway changed since
        # it was made puts it out of date: said when the lock reloads the screen.
        await pilot.press("k")
        await settle(pilot)
        said = text_of(summary)
        assert "Out of date, so it cannot be accepted (n: a new plan; A: what changed)" in said
        assert summary.size.height <= before + 1  # two lines, for the draft line's one
        assert table.scrollable_content_region.height - table.header_height >= 5

        await pilot.press("n")
        await settle(pilot)
        plan = screen.page.plan
        assert plan is not None and plan.locked == 1
        await pilot.press("A")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, ConfirmScreen)
        detail = " ".join(text_of(dialog.query_one("#detail", Static)).split())
        assert (f"{plan.kept_with_current} kept with their current worker, {plan.changed} new "
                f"worker, 1 locked by a manager, {plan.unassigned} unassigned") in detail
        total = plan.kept_with_current + plan.changed + plan.locked + plan.unassigned
        assert re.search(rf"; {total} roles? in all\.", detail)
        await pilot.press("n")  # not yet
        await settle(pilot)

    drive(app, scenario, size=SHORT)
