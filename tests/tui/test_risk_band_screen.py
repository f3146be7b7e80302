"""A manager's handover-risk band from the person screen (R): chosen with a reason, shown with
the rules' band beside it, marked in the at-risk list, and given back to the rules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from textual.pilot import Pilot

from tests.conftest import ACTOR
from tests.tui.conftest import drive, notifications, settle, text_of
from tests.tui.test_pathway_screens import open_at_risk, person, person_id
from transition.models import AuditEvent
from transition.screens.person import PersonScreen
from transition.screens.risk_band import RiskBandScreen


def test_a_manager_sets_the_band_with_a_reason_and_gives_it_back(plan_world, app_on) -> None:
    app = app_on(plan_world)
    before = person(plan_world, "Baines")
    assert before.risk_band != "red"

    async def scenario(pilot: Pilot[Any]) -> None:
        app.open_person(person_id(plan_world, "Baines"))
        await settle(pilot)
        assert "R: set the band" in str(app.screen.query_one("#risk").border_title)
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, RiskBandScreen)
        await pilot.press("home", "enter")  # red; the reason box next, empty
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "needs a written reason" in text_of(app.screen.query_one("#problem"))
        await pilot.press(*"Crisis team contact last week", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        saved = person(plan_world, "Baines")
        assert (saved.risk_band, saved.risk_band_override, saved.risk_score) == (
            "red", "red", before.risk_score)
        shown = text_of(app.screen.query_one("#risk"))
        assert "red ✎" in shown
        assert f"Set by           {ACTOR} on " in shown
        assert f"Rules would say  ● {before.risk_band} {before.risk_score}" in shown
        assert f"set to red (the rules' score gives {before.risk_band})" in " ".join(
            notifications(app))

        at_risk = await open_at_risk(pilot)
        row = next(index for index, item in enumerate(at_risk.people)
                   if item.person_id == saved.id)
        assert row == 0 or at_risk.people[row - 1].risk_band == "red"
        assert at_risk.people[row].band_overridden

        app.open_person(saved.id)  # type: ignore[arg-type]
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        await pilot.press("end", "enter", *"Reviewed at panel", "enter")  # the rules' band
        await settle(pilot)
        cleared = person(plan_world, "Baines")
        assert (cleared.risk_band, cleared.risk_band_override) == (before.risk_band, None)
        assert "✎" not in text_of(app.screen.query_one("#risk"))
        with plan_world.session() as session:
            actions = list(session.scalars(select(AuditEvent.action).where(
                AuditEvent.person_id == cleared.id).order_by(AuditEvent.id)))
        assert actions[-2:] == ["risk.override", "risk.override_cleared"]

    drive(app, scenario, size=(120, 60))
