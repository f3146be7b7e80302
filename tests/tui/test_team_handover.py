"""H on the caseload: everyone in a team or locality gets their own handover date (a phased
move), as ``transition handover-date --team TEAM DATE`` gives it: all or nothing, audited with
the reason, their tasks brought up to date, and what the new date breaks said after."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select, update
from textual.pilot import Pilot
from textual.widgets import Input, Select, Static

from tests.tui.conftest import drive, notifications, settle
from tests.tui.handover_data import populate_handovers
from tests.tui.test_handover_dialog import problem
from transition.db import Database
from transition.errors import ConflictError
from transition.models import AuditEvent, Person, Staff, Task
from transition.screens import team_handover
from transition.screens.caseload import CaseloadScreen
from transition.screens.team_handover import TeamHandoverScreen


@pytest.fixture
def handovers(tui_database: Database) -> Database:
    populate_handovers(tui_database)
    return tui_database


async def open_dialog(pilot: Pilot[Any]) -> TeamHandoverScreen:
    await pilot.press("c")
    await settle(pilot)
    await pilot.press("H")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, TeamHandoverScreen)
    return dialog


async def fill(pilot: Pilot[Any], day: str, reason: str, *, team: object = None,
               locality: object = None) -> TeamHandoverScreen:
    dialog = pilot.app.screen
    assert isinstance(dialog, TeamHandoverScreen)
    if team is not None:
        dialog.query_one("#team", Select).value = team
    if locality is not None:
        dialog.query_one("#locality", Select).value = locality
    dialog.query_one("#date", Input).value = day
    dialog.query_one("#reason", Input).value = reason
    await pilot.press("ctrl+s")
    await settle(pilot)
    return dialog


def own_dates(database: Database) -> dict[str, date | None]:
    with database.session() as session:
        return dict(session.execute(select(Person.family_name, Person.handover_date)).all())


def north(database: Database) -> set[str]:
    with database.session() as session:
        return set(session.scalars(select(Person.family_name)
                                   .where(Person.team == "North CMHT")))


def test_everyone_in_the_team_under_the_cursor_moves_with_why(handovers, app_on) -> None:
    """The team of the person under the cursor (Ashworth: North CMHT) is chosen first; the date
    and why are checked before anything is saved; then everyone in it moves, with their tasks,
    and the notifications say so and what the date breaks (their worker leaving first)."""
    with handovers.transaction() as session:  # Ashworth's new key worker leaves before it
        session.execute(update(Staff).where(Staff.staff_id == "S002")
                        .values(leaving_date=date(2027, 5, 28)))
        due_before = dict(session.execute(select(Task.id, Task.due)).all())
    app = app_on(handovers)

    async def scenario(pilot: Pilot[Any]) -> None:
        dialog = await open_dialog(pilot)
        assert dialog.query_one("#team", Select).value == "North CMHT"
        assert app.focused is dialog.query_one("#date", Input)  # a team chosen: the date next
        dialog = await fill(pilot, "31/02/2027", "phase 2")
        assert "'31/02/2027' is not a date" in problem(dialog) and dialog.is_current
        dialog = await fill(pilot, "1 June 2027", " ")
        assert "Say why" in problem(dialog) and dialog.is_current
        dialog = await fill(pilot, "1 June 2027", "phase 2", team=Select.NULL)
        assert "Choose a team or a locality" in problem(dialog) and dialog.is_current
        assert own_dates(handovers)["Ashworth"] is None  # nothing saved yet
        await fill(pilot, "1 June 2027", "Phase 2, agreed at the panel", team="North CMHT")
        assert isinstance(app.screen, CaseloadScreen)
        said = notifications(app)
        assert any(message.startswith("North CMHT: 8 people now move on Tuesday 1 June 2027.")
                   for message in said), said
        assert any("S002 (leaving on 28 May 2027): 2 people, as care coordinator or key worker"
                   in message
                   for message in said), said
        assert any("after the programme's transfer date" in message for message in said), said

    drive(app, scenario)
    dates = own_dates(handovers)
    in_north = north(handovers)
    assert len(in_north) == 8
    assert {name: dates[name] for name in in_north} == dict.fromkeys(in_north, date(2027, 6, 1))
    assert all(dates[name] != date(2027, 6, 1) for name in set(dates) - in_north)
    with handovers.session() as session:
        audit = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "person.handover_date")).all()
        due_after = dict(session.execute(select(Task.id, Task.due)).all())
    assert len(audit) == 8
    assert {event.reason for event in audit} == {"Phase 2, agreed at the panel"}
    assert any(due_after[task_id] != due for task_id, due in due_before.items())


def test_a_locality_alone_and_back_to_the_programme_date(handovers, app_on) -> None:
    """A locality with no team; then blank: the programme's transfer date again (Baines's own
    date, set before, is cleared with the rest of the South)."""
    with handovers.session() as session:
        south = set(session.scalars(select(Person.family_name)
                                    .where(Person.locality == "South")))
    app = app_on(handovers)

    async def scenario(pilot: Pilot[Any]) -> None:
        await open_dialog(pilot)
        await fill(pilot, "2027-03-01", "phase 1", team=Select.NULL, locality="South")
        assert any(message.startswith("South: ") and "Monday 1 March 2027" in message
                   for message in notifications(app))
        assert {name for name, day in own_dates(handovers).items()
                if day == date(2027, 3, 1)} == south
        await pilot.press("H")
        await settle(pilot)
        await fill(pilot, "", "phase 1 cancelled", team=Select.NULL, locality="South")
        assert any("the programme's transfer date, Thursday 1 April 2027" in message
                   for message in notifications(app))

    drive(app, scenario)
    dates = own_dates(handovers)
    assert all(dates[name] is None for name in south)


def test_someone_changed_meanwhile_saves_nothing_and_stays_open(handovers, app_on,
                                                               monkeypatch) -> None:
    real = team_handover.change_group_handover_date

    def changed_meanwhile(session, *args, **kwargs):  # type: ignore[no-untyped-def]
        real(session, *args, **kwargs)  # written, then refused: the transaction rolls back
        raise ConflictError("Someone else changed one of these people's records since it was "
                            "read (Ana Okafor at 10:00).")

    monkeypatch.setattr(team_handover, "change_group_handover_date", changed_meanwhile)
    app = app_on(handovers)

    async def scenario(pilot: Pilot[Any]) -> None:
        await open_dialog(pilot)
        dialog = await fill(pilot, "1 June 2027", "phase 2")
        assert dialog.is_current
        assert "Someone else changed" in problem(dialog)
        assert "Nothing was changed" in problem(dialog)
        assert dialog.query_one("#reason", Input).value == "phase 2"  # what was typed stays

    drive(app, scenario)
    assert date(2027, 6, 1) not in own_dates(handovers).values()


def test_an_empty_caseload_says_to_import_first(tui_database, app_on) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("H")
        await settle(pilot)
        assert isinstance(app.screen, CaseloadScreen)
        assert any("import it first" in message for message in notifications(app))

    drive(app, scenario)


def test_the_team_the_caseload_shows_is_chosen_first(handovers, app_on) -> None:
    """Filtered to a team (enter on a team on the dashboard), the line under the table names
    the key, and H chooses that team whoever is under the cursor."""
    app = app_on(handovers)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("c")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseloadScreen)
        assert "H: their handover date" not in str(screen.query_one("#status", Static).content)
        screen.show(team="South CMHT")
        await settle(pilot)
        assert "H: their handover date" in str(screen.query_one("#status", Static).content)
        await pilot.press("H")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, TeamHandoverScreen)
        assert dialog.query_one("#team", Select).value == "South CMHT"
        assert dialog.query_one("#locality", Select).value is Select.NULL
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen

    drive(app, scenario)
