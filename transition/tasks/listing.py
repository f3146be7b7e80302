"""Finding tasks: filtered and ordered in SQL (overdue first, then by due date)."""

from __future__ import annotations

import json
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, String, and_, case, func, select, type_coerce
from sqlalchemy.orm import aliased
from sqlmodel import Session

from transition.bulk import Memo
from transition.models import Person, Staff, Task
from transition.tasks.status import OPEN_STATUSES, parse_status
from transition.tasks.stored import StoredValues, gc_paused, plain_rows, raw


@dataclass(frozen=True)
class TaskQuery:
    """Which tasks to list. Every filter given must hold."""

    overdue_only: bool = False
    open_only: bool = False
    owner_staff_id: str | None = None
    unowned_only: bool = False  # no staff owner: the team manager holds them
    person_id: int | None = None
    statuses: Sequence[str] = ()
    keys: Sequence[str] = ()
    risk_band: str | None = None  # only the tasks of people in this handover-risk band
    due_from: date | None = None
    due_to: date | None = None
    # "owner" or "person": list each owner's (person's) tasks together, the groups with the
    # most overdue tasks first, so a page of a long list holds whole groups where it can.
    # Otherwise (None or "week") in due order, which keeps each due week together.
    grouped_by: str | None = None
    offset: int = 0
    limit: int | None = None


class TaskRow(NamedTuple):
    """One task with what a list needs to show it (a named tuple: lists can be long)."""

    id: int
    person_id: int
    nhs_number: str
    person_name: str
    key: str
    title: str
    owner_kind: str
    owner_staff_id: str | None
    owner_name: str | None
    due: date
    offset_working_days: int
    handover_date: date
    status: str
    blocked_reason: str | None
    note: str | None
    depends_on: list[str]
    overdue: bool
    version: int
    updated_at: datetime | None
    updated_by: str | None
    completed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def as_json(self, staying: Container[tuple[int, str]] = ()) -> dict[str, Any]:
        """The task as ``transition tasks list --json`` prints it. ``staying``: the workers who
        stay with the rows' people (:func:`~transition.tasks.owners.staying_workers`), for
        ``owner_stays``: the owner is the person's current worker and stays with them (without
        it, no owner is said to stay)."""
        return {
            "id": self.id,
            "nhs_number": self.nhs_number,
            "person_name": self.person_name,
            "key": self.key,
            "title": self.title,
            "owner": self.owner_kind,
            "owner_staff_id": self.owner_staff_id,
            "owner_name": self.owner_name,
            "owner_stays": (self.person_id, self.owner_staff_id) in staying,
            "due": self.due.isoformat(),
            "offset_working_days": self.offset_working_days,
            "handover_date": self.handover_date.isoformat(),
            "status": self.status,
            "reason": self.blocked_reason,
            "note": self.note,
            "depends_on": list(self.depends_on),
            "overdue": self.overdue,
            "version": self.version,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
            "updated_by": self.updated_by,
            "completed_at": self.completed_at.isoformat() if self.completed_at else None,
        }


@dataclass
class TaskPage:
    rows: list[TaskRow]
    total: int
    offset: int = 0
    limit: int | None = None
    overdue_total: int = 0
    filters: dict[str, Any] = field(default_factory=dict)


def is_overdue(status: str, due: date, as_of: date) -> bool:
    """Not done or not needed, and due before ``as_of``."""
    return status in OPEN_STATUSES and due < as_of


def overdue_condition(as_of: date) -> ColumnElement[bool]:
    return and_(Task.status.in_(OPEN_STATUSES), Task.due < as_of)  # type: ignore[attr-defined]


def task_conditions(query: TaskQuery, as_of: date) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.overdue_only:
        conditions.append(overdue_condition(as_of))
    if query.open_only:
        conditions.append(Task.status.in_(OPEN_STATUSES))  # type: ignore[attr-defined]
    if query.owner_staff_id:
        conditions.append(Task.owner_staff_id == query.owner_staff_id)
    if query.unowned_only:
        conditions.append(Task.owner_staff_id.is_(None))  # type: ignore[union-attr]
    if query.person_id is not None:
        conditions.append(Task.person_id == query.person_id)
    if query.statuses:
        names = [parse_status(status).value for status in query.statuses]
        conditions.append(Task.status.in_(names))  # type: ignore[attr-defined]
    if query.keys:
        conditions.append(Task.key.in_(list(query.keys)))  # type: ignore[attr-defined]
    if query.risk_band:
        conditions.append(Task.person_id.in_(  # type: ignore[attr-defined]
            select(Person.id).where(Person.risk_band == query.risk_band)))
    if query.due_from:
        conditions.append(Task.due >= query.due_from)
    if query.due_to:
        conditions.append(Task.due <= query.due_to)
    return conditions


_OWNER = aliased(Staff)

UNOWNED_LABEL = "Team manager (no named worker)"
"""The owner group of tasks with no named worker."""


def list_tasks(session: Session, query: TaskQuery = TaskQuery(), *, as_of: date) -> TaskPage:
    """Tasks matching ``query``: overdue first, then by due date, person and key (within each
    owner's or person's group, with ``query.grouped_by``)."""
    conditions = task_conditions(query, as_of)
    overdue_first = case((overdue_condition(as_of), 0), else_=1)
    group_order: list[Any] = []
    statement = (
        select(
            Task.id, Task.person_id, Person.nhs_number,
            Person.given_name + " " + Person.family_name,
            Task.key, Task.title, Task.owner_kind, Task.owner_staff_id,
            _OWNER.given_name + " " + _OWNER.family_name,  # NULL when there is no owner
            raw(Task.due), Task.offset_working_days,
            raw(Task.handover_date), Task.status, Task.blocked_reason, Task.note,
            raw(Task.depends_on), Task.version, raw(Task.updated_at), Task.updated_by,
            raw(Task.completed_at),
        )
        .join(Person, Person.id == Task.person_id)
        .outerjoin(_OWNER, _OWNER.staff_id == Task.owner_staff_id)
        .where(*conditions)
    )
    if query.grouped_by in ("owner", "person"):
        statement, group_order = _grouped(statement, query.grouped_by, conditions, as_of)
    statement = statement.order_by(*group_order, overdue_first, Task.due, Person.nhs_number,
                                   Task.key, Task.id)
    if query.offset:
        statement = statement.offset(query.offset)
    if query.limit is not None:
        statement = statement.limit(query.limit)
    if (not query.offset and query.limit is None and not group_order
            and _sqlite_with_json(session)):
        rows = _sorted_here(session, conditions, as_of)
    else:
        rows = _task_rows(session, statement, as_of)
    if query.offset or query.limit is not None:
        total = session.scalar(select(func.count()).select_from(Task).where(*conditions)) or 0
        overdue_total = session.scalar(
            select(func.count()).select_from(Task).where(*conditions, overdue_condition(as_of))
        ) or 0
    else:  # every match is here: count them rather than asking again
        total = len(rows)
        overdue_total = sum(map(attrgetter("overdue"), rows))
    return TaskPage(rows=rows, total=total, offset=query.offset, limit=query.limit,
                    overdue_total=overdue_total)


def _task_rows(session: Session, statement: Any, as_of: date) -> list[TaskRow]:
    """The rows of ``statement`` (list_tasks' columns) as TaskRows.

    Built in one comprehension, each stored date, time and dependency list converted once per
    distinct value: at 460,000 tasks a function call and a named-tuple call per row were most
    of the time. On SQLite the driver's own tuples are used (nothing in these columns needs
    SQLAlchemy's result processing); elsewhere SQLAlchemy's rows.
    """
    stored = StoredValues()
    result = session.connection().execute(statement)
    if session.get_bind().dialect.name != "sqlite":
        return [_row(values, as_of, stored) for values in result.all()]
    dates, times, lists = Memo(stored.date), Memo(stored.time), Memo(stored.list)
    new, open_statuses = tuple.__new__, frozenset(OPEN_STATUSES)
    with gc_paused():
        values = result.cursor.fetchall()
        result.close()
        return [
            new(TaskRow, (
                row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8],
                (due := dates[row[9]]), row[10], dates[row[11]], row[12], row[13], row[14],
                lists[row[15]], row[12] in open_statuses and due < as_of, row[16],
                times[row[17]], row[18], times[row[19]],
            ))
            for row in values
        ]


# A whole list's columns (SQLite): those most tasks share (made from the same templates for
# the same facts) as one JSON array, the task's "shape", read and converted once per distinct
# array; then the rest, mostly distinct or NULL.
_SHAPE = (Task.key, Task.title, Task.owner_kind, Task.due, Task.offset_working_days,
          Task.handover_date, Task.status, Task.depends_on, Task.updated_by)
_TASK_COLUMNS = (
    Task.id, Task.person_id, Task.owner_staff_id, Task.blocked_reason, Task.note, Task.version,
    raw(Task.updated_at), raw(Task.completed_at),
    type_coerce(func.json_array(*_SHAPE), String).label("shape"),
)
_ALL_PEOPLE = 20_000  # more people than this in a list: read them all rather than by id


def _grouped(statement: Select[Any], by: str, conditions: list[ColumnElement[bool]],
             as_of: date) -> tuple[Select[Any], list[Any]]:
    """``statement`` joined to each group's overdue count, and the order that keeps each group
    together: most overdue first, then the group's label (the owner's name and staff id, or
    the person's name and NHS number), then its key."""
    column: Any = Task.owner_staff_id if by == "owner" else Task.person_id
    late = (
        select(column.label("group_key"),
               func.sum(case((overdue_condition(as_of), 1), else_=0)).label("late"))
        .where(*conditions)
        .group_by(column)
        .subquery()
    )
    statement = statement.join(late, late.c.group_key.is_not_distinct_from(column))
    if by == "owner":
        name = func.coalesce(_OWNER.given_name + " " + _OWNER.family_name,
                             "not on the staff list")
        label = case((Task.owner_staff_id.is_(None), UNOWNED_LABEL),  # type: ignore[union-attr]
                     else_=name + " (" + Task.owner_staff_id + ")")
        return statement, [late.c.late.desc(), label, Task.owner_staff_id]
    label = Person.given_name + " " + Person.family_name
    return statement, [late.c.late.desc(), label, Person.nhs_number, Task.person_id]


def _sorted_here(session: Session, conditions: list[ColumnElement[bool]], as_of: date
                 ) -> list[TaskRow]:
    """Every matching task, in list_tasks' order, the joins and the sort done here (SQLite).

    For a whole list (hundreds of thousands of tasks) reading the tasks alone and sorting them
    in Python is quicker than SQLite's join and sort, whose rows carry every column. The order
    is the same: SQLite compares text byte by byte in UTF-8, which is code point order, as
    Python does, and dates compare as their stored text (ISO) does.

    Most of a task's columns come as its shape (``_TASK_COLUMNS``): a few dozen distinct ones
    at 460,000 tasks, so the rows share their values rather than each holding its own: a
    third of the time to read, build and later free them.
    """
    stored = StoredValues()
    new, open_statuses = tuple.__new__, frozenset(OPEN_STATUSES)

    def converted(shape: str) -> tuple[Any, ...]:
        (key, title, owner_kind, stored_due, offset, handover_date, status, depends_on,
         updated_by) = json.loads(shape)
        due = stored.date(stored_due)
        return (key, title, owner_kind, due, offset, stored.date(handover_date), status,
                stored.list(depends_on), status in open_statuses and due < as_of, updated_by)

    shapes, times = Memo(converted), Memo(stored.time)
    with gc_paused():
        tasks = plain_rows(session, select(*_TASK_COLUMNS).where(*conditions))
        people = _people(session, set(map(itemgetter(1), tasks)))
        owners = _owner_names(session, set(map(itemgetter(2), tasks)) - {None})
        if any(row[1] not in people for row in tasks):  # an inner join in SQL
            tasks = [row for row in tasks if row[1] in people]
        rows: list[TaskRow] = []
        # A batch at a time from the end, each batch's tuples freed as soon as it is built:
        # their memory then takes the rows (half the time of building them all first).
        while tasks:
            batch = tasks[-_BATCH:]
            del tasks[-_BATCH:]
            rows += [
                new(TaskRow, (
                    task_id, person_id, (person := people[person_id])[1], person[2],
                    (shape := shapes[stored_shape])[0], shape[1], shape[2], staff_id,
                    owners.get(staff_id), shape[3], shape[4], shape[5], shape[6], reason, note,
                    shape[7], shape[8], version, times[updated_at], shape[9],
                    times[completed_at],
                ))
                for (task_id, person_id, staff_id, reason, note, version, updated_at,
                     completed_at, stored_shape) in batch
            ]
        rows.sort(key=_list_order(rows, people))
    return rows


_BATCH = 5000


def _sqlite_with_json(session: Session) -> bool:
    """Whether this is SQLite with its JSON functions (built in since 3.38; before, an option)."""
    dialect = session.get_bind().dialect
    return dialect.name == "sqlite" and _json_functions(dialect.dbapi)


@cache
def _json_functions(driver: Any) -> bool:
    """Whether the SQLite library behind ``driver`` (the DB-API module) has json_array."""
    connection = driver.connect(":memory:")
    try:
        connection.execute("SELECT json_array(1)")
    except driver.OperationalError:  # "no such function": the whole list is sorted in SQL
        return False
    finally:
        connection.close()
    return True


def _list_order(rows: list[TaskRow], people: dict[int, tuple[int, str, str]]
                ) -> Callable[[TaskRow], int]:
    """list_tasks' order as one integer per task, for ``list.sort``.

    Overdue first, then due date, NHS number, key and id: each part is replaced by its rank
    among the values present and the ranks are the digits of one number (of mixed base), which
    compares as the tuple of parts does. Sorting by one integer is several times quicker than
    by a tuple. ``people`` are in NHS number order.
    """
    dues = sorted(set(map(attrgetter("due"), rows)))
    not_overdue = len(dues)  # not overdue: ranked after every overdue date
    due_rank = {due: rank for rank, due in enumerate(dues)}
    nhs_rank = {person_id: rank for rank, person_id in enumerate(people)}
    key_rank = {key: rank for rank, key in enumerate(sorted(set(map(attrgetter("key"), rows))))}
    people_span, key_span = len(nhs_rank), len(key_rank)
    id_span = 1 + max(map(attrgetter("id"), rows), default=0)

    def order(row: TaskRow) -> int:
        overdue_and_due = (not row[16]) * not_overdue + due_rank[row[9]]  # overdue, due
        return ((overdue_and_due * people_span + nhs_rank[row[1]]) * key_span  # person_id
                + key_rank[row[4]]) * id_span + row[0]  # key, id

    return order


def _people(session: Session, wanted: set[int]) -> dict[int, tuple[int, str, str]]:
    """(id, NHS number, "given family") by id for the people wanted, in NHS number order."""
    statement = select(Person.id, Person.nhs_number,
                       Person.given_name + " " + Person.family_name)
    if len(wanted) > _ALL_PEOPLE:
        found = plain_rows(session, statement.order_by(Person.nhs_number))
    else:
        found = sorted(_by_id(session, statement, Person.id, wanted), key=itemgetter(1))
    return {row[0]: row for row in found}  # type: ignore[misc]


def _owner_names(session: Session, wanted: set[str]) -> dict[str, str]:
    """Workers' "given family" names by staff id, for the workers wanted."""
    statement = select(Staff.staff_id, Staff.given_name + " " + Staff.family_name)
    found = (plain_rows(session, statement) if len(wanted) > _ALL_PEOPLE
             else _by_id(session, statement, Staff.staff_id, wanted))
    return {row[0]: row[1] for row in found}


def _by_id(session: Session, statement: Any, key: Any, wanted: set[Any]) -> list[Any]:
    """The rows of ``statement`` whose ``key`` is one of those wanted (a few thousand a time)."""
    keys = sorted(wanted)
    return [row for start in range(0, len(keys), 5000)
            for row in plain_rows(session, statement.where(key.in_(keys[start:start + 5000])))]




def _row(values: Any, as_of: date, stored: StoredValues) -> TaskRow:
    (task_id, person_id, nhs_number, person_name, key, title, owner_kind, owner_staff_id,
     owner_name, due, offset, handover_date, status, reason, note, depends_on, version,
     updated_at, updated_by, completed_at) = values
    due = stored.date(due)
    return TaskRow(
        task_id, person_id, nhs_number, person_name, key, title, owner_kind, owner_staff_id,
        owner_name, due, offset, stored.date(handover_date), status, reason, note,
        stored.list(depends_on), status in OPEN_STATUSES and due < as_of, version,
        stored.time(updated_at), updated_by, stored.time(completed_at),
    )


def person_tasks(session: Session, person_id: int, *, as_of: date) -> list[TaskRow]:
    """One person's tasks, overdue first then by due date."""
    return list_tasks(session, TaskQuery(person_id=person_id), as_of=as_of).rows
