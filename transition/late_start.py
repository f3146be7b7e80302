"""A new worker for someone whose handover date has already passed: a fresh start date.

The handover date is the day a person's worker changes: a new worker's ``since``, the "From"
date of their letters and the day their task deadlines count from. Once it has passed, a new
worker chosen for them (a re-plan after their worker left, accepted with ``plan accept``, or a
manager's choice with ``transition assign``) cannot start on it: their letters would give a day
gone by and their tasks would be born overdue. So they start ``[tasks]
new_worker_notice_working_days`` working days after the day they are chosen, and the person's
handover date moves to that day (audited as ``person.handover_date``), which is what their
tasks (``tasks generate``; ``assign`` brings them up to date at once), letters and worker starts
already follow. Done tasks keep their dates and owners; a worker who has already started keeps
their start; the outgoing coordinator's last day stays the day the first new worker started
(:func:`transition.letter_facts.load_facts`).

A worker the person already has (in any role) and the trust's coordinator carrying on through
the change are not new: they keep the ``since`` they would have had.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlmodel import Session

from transition.allocation import current_assignments, move_starts_to_handover
from transition.audit import Change, record_many
from transition.letter_records import out_of_date_letters
from transition.models import Person, utcnow
from transition.upsert import chunks
from transition.working_days import add_working_days

_CHUNK = 500  # ids a statement: within any database's parameter limit


def fresh_start(handover: date, today: date, notice_working_days: int) -> date | None:
    """The day a new worker chosen on ``today`` starts when the person's ``handover`` date has
    passed: ``notice_working_days`` working days after today. None when it has not passed
    (they start on the handover date)."""
    if handover >= today:
        return None
    return add_working_days(today, notice_working_days)


def workers_held(session: Session, person_ids: Iterable[int]) -> dict[int, set[str]]:
    """person id -> the staff ids holding any of their roles now (they are not new to them)."""
    return {person_id: {assignment.staff_id for assignment in roles.values()}
            for person_id, roles in current_assignments(session, person_ids).items()}


@dataclass(frozen=True)
class LateStarts:
    """What :func:`start_later` did."""

    people: int  # people whose handover date moved to their new worker's start
    letters_out_of_date: int = 0  # of theirs, letters already written: not to be posted


def start_later(session: Session, starts: Mapping[int, date], *, today: date, actor: str,
                reason: str) -> LateStarts:
    """Move each person's handover date to ``starts[person_id]``, their new worker's start
    (audited as ``person.handover_date`` with ``reason``; the person's version bumped), and any
    other new worker of theirs not yet started to it too
    (:func:`~transition.allocation.move_starts_to_handover`). The caller gives the new
    worker that start and holds the transaction (accept and assign hold the locks that keep
    other writers out). Tasks are not touched here: ``generate_tasks`` moves their open ones."""
    if not starts:
        return LateStarts(0)
    ids = sorted(starts)
    before: dict[int, date | None] = {}
    for chunk in chunks(ids, _CHUNK):
        before.update(session.execute(
            select(Person.id, Person.handover_date).where(Person.id.in_(chunk))).all())  # type: ignore[union-attr]
    by_day: dict[date, list[int]] = defaultdict(list)
    for person_id in ids:
        if before.get(person_id, starts[person_id]) != starts[person_id]:
            by_day[starts[person_id]].append(person_id)
    now = utcnow()
    for day, people in by_day.items():
        for chunk in chunks(people, _CHUNK):
            session.execute(
                update(Person).where(Person.id.in_(chunk))  # type: ignore[union-attr]
                .values(handover_date=day, updated_at=now, version=Person.version + 1)
                .execution_options(synchronize_session=False))
    moved = sorted(person_id for people in by_day.values() for person_id in people)
    record_many(session, [Change(
        action="person.handover_date", entity="person", entity_key=str(person_id),
        person_id=person_id, field="handover_date", before=before[person_id],
        after=starts[person_id], reason=reason[:1000]) for person_id in moved],
        actor=actor, at=now)
    for instance in list(session.identity_map.values()):
        if isinstance(instance, Person) and instance.id in starts:
            session.expire(instance)
    move_starts_to_handover(session, moved, today=today, actor=actor, reason=reason)
    return LateStarts(len(moved), len(out_of_date_letters(session, moved)) if moved else 0)
