"""The dashboard's last-check box: k runs the check in a worker, enter opens the findings, and
a finding opens the person or the worker."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select, update
from textual.pilot import Pilot
from textual.widgets import DataTable

from tests.conftest import ACTOR, TODAY
from tests.factories import make_staff
from tests.tui.conftest import drive, settle, text_of
from tests.tui.test_snapshots import press
from transition.check_runs import single_run
from transition.checks import run_checks
from transition.db import Database
from transition.models import CheckRun, Person, Plan, Staff
from transition.ruleset import load_rules
from transition.screens.check_panel import CheckFindingsPanel
from transition.screens.dashboard import DashboardScreen
from transition.screens.findings import FindingsScreen, WorkerScreen
from transition.screens.person import PersonScreen
from transition.screens.plan import PlanScreen

FIXED = datetime(2027, 1, 15, 2, 15, tzinfo=UTC)


def _drift(database: Database) -> tuple[int, str]:
    """A person with no worker (unassigned) and a worker leaving in a week (unavailable)."""
    with database.transaction() as session:
        person_id = session.scalars(select(Person.id).order_by(Person.id)).first()
        assert person_id is not None
        session.execute(update(Person).where(Person.id == person_id)
                        .values(pathway="council", care_coordinator_id=None))
        staff_id = session.scalars(
            select(Person.care_coordinator_id).where(Person.care_coordinator_id.is_not(None))  # type: ignore[union-attr]
            .order_by(Person.id)).first()
        assert staff_id is not None
        session.execute(update(Staff).where(Staff.staff_id == staff_id)
                        .values(leaving_date=date(2027, 1, 20)))
    return person_id, staff_id


def test_k_runs_the_check_in_a_worker_and_the_panel_shows_it(populated, app_on) -> None:
    person_id, staff_id = _drift(populated)
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        panel = app.screen.query_one(CheckFindingsPanel)
        assert "No check has run yet" in text_of(panel.query_one("#check-summary"))
        await pilot.press("k")
        await settle(pilot)
        with populated.session() as session:
            runs = session.scalars(select(CheckRun)).all()
        assert [run.status for run in runs] == ["complete"]
        assert panel.run_id == runs[0].id
        summary = text_of(panel.query_one("#check-summary"))
        assert f"Run {runs[0].id}" in summary and "critical" in summary
        table = panel.query_one("#check-codes", DataTable)
        codes = [str(key.value) for key in table.rows]
        # The populated world was imported but never assessed: its people have no pathway.
        assert codes[:3] == ["unassigned", "not_assessed", "worker_unavailable"]
        assert any("Check finished" in (note.title or "") for note in app._notifications)

        # Under the cards, before the tables by place: shift+tab from the locality table.
        assert app.focused is not None and app.focused.id == "by-locality"
        await pilot.press("shift+tab")
        assert app.focused is table
        await pilot.press("enter")  # the unassigned findings
        await settle(pilot)
        assert isinstance(app.screen, FindingsScreen) and app.screen.code == "unassigned"
        findings = app.screen.query_one("#findings-table", DataTable)
        with populated.session() as session:
            person = session.get(Person, person_id)
            assert person is not None
            name = f"{person.given_name} {person.family_name}"
        assert any(str(findings.get_row_at(index)[2]) == name
                   for index in range(findings.row_count))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen) and app.screen.person_id == person_id

        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        table.focus()
        await pilot.press("down", "down", "enter")  # the worker leaving (after not_assessed)
        await settle(pilot)
        assert isinstance(app.screen, FindingsScreen) and app.screen.code == "worker_unavailable"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, WorkerScreen) and app.screen.staff_id == staff_id
        assert app.screen.query_one("#worker-people", DataTable).row_count > 0
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)

    drive(app, scenario)


def test_shift_k_proposes_the_fixes_as_a_draft_the_plan_screen_shows(populated, app_on) -> None:
    _drift(populated)
    with populated.transaction() as session:
        # Someone who can take the person with no worker, so the re-plan moves someone: one
        # that moves no one is discarded, there being nothing to accept.
        make_staff(session, "S011", skills=["older_adults"])
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("K")
        await settle(pilot)
        with populated.session() as session:
            [run] = session.scalars(select(CheckRun)).all()
            plan = session.get(Plan, run.plan_id)
        assert plan is not None and (plan.kind, plan.status) == ("check_apply", "draft")
        panel = app.screen.query_one(CheckFindingsPanel)
        assert f"draft plan {plan.id}" in text_of(panel.query_one("#check-summary"))
        [note] = [note for note in app._notifications if note.title == "Check finished"]
        assert f"Draft plan {plan.id} re-plans" in str(note.message)
        assert "p: review and accept it" in str(note.message)
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, PlanScreen)
        assert app.screen.page is not None and app.screen.page.plan is not None
        assert app.screen.page.plan.plan_id == plan.id

    drive(app, scenario)


def _over_capacity(database: Database) -> None:
    """S001 (capacity 2) holds four council-pathway people; S010, in the same team, has room."""
    with database.transaction() as session:
        session.execute(update(Person).where(Person.care_coordinator_id == "S001")
                        .values(pathway="council"))
        session.execute(update(Staff).where(Staff.staff_id == "S001").values(capacity=2))
        make_staff(session, "S010", capacity=10)


def test_shift_r_rebalances_an_over_capacity_worker_and_is_offered_only_then(
    populated, app_on
) -> None:
    _over_capacity(populated)
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        panel = app.screen.query_one(CheckFindingsPanel)
        assert "R:" not in str(panel.border_subtitle)  # no check yet: nothing to offer
        await pilot.press("K")  # fixes, but an over-capacity worker's people stay put
        await settle(pilot)
        with populated.session() as session:
            [run] = session.scalars(select(CheckRun)).all()
        assert run.plan_id is None
        [note] = [note for note in app._notifications if note.title == "Check finished"]
        assert "1 worker is over capacity: R re-plans their people too." in str(note.message)
        assert "R: + rebalance" in str(panel.border_subtitle)

        app.clear_notifications()
        await pilot.press("R")
        await settle(pilot)
        with populated.session() as session:
            runs = session.scalars(select(CheckRun).order_by(CheckRun.id)).all()
            plan = session.get(Plan, runs[-1].plan_id)
        assert len(runs) == 2 and plan is not None
        assert (plan.kind, plan.status) == ("check_apply", "draft")
        [note] = [note for note in app._notifications if note.title == "Check finished"]
        said = str(note.message)
        assert f"Draft plan {plan.id} re-plans 4 people: 1 move" in said, said
        assert "1 role stays with an over-capacity worker" in said  # who cannot move, and why
        assert "R re-plans" not in said

    drive(app, scenario)


def test_k_while_another_check_runs_says_so(populated, app_on) -> None:
    app = app_on(populated)

    async def scenario(pilot: Pilot[Any]) -> None:
        with single_run(populated):
            await pilot.press("k")
            await settle(pilot)
        with populated.session() as session:
            assert session.scalars(select(CheckRun)).all() == []
        assert any("already running" in str(note.message) for note in app._notifications)

    drive(app, scenario)


def test_last_check_snapshot(snap_compare, populated, app_on) -> None:
    _drift(populated)
    with populated.transaction() as session:
        run_checks(session, load_rules(None), as_of=TODAY, actor=ACTOR)
        session.execute(update(CheckRun).values(started_at=FIXED, finished_at=FIXED))
    # The box sits under the cards: on the first screen, without scrolling.
    assert snap_compare(app_on(populated), terminal_size=(120, 40), run_before=press())
