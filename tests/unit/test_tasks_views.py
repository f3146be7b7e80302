from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlmodel import Session

from tests import task_world
from tests.task_world import ACTOR, DUE, TRANSFER
from transition.db import Database
from transition.models import Person, Task
from transition.people import person_detail
from transition.ruleset import load_rules
from transition.tasks import (
    TaskQuery,
    burndown,
    generate_tasks,
    group_tasks,
    list_tasks,
    set_task_status,
    task_progress,
    transfer_countdown,
)
from transition.tasks.views import GroupTotal, group_totals

# The Monday after the letters fell due (Tuesday 16 March 2027) and before the rest.
AS_OF = date(2027, 3, 22)


def build(session: Session) -> dict[str, int]:
    ids = task_world.build(session)
    generate_tasks(session, load_rules(), as_of=AS_OF, actor=ACTOR, transfer_date=TRANSFER)
    return ids


def done(session: Session, person_id: int, key: str) -> None:
    found = session.scalar(select(Task.id).where(Task.person_id == person_id, Task.key == key))
    assert found is not None
    set_task_status(session, found, "done", actor=ACTOR)


def test_overdue_depends_on_as_of_and_comes_first(database: Database) -> None:
    with database.transaction() as session:
        ids = build(session)
        done(session, ids["council"], "letter_gp")
    with database.session() as session:
        early = list_tasks(session, as_of=DUE[-10])  # the letters' due date: nothing late yet
        page = list_tasks(session, as_of=AS_OF)
        overdue = list_tasks(session, TaskQuery(overdue_only=True), as_of=AS_OF)
    assert early.overdue_total == 0
    letters = {"letter_person", "letter_gp", "letter_carer", "accessible_communication"}
    assert {row.key for row in overdue.rows} == letters
    assert all(row.due == DUE[-10] and row.overdue for row in overdue.rows)
    assert page.overdue_total == overdue.total == len(overdue.rows)
    # Overdue first; the done letter is not overdue and sorts by its date after them.
    flags = [row.overdue for row in page.rows]
    assert flags == sorted(flags, reverse=True)
    later = [row.due for row in page.rows if not row.overdue]
    assert later == sorted(later)
    done_letter = next(
        row for row in page.rows if row.person_id == ids["council"] and row.key == "letter_gp"
    )
    assert done_letter.status == "done" and not done_letter.overdue


def test_filters_by_owner_person_status_and_key(database: Database) -> None:
    with database.transaction() as session:
        ids = build(session)
    with database.session() as session:
        kw1 = list_tasks(session, TaskQuery(owner_staff_id="KW1"), as_of=AS_OF).rows
        unowned = list_tasks(session, TaskQuery(unowned_only=True), as_of=AS_OF).rows
        red = list_tasks(session, TaskQuery(person_id=ids["red"]), as_of=AS_OF).rows
        visits = list_tasks(session, TaskQuery(keys=["joint_visit"]), as_of=AS_OF).rows
        todo = list_tasks(session, TaskQuery(statuses=["TODO"], limit=3), as_of=AS_OF)
    assert kw1 and {row.owner_staff_id for row in kw1} == {"KW1"}
    assert {row.owner_name for row in kw1} == {"Jo WorkerKW1"}
    assert {row.person_id for row in unowned} == {ids["signpost"], ids["unknown_out"]}
    assert {row.person_id for row in red} == {ids["red"]}
    assert [row.person_id for row in visits] == [ids["red"]]
    assert len(todo.rows) == 3 and todo.total > 3


def test_json_shape_of_a_task(database: Database) -> None:
    with database.transaction() as session:
        ids = build(session)
    with database.session() as session:
        row = list_tasks(session, TaskQuery(person_id=ids["red"], keys=["first_contact"]),
                         as_of=AS_OF).rows[0]
    data = row.as_json()
    assert {"id", "nhs_number", "key", "title", "owner_staff_id", "due", "offset_working_days",
            "handover_date", "status", "overdue"} <= set(data)
    # 48 hours after Thursday 1 April is Saturday: brought back to Friday, 1 working day on.
    assert (data["due"], data["offset_working_days"], data["handover_date"]) == (
        "2027-04-02", 1, "2027-04-01")
    assert data["depends_on"] == ["records_transferred"]
    assert data["overdue"] is False


def test_groups_by_week_owner_and_person_put_overdue_first(database: Database) -> None:
    with database.transaction() as session:
        ids = build(session)
    with database.session() as session:
        rows = list_tasks(session, as_of=AS_OF).rows
    weeks = group_tasks(rows, "week")
    assert weeks[0].label == "Overdue" and weeks[0].overdue == len(weeks[0].tasks) > 0
    assert [group.key for group in weeks[1:]] == sorted(group.key for group in weeks[1:])
    assert weeks[1].label == "Week of Mon 22 Mar 2027"
    assert sum(len(group.tasks) for group in weeks) == len(rows)

    owners = group_tasks(rows, "owner")
    assert owners[0].key == "OUT1"  # writes most of the (overdue) letters
    counts = [group.overdue for group in owners]
    assert counts == sorted(counts, reverse=True)
    manager = next(group for group in owners if group.key == "")
    assert manager.label == "Team manager (no named worker)"

    people = group_tasks(rows, "person")
    red = next(group for group in people if group.key == str(ids["red"]))
    assert red.tasks[0].overdue and "999 " in red.label
    assert [task.due for task in red.tasks[1:]] == sorted(task.due for task in red.tasks[1:])


@pytest.mark.parametrize("by", ["week", "owner", "person"])
def test_group_totals_count_the_whole_list_as_the_groups_do(database: Database, by: str) -> None:
    """A page shows part of some groups; their totals come from the database and must agree
    with grouping every matching task (filters applied, the page ignored)."""
    with database.transaction() as session:
        ids = build(session)
        done(session, ids["red"], "letter_gp")
    for query in (TaskQuery(), TaskQuery(open_only=True, offset=5, limit=7),
                  TaskQuery(overdue_only=True), TaskQuery(person_id=ids["red"], limit=2)):
        with database.session() as session:
            everything = list_tasks(session, replace(query, offset=0, limit=None),
                                    as_of=AS_OF).rows
            totals = group_totals(session, query, by, as_of=AS_OF)
        expected = {group.key: GroupTotal(len(group.tasks), group.overdue)
                    for group in group_tasks(everything, by)}
        assert totals == expected, query
        assert sum(total.tasks for total in totals.values()) == len(everything)
        # A page asks only for its own groups: every other one, alone and together.
        keys = sorted(expected)
        for some in ([key] for key in keys):
            with database.session() as session:
                assert group_totals(session, query, by, as_of=AS_OF, only=some) == {
                    key: expected[key] for key in some}, (query, some)
        with database.session() as session:
            assert group_totals(session, query, by, as_of=AS_OF, only=keys[::2]) == {
                key: expected[key] for key in keys[::2]}
            assert group_totals(session, query, by, as_of=AS_OF, only=[]) == {}
    assert any(total.overdue for total in expected.values()) or by != "week"


@pytest.mark.parametrize("by", ["owner", "person"])
def test_a_list_grouped_by_owner_or_person_keeps_each_group_together(
    database: Database, by: str
) -> None:
    """Paged, each group's tasks come together, most overdue groups first, so a page of a long
    list holds whole groups; the pages put together are the whole list."""
    with database.transaction() as session:
        build(session)
    with database.session() as session:
        rows = list_tasks(session, TaskQuery(grouped_by=by), as_of=AS_OF).rows
        pages = [list_tasks(session, TaskQuery(grouped_by=by, offset=start, limit=4),
                            as_of=AS_OF).rows for start in range(0, len(rows), 4)]
    assert [row.id for page in pages for row in page] == [row.id for row in rows]
    groups = group_tasks(rows, by, in_order=True)
    keys = [group.key for group in groups]
    assert len(keys) == len(set(keys)) > 1  # each group in one run
    overdue = [group.overdue for group in groups]
    assert overdue == sorted(overdue, reverse=True) and overdue[0] > 0
    assert {group.key: [task.id for task in group.tasks] for group in groups} == {
        group.key: [task.id for task in group.tasks] for group in group_tasks(rows, by)}
    for group in groups:  # within a group: overdue first, then by due date
        assert [task.id for task in group.tasks] == [
            task.id for task in rows if str(_key(task, by)) == group.key]
    if database.engine.dialect.name == "sqlite":  # labels compare as Python compares them
        assert keys == [group.key for group in group_tasks(rows, by)]


def _key(task: Any, by: str) -> str:
    if by == "owner":
        return task.owner_staff_id or ""
    return str(task.person_id)


def test_progress_counts_done_due_and_overdue(database: Database) -> None:
    with database.transaction() as session:
        ids = build(session)
        done(session, ids["council"], "letter_gp")
        done(session, ids["council"], "letter_person")
        set_task_status(session, session.scalar(select(Task.id).where(
            Task.person_id == ids["red"], Task.key == "joint_visit")),  # type: ignore[arg-type]
            "blocked", actor=ACTOR, reason="In hospital")
        set_task_status(session, session.scalar(select(Task.id).where(
            Task.person_id == ids["red"], Task.key == "cto_review")),  # type: ignore[arg-type]
            "not_needed", actor=ACTOR, reason="CTO discharged at the tribunal")
    with database.session() as session:
        total = session.scalar(select(func.count()).select_from(Task))
        progress = task_progress(session, as_of=AS_OF)
        mine = task_progress(session, as_of=AS_OF, query=TaskQuery(owner_staff_id="KW1"))
    assert (progress.done, progress.not_needed, progress.blocked) == (2, 1, 1)
    assert progress.total == (total or 0) - 1
    assert progress.done + progress.due + progress.overdue == progress.total
    # Letters fell due on 16 March: 13 of them (3 for the person with a carer, 2 for each of
    # the other five handovers; none for the assessed person, who keeps their worker), less the
    # two done.
    assert progress.overdue == 11
    assert mine.total == mine.due  # the key worker's tasks all fall due later
    assert progress.as_dict()["percent_done"] == round(100 * 2 / progress.total, 1)


def test_burndown_runs_to_the_transfer_date(database: Database) -> None:
    with database.transaction() as session:
        build(session)
    with database.session() as session:
        line = burndown(session, as_of=AS_OF, transfer_date=TRANSFER)
        total = task_progress(session, as_of=AS_OF).total
    days = [point.day for point in line.points]
    assert days[0] == AS_OF and days[-1] == TRANSFER
    assert date(2027, 3, 26) not in days and date(2027, 3, 29) not in days  # Easter
    assert line.open_now == total
    assert line.points[0].due == line.overdue_now  # nothing else falls due on 22 March
    assert [p.open for p in line.points] == sorted((p.open for p in line.points), reverse=True)
    assert line.points[-1].open == line.after_end  # first contacts and reviews come later
    assert sum(p.due for p in line.points) + line.after_end == line.open_now


def test_burndown_history_uses_when_tasks_were_created_and_done(database: Database) -> None:
    with database.transaction() as session:
        ids = build(session)
        done(session, ids["council"], "letter_gp")
        session.execute(update(Task).values(created_at=datetime(2027, 3, 15, 9, tzinfo=UTC)))
        session.execute(
            update(Task).where(Task.status == "done")
            .values(completed_at=datetime(2027, 3, 18, 14, tzinfo=UTC))
        )
    with database.session() as session:
        line = burndown(session, as_of=AS_OF, transfer_date=TRANSFER, since=date(2027, 3, 12))
        total = session.scalar(select(func.count()).select_from(Task))
    actual = {point.day: point.actual for point in line.history}
    assert actual[date(2027, 3, 12)] == 0
    assert actual[date(2027, 3, 15)] == total
    assert actual[date(2027, 3, 18)] == (total or 0) - 1
    assert actual[AS_OF] == (total or 0) - 1


def test_countdown_in_working_days() -> None:
    countdown = transfer_countdown(TRANSFER, as_of=AS_OF)
    # 23 March .. 1 April 2027 without Good Friday and Easter Monday.
    assert countdown.working_days == 6
    assert countdown.calendar_days == 10
    assert set(countdown.bank_holidays) == {date(2027, 3, 26), date(2027, 3, 29)}
    assert countdown.label == "6 working days to go"
    assert transfer_countdown(TRANSFER, as_of=TRANSFER).label == "Transfer day"
    assert transfer_countdown(TRANSFER, as_of=date(2027, 4, 6)).label == (
        "3 working days since the transfer date")
    assert transfer_countdown(None, as_of=AS_OF).label == "No transfer date set"


def test_person_detail_has_the_handover_date_and_tasks(database: Database) -> None:
    with database.transaction() as session:
        ids = build(session)
    with database.session() as session:
        person = session.get(Person, ids["red"])
        assert person is not None
        detail = person_detail(session, person, as_of=AS_OF)
        kept = person_detail(session, session.get(Person, ids["kept"]), as_of=AS_OF)  # type: ignore[arg-type]
    assert detail["handover_date"] == "2027-04-01" and detail["handover_date_is_own"] is False
    assert {task["key"] for task in detail["tasks"]} >= {"joint_visit", "first_contact"}
    assert detail["tasks"][0]["overdue"] is True
    assert kept["tasks"] == []
