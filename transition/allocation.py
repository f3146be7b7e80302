"""The current allocation: who holds each role for each person now.

The trust's export says who each person's care coordinator was (``Person.care_coordinator_id``).
Once a plan is accepted, or a manager assigns a worker, ``Assignment`` rows say who holds each
role (``social_worker``, ``key_worker``). This module is the one place that changes them: every
change ends the current row, adds a new one and writes the audit trail, in the caller's
transaction. Nothing here deletes a row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from transition.audit import Change, record_many
from transition.bulk import DirectInsert
from transition.errors import ConflictError
from transition.models import Assignment, Person, utcnow
from transition.programme import transfer_date


def coordinator_place_open(held: Mapping[str, str], coordinator: str | None,
                           needed: Iterable[str]) -> bool:
    """Before a plan decides a person's roles, whether the trust's care coordinator still holds
    them (one place on their caseload): no current assignment at all; or a role their pathway
    ``needed`` still has no one in, while the coordinator holds none of ``held`` (role -> staff
    id) themselves (then they are counted through that assignment). A manager's choice for one
    role of a joint person leaves the coordinator holding the other until the handover.
    :func:`coordinator_place_open_sql` is the same rule as SQL."""
    if not held:
        return True
    return coordinator not in held.values() and any(role not in held for role in needed)


def coordinator_place_open_sql(needed_by_pathway: Mapping[str, Sequence[str]]
                               ) -> ColumnElement[bool]:
    """:func:`coordinator_place_open` for ``Person`` rows (``needed_by_pathway``: the roles
    each pathway needs)."""
    current = and_(Assignment.person_id == Person.id,
                   Assignment.ended_at.is_(None))  # type: ignore[union-attr]
    assigned = (select(func.count()).select_from(Assignment).where(current)
                .scalar_subquery())
    needed = case(*((Person.pathway == pathway, len(roles))  # type: ignore[arg-type]
                    for pathway, roles in needed_by_pathway.items() if roles), else_=0)
    return or_(~exists().where(current),
               and_(assigned < needed,
                    ~exists().where(current,
                                    Assignment.staff_id == Person.care_coordinator_id)))


def coordinator_allocation_current(as_of: date) -> ColumnElement[bool]:
    """The export does not say the trust's care coordinator's allocation ended before
    ``as_of`` (``coordinator_until``, MHSDS EndDateAssCareCoord, is its last day): as SQL, for
    everything that reads who holds a person before a plan is accepted for them."""
    return or_(Person.coordinator_until.is_(None),  # type: ignore[union-attr]
               Person.coordinator_until >= as_of)  # type: ignore[operator]


def coordinator_continues(staff_id: str | None, coordinator_id: str | None,
                          coordinator_until: date | None, change_date: date | None) -> bool:
    """Whether ``staff_id`` is the trust's care coordinator carrying on through the change.

    That is the coordinator the export names, whose allocation (``coordinator_until`` is its
    last day) does not end before the person's change date: their handover date, else the
    programme's transfer date. A coordinator whose allocation ended first and whom a plan or
    a manager gives the role again is *returning*, not continuing: the person has had no one
    in between, so they get handover letters and tasks as for a new worker. With no change
    date, only an allocation with no end continues (as the letters read ``outgoing_ended``).
    Every reader of "does this person's worker change?" asks this, or its SQL twin
    :func:`coordinator_continues_sql`."""
    return (staff_id is not None
            and staff_id == continuing_coordinator(coordinator_id, coordinator_until, change_date))


def continuing_coordinator(coordinator_id: str | None, coordinator_until: date | None,
                           change_date: date | None) -> str | None:
    """The trust's care coordinator if they carry on through the change (see
    :func:`coordinator_continues`), else None: the handover's baseline."""
    if coordinator_until is None or (change_date is not None and coordinator_until >= change_date):
        return coordinator_id
    return None


def coordinator_continues_sql(staff: Any, transfer: date | None) -> ColumnElement[bool]:
    """:func:`coordinator_continues` as SQL for ``staff`` (a column, such as
    ``Assignment.staff_id``) against each ``Person`` row, ``transfer`` being the programme's
    transfer date. Never NULL, so that ``~`` of it is "the worker changes" in a WHERE."""
    change = (Person.handover_date if transfer is None
              else func.coalesce(Person.handover_date, transfer))
    return and_(staff == func.coalesce(Person.care_coordinator_id, ""),
                or_(Person.coordinator_until.is_(None),  # type: ignore[union-attr]
                    and_(change.is_not(None), Person.coordinator_until >= change)))  # type: ignore[operator, union-attr]


@dataclass(frozen=True, slots=True)
class NewAssignment:
    """A role to give to a worker (from an accepted plan or a manager's choice)."""

    person_id: int
    role: str
    staff_id: str
    since: date
    source: str = "plan"
    plan_id: int | None = None
    locked: bool = False
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class WorkerChange:
    """A person whose worker for ``role`` is not the trust's coordinator carrying on through
    the change (:func:`coordinator_continues`): someone new, or the coordinator returning
    after their allocation ended (then ``incoming_staff_id == outgoing_staff_id``)."""

    person_id: int
    role: str
    outgoing_staff_id: str | None
    incoming_staff_id: str
    since: date


def _chunks(values: Sequence[int], size: int = 5000) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def current_assignments(
    session: Session, person_ids: Iterable[int] | None = None
) -> dict[int, dict[str, Assignment]]:
    """person id -> role -> the current Assignment (rows not ended)."""
    result: dict[int, dict[str, Assignment]] = defaultdict(dict)
    base = select(Assignment).where(Assignment.ended_at.is_(None))  # type: ignore[union-attr]
    if person_ids is None:
        batches: Iterable[Sequence[int] | None] = [None]
    else:
        batches = _chunks(sorted(set(person_ids)))
    for batch in batches:
        statement = base if batch is None else base.where(Assignment.person_id.in_(batch))  # type: ignore[attr-defined]
        for assignment in session.scalars(statement):
            result[assignment.person_id][assignment.role] = assignment
    return dict(result)


def worker_changes(session: Session, person_ids: Iterable[int] | None = None) -> list[WorkerChange]:
    """Every current assignment whose worker is not the trust's coordinator carrying on
    through the change (:func:`coordinator_continues`)."""
    statement = (
        select(Assignment.person_id, Assignment.role, Assignment.staff_id, Assignment.since,
               Person.care_coordinator_id)
        .join(Person, Person.id == Assignment.person_id)
        .where(Assignment.ended_at.is_(None),  # type: ignore[union-attr]
               ~coordinator_continues_sql(Assignment.staff_id, transfer_date(session)))
        .order_by(Assignment.person_id, Assignment.role)
    )
    wanted = None if person_ids is None else set(person_ids)
    return [WorkerChange(person_id, role, coordinator, staff_id, since)
            for person_id, role, staff_id, since, coordinator in session.execute(statement)
            if wanted is None or person_id in wanted]


def set_assignments(
    session: Session, new: Sequence[NewAssignment], *, actor: str
) -> int:
    """Give each (person, role) to a worker: end the current row, add the new one, audit both.

    A role already held by the same worker with the same lock is left alone (not re-audited).
    Returns how many roles changed.
    """
    if not new:
        return 0
    current = _held(session, [item.person_id for item in new])
    now = utcnow()
    to_end: list[int] = []
    rows: list[tuple[object, ...]] = []
    changes: list[Change] = []
    writer = DirectInsert(session, Assignment.__table__, _NEW_COLUMNS)  # type: ignore[attr-defined]
    for item in new:
        existing = current.get((item.person_id, item.role))
        if existing is not None and existing.staff_id == item.staff_id and existing.locked == item.locked:
            continue
        if existing is not None:
            to_end.append(existing.row_id)
        rows.append((item.person_id, item.role, item.staff_id,
                     writer.date("since", item.since), item.locked, item.reason,
                     item.source, item.plan_id))
        changes.append(
            Change(
                action="assignment.manager" if item.source == "manager" else "assignment.accept",
                entity="assignment",
                entity_key=item.role,
                person_id=item.person_id,
                field=item.role,
                before=None if existing is None else {"staff_id": existing.staff_id,
                                                      "locked": existing.locked},
                after={"staff_id": item.staff_id, "locked": item.locked, "since": item.since},
                reason=item.reason,
            )
        )
    ended = 0
    for batch in _chunks(to_end):
        result = session.execute(
            update(Assignment)
            .where(and_(Assignment.id.in_(batch), Assignment.ended_at.is_(None)))  # type: ignore[union-attr,attr-defined]
            .values(ended_at=now, ended_by=actor, version=Assignment.version + 1)
            .execution_options(synchronize_session=False)
        )
        ended += result.rowcount  # type: ignore[attr-defined]
    if ended != len(to_end):
        # Another session ended one of these rows after we read it (PostgreSQL, read committed).
        raise _changed_meanwhile()
    if rows:
        try:
            # Straight to the driver on SQLite, the shared values bound once: an accepted plan
            # gives 100,000 roles, and the ORM's bulk insert took longer than the rest of it.
            writer.execute(session, rows, {"created_at": now, "created_by": actor, "version": 1})
        except IntegrityError as exc:
            text = str(exc.orig)
            if "uq_assignment_current" in text or "assignment.person_id, assignment.role" in text:
                raise _changed_meanwhile() from None  # another session gave the role first
            raise
        record_many(session, changes, actor=actor, at=now)
    return len(rows)


_NEW_COLUMNS = ("person_id", "role", "staff_id", "since", "locked", "reason", "source", "plan_id")


class _Holding(NamedTuple):
    row_id: int
    staff_id: str
    locked: bool


def _held(session: Session, person_ids: Sequence[int]) -> dict[tuple[int, str], _Holding]:
    """(person, role) -> each current assignment of these people, as plain rows:
    :func:`set_assignments` needs only these three columns."""
    statement = select(Assignment.id, Assignment.person_id, Assignment.role,
                       Assignment.staff_id, Assignment.locked).where(
        Assignment.ended_at.is_(None))  # type: ignore[union-attr]
    wanted = sorted(set(person_ids))
    held: dict[tuple[int, str], _Holding] = {}
    for batch in _chunks(wanted):
        for row_id, person_id, role, staff_id, locked in session.execute(
            statement.where(Assignment.person_id.in_(batch))  # type: ignore[attr-defined]
        ):
            held[person_id, role] = _Holding(row_id, staff_id, bool(locked))
    return held


def _changed_meanwhile() -> ConflictError:
    return ConflictError(
        "Someone else changed who holds one of these roles while this change was being "
        "saved. Nothing was saved.",
        hint="Reload, check the change, and try again.",
    )


def end_assignment(session: Session, assignment: Assignment, *, actor: str, reason: str) -> None:
    """Take a role away from a worker without giving it to another (audited)."""
    now = utcnow()
    session.execute(
        update(Assignment)
        .where(and_(Assignment.id == assignment.id, Assignment.ended_at.is_(None)))  # type: ignore[union-attr]
        .values(ended_at=now, ended_by=actor, version=Assignment.version + 1)
    )
    record_many(
        session,
        [
            Change(
                action="assignment.end",
                entity="assignment",
                entity_key=assignment.role,
                person_id=assignment.person_id,
                field=assignment.role,
                before={"staff_id": assignment.staff_id, "locked": assignment.locked},
                after=None,
                reason=reason,
            )
        ],
        actor=actor,
        at=now,
    )


def move_starts_to_handover(session: Session, person_ids: Iterable[int], *, today: date,
                            actor: str, reason: str | None = None) -> int:
    """After these people's handover date moved, start their new workers on it too.

    A worker who is not the trust's coordinator carrying on through the change
    (:func:`coordinator_continues`) takes the role on the person's handover date (their own,
    else the programme's transfer date): the ``since`` that accept and a manager's choice
    give. Each such current assignment whose ``since`` is not that date is moved to it
    (audited as ``assignment.since``; its version bumped), unless it is already under way
    (``since`` before ``today``). A coordinator carrying on keeps the date the export gives.
    Returns how many moved; ConflictError if another session changed one meanwhile."""
    transfer = transfer_date(session)
    moves: dict[tuple[date, date], list[int]] = defaultdict(list)
    changes: list[Change] = []
    for batch in _chunks(sorted(set(person_ids))):
        rows = session.execute(
            select(Assignment.id, Assignment.person_id, Assignment.role, Assignment.staff_id,
                   Assignment.since, Person.handover_date, Person.care_coordinator_id,
                   Person.coordinator_until)
            .join(Person, Person.id == Assignment.person_id)
            .where(Assignment.ended_at.is_(None),  # type: ignore[union-attr]
                   Assignment.person_id.in_(batch))  # type: ignore[attr-defined]
            .order_by(Assignment.person_id, Assignment.role))
        for row_id, person_id, role, staff_id, since, own, coordinator, until in rows:
            handover = own or transfer
            if (handover is None or since == handover or since < today
                    or coordinator_continues(staff_id, coordinator, until, handover)):
                continue
            moves[since, handover].append(row_id)
            changes.append(Change(
                action="assignment.since", entity="assignment", entity_key=role,
                person_id=person_id, field=role,
                before={"staff_id": staff_id, "since": since},
                after={"staff_id": staff_id, "since": handover},
                reason=reason or "the person's handover date moved"))
    moved = 0
    for (before, after), row_ids in moves.items():
        for batch in _chunks(row_ids):
            result = session.execute(
                update(Assignment)
                .where(Assignment.id.in_(batch),  # type: ignore[union-attr,attr-defined]
                       Assignment.ended_at.is_(None),  # type: ignore[union-attr]
                       Assignment.since == before)
                .values(since=after, version=Assignment.version + 1)
                .execution_options(synchronize_session=False))
            moved += result.rowcount  # type: ignore[attr-defined]
    if moved != len(changes):
        raise _changed_meanwhile()  # another session ended or moved one after we read it
    if changes:
        record_many(session, changes, actor=actor)
    return moved


def move_starts_to_transfer(session: Session, *, today: date, actor: str) -> int:
    """After the programme's transfer date moved: :func:`move_starts_to_handover` for everyone
    who moves on it (no handover date of their own)."""
    people = session.scalars(
        select(Assignment.person_id).distinct()
        .join(Person, Person.id == Assignment.person_id)
        .where(Assignment.ended_at.is_(None),  # type: ignore[union-attr]
               Person.handover_date.is_(None)))  # type: ignore[union-attr]
    return move_starts_to_handover(session, list(people), today=today, actor=actor,
                                   reason="the programme's transfer date moved")
