"""Handover dates: the day a person's worker changes.

Everyone moves on the programme's transfer date (``transition programme set``) unless a phased
move gives them their own date (``Person.handover_date``, ``transition handover-date``). Task
deadlines count working days from this effective date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from difflib import get_close_matches
from typing import Any

from sqlalchemy import and_, func, select, tuple_, update
from sqlmodel import Session

from transition.allocation import continuing_coordinator
from transition.audit import Change, check_reason_length, record, record_many
from transition.concurrency import changed_by
from transition.errors import ConflictError, NotFoundError
from transition.matching import MatchingRules, Worker
from transition.models import Assignment, Person, Staff, utcnow
from transition.nhs import mask
from transition.upsert import chunks

_CHUNK = 500  # ids (or id and version pairs) a statement: within any database's parameter limit


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
    assert person.id is not None
    return workers_not_there_for(session, [person.id], day, matching_rules).get(person.id, [])


def workers_not_there_for(session: Session, person_ids: Iterable[int], day: date,
                          matching_rules: MatchingRules) -> dict[int, list[AbsentWorker]]:
    """:func:`workers_not_there` for many people moving on the same ``day``, read a chunk of
    people at a time; only the people with someone absent are in the answer."""
    ids = sorted(set(person_ids))
    held: dict[int, list[tuple[str, str]]] = {}
    coordinators: dict[int, tuple[str | None, date | None]] = {}
    for chunk in chunks(ids, _CHUNK):
        for person_id, role, staff_id in session.execute(
                select(Assignment.person_id, Assignment.role, Assignment.staff_id)
                .where(Assignment.person_id.in_(chunk),  # type: ignore[attr-defined]
                       Assignment.ended_at.is_(None))  # type: ignore[union-attr]
                .order_by(Assignment.person_id, Assignment.role)):
            held.setdefault(person_id, []).append((role, staff_id))
        for person_id, coordinator_id, until in session.execute(
                select(Person.id, Person.care_coordinator_id, Person.coordinator_until)
                .where(Person.id.in_(chunk))):  # type: ignore[union-attr]
            coordinators[person_id] = (coordinator_id, until)
    for person_id, (coordinator_id, until) in coordinators.items():
        coordinator = continuing_coordinator(coordinator_id, until, day)
        if person_id not in held and coordinator:
            held[person_id] = [("care_coordinator", coordinator)]
    staff_ids = sorted({staff_id for roles in held.values() for _, staff_id in roles})
    why_not: dict[str, str | None] = {staff_id: "not on the staff list" for staff_id in staff_ids}
    for chunk in chunks(staff_ids, _CHUNK):
        for staff_id, leaving, absent_from, absent_until, missing in session.execute(
                select(Staff.staff_id, Staff.leaving_date, Staff.absent_from,
                       Staff.absent_until, Staff.missing_since_batch_id)
                .where(Staff.staff_id.in_(chunk))):  # type: ignore[attr-defined]
            worker = Worker(staff_id, "", "", None, None, 0, leaving_date=leaving,
                            absent_from=absent_from, absent_until=absent_until,
                            on_staff_list=missing is None)
            why_not[staff_id] = worker.unavailable(day, matching_rules)
    absent: dict[int, list[AbsentWorker]] = {}
    for person_id, roles in sorted(held.items()):
        for role, staff_id in roles:
            why = why_not[staff_id]
            if why is not None:
                absent.setdefault(person_id, []).append(AbsentWorker(role, staff_id, why))
    return absent


@dataclass(frozen=True, slots=True)
class GroupHandoverChange:
    """What :func:`set_group_handover_date` did to everyone in a team or locality."""

    teams: list[str]  # the matching teams, as the trust's export spells them
    localities: list[str]
    changed_ids: list[int]
    unchanged_ids: list[int]  # in the export, and already moving on that date
    missing_from_export: int  # in the team but not in the latest export: left as they are

    @property
    def in_export_ids(self) -> list[int]:
        return sorted(self.changed_ids + self.unchanged_ids)


def set_group_handover_date(
    session: Session,
    new_date: date | None,
    *,
    actor: str,
    reason: str | None = None,
    team: str | None = None,
    locality: str | None = None,
) -> GroupHandoverChange:
    """Give everyone in a team (and/or a locality; both: those in both) their own handover
    date, or None to use the programme's: :func:`set_handover_date` for each of them, in bulk.

    Team and locality match as the export spells them, in any case (NotFoundError naming close
    ones for a name no one has). People missing from the latest export are left as they are:
    a plan leaves them out, so they have no handover to move. Each change is audited as
    ``person.handover_date`` and bumps the person's version; if any of them changed since
    they were read, ConflictError and nothing is written (the caller rolls back).
    """
    check_reason_length(reason)
    teams = match_place(session, "team", team) if team is not None else []
    localities = match_place(session, "locality", locality) if locality is not None else []
    read = _read_group(session, teams, localities)
    if not read:  # a team and a locality that no one is in both of
        raise NotFoundError(
            f"No one on the caseload is in the team {team!r} and the locality {locality!r}.",
            hint="Give the team or the locality alone; transition people --team TEAM shows "
            "where a team's people are.")
    in_export = [row for row in read if row["missing"] is None]
    to_change = [row for row in in_export if row["before"] != new_date]
    when = utcnow()
    for chunk in chunks(to_change, _CHUNK):
        saved = set(session.scalars(
            update(Person)
            .where(tuple_(Person.id, Person.version).in_(  # type: ignore[arg-type]
                [(row["id"], row["version"]) for row in chunk]))
            .values(handover_date=new_date, updated_at=when, version=Person.version + 1)
            .returning(Person.id)
            .execution_options(synchronize_session=False)))
        if len(saved) != len(chunk):  # someone's version moved on since the read
            raise _group_conflict(session, next(row for row in chunk if row["id"] not in saved))
    record_many(session, (
        Change(action="person.handover_date", entity="person", entity_key=str(row["id"]),
               person_id=row["id"], field="handover_date", before=row["before"],
               after=new_date, reason=reason)
        for row in to_change), actor=actor, at=when)
    session.expire_all()  # any Person read through this session holds the old date
    changed = {row["id"] for row in to_change}
    return GroupHandoverChange(
        teams=teams, localities=localities, changed_ids=sorted(changed),
        unchanged_ids=sorted(row["id"] for row in in_export if row["id"] not in changed),
        missing_from_export=len(read) - len(in_export))


def _read_group(session: Session, teams: list[str], localities: list[str]) -> list[dict[str, Any]]:
    """Everyone in the teams (and the localities), with what the write checks against."""
    conditions = []
    if teams:
        conditions.append(Person.team.in_(teams))  # type: ignore[union-attr]
    if localities:
        conditions.append(Person.locality.in_(localities))  # type: ignore[union-attr]
    assert conditions, "a team or a locality"
    return [dict(row._mapping) for row in session.execute(
        select(Person.id, Person.nhs_number, Person.version,
               Person.handover_date.label("before"),  # type: ignore[union-attr]
               Person.missing_since_batch_id.label("missing"))  # type: ignore[attr-defined]
        .where(*conditions).order_by(Person.id))]


@dataclass(frozen=True)
class Place:
    """A team or locality on the caseload, for choosing whose handover date to move."""

    name: str  # as the trust's export spells it
    people: int  # in the latest export (a group change moves only them)
    own_dates: int  # of them, with their own handover date


def places(session: Session, kind: str) -> list[Place]:
    """The caseload's teams (``kind`` "team") or localities, by name, with how many people in
    the latest export are in each and how many of them already have their own date."""
    column = Person.team if kind == "team" else Person.locality
    in_export = Person.missing_since_batch_id.is_(None)  # type: ignore[attr-defined]
    rows = session.execute(
        select(column, func.count(), func.count(Person.handover_date))
        .where(column.is_not(None), in_export)  # type: ignore[union-attr]
        .group_by(column).order_by(column))
    return [Place(name, people, own) for name, people, own in rows if name]


def match_place(session: Session, kind: str, typed: str) -> list[str]:
    """The caseload's spellings of a team or locality (``kind``) typed in any case and spacing:
    usually one. NotFoundError, naming the close ones (or all, when few), if no one is in it."""
    column = Person.team if kind == "team" else Person.locality
    wanted = " ".join(typed.split()).casefold()
    known = sorted(name for name in session.scalars(
        select(column).where(column.is_not(None)).distinct())  # type: ignore[union-attr]
        if name)
    found = [name for name in known if " ".join(name.split()).casefold() == wanted]
    if found:
        return found
    by_key = {" ".join(name.split()).casefold(): name for name in known}
    close = [by_key[key] for key in get_close_matches(wanted, list(by_key), n=3, cutoff=0.6)]
    if close:
        hint = f"Did you mean {_either(close)}?"
    elif known and len(known) <= 12:
        kinds = "localities" if kind == "locality" else f"{kind}s"
        hint = f"The caseload's {kinds} are {_either(known, 'and')}."
    elif known:
        hint = f"transition people shows each person's {kind}."
    else:
        hint = "The caseload is empty: import the trust's export first."
    raise NotFoundError(f"No one on the caseload is in the {kind} {typed!r}: nothing was "
                        "changed.", hint=hint)


def _either(names: list[str], joined: str = "or") -> str:
    quoted = [repr(name) for name in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} {joined} {quoted[-1]}"


def _group_conflict(session: Session, moved: dict[str, Any]) -> ConflictError:
    """Someone changed ``moved`` (a row :func:`_read_group` read) since it was read."""
    who = changed_by(session, entity="person", person_id=moved["id"])
    return ConflictError(
        f"The record for {mask(moved['nhs_number'])} was changed by {who} since it was read; "
        "no one's handover date was saved.",
        hint="Run the command again: it reads everyone afresh.")


def _conflict(session: Session, person: Person) -> ConflictError:
    who = changed_by(session, entity="person", person_id=person.id)
    return ConflictError(
        f"The record for {mask(person.nhs_number)} was changed by {who} since it was "
        "read; the handover date was not saved.",
        hint="Reload the person and try again.",
    )
