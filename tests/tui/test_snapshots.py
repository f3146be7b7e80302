"""What each screen looks like, as SVG snapshots (tests/tui/__snapshots__).

Deterministic: the fixed caseload of ``tests/tui/data.py``, today fixed at 15 Jan 2027, a
120x40 terminal. After an intended change of look, review and refresh them with
``make snapshots`` (pytest tests/tui --snapshot-update).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from textual.pilot import Pilot
from textual.widgets import Input

from tests.conftest import ACTOR
from tests.tui.conftest import SIZE, settle
from tests.tui.data import FEATURED_NHS
from tests.tui.handover_data import person_id, populate_handovers
from tests.tui.test_import_screen import fake_result
from tests.tui.test_short_terminal import SHORT, more_teams
from transition.db import Database
from transition.models import Person
from transition.risk_overrides import set_risk_band
from transition.ruleset import load_rules
from transition.screens import imports
from transition.screens.plan import PlanScreen


@pytest.fixture(autouse=True)
def _stable_database_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """The test database lives in a temporary folder whose name changes every run."""
    monkeypatch.setattr(Database, "describe", lambda self: "sqlite:////home/manager/transition.db")


async def steady(pilot: Pilot[Any]) -> None:
    """Settle, and stop text cursors blinking so the picture does not depend on timing."""
    await settle(pilot)
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await settle(pilot)


def press(*keys: str):
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
        await steady(pilot)

    return run_before


def test_welcome(snap_compare, tui_database, app_on) -> None:
    assert snap_compare(app_on(tui_database), terminal_size=SIZE, run_before=press())


def test_dashboard(snap_compare, populated, app_on) -> None:
    assert snap_compare(app_on(populated), terminal_size=SIZE, run_before=press())


def test_equality(snap_compare, populated, app_on) -> None:
    with populated.transaction() as session:
        session.execute(update(Person).values(ethnic_category="A"))
        session.execute(update(Person).where(Person.id % 4 == 0).values(ethnic_category="H"))
    assert snap_compare(app_on(populated), terminal_size=SIZE, run_before=press("e"))


def test_caseload(snap_compare, populated, app_on) -> None:
    assert snap_compare(app_on(populated), terminal_size=SIZE, run_before=press("c"))


def test_caseload_searched(snap_compare, populated, app_on) -> None:
    assert snap_compare(app_on(populated), terminal_size=SIZE,
                        run_before=press("c", "slash", "a", "s", "h", "enter"))


def test_person(snap_compare, populated, app_on) -> None:
    app = app_on(populated)
    with populated.session() as session:
        person_id = session.scalars(select(Person.id).where(Person.nhs_number == FEATURED_NHS)).one()

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        app.open_person(person_id)
        await settle(pilot)

    assert snap_compare(app, terminal_size=(120, 60), run_before=run_before)


def test_rejected_rows(snap_compare, populated, app_on) -> None:
    assert snap_compare(app_on(populated), terminal_size=SIZE, run_before=press("r"))


def test_import_form(snap_compare, populated, app_on) -> None:
    assert snap_compare(app_on(populated), terminal_size=SIZE, run_before=press("i"))


def test_import_result(snap_compare, populated, app_on, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("trust_caseload.csv").write_text("nhs_number\n")
    monkeypatch.setattr(imports, "run_import", lambda *args, **kwargs: fake_result())
    app = app_on(populated)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("i")
        app.screen.query_one("#path", Input).value = "trust_caseload.csv"
        await pilot.press("ctrl+r")
        await settle(pilot)
        app.clear_notifications()
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_confirm_stop_import(snap_compare, populated, app_on) -> None:
    app = app_on(populated)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("i")
        app.screen.running = True  # as while an import runs
        await pilot.press("escape")
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


# -- pathway, risk, plan and workers (the plan world of tests/tui/plan_data.py) ----------------


@pytest.fixture
def fixed_rules_label(plan_world: Database) -> Database:
    """The stored rules label carries a fingerprint of the shipped rules: fix it for pictures."""
    with plan_world.transaction() as session:
        session.execute(update(Person).values(pathway_rules_version="2026.1#fixture"))
    return plan_world


def test_caseload_by_pathway(snap_compare, plan_world, app_on) -> None:
    assert snap_compare(app_on(plan_world), terminal_size=SIZE, run_before=press("c", "f"))


def test_person_pathway_and_risk(snap_compare, fixed_rules_label, app_on) -> None:
    app = app_on(fixed_rules_label)
    with fixed_rules_label.session() as session:
        person_id = session.scalars(select(Person.id).where(Person.family_name == "Ashworth")).one()

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        app.open_person(person_id)
        await settle(pilot)
        # The audit trail's times are when the fixture ran: leave them out of the picture.
        app.screen.query_one("#audit").display = False
        app.screen.query_one("#pathway").scroll_visible(top=True, animate=False)
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_pathway_override_dialog(snap_compare, fixed_rules_label, app_on) -> None:
    app = app_on(fixed_rules_label)
    with fixed_rules_label.session() as session:
        person_id = session.scalars(select(Person.id).where(Person.family_name == "Baines")).one()

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        app.open_person(person_id)
        await settle(pilot)
        await pilot.press("o", "down", "down")
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_risk_band_dialog_80x24(snap_compare, fixed_rules_label, app_on) -> None:
    """A manager's band already set: the three bands (now, the rules') and the rules' band
    back, at the smallest terminal."""
    app = app_on(fixed_rules_label)
    with fixed_rules_label.transaction() as session:
        person = session.scalars(select(Person).where(Person.family_name == "Baines")).one()
        set_risk_band(session, load_rules(), person, "amber", reason="Carer moved away",
                      actor=ACTOR, today=date(2027, 1, 15))
        person_id = person.id

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        app.open_person(person_id)
        await settle(pilot)
        await pilot.press("R", "down")
        await steady(pilot)

    assert snap_compare(app, terminal_size=SHORT, run_before=run_before)


def test_dashboard_with_pathways_and_risk(snap_compare, plan_world, app_on) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        pilot.app.screen.query_one("#stage-panels").scroll_visible(animate=False)
        await steady(pilot)

    assert snap_compare(app_on(plan_world), terminal_size=SIZE, run_before=run_before)


def test_at_risk(snap_compare, plan_world, app_on) -> None:
    assert snap_compare(app_on(plan_world), terminal_size=SIZE, run_before=press("a"))


def test_plan_empty(snap_compare, plan_world, app_on) -> None:
    assert snap_compare(app_on(plan_world), terminal_size=SIZE, run_before=press("p"))


def test_plan_proposed(snap_compare, plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def run_before(pilot: Pilot[Any]) -> None:
        await press("p", "n", "down", "down", "down", "down", "down")(pilot)
        pilot.app.clear_notifications()
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_plan_choose_worker(snap_compare, plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def run_before(pilot: Pilot[Any]) -> None:
        await press("p", "n", "down", "down", "down", "down", "down")(pilot)
        pilot.app.clear_notifications()
        await press("o")(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_plan_choose_worker_anyway(snap_compare, plan_world, app_on) -> None:
    """No worker fits every hard constraint (Hollins needs the forensic skill): the ruled-out
    workers, each with why not, for a choice made anyway."""
    app = app_on(plan_world)

    async def run_before(pilot: Pilot[Any]) -> None:
        await press("p", "n", "u")(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, PlanScreen) and screen.page is not None
        names = [screen.page.people[row.person_id] for row in screen.page.rows]
        pilot.app.clear_notifications()
        await press(*["down"] * next(index for index, name in enumerate(names)
                                     if name.startswith("Hollins")), "o")(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_workers(snap_compare, plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def run_before(pilot: Pilot[Any]) -> None:
        await press("p", "n", "w")(pilot)
        pilot.app.clear_notifications()
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_workers_what_if(snap_compare, plan_world, app_on) -> None:
    """m on two workers (the cursor moves on after each), then W: the what-if over the
    screen."""
    app = app_on(plan_world)

    async def run_before(pilot: Pilot[Any]) -> None:
        await press("p", "n", "w")(pilot)
        pilot.app.screen.query_one("#workers-table").focus()
        await press("m", "m", "W")(pilot)
        pilot.app.clear_notifications()
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


# -- a short terminal (80x24): the table keeps its room (tests/tui/test_short_terminal.py) --


def test_at_risk_80x24(snap_compare, plan_world, app_on) -> None:
    assert snap_compare(app_on(plan_world), terminal_size=SHORT, run_before=press("a"))


def test_plan_proposed_80x24(snap_compare, plan_world, app_on) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await press("p", "n", "down")(pilot)
        pilot.app.clear_notifications()
        await steady(pilot)

    assert snap_compare(app_on(plan_world), terminal_size=SHORT, run_before=run_before)


def test_workers_80x24(snap_compare, plan_world, app_on) -> None:
    more_teams(plan_world)

    async def run_before(pilot: Pilot[Any]) -> None:
        await press("p", "n", "w")(pilot)
        pilot.app.clear_notifications()
        await steady(pilot)

    assert snap_compare(app_on(plan_world), terminal_size=SHORT, run_before=run_before)


# -- tasks (issue 5) ---------------------------------------------------------------------------


@pytest.fixture
def handovers(tui_database: Database) -> Database:
    populate_handovers(tui_database)
    return tui_database


def test_tasks(snap_compare, handovers, app_on) -> None:
    assert snap_compare(app_on(handovers), terminal_size=SIZE, run_before=press("t"))


def test_tasks_by_owner(snap_compare, handovers, app_on) -> None:
    assert snap_compare(app_on(handovers), terminal_size=SIZE, run_before=press("t", "g"))


def test_task_status_dialog(snap_compare, handovers, app_on) -> None:
    assert snap_compare(app_on(handovers), terminal_size=SIZE,
                        run_before=press("t", "s", "b"))


def test_task_note_dialog(snap_compare, handovers, app_on) -> None:
    assert snap_compare(app_on(handovers), terminal_size=SIZE, run_before=press("t", "n"))


def test_dashboard_with_tasks(snap_compare, handovers, app_on) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        pilot.app.screen.query_one("#task-progress").scroll_visible(animate=False, top=True)
        await steady(pilot)

    assert snap_compare(app_on(handovers), terminal_size=(120, 50), run_before=run_before)


def test_person_with_tasks(snap_compare, handovers, app_on) -> None:
    app = app_on(handovers)
    with handovers.session() as session:
        bilal = person_id(session, 1)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        app.open_person(bilal)
        await steady(pilot)

    assert snap_compare(app, terminal_size=(120, 60), run_before=run_before)


# -- letters (issue 6) -------------------------------------------------------------------------


def test_letters(snap_compare, handovers, app_on) -> None:
    assert snap_compare(app_on(handovers), terminal_size=SIZE, run_before=press("l"))


def test_letters_preview_of_a_letter_that_cannot_be_sent(snap_compare, handovers, app_on) -> None:
    assert snap_compare(app_on(handovers), terminal_size=SIZE,
                        run_before=press("l", *["down"] * 12))


def test_team_handover_dialog(snap_compare, handovers, app_on) -> None:
    """H on the caseload: the team of the person under the cursor is chosen first."""
    assert snap_compare(app_on(handovers), terminal_size=SIZE, run_before=press("c", "H"))
