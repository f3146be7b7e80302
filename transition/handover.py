"""Handover dates: the day a person's worker changes.

Everyone moves on the programme's transfer date (``transition programme set``) unless a phased
move gives them their own date (``Person.handover_date``, ``transition handover-date``). Task
deadlines count working days from this effective date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, select, update
from sqlmodel import Session

from transition.allocation import continuing_coordinator
from transition.audit import Change, check_reason_length, record
from transition.concurrency import changed_by
from transition.errors import ConflictError
from transition.matching import MatchingRules, Worker
from transition.models import Assignment, Person, Staff, utcnow
from transition.nhs import mask


def effective_handover_date(person: Person, programme_date: date | None) -> date | None:
    """The person's own handover date if set, else the programme's transfer date."""
    return person.handover_date or programme_date


@dataclass(frozen=True, slots=True)
class HandoverDateChange:
    before: date | None
    after: date | None
    changed: bool


def set_handover_date(
    session: Session,
    person: Person,
    new_date: date | None,
    *,
    actor: str,
    reason: str | None = None,
    expected_version: int | None = None,
) -> HandoverDateChange:
    """Give a person their own handover date (a phased move), or None to use the programme's.

    Audited as ``person.handover_date``; bumps the person's version (ConflictError if it is not
    ``expected_version``). Task due dates follow when tasks are next generated.
    """
    check_reason_length(reason)
    before = person.handover_date
    version = person.version
    if expected_version is not None and version != expected_version:
        raise _conflict(session, person)
    if before == new_date:
        return HandoverDateChange(before, new_date, changed=False)
    result = session.execute(
        update(Person)
        .where(and_(Person.id == person.id, Person.version == version))
        .values(handover_date=new_date, updated_at=utcnow(), version=version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise _conflict(session, person)
    record(
        session,
        Change(
            action="person.handover_date", entity="person", entity_key=str(person.id),
            person_id=person.id, field="handover_date", before=before, after=new_date,
            reason=reason,
        ),
        actor=actor,
    )
    session.expire(person)
    return HandoverDateChange(before, new_date, changed=True)


@dataclass(frozen=True, slots=True)
class AbsentWorker:
    """A worker who holds one of a person's roles but is not there on their handover date."""

    role: str
    staff_id: str
    why: str  # as the planner says it: "leaving on 2027-05-14", "absent until ..."


def workers_not_there(session: Session, person: Person, day: date,
                      matching_rules: MatchingRules) -> list[AbsentWorker]:
    """Who holds the person now (their current assignments; before any, the trust's care
    coordinator) but is not active on ``day``, by the planner's own test
    (:meth:`~transition.matching.Worker.unavailable`): a plan made for that day would not
    give them the person, so the accepted one no longer holds."""
    held = list(session.execute(
        select(Assignment.role, Assignment.staff_id)
        .where(Assignment.person_id == person.id, Assignment.ended_at.is_(None))  # type: ignore[union-attr]
        .order_by(Assignment.role)).all())
    coordinator = continuing_coordinator(person.care_coordinator_id, person.coordinator_until,
                                         day)
    if not held and coordinator:
        held = [("care_coordinator", coordinator)]
    staff = {row[0]: row for row in session.execute(
        select(Staff.staff_id, Staff.leaving_date, Staff.absent_until,
               Staff.missing_since_batch_id)
        .where(Staff.staff_id.in_(sorted({staff_id for _, staff_id in held}))))}  # type: ignore[attr-defined]
    absent = []
    for role, staff_id in held:
        row = staff.get(staff_id)
        if row is None:
            absent.append(AbsentWorker(role, staff_id, "not on the staff list"))
            continue
        worker = Worker(staff_id, "", "", None, None, 0, leaving_date=row[1],
                        absent_until=row[2], on_staff_list=row[3] is None)
        why = worker.unavailable(day, matching_rules)
        if why is not None:
            absent.append(AbsentWorker(role, staff_id, why))
    return absent


def _conflict(session: Session, person: Person) -> ConflictError:
    who = changed_by(session, entity="person", person_id=person.id)
    return ConflictError(
        f"The record for {mask(person.nhs_number)} was changed by {who} since it was "
        "read; the handover date was not saved.",
        hint="Reload the person and try again.",
    )
