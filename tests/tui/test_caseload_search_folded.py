"""The caseload's search box (/) finds a name typed without its accents and a postcode typed
without its space."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from tests.factories import make_person
from tests.tui.conftest import drive, settle
from transition.widgets.caseload_table import CaseloadTable


def test_the_caseload_search_ignores_accents_and_a_postcodes_space(populated, app_on) -> None:
    with populated.transaction() as session:
        make_person(session, given_name="Jakub", family_name="Zając", postcode="WX3 9ZZ")
        make_person(session, given_name="Seán", family_name="Gibson", postcode="WX1 7UQ")
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("c")
        await settle(pilot)
        table = pilot.app.screen.query_one(CaseloadTable)
        table.search_delay = 0
        for typed, family in (("zajac", "Zając"), ("sean", "Gibson"), ("wx17uq", "Gibson")):
            await pilot.press("slash", "ctrl+u", *typed)
            await settle(pilot)
            assert [row.family_name for row in table.rows] == [family], typed

    drive(app, scenario)
