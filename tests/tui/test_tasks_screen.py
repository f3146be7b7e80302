"""The tasks section: grouping, the overdue filter, and changing a task from the keyboard."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DataError
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from tests.tui.conftest import drive, notifications, settle, text_of
from tests.tui.handover_data import populate_handovers
from transition.audit import events
from transition.db import Database
from transition.models import Person, Task
from transition.screens.person import PersonScreen
from transition.screens.task_dialogs import NoteScreen, StatusScreen
from transition.screens.tasks import TasksScreen
from transition.tasks import TaskQuery, group_tasks, list_tasks, set_task_status
from transition.widgets.format import plural


@pytest.fixture
def handovers(tui_database: Database) -> dict[int, int]:
    return populate_handovers(tui_database)


def task_of(database: Database, person_id: int, key: str) -> Task:
    with database.session() as session:
        task = session.scalars(select(Task).where(Task.person_id == person_id,
                                                  Task.key == key)).one()
        session.expunge(task)
        return task


async def open_tasks(pilot: Pilot[Any], task_id: int | None = None) -> TasksScreen:
    await pilot.press("t")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, TasksScreen)
    if task_id is not None:
        table = screen.query_one("#tasks-table", DataTable)
        table.move_cursor(row=table.get_row_index(str(task_id)))
        await settle(pilot)
        assert screen.current_task_id() == task_id
    return screen


async def type_text(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*("space" if char == " " else char for char in text))


def table_keys(screen: TasksScreen) -> list[str]:
    table = screen.query_one("#tasks-table", DataTable)
    return [str(row.key.value) for row in table.ordered_rows]


def test_tasks_are_grouped_by_week_with_overdue_first_in_red(tui_database, handovers,
                                                             app_on) -> None:
    app = app_on(tui_database)
    overdue = task_of(tui_database, handovers[1], "letter_gp")

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot)
        keys = table_keys(screen)
        assert keys[0] == "group:overdue"
        assert str(overdue.id) in keys[1:3]
        assert keys[3].startswith("group:2027-01-18")  # the next group is the next due week
        table = screen.query_one("#tasks-table", DataTable)
        row = table.get_row(str(overdue.id))
        assert "red" in str(row[0].style) and "Overdue" in row[4].plain
        summary = text_of(screen.query_one("#tasks-summary", Static))
        # 34: the featured person needs Polish, so accessible_communication too (h115).
        assert "34 open tasks · 2 overdue · grouped by due week" in summary
        assert screen.current_task_id() is not None  # the cursor starts on a task, not a heading

        await pilot.press("g")
        await settle(pilot)
        labels = [group.label for group in screen.groups]
        assert labels[0] == "Ben Carter (S002)"  # the owner with the overdue tasks first
        assert "Team manager (no named worker)" in labels
        await pilot.press("g")
        await settle(pilot)
        assert screen.groups[0].label.startswith("Bilal Baines (999 000")
        await pilot.press("g")
        await settle(pilot)
        assert screen.group_by == "week"

    drive(app, scenario)


def test_the_overdue_filter_and_showing_done_tasks(tui_database, handovers, app_on) -> None:
    app = app_on(tui_database)
    gp = task_of(tui_database, handovers[2], "letter_gp")
    with tui_database.transaction() as session:
        set_task_status(session, gp.id, "done", actor="someone")

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot)
        assert str(gp.id) not in table_keys(screen)  # done: hidden by default
        assert "33 open tasks" in text_of(screen.query_one("#tasks-summary", Static))
        await pilot.press("o")
        await settle(pilot)
        assert sorted(task.person_id for task in screen.rows.values()) == [handovers[1]] * 2
        assert all(task.overdue for task in screen.rows.values())
        assert "2 overdue tasks" in text_of(screen.query_one("#tasks-summary", Static))
        await pilot.press("o", "h")
        await settle(pilot)
        assert str(gp.id) in table_keys(screen)
        assert "34 tasks · 2 overdue" in text_of(screen.query_one("#tasks-summary", Static))

    drive(app, scenario)


def test_change_a_status_from_the_keyboard(tui_database, handovers, app_on) -> None:
    app = app_on(tui_database)
    task = task_of(tui_database, handovers[1], "letter_gp")

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot, task.id)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, StatusScreen)
        await pilot.press("i")
        await settle(pilot)
        assert app.screen is screen
        assert screen.rows[task.id].status == "in_progress"
        assert screen.current_task_id() == task.id  # the cursor stays on the task
        # Done through the list: down to "done" and enter.
        table = screen.query_one("#tasks-table", DataTable)
        row = table.cursor_row
        following = table.coordinate_to_cell_key((row + 1, 0)).row_key.value
        await pilot.press("s", "down", "enter")
        await settle(pilot)
        assert task.id not in screen.rows  # done tasks are hidden until h
        assert str(screen.current_task_id()) == following  # the cursor stays where it was

    drive(app, scenario)
    saved = task_of(tui_database, handovers[1], "letter_gp")
    assert (saved.status, saved.version, saved.updated_by) == ("done", task.version + 2,
                                                               "test-manager")
    with tui_database.session() as session:
        trail = [(e.before, e.after) for e in sorted(events(session, entity="task"),
                                                     key=lambda event: event.id or 0)
                 if e.entity_key == str(task.id) and e.action == "task.status"]
    assert trail == [("todo", "in_progress"), ("in_progress", "done")]


def test_block_a_task_with_a_reason(tui_database, handovers, app_on) -> None:
    app = app_on(tui_database)
    task = task_of(tui_database, handovers[2], "joint_visit")

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot, task.id)
        await pilot.press("s", "b")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, StatusScreen)
        assert dialog.query_one("#reason", Input).has_focus
        await pilot.press("enter")  # no reason: refused, the box stays open
        await settle(pilot)
        assert app.screen is dialog
        assert "needs a reason" in text_of(dialog.query_one("#status-hint", Static))
        await type_text(pilot, "Person in hospital")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert "Person in hospital" in text_of(screen.query_one("#task-detail", Static))

    drive(app, scenario)
    saved = task_of(tui_database, handovers[2], "joint_visit")
    assert (saved.status, saved.blocked_reason) == ("blocked", "Person in hospital")


def test_a_reason_is_limited_to_what_the_task_and_audit_trail_hold(tui_database, handovers,
                                                                   app_on) -> None:
    """task.blocked_reason and audit_event.reason hold 1,000 characters (the note 2,000):
    the box stops there, rather than PostgreSQL refusing the save."""
    app = app_on(tui_database)
    task = task_of(tui_database, handovers[2], "joint_visit")

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot, task.id)
        await pilot.press("s", "b")
        await settle(pilot)
        reason = app.screen.query_one("#reason", Input)
        assert reason.max_length == 1000
        reason.insert_text_at_cursor("w" * 1000)
        await pilot.press("x")  # the 1,001st character does not go in
        assert len(reason.value) == 1000
        await pilot.press("enter")
        await settle(pilot)
        # The box under the table scrolls a long reason rather than growing over the table.
        detail = screen.query_one("#task-detail", Static)
        assert "w" * 100 in text_of(detail)
        assert detail.outer_size.height <= 12
        assert screen.query_one("#tasks-table", DataTable).size.height >= 20

    drive(app, scenario)
    saved = task_of(tui_database, handovers[2], "joint_visit")
    assert (saved.status, saved.blocked_reason) == ("blocked", "w" * 1000)


def test_a_database_error_on_saving_is_a_notice_without_personal_data(
    tui_database, handovers, app_on, monkeypatch
) -> None:
    """The driver's text quotes the values (a name, the reason): only the kind of failure is
    shown, and the app carries on (no crash dump with the task's details)."""
    app = app_on(tui_database)
    task = task_of(tui_database, handovers[2], "joint_visit")

    def refused(*args: Any, **kwargs: Any) -> None:
        raise DataError("UPDATE task SET blocked_reason='Ann Smith waits'", {},
                        Exception("value too long for type character varying(1000)"))

    monkeypatch.setattr("transition.screens.tasks.set_task_status", refused)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot, task.id)
        await pilot.press("s", "b")
        await type_text(pilot, "Ann Smith waits")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        messages = notifications(app)
        assert any("DataError" in message and "Nothing was saved" in message
                   for message in messages)
        assert not any("Ann Smith" in message or "varying" in message for message in messages)
        await pilot.press("s", "d")  # still answering
        await settle(pilot)

    drive(app, scenario)
    assert task_of(tui_database, handovers[2], "joint_visit").status == "todo"


def test_add_a_note(tui_database, handovers, app_on) -> None:
    app = app_on(tui_database)
    task = task_of(tui_database, handovers[3], "letter_person")

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot, task.id)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NoteScreen)
        await type_text(pilot, "Posted 2nd class")
        await pilot.press("enter")
        await settle(pilot)
        assert "Posted 2nd class" in text_of(screen.query_one("#task-detail", Static))
        await pilot.press("n", "escape")  # cancelled: nothing changes
        await settle(pilot)

    drive(app, scenario)
    saved = task_of(tui_database, handovers[3], "letter_person")
    assert (saved.note, saved.status, saved.version) == ("Posted 2nd class", "todo",
                                                         task.version + 1)


def test_a_change_made_meanwhile_by_someone_else_is_not_overwritten(tui_database, handovers,
                                                                    app_on) -> None:
    app = app_on(tui_database)
    task = task_of(tui_database, handovers[1], "letter_person")

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot, task.id)
        await pilot.press("s")
        await settle(pilot)
        with tui_database.transaction() as session:  # another manager, another computer
            set_task_status(session, task.id, "blocked", actor="manager-b",
                            reason="No address yet")
        await pilot.press("d")
        await settle(pilot)
        messages = [notification.message for notification in app._notifications]
        assert any("manager-b changed it: status to do → blocked; reason “No address yet”"
                   in message and "Nothing was saved" in message for message in messages)
        assert screen.rows[task.id].status == "blocked"  # reloaded: what is true now

    drive(app, scenario)
    saved = task_of(tui_database, handovers[1], "letter_person")
    assert (saved.status, saved.updated_by) == ("blocked", "manager-b")


def test_a_refused_change_says_why(tui_database, handovers, app_on) -> None:
    app = app_on(tui_database)
    first = task_of(tui_database, handovers[1], "first_contact")  # waits for records

    async def scenario(pilot: Pilot[Any]) -> None:
        await open_tasks(pilot, first.id)
        await pilot.press("s", "d")
        await settle(pilot)
        messages = [notification.message for notification in app._notifications]
        assert any("First contact by the new worker cannot be done before Records and risk "
                   "assessment transferred to the new worker (due " in message
                   and ", to do): mark that done first, or 'not needed'" in message
                   for message in messages), messages
        detail = text_of(app.screen.query_one("#task-detail", Static))
        assert "after Records and risk assessment transferred to the new worker (to do)" in detail

    drive(app, scenario)
    assert task_of(tui_database, handovers[1], "first_contact").status == "todo"


def test_enter_opens_the_tasks_person(tui_database, handovers, app_on) -> None:
    app = app_on(tui_database)
    task = task_of(tui_database, handovers[2], "letter_gp")

    async def scenario(pilot: Pilot[Any]) -> None:
        await open_tasks(pilot, task.id)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.person_id == handovers[2]

    drive(app, scenario)


def test_from_a_person_to_their_tasks_and_back_to_everyone(tui_database, handovers,
                                                           app_on) -> None:
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        app.open_person(handovers[2])
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TasksScreen)
        assert {task.person_id for task in screen.rows.values()} == {handovers[2]}
        assert "only Carys Chowdhury" in text_of(screen.query_one("#tasks-summary", Static))
        await pilot.press("escape")  # clears the filter
        await settle(pilot)
        assert len({task.person_id for task in screen.rows.values()}) == 6

    drive(app, scenario)


def test_a_person_with_no_tasks_offers_no_tasks_key(tui_database, handovers, app_on) -> None:
    with tui_database.session() as session:
        with_tasks = set(session.scalars(select(Task.person_id)))
        without = session.scalar(select(Person.id).where(Person.id.not_in(with_tasks))
                                 .order_by(Person.id))
    assert without is not None
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        for person_id, offered in ((without, False), (handovers[2], True)):
            app.open_person(person_id)
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, PersonScreen) and screen.person_id == person_id
            # T is not in the footer (no room at 80 columns; the Tasks box's title names it),
            # but it is active only for a person with tasks.
            keys = {key for key, active in screen.active_bindings.items() if active.enabled}
            assert ("T" in keys) is offered, person_id
            if not offered:
                await pilot.press("T")  # nothing to show: the person stays on screen
                await settle(pilot)
                assert app.screen is screen
            await pilot.press("escape")
            await settle(pilot)

    drive(app, scenario)


def test_long_lists_page(tui_database, handovers, app_on, monkeypatch) -> None:
    monkeypatch.setattr("transition.screens.tasks.PAGE_SIZE", 10)
    app = app_on(tui_database)

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot)
        assert len(screen.rows) == 10
        assert "1-10 of 34 open tasks" in text_of(screen.query_one("#tasks-summary", Static))
        first_page = set(screen.rows)
        # A group's count is of the whole list; one that goes on past this page says how
        # many of its tasks are here.
        # The label, the count of the whole group, and (in the status column) how many of
        # its tasks are on this page.
        table = screen.query_one("#tasks-table", DataTable)
        headings = [[str(cell) for cell in table.get_row_at(index)]
                    for index in range(table.row_count)
                    if str(table.get_row_at(index)[0]) == "▼"]
        with tui_database.session() as session:
            everything = list_tasks(session, TaskQuery(open_only=True), as_of=screen.today())
        whole = {group.label: len(group.tasks) for group in group_tasks(everything.rows, "week")}
        here = {group.label: len(group.tasks) for group in screen.groups}
        assert headings and len(headings) == len(here)
        for _arrow, label, tasks, _owner, beside in headings:
            assert tasks == plural(whole[label], "task"), label
            assert beside.endswith(f"{here[label]} on this page") if whole[label] > here[label] \
                else "on this page" not in beside, label
        assert any(whole[label] > here[label] for label in here)  # the last group goes on
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert "11-20 of 34" in text_of(screen.query_one("#tasks-summary", Static))
        assert not first_page & set(screen.rows)
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert set(screen.rows) == first_page

    drive(app, scenario)


def test_b_shows_one_risk_band_at_a_time(tui_database, handovers, app_on) -> None:
    app = app_on(tui_database)
    with tui_database.session() as session:
        bands = dict(session.execute(select(Person.id, Person.risk_band)).all())

    async def scenario(pilot: Pilot[Any]) -> None:
        screen = await open_tasks(pilot)
        everyone = len(screen.rows)
        for band in ("red", "amber", "green"):
            await pilot.press("b")
            await settle(pilot)
            assert screen.band == band
            assert {bands[task.person_id] for task in screen.rows.values()} <= {band}
            summary = text_of(screen.query_one("#tasks-summary", Static))
            assert f"only the {band} band" in summary
        assert screen.rows  # the world has tasks in the green band at least
        await pilot.press("b")  # everyone again
        await settle(pilot)
        assert screen.band is None and len(screen.rows) == everyone
        await pilot.press("b", "escape")  # escape clears every filter, the band too
        await settle(pilot)
        assert screen.band is None and len(screen.rows) == everyone

    drive(app, scenario)
