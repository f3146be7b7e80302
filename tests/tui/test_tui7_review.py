"""A review of the person, at-risk and handover-date screens as a team manager uses them at
80x24 and 120x40: the trust's fields readable at 80 columns, q Quit kept in the person's
footer with an override set, the audit trail and risk factors in words, languages and dates as
a manager writes them."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets._footer import FooterKey

from tests.conftest import ACTOR
from tests.tui.conftest import drive, settle, text_of
from tests.tui.handover_data import populate_handovers
from tests.tui.test_person_screen import open_family
from transition.db import Database
from transition.models import Person
from transition.overrides import set_pathway_override
from transition.screens.at_risk import FACTOR_LEAST, FACTOR_WORDS, AtRiskScreen
from transition.screens.handover_dialog import HandoverDateScreen
from transition.screens.person import FIELD_SECTIONS, PersonScreen, audit_action
from transition.screens.tasks import TasksScreen
from transition.widgets.fitted_table import FittedTable


def override_baines_to_joint(database: Database) -> None:
    """A manager's pathway override (joint) for Baines: the person's footer gains its keys,
    and the audit trail its row."""
    with database.transaction() as session:
        baines = session.scalars(select(Person).where(Person.family_name == "Baines")).one()
        set_pathway_override(session, baines, "joint", reason="Agreed at panel", actor=ACTOR,
                             expected_version=baines.version)


def test_tui7_at_80_columns_the_persons_fields_go_one_under_another(plan_world,
                                                                    app_on) -> None:
    """Side by side at 80 columns a value had a cell or two ("Y", "e", "s" down the box);
    under 110 columns the boxes go one under another, each the width of the screen, and
    side by side again when the terminal widens."""
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_family(app, plan_world, "Ashworth")(pilot)
        boxes = [screen.query_one(f"#{section.id}") for section in FIELD_SECTIONS]
        assert len({box.region.x for box in boxes}) == 1
        assert all(box.region.width >= 70 for box in boxes)
        risk = screen.query_one("#risk-facts")
        # Every fact on one line: its label, then its value.
        assert risk.region.height == 2 + 10, risk.region
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert len({box.region.x for box in boxes}) == 2

    drive(app, scenario, size=(80, 24))


def footer_keys(app: Any) -> list[FooterKey]:
    return [key for key in app.screen.query(FooterKey) if key.display]


def test_tui7_the_persons_footer_keeps_quit_at_80_columns_with_an_override(tui_database,
                                                                           app_on) -> None:
    """A person with tasks and a pathway override: o, u, T, A and H all apply, and the footer
    cut q Quit off at 80 columns ("H Han"). T is named in the tasks box's title instead, and
    still works."""
    populate_handovers(tui_database)
    override_baines_to_joint(tui_database)
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_family(app, tui_database, "Baines")(pilot)
        assert screen.view is not None and screen.view.detail.get("tasks")
        keys = footer_keys(app)
        described = [key.description for key in keys]
        assert "Clear override" in described and "Quit" in described, described
        for key in keys:
            assert key.region.right <= 80, (key.description, described)
        assert "T: their tasks" in str(screen.query_one("#tasks").border_title)
        await pilot.press("T")
        await settle(pilot)
        assert isinstance(app.screen, TasksScreen)

    drive(app, scenario, size=(80, 24))


def test_tui7_the_audit_trail_says_what_happened_in_words(plan_world, app_on) -> None:
    override_baines_to_joint(plan_world)
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_family(app, plan_world, "Baines")(pilot)
        shown = text_of(screen.query_one("#audit"))
        assert "Pathway overridden" in shown and "Pathway decided" in shown
        assert "pathway.override" not in shown and "pathway.decide" not in shown

    drive(app, scenario)


def test_tui7_an_action_with_no_words_of_its_own_reads_as_words() -> None:
    assert audit_action("assignment.manager") == "Worker chosen"
    assert audit_action("task.template") == "Task template"


def test_tui7_the_interpreter_language_is_a_name(plan_world, app_on) -> None:
    """'arabic', as an export (or a code) stores it, is shown as a letter writes it."""
    with plan_world.transaction() as session:
        session.execute(update(Person).where(Person.family_name == "Egbuna")
                        .values(interpreter_language="arabic"))
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_family(app, plan_world, "Egbuna")(pilot)
        assert "Interpreter              Arabic" in text_of(screen.query_one("#communication"))

    drive(app, scenario)


def test_tui7_a_persons_own_handover_date_is_offered_as_a_uk_date(plan_world, app_on) -> None:
    """H with a date of their own already set: the box holds it as a manager writes it (not
    2027-06-01), and saving it unchanged keeps it."""
    with plan_world.transaction() as session:
        session.execute(update(Person).where(Person.family_name == "Ashworth")
                        .values(handover_date=date(2027, 6, 1)))
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_family(app, plan_world, "Ashworth")(pilot)
        await pilot.press("H")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, HandoverDateScreen)
        assert dialog.query_one("#date", Input).value == "1 Jun 2027"
        dialog.query_one("#reason", Input).value = "Checked at the panel"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen and isinstance(screen, PersonScreen)

    drive(app, scenario)
    with plan_world.session() as session:
        assert session.scalars(select(Person.handover_date)
                               .where(Person.family_name == "Ashworth")).one() == date(2027, 6, 1)


def test_tui7_the_at_risk_factors_are_in_words_and_names_are_whole_at_80(plan_world,
                                                                         app_on) -> None:
    """'section 117 or CTO', not the rules' id 's117 or cto'; and at 80 columns a name of 18
    characters is whole (14 cut 'Richardson, Harry' to 'Richardson, Har')."""
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AtRiskScreen)
        table = screen.query_one("#at-risk-table", FittedTable)
        assert table.shown_keys == ("name", "risk", "handover", "factors")
        assert table.columns["name"].width >= len("Richardson, Harry")
        assert table.columns["factors"].width >= FACTOR_LEAST
        assert sum(column.width + 2 for column in table.columns.values()) <= table.size.width
        rows = {person.family_name: str(table.get_row_at(index)[-1])
                for index, person in enumerate(screen.people)}
        assert rows["Dalton"] == "section 117 or CTO", rows
        assert all("_" not in cells and " or cto" not in cells for cells in rows.values())

    drive(app, scenario, size=(80, 24))


def test_tui7_every_risk_factor_has_words_that_fit_the_column() -> None:
    from transition.risk import RiskFactors

    assert set(FACTOR_WORDS) == set(RiskFactors.model_fields)
    assert max(len(words) for words in FACTOR_WORDS.values()) <= FACTOR_LEAST
