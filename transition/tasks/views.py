"""What the tasks screen and the dashboard show: groups, progress, burndown, countdown.

Plain functions over sessions and task rows, so the screens only lay them out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlmodel import Session

from transition import nhs
from transition.handover import effective_handover_date
from transition.models import Person, Task, TaskStatus
from transition.programme import transfer_date
from transition.tasks.listing import (
    UNOWNED_LABEL,
    TaskQuery,
    TaskRow,
    overdue_condition,
    person_tasks,
    task_conditions,
)
from transition.tasks.owners import owner_gone, owners_leaving, staying_workers
from transition.tasks.status import OPEN_STATUSES
from transition.working_days import bank_holidays_between, working_days_between, working_days_in

GroupBy = Literal["week", "owner", "person"]
GROUP_BY: tuple[str, ...] = GroupBy.__args__  # type: ignore[attr-defined]
OVERDUE_GROUP = "overdue"


@dataclass
class TaskGroup:
    """Tasks sharing a due week, an owner or a person; overdue tasks first within it."""

    key: str
    label: str
    tasks: list[TaskRow] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        return sum(1 for task in self.tasks if task.overdue)

    @property
    def open(self) -> int:
        return sum(1 for task in self.tasks if task.is_open)


def week_start(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def group_tasks(rows: Iterable[TaskRow], by: str, *, in_order: bool = False) -> list[TaskGroup]:
    """Group task rows for the tasks screen, overdue first.

    ``week``: an "Overdue" group, then one group per week (Monday to Sunday) of due dates.
    ``owner`` and ``person``: groups with the most overdue tasks first, then by label. Within a
    group, overdue tasks come first, then by due date.

    ``in_order``: the rows are one page of a list already in that order (``list_tasks`` with
    ``grouped_by``), so the groups keep the order they come in: a page holding the end of one
    group would otherwise count only that end's overdue tasks and move it down the page.
    """
    if by not in GROUP_BY:
        raise ValueError(f"cannot group tasks by {by!r}; choose one of {', '.join(GROUP_BY)}")
    groups: dict[str, TaskGroup] = {}
    for row in rows:
        key, label = _group_of(row, by)
        groups.setdefault(key, TaskGroup(key, label)).tasks.append(row)
    for group in groups.values():
        group.tasks.sort(key=lambda task: (not task.overdue, task.due, task.nhs_number, task.key))
    if in_order:
        return list(groups.values())
    if by == "week":
        return sorted(groups.values(), key=lambda group: (group.key != OVERDUE_GROUP, group.key))
    return sorted(groups.values(), key=lambda group: (-group.overdue, group.label, group.key))


@dataclass(frozen=True)
class GroupTotal:
    """A group's size over the whole list, not one page of it."""

    tasks: int
    overdue: int


def group_totals(session: Session, query: TaskQuery, by: str, *, as_of: date,
                 only: Iterable[str] | None = None) -> dict[str, GroupTotal]:
    """Each group's size among all the tasks ``query`` matches (its page ignored), by the keys
    :func:`group_tasks` gives: the screen shows a page of a long list, and a group can go on
    over several pages. ``only``: just these groups' keys (a page's), so a list of 100,000
    people's tasks is not counted person by person to head one page."""
    if by not in GROUP_BY:
        raise ValueError(f"cannot group tasks by {by!r}; choose one of {', '.join(GROUP_BY)}")
    column = {"week": Task.due, "owner": Task.owner_staff_id, "person": Task.person_id}[by]
    late = overdue_condition(as_of)
    conditions = task_conditions(query, as_of)
    if only is not None:
        conditions.append(_among(by, set(only), late))
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for value, overdue, number in session.execute(
        select(column, late, func.count()).where(*conditions).group_by(column, late)
    ):
        overdue = bool(overdue)
        if by == "week":  # counted per due date here, gathered into weeks as group_tasks does
            key = OVERDUE_GROUP if overdue else week_start(value).isoformat()
        else:
            key = "" if value is None else str(value)
        totals[key][0] += number
        totals[key][1] += number if overdue else 0
    wanted = totals.keys() if only is None else set(only) & totals.keys()
    return {key: GroupTotal(*totals[key]) for key in wanted}


def _among(by: str, keys: set[str], late: ColumnElement[bool]) -> ColumnElement[bool]:
    """The tasks in the groups ``keys`` (as :func:`group_tasks` keys them)."""
    if by == "person":
        return Task.person_id.in_([int(key) for key in keys])  # type: ignore[attr-defined]
    if by == "owner":
        named = Task.owner_staff_id.in_(sorted(keys - {""}))  # type: ignore[union-attr]
        return or_(named, Task.owner_staff_id.is_(None)) if "" in keys else named  # type: ignore[union-attr]
    mondays = sorted(date.fromisoformat(key) for key in keys - {OVERDUE_GROUP})
    weeks = (and_(Task.due >= mondays[0], Task.due <= mondays[-1] + timedelta(days=6))
             if mondays else false())
    return or_(late, weeks) if OVERDUE_GROUP in keys else weeks


def _group_of(row: TaskRow, by: str) -> tuple[str, str]:
    if by == "week":
        if row.overdue:
            return OVERDUE_GROUP, "Overdue"
        monday = week_start(row.due)
        return monday.isoformat(), f"Week of {monday:%a} {monday.day} {monday:%b %Y}"
    if by == "owner":
        if row.owner_staff_id is None:
            return "", UNOWNED_LABEL
        name = row.owner_name or "not on the staff list"
        return row.owner_staff_id, f"{name} ({row.owner_staff_id})"
    return str(row.person_id), f"{row.person_name} ({nhs.format_334(row.nhs_number)})"


@dataclass(frozen=True)
class TaskProgress:
    """How far the handover tasks have got: done + open = total, and open = due + overdue."""

    as_of: date
    total: int  # tasks to be done (not counting not_needed)
    done: int
    due: int  # open and not yet overdue
    overdue: int  # open and due before as_of
    blocked: int  # open tasks that are blocked (counted in due or overdue too)
    not_needed: int

    @property
    def open(self) -> int:
        """Not done yet: overdue or not (every count that says "open" means this)."""
        return self.due + self.overdue

    @property
    def percent_done(self) -> float | None:
        """Done, as a percentage of the tasks to be done; None when there are none to do
        (none made yet, or every one not needed): no percentage, rather than 0 or 100."""
        return 100.0 * self.done / self.total if self.total else None

    @property
    def open_words(self) -> str:
        """'1,677 open, 3 of them overdue': `transition status` and `tasks progress`."""
        if not self.open:
            return "none open"
        return f"{self.open:,} open, " + (f"{self.overdue:,} of them overdue" if self.overdue
                                          else "none overdue")

    @property
    def percent_words(self) -> str:
        """'37%', or 'none to do' when there is no percentage."""
        return "none to do" if self.percent_done is None else f"{self.percent_done:.0f}%"

    def as_dict(self) -> dict[str, Any]:
        percent = self.percent_done
        return {
            "as_of": self.as_of.isoformat(), "total": self.total, "done": self.done,
            "open": self.open, "due": self.due, "overdue": self.overdue,
            "blocked": self.blocked, "not_needed": self.not_needed,
            "percent_done": None if percent is None else round(percent, 1),
        }


def task_progress(session: Session, *, as_of: date, query: TaskQuery = TaskQuery()) -> TaskProgress:
    """Counts of done, due and overdue tasks (optionally for one owner or person)."""
    late = Task.due < as_of
    statement = (
        select(Task.status, late, func.count())
        .where(*task_conditions(query, as_of))
        .group_by(Task.status, late)
    )
    counts: dict[str, int] = defaultdict(int)
    for status, is_late, count in session.execute(statement):
        if status in OPEN_STATUSES:
            counts["overdue" if is_late else "due"] += count
            if status == TaskStatus.BLOCKED:
                counts["blocked"] += count
        else:
            counts[status] += count
    done, due, overdue = counts[TaskStatus.DONE], counts["due"], counts["overdue"]
    return TaskProgress(
        as_of=as_of, total=done + due + overdue, done=done, due=due, overdue=overdue,
        blocked=counts["blocked"], not_needed=counts[TaskStatus.NOT_NEEDED],
    )


@dataclass(frozen=True)
class BurndownPoint:
    day: date
    open: int  # open tasks not due until after this day: the line if every deadline is met
    due: int  # open tasks falling due on this day (on the first day: and every overdue one)
    actual: int | None = None  # history: tasks open at the end of this day (days up to as_of)


@dataclass
class Burndown:
    """Open tasks per working day from ``as_of`` to the transfer date."""

    as_of: date
    end: date
    open_now: int
    overdue_now: int
    after_end: int  # open tasks due after the last day (first contacts, Care Act reviews)
    points: list[BurndownPoint]
    history: list[BurndownPoint] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def point(item: BurndownPoint) -> dict[str, Any]:
            return {"day": item.day.isoformat(), "open": item.open, "due": item.due,
                    "actual": item.actual}

        return {
            "as_of": self.as_of.isoformat(), "end": self.end.isoformat(),
            "open_now": self.open_now, "overdue_now": self.overdue_now,
            "after_end": self.after_end, "points": [point(item) for item in self.points],
            "history": [point(item) for item in self.history],
        }


def burndown(
    session: Session,
    *,
    as_of: date,
    transfer_date: date | None,
    since: date | None = None,
    query: TaskQuery = TaskQuery(),
) -> Burndown:
    """The burndown of open tasks, one point per working day from ``as_of`` to the transfer date.

    Each point's ``open`` is how many of today's open tasks are due after that day: the line the
    team follows if every task is done on its due date. The first point's ``due`` includes every
    overdue task. With ``since``, ``history`` adds one point per working day from ``since`` to
    ``as_of`` with the tasks actually open at the end of that day (from when tasks were created
    and completed, in UTC days; tasks now not needed are left out).
    Without a transfer date the line runs to the last due date.
    """
    conditions = task_conditions(query, as_of)
    by_due: dict[date, int] = {
        due: count
        for due, count in session.execute(
            select(Task.due, func.count())
            .where(Task.status.in_(OPEN_STATUSES), *conditions)  # type: ignore[attr-defined]
            .group_by(Task.due)
        )
    }
    open_now = sum(by_due.values())
    overdue_now = sum(count for due, count in by_due.items() if due < as_of)
    end = transfer_date or max(by_due, default=as_of)
    days = working_days_in(as_of, end) if end >= as_of else []
    points = []
    for index, day in enumerate(days):
        after = sum(count for due, count in by_due.items() if due > day)
        previous = days[index - 1] if index else None
        falling_due = sum(
            count for due, count in by_due.items()
            if due <= day and (previous is None or due > previous)
        )
        points.append(BurndownPoint(day=day, open=after, due=falling_due))
    after_end = sum(count for due, count in by_due.items() if due > end)
    history = _history(session, since, as_of, conditions) if since is not None else []
    return Burndown(as_of=as_of, end=end, open_now=open_now, overdue_now=overdue_now,
                    after_end=after_end, points=points, history=history)


def _history(
    session: Session, since: date, as_of: date, conditions: list[Any]
) -> list[BurndownPoint]:
    def per_day(column: Any, *where: Any) -> dict[date, int]:
        day = func.date(column)
        rows = session.execute(select(day, func.count()).where(*where, *conditions).group_by(day))
        return {date.fromisoformat(str(value)[:10]): count for value, count in rows if value}

    created = per_day(Task.created_at, Task.status != TaskStatus.NOT_NEEDED)
    completed = per_day(Task.completed_at, Task.status == TaskStatus.DONE)
    days = working_days_in(since, as_of)
    changes = sorted({*created, *completed})
    net = (created.get(day, 0) - completed.get(day, 0) for day in changes)
    running = dict(zip(changes, accumulate(net), strict=True))
    history = []
    for day in days:
        upto = [d for d in changes if d <= day]
        history.append(BurndownPoint(day=day, open=0, due=0,
                                     actual=running[upto[-1]] if upto else 0))
    return history


@dataclass(frozen=True)
class Countdown:
    """Working days from ``as_of`` to the transfer date (negative once it has passed)."""

    transfer_date: date | None
    as_of: date
    working_days: int | None
    calendar_days: int | None
    bank_holidays: dict[date, str]  # bank holidays still to come before the date

    @property
    def label(self) -> str:
        if self.transfer_date is None or self.working_days is None:
            return "No transfer date set"
        days = self.working_days
        if self.transfer_date == self.as_of:
            return "Transfer day"
        if self.transfer_date > self.as_of:
            return f"{days} working day{'s' if days != 1 else ''} to go"
        return f"{-days} working day{'s' if days != -1 else ''} since the transfer date"

    @property
    def calendar_words(self) -> str:
        """The calendar days in words: "132 days" to go, "2,515 days ago" after it, "" on it."""
        if self.calendar_days is None or self.calendar_days == 0:
            return ""
        days = abs(self.calendar_days)
        said = f"{days:,} day{'s' if days != 1 else ''}"
        return said if self.calendar_days > 0 else f"{said} ago"

    def as_dict(self) -> dict[str, Any]:
        return {
            "transfer_date": self.transfer_date.isoformat() if self.transfer_date else None,
            "as_of": self.as_of.isoformat(), "working_days": self.working_days,
            "calendar_days": self.calendar_days, "label": self.label,
            "bank_holidays": {day.isoformat(): name for day, name in self.bank_holidays.items()},
        }


def transfer_countdown(transfer_date: date | None, *, as_of: date) -> Countdown:
    """The dashboard's countdown to the transfer date, in working days."""
    if transfer_date is None:
        return Countdown(None, as_of, None, None, {})
    holidays_ahead = (
        bank_holidays_between(as_of + timedelta(days=1), transfer_date)
        if transfer_date > as_of else {}
    )
    return Countdown(
        transfer_date=transfer_date,
        as_of=as_of,
        working_days=working_days_between(as_of, transfer_date),
        calendar_days=(transfer_date - as_of).days,
        bank_holidays=holidays_ahead,
    )


def handover_section(session: Session, person: Person, *, as_of: date) -> dict[str, Any]:
    """The person's handover date and tasks, for ``transition person NHS --json``."""
    assert person.id is not None
    programme_date = transfer_date(session)
    effective = effective_handover_date(person, programme_date)
    staying = staying_workers(session, [person.id])
    rows = person_tasks(session, person.id, as_of=as_of)
    leaving = owners_leaving(session, (row.owner_staff_id for row in rows))
    return {
        "handover_date": effective.isoformat() if effective else None,
        "handover_date_is_own": person.handover_date is not None,
        "tasks": [{**row.as_json(staying), "owner_gone": owner_gone(
                       leaving, row.owner_staff_id, due=row.due, today=as_of,
                       is_open=row.is_open)}
                  for row in rows],
    }
