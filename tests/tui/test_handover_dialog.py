"""H on the person screen: a person's own handover date (a phased move), as transition
handover-date sets it: audited with the reason, version-checked, and what the new date breaks
said after (a worker who will not be there then)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static

from tests.tui.conftest import drive, notifications, settle
from tests.tui.test_person_screen import open_family
from transition.models import AuditEvent, Person, Staff
from transition.screens.handover_dialog import HandoverDateScreen
from transition.screens.person import PersonScreen


async def fill(pilot: Pilot[Any], day: str, reason: str) -> HandoverDateScreen:
    dialog = pilot.app.screen
    assert isinstance(dialog, HandoverDateScreen)
    dialog.query_one("#date", Input).value = day
    dialog.query_one("#reason", Input).value = reason
    await pilot.press("ctrl+s")
    await settle(pilot)
    return dialog


def problem(dialog: Screen[Any]) -> str:
    """What a dialog's problem line says."""
    return str(dialog.query_one("#problem", Static).content)


def ashworth(database: Any) -> Person:
    with database.session() as session:
        return session.scalars(select(Person).where(Person.family_name == "Ashworth")).one()


def test_a_persons_own_handover_date_is_set_with_why_and_what_it_breaks(plan_world,
                                                                        app_on) -> None:
    with plan_world.transaction() as session:  # their coordinator leaves before the new date
        session.execute(update(Staff).where(Staff.staff_id == "SW1")
                        .values(leaving_date=date(2027, 5, 28)))
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_family(app, plan_world, "Ashworth")(pilot)
        await pilot.press("H")
        await settle(pilot)
        dialog = await fill(pilot, "31/02/2027", "phase 2")
        assert "'31/02/2027' is not a date" in problem(dialog) and dialog.is_current
        dialog = await fill(pilot, "1 June 2027", "")
        assert "Say why" in problem(dialog) and dialog.is_current
        await fill(pilot, "1 June 2027", "Phase 2, agreed at the panel")
        assert app.screen is screen and isinstance(screen, PersonScreen)
        said = notifications(app)
        assert "They now move on Tuesday 1 June 2027." in said
        assert any("(SW1) will not be there for the handover on Tuesday 1 June 2027: leaving "
                   "on 28 May 2027" in message for message in said), said
        # Back to the programme's date: a blank date.
        await pilot.press("H")
        await settle(pilot)
        await fill(pilot, "", "Phase 2 cancelled")
        assert ("They now move on the programme's transfer date, Thursday 1 April 2027."
                in notifications(app))

    drive(app, scenario)
    assert ashworth(plan_world).handover_date is None
    with plan_world.session() as session:
        audit = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "person.handover_date").order_by(AuditEvent.id)).all()
    assert [(event.after, event.reason) for event in audit] == [
        ("2027-06-01", "Phase 2, agreed at the panel"), (None, "Phase 2 cancelled")]


def test_a_record_changed_meanwhile_saves_nothing_and_says_so(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        await open_family(app, plan_world, "Ashworth")(pilot)
        await pilot.press("H")
        await settle(pilot)
        with plan_world.transaction() as session:  # someone else, after the screen read it
            session.execute(update(Person).where(Person.family_name == "Ashworth")
                            .values(version=Person.version + 1))
        await fill(pilot, "2027-06-01", "phase 2")
        assert any("since it was read; the handover date was not saved" in message
                   for message in notifications(app)), notifications(app)

    drive(app, scenario)
    assert ashworth(plan_world).handover_date is None


def test_a_refusal_stays_in_the_dialog_with_what_was_typed(plan_world, app_on,
                                                          monkeypatch) -> None:
    """A refusal from the domain (here, the record gone) is said on the dialog's problem line,
    and the dialog stays open with the date and reason as typed."""
    from transition.errors import NotFoundError
    from transition.screens import handover_dialog

    def refused(*args: object, **kwargs: object) -> None:
        raise NotFoundError("This person is no longer on the caseload: nothing was saved.")

    monkeypatch.setattr(handover_dialog, "change_handover_date", refused)
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        await open_family(app, plan_world, "Ashworth")(pilot)
        await pilot.press("H")
        await settle(pilot)
        dialog = await fill(pilot, "2027-06-01", "phase 2")
        assert dialog.is_current
        assert "no longer on the caseload" in problem(dialog)
        assert dialog.query_one("#reason", Input).value == "phase 2"

    drive(app, scenario)
    assert ashworth(plan_world).handover_date is None
