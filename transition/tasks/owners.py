"""Who owns a handover task, in a manager's words: the current worker, the new worker or the
team manager.

A task's ``owner_kind`` is its template's: ``outgoing`` (the trust's named care coordinator),
``incoming`` (the worker from the accepted allocation) or ``manager``. Shown as they are, a
worker who stays with the person (the coordinator carrying on through the change and holding
one of their roles after it: an ``assess`` person who keeps their worker, a joint person's kept
role) read as leaving on some of the person's tasks and arriving on others. Here they are the
*current worker, stays* on all of them. Every list, detail and command says an owner with
these words; the stored kinds and the JSON keys stay as they are.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlmodel import Session

from transition.allocation import coordinator_continues_sql
from transition.models import Assignment, Person, Staff, TaskOwner
from transition.programme import transfer_date
from transition.tasks.stored import plain_rows

CURRENT_WORKER = "current worker"
NEW_WORKER = "new worker"
TEAM_MANAGER = "team manager"
STAYS = "current worker, stays"

OWNER_WORDS = {
    TaskOwner.OUTGOING.value: CURRENT_WORKER,
    TaskOwner.INCOMING.value: NEW_WORKER,
    TaskOwner.MANAGER.value: TEAM_MANAGER,
}
"""An owner kind as a manager says it (the rules file's ``owner`` values, too)."""

_BY_ID = 5000  # people asked about at a time
_EVERYONE = 20_000  # more people than this: read everyone's rather than by id


def staying_workers(
    session: Session, person_ids: Collection[int] | None = None
) -> frozenset[tuple[int, str]]:
    """(person id, staff id) of each worker who stays with one of these people (None:
    everyone): the trust's care coordinator carrying on through the change
    (:func:`~transition.allocation.coordinator_continues`) who holds one of their roles now.

    A coordinator whose allocation ended before the handover date and who is given the role
    again is returning, not staying: their tasks are a new worker's."""
    statement = (
        select(Assignment.person_id, Assignment.staff_id)
        .join(Person, Person.id == Assignment.person_id)
        .where(
            Assignment.ended_at.is_(None),  # type: ignore[union-attr]
            coordinator_continues_sql(Assignment.staff_id, transfer_date(session)),
        )
    )
    if person_ids is None or len(person_ids) > _EVERYONE:
        wanted = None if person_ids is None else set(person_ids)
        return frozenset(
            (person_id, staff_id)
            for person_id, staff_id in plain_rows(session, statement)
            if wanted is None or person_id in wanted
        )
    ids = sorted(person_ids)
    person_id_column: Any = Assignment.person_id
    return frozenset(
        (person_id, staff_id)
        for start in range(0, len(ids), _BY_ID)
        for person_id, staff_id in plain_rows(
            session, statement.where(person_id_column.in_(ids[start : start + _BY_ID]))
        )
    )


def owner_role(owner_kind: str, owner_staff_id: str | None, *, stays: bool) -> str:
    """The owner's part in the handover: 'current worker', 'current worker, stays', 'new
    worker', 'team manager', or, for a worker's task no one is named for (the team manager
    holds it), 'in place of the current worker' ('... of the new worker')."""
    words = OWNER_WORDS.get(owner_kind, owner_kind)
    if owner_kind == TaskOwner.MANAGER.value:
        return words
    if owner_staff_id is None:
        return f"in place of the {words}"
    return STAYS if stays else words


def owner_label(
    owner_name: str | None,
    owner_kind: str,
    owner_staff_id: str | None,
    *,
    stays: bool,
    gone: str | None = None,
) -> str:
    """Who owns a task and their part, on one line: 'Jo Worker (new worker)', 'Team manager',
    'Team manager (in place of the current worker)', 'SW9, not on the staff list (current
    worker, stays)'; with ``gone`` (:func:`owner_gone`), 'Jo Worker (new worker, left 12 Mar
    2027)'."""
    if owner_kind == TaskOwner.MANAGER.value:
        return "Team manager"
    role = owner_role(owner_kind, owner_staff_id, stays=stays)
    if owner_staff_id is None:
        return f"Team manager ({role})"
    name = owner_name or f"{owner_staff_id}, not on the staff list"
    return f"{name} ({role}{', ' + gone if gone else ''})"


def owners_leaving(session: Session, staff_ids: Iterable[str | None]) -> dict[str, date | None]:
    """Staff id -> the day the staff list says each of these workers leaves, for those it says
    are gone or going (None: the latest staff list no longer names them)."""
    ids = sorted({staff_id for staff_id in staff_ids if staff_id})
    found: dict[str, date | None] = {}
    for start in range(0, len(ids), _BY_ID):
        for staff_id, leaving, missing in session.execute(
            select(Staff.staff_id, Staff.leaving_date, Staff.missing_since_batch_id).where(
                Staff.staff_id.in_(ids[start : start + _BY_ID]),  # type: ignore[attr-defined]
                or_(
                    Staff.leaving_date.is_not(None),  # type: ignore[union-attr]
                    Staff.missing_since_batch_id.is_not(None),  # type: ignore[union-attr]
                ),
            )
        ):
            found[staff_id] = None if missing is not None else leaving
    return found


def owner_gone(
    leaving: Mapping[str, date | None],
    owner_staff_id: str | None,
    *,
    due: date,
    today: date,
    is_open: bool = True,
) -> str | None:
    """Why an open task's owner will not do it, in a few words, or None: 'left 12 Mar 2027'
    (gone by ``today``), 'leaves 12 Mar 2027' (by the task's ``due`` date), 'not on the latest
    staff list'. ``leaving``: :func:`owners_leaving`. Until ``transition tasks generate`` or a
    re-plan moves it, a list says so rather than show the task as theirs."""
    if not is_open or owner_staff_id is None or owner_staff_id not in leaving:
        return None
    day = leaving[owner_staff_id]
    if day is None:
        return "not on the latest staff list"
    if day <= today:
        return f"left {day.day} {day:%b %Y}"
    if day <= due:
        return f"leaves {day.day} {day:%b %Y}"
    return None
