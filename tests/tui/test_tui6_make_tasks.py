"""Making the handover tasks from the app (G on the tasks screen), the toggles' footer labels,
and the caseload's and tasks' footers at 80 columns with pages."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from textual.pilot import Pilot
from textual.widgets import Static
from textual.widgets._footer import FooterKey

from tests.conftest import ACTOR, TODAY
from tests.tui.conftest import drive, notifications, settle, text_of
from tests.tui.handover_data import populate_handovers
from tests.tui.test_caseload_table import add_people
from transition.app import TransitionApp
from transition.audit import events
from transition.db import Database
from transition.models import Task
from transition.plan_review import accept_plan
from transition.planning import propose_plan
from transition.ruleset import load_rules
from transition.screens.confirm import ConfirmScreen
from transition.screens.dashboard import DashboardScreen
from transition.screens.tasks import TasksScreen
from transition.tasks import GenerateSummary, plan_accepted
from transition.widgets.caseload_table import CaseloadTable

SMALL = (80, 24)


def accept_a_plan(database: Database) -> None:
    rules = load_rules(None)
    with database.transaction() as session:
        propose_plan(session, rules, as_of=TODAY, actor="someone-else")
        accept_plan(session, rules, actor="someone-else")


def task_count(database: Database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(Task)) or 0


def footer(app: TransitionApp) -> list[FooterKey]:
    return [key for key in app.screen.query(FooterKey) if key.display]


def footer_labels(app: TransitionApp) -> dict[str, str]:
    return {key.description: key.key_display or key.key for key in footer(app)}


async def open_tasks(pilot: Pilot[Any]) -> TasksScreen:
    await pilot.press("t")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TasksScreen)
    return screen


def test_tui6_make_tasks_with_no_accepted_plan_says_how_to_accept_one(plan_world,
                                                                     app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot)
        summary = text_of(screen.query_one("#tasks-summary", Static))
        assert "make the tasks here with G (or the command transition tasks generate)" in summary
        assert footer_labels(app)["Make tasks"] == "G"
        await pilot.press("G")
        await settle(pilot)
        assert app.screen is screen  # nothing asked
        assert any("no plan has been accepted yet" in message and "(p, then A)" in message
                   for message in notifications(app))

    drive(app, scenario)
    assert task_count(plan_world) == 0


def test_tui6_make_tasks_after_a_plan_is_accepted(plan_world, app_on) -> None:
    """As transition tasks generate does: asked first, made in a worker, audited as the app's
    actor, the CLI's summary in the notification, and the list reloaded."""
    accept_a_plan(plan_world)
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot)
        assert not screen.rows
        await pilot.press("G")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "accepted plan" in app.screen.question
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is screen
        made = task_count(plan_world)
        assert made and len(screen.rows) == made  # every task open: all on the page
        assert screen.making is None
        message = next(message for message in notifications(app)
                       if message.startswith("Handovers with tasks:"))
        assert f"Created {made:,}, reopened 0," in message
        assert "overdue on 15 Jan 2027" in message
        with plan_world.session() as session:
            created = events(session, actions=["task.create"])
        assert created and {event.actor for event in created} == {ACTOR}

        app.clear_notifications()
        await pilot.press("G", "y")  # again: nothing new, as the CLI's second run
        await settle(pilot)
        message = next(message for message in notifications(app)
                       if message.startswith("Handovers with tasks:"))
        assert f"Created 0, reopened 0, not needed now 0, owner moved 0, due date moved 0, " \
               f"template changed 0, unchanged {made:,}." in message
        assert task_count(plan_world) == made

    drive(app, scenario)


def test_tui6_declining_makes_no_tasks(plan_world, app_on) -> None:
    accept_a_plan(plan_world)
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot)
        await pilot.press("G")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and not screen.rows
        assert not any(message.startswith("Handovers with tasks:")
                       for message in notifications(app))

    drive(app, scenario)
    assert task_count(plan_world) == 0
    with plan_world.session() as session:
        assert not events(session, actions=["task.create"])


@pytest.mark.parametrize(("error", "driver_says", "shown"), [
    (DataError, "value too long: Ashworth", "DataError on "),  # only the kind of failure
    (OperationalError, "database is locked", "The database is busy"),  # said in words
])
def test_tui6_a_database_error_making_tasks_is_a_notification(
    plan_world, app_on, monkeypatch, error: type[DBAPIError], driver_says: str, shown: str,
) -> None:
    """The driver's text may quote a person: the statement is never shown, nor (but for
    the database's known failures, said in the app's words) what the driver said; the app
    carries on."""
    accept_a_plan(plan_world)
    app = app_on(plan_world)

    def failing(*args: Any, **kwargs: Any) -> GenerateSummary:
        raise error("INSERT INTO task ... 'Alice Ashworth'", {}, Exception(driver_says))

    monkeypatch.setattr("transition.screens.tasks.generate_tasks", failing)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot)
        await pilot.press("G", "y")
        await settle(pilot)
        assert app.screen is screen and app.is_running
        messages = notifications(app)
        assert any(message.startswith(shown) for message in messages), messages
        assert not any("Ashworth" in message or driver_says in message
                       for message in messages)
        assert screen.making is None
        assert footer_labels(app)["Make tasks"] == "G"  # can be tried again

    drive(app, scenario)
    assert task_count(plan_world) == 0


def test_tui6_the_dashboard_says_where_to_make_the_tasks(plan_world, app_on) -> None:
    app = app_on(plan_world)

    async def scenario(pilot: Pilot[Any]) -> None:
        assert isinstance(app.screen, DashboardScreen)
        progress = text_of(app.screen.query_one("#task-progress-body", Static))
        assert "on the tasks screen (t, then G)" in progress
        assert "transition tasks generate" in progress

    drive(app, scenario)


def test_tui6_plan_accepted_counts_an_accepted_plan_only(plan_world) -> None:
    rules = load_rules(None)
    with plan_world.transaction() as session:
        assert not plan_accepted(session)
        propose_plan(session, rules, as_of=TODAY, actor=ACTOR)
        assert not plan_accepted(session)  # a draft is not enough
        accept_plan(session, rules, actor=ACTOR)
        assert plan_accepted(session)


def test_tui6_the_summary_is_the_clis_three_lines() -> None:
    summary = GenerateSummary(people=1200, created=9000, reopened=1, not_needed=2,
                              owner_moved=3, due_moved=4, template_changed=5, unchanged=6,
                              open=9001, overdue=7, unowned_open=8)
    assert summary.describe(date(2027, 1, 5)) == (
        "Handovers with tasks: 1,200\n"
        "Created 9,000, reopened 1, not needed now 2, owner moved 3, due date moved 4, "
        "template changed 5, unchanged 6.\n"
        "Open tasks: 9,001 (7 of them overdue on 5 Jan 2027; 8 with no named worker, held by "
        "the team manager).")


# -- the toggles say what pressing them does now ---------------------------------------------

def test_tui6_the_toggles_footer_labels_say_what_the_key_does_now(tui_database,
                                                                   app_on) -> None:
    populate_handovers(tui_database)
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot)
        labels = footer_labels(app)
        assert labels["Overdue only"] == "o" and labels["Show done"] == "h"
        assert "All open" not in labels and "Hide done" not in labels

        await pilot.press("o")
        await settle(pilot)
        assert screen.overdue_only
        labels = footer_labels(app)
        assert labels["All open"] == "o" and "Overdue only" not in labels

        await pilot.press("h")
        await settle(pilot)
        assert screen.show_closed
        labels = footer_labels(app)
        assert labels["Hide done"] == "h" and "Show done" not in labels
        assert labels["All tasks"] == "o" and "All open" not in labels

        await pilot.press("o")  # "All tasks": every task, done ones too
        await settle(pilot)
        assert not screen.overdue_only and screen.show_closed
        assert "34 tasks" in text_of(screen.query_one("#tasks-summary", Static))
        labels = footer_labels(app)
        assert labels["Overdue only"] == "o" and labels["Hide done"] == "h"

        await pilot.press("h")
        await settle(pilot)
        assert not screen.show_closed
        assert footer_labels(app)["Show done"] == "h"

    drive(app, scenario)


# -- footers at 80 columns with pages ---------------------------------------------------------

def assert_quit_fits(app: TransitionApp, width: int) -> None:
    keys = footer(app)
    described = [key.description for key in keys]
    quit_key = next((key for key in keys if key.description == "Quit"), None)
    assert quit_key is not None, described
    for key in keys:
        assert key.region.right <= width, (key.description, described)


@pytest.mark.parametrize("search", [False, True])
def test_tui6_the_caseload_footer_keeps_quit_at_80x24_with_pages(tui_database, app_on,
                                                                  search: bool) -> None:
    """With more than 200 people the page keys join the footer; searching adds esc Clear."""
    add_people(tui_database, 250)
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        await pilot.press("c")
        await settle(pilot)
        table = app.screen.query_one(CaseloadTable)
        if search:
            table.search_delay = 0
            await pilot.press("slash", *"person", "down")  # every one of them: still paged
            await settle(pilot)
            assert table.filtered
        assert table.total == 250 and table.describe().startswith("Showing 1-200 of 250")
        labels = footer_labels(app)
        assert {"Sort", "Not in export", "Unfilled", "Pathway", "Band"} <= set(labels)
        assert ("Clear" in labels) == search
        assert "Search" not in labels  # the box says "/ to jump here"
        assert_quit_fits(app, SMALL[0])

    drive(app, scenario, size=SMALL)


def test_tui6_the_tasks_footer_keeps_quit_at_80x24_with_pages(tui_database, app_on,
                                                               monkeypatch) -> None:
    monkeypatch.setattr("transition.screens.tasks.PAGE_SIZE", 10)
    populate_handovers(tui_database)
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot)
        assert_quit_fits(app, SMALL[0])  # the first page: "] Next" alone
        await pilot.press("right_square_bracket")  # both page keys shown
        await settle(pilot)
        assert screen.page_start == 10
        assert {"Status", "Note", "Overdue only", "Show done", "Band",
                "Make tasks"} <= set(footer_labels(app))
        assert_quit_fits(app, SMALL[0])
        while screen.page_start + 10 < screen.total:  # the last page: "[ Prev" alone
            await pilot.press("right_square_bracket")
            await settle(pilot)
        assert_quit_fits(app, SMALL[0])
        summary = text_of(screen.query_one("#tasks-summary", Static))
        assert "grouped by due week (g)" in summary

    drive(app, scenario, size=SMALL)
