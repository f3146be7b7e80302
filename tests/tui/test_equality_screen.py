"""The equality screen: `e` on the dashboard opens it; `x` shows small counts exactly."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from textual.pilot import Pilot

from tests.tui.conftest import drive, settle, text_of
from transition.models import Person
from transition.screens.equality import EqualityScreen


def test_e_opens_the_report_and_x_shows_small_counts_exactly(populated, app_on) -> None:
    with populated.transaction() as session:
        session.execute(update(Person).values(ethnic_category="A"))
        session.execute(update(Person).where(Person.id == 1).values(ethnic_category="R"))
    app = app_on(populated)
    shown: list[str] = []

    async def scenario(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, EqualityScreen)
        report = app.screen.query_one("#equality-report")
        shown.append(" ".join(text_of(report).split()))
        await pilot.press("x")
        await settle(pilot)
        shown.append(" ".join(text_of(report).split()))
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, EqualityScreen)

    drive(app, scenario)
    kept_back, exact = shown
    for title in ("By ethnic group", "By age band", "By gender"):
        assert title in kept_back
    assert "Other ethnic group │ * │" in kept_back and "White │ * │" in kept_back
    assert "* withheld: counts from 1 to 4" in kept_back
    assert "Other ethnic group │ 1 │" in exact and "withheld" not in exact
