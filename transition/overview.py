"""The caseload at a glance: counts by team and locality, the latest imports and their rejects.

What the dashboard, the import screen and the person screen ask of the database, as plain
functions over a session (no UI here). Every count is done in SQL, so it stays quick at
100,000 people.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlmodel import Session

from transition.allocation_status import on_staff_list
from transition.importer import Reject
from transition.models import AuditEvent, ImportBatch, ImportKind, Person, RejectedRow, Staff
from transition.programme import transfer_date


@dataclass(frozen=True)
class GroupCount:
    """People (and staff) in one team or locality. ``name`` None = not recorded."""

    name: str | None
    people: int
    missing: int = 0  # not in the latest export
    no_coordinator: int = 0  # in the latest export, which names no care coordinator for them
    staff: int = 0  # on the latest staff list


@dataclass(frozen=True)
class BatchSummary:
    """One import run and what became of its rows."""

    id: int
    kind: str
    file_name: str
    sheet: str | None
    actor: str
    started_at: datetime
    finished_at: datetime | None
    status: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    duplicates: int
    missing_from_file: int
    warnings: int
    rejects_path: str | None
    column_notes: tuple[str, ...] = ()  # headers not recognised, columns the file lacks


@dataclass(frozen=True)
class Overview:
    """Everything the dashboard shows about the caseload itself."""

    people: int  # every person row, whether in the latest export or not
    staff: int  # on the latest staff list
    missing_from_latest: int
    # Of the people in the latest export: it names no care coordinator, or one who is not
    # on the latest staff list.
    no_coordinator: int
    unknown_coordinator: int
    by_team: list[GroupCount]
    by_locality: list[GroupCount]
    transfer_date: date | None
    days_to_transfer: int | None
    latest_imports: dict[str, BatchSummary | None] = field(default_factory=dict)
    # The export names a coordinator whose allocation ended before today (coordinator_until).
    ended_coordinator: int = 0

    @property
    def is_empty(self) -> bool:
        """Nothing imported yet: no people, no staff, no import runs."""
        return (
            self.people == 0
            and self.staff == 0
            and all(batch is None for batch in self.latest_imports.values())
        )


@dataclass(frozen=True)
class PersonImport:
    """What one import run did to one person."""

    batch_id: int
    file_name: str
    started_at: datetime
    what: str


def _flag(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


PlaceCounts = dict[tuple[str | None, str | None], tuple[int, int, int]]
"""(locality, team) -> (people, not in the latest export, in it with no care coordinator)."""

_in_export = Person.missing_since_batch_id.is_(None)  # type: ignore[union-attr]
_on_staff_list = Staff.missing_since_batch_id.is_(None)  # type: ignore[union-attr]


def _people_by_place(session: Session) -> PlaceCounts:
    # One scan of the caseload answers every person count on the dashboard. Grouping by
    # locality first keeps SQLite on a plain table scan rather than an index walk that looks
    # every row up again (3x slower at 100,000 people).
    statement = select(
        Person.locality,
        Person.team,
        func.count(),
        _flag(~_in_export),
        # What the latest export says: people it no longer lists are counted as missing only.
        _flag(and_(_in_export, Person.care_coordinator_id.is_(None))),  # type: ignore[union-attr]
    ).group_by(Person.locality, Person.team)
    return {(locality, team): (people, missing, none)
            for locality, team, people, missing, none in session.execute(statement)}


def _grouped(places: PlaceCounts, position: int, staff: dict[str | None, int]) -> list[GroupCount]:
    totals: dict[str | None, list[int]] = {}
    for place, counts in places.items():
        sums = totals.setdefault(place[position], [0, 0, 0])
        for index, value in enumerate(counts):
            sums[index] += value
    names = set(totals) | set(staff)
    rows = [GroupCount(name, *totals.get(name, (0, 0, 0)), staff=staff.get(name, 0))
            for name in names]
    # Most people first; a missing name ("not recorded") last; then alphabetical.
    return sorted(rows, key=lambda row: (row.name is None, -row.people, row.name or ""))


def _staff_by(session: Session, column: Any) -> dict[str | None, int]:
    """Workers on the latest staff list (one it dropped is not on it) per team or locality."""
    statement = select(column, func.count()).where(_on_staff_list).group_by(column)
    return {name: count for name, count in session.execute(statement)}


def counts_by_team(session: Session, places: PlaceCounts | None = None) -> list[GroupCount]:
    places = _people_by_place(session) if places is None else places
    return _grouped(places, 1, _staff_by(session, Staff.team))


def counts_by_locality(session: Session, places: PlaceCounts | None = None) -> list[GroupCount]:
    places = _people_by_place(session) if places is None else places
    return _grouped(places, 0, _staff_by(session, Staff.locality))


def _summary(batch: ImportBatch) -> BatchSummary:
    assert batch.id is not None
    return BatchSummary(
        id=batch.id, kind=batch.kind, file_name=batch.file_name, sheet=batch.sheet,
        actor=batch.actor, started_at=batch.started_at, finished_at=batch.finished_at,
        status=batch.status, rows=batch.rows, inserted=batch.inserted, updated=batch.updated,
        unchanged=batch.unchanged, rejected=batch.rejected, duplicates=batch.duplicates,
        missing_from_file=batch.missing_from_file, warnings=batch.warnings,
        rejects_path=batch.rejects_path, column_notes=tuple(batch.column_notes or ()),
    )


def latest_import(session: Session, kind: str) -> BatchSummary | None:
    """The most recent import of this kind (``caseload`` or ``staff``), or None."""
    statement = (
        select(ImportBatch)
        .where(ImportBatch.kind == kind)
        .order_by(ImportBatch.id.desc())  # type: ignore[union-attr]
        .limit(1)
    )
    batch = session.scalars(statement).first()
    return _summary(batch) if batch is not None else None


def import_batch(session: Session, batch_id: int) -> BatchSummary | None:
    batch = session.get(ImportBatch, batch_id)
    return _summary(batch) if batch is not None else None


def recent_imports(session: Session, limit: int = 10) -> list[BatchSummary]:
    """The latest import runs of any kind, newest first."""
    statement = select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)  # type: ignore[union-attr]
    return [_summary(batch) for batch in session.scalars(statement)]


def batch_rejects(session: Session, batch_id: int) -> list[Reject]:
    """The rows an import rejected, in spreadsheet order, each with its reasons."""
    statement = (
        select(RejectedRow)
        .where(RejectedRow.batch_id == batch_id)
        .order_by(RejectedRow.row_number, RejectedRow.id)
    )
    return [
        Reject(
            row=rejected.row_number,
            record_key=rejected.record_key,
            errors=[
                (str(error.get("column", "")), str(error.get("message", "")))
                for error in rejected.errors or []
            ],
        )
        for rejected in session.scalars(statement)
    ]


def overview(session: Session, *, today: date) -> Overview:
    """The dashboard's numbers, as of ``today``."""
    places = _people_by_place(session)
    people = sum(counts[0] for counts in places.values())
    missing = sum(counts[1] for counts in places.values())
    no_coordinator = sum(counts[2] for counts in places.values())
    # The staff list and the coordinators in the export, as the latest imports give them:
    # a worker the latest staff list dropped is not on it (the Allocation box's
    # ``coordinator_holds`` says no one holds their people), and a person the latest export
    # no longer lists is counted only as missing from it.
    staff = session.scalar(select(func.count()).select_from(Staff).where(_on_staff_list)) or 0
    unknown_coordinator = session.scalar(
        select(func.count()).where(
            _in_export,
            Person.care_coordinator_id.is_not(None),  # type: ignore[union-attr]
            ~on_staff_list(Person.care_coordinator_id),
        )
    ) or 0
    ended_coordinator = session.scalar(
        select(func.count()).where(
            _in_export,
            Person.care_coordinator_id.is_not(None),  # type: ignore[union-attr]
            Person.coordinator_until < today,  # type: ignore[operator]
        )
    ) or 0
    transfer = transfer_date(session)
    return Overview(
        people=people,
        staff=staff,
        missing_from_latest=missing,
        no_coordinator=no_coordinator,
        unknown_coordinator=unknown_coordinator,
        by_team=counts_by_team(session, places),
        by_locality=counts_by_locality(session, places),
        transfer_date=transfer,
        days_to_transfer=(transfer - today).days if transfer else None,
        latest_imports={kind.value: latest_import(session, kind.value) for kind in ImportKind},
        ended_coordinator=ended_coordinator,
    )


def staff_names(session: Session, staff_ids: Iterable[str | None]) -> dict[str, str]:
    """``staff_id -> "Given Family"`` for the ids that are in the staff list."""
    wanted = sorted({staff_id for staff_id in staff_ids if staff_id})
    if not wanted:
        return {}
    statement = select(Staff.staff_id, Staff.given_name, Staff.family_name).where(
        Staff.staff_id.in_(wanted)  # type: ignore[attr-defined]
    )
    return {staff_id: f"{given} {family}" for staff_id, given, family in session.execute(statement)}


def named(names: dict[str, str], staff_id: str) -> str:
    """'Oliver Lloyd (WC28432)' when :func:`staff_names` found them, else the staff id."""
    name = names.get(staff_id)
    return f"{name} ({staff_id})" if name else staff_id


def person_imports(session: Session, person: Person) -> list[PersonImport]:
    """The import runs that touched this person, oldest first, and what each one did.

    Built from the person's first/last/missing batch and the audit trail of field changes,
    so an import that found the person unchanged still shows as "present, unchanged".
    """
    changed: dict[int, list[str]] = {}
    statement = (
        select(AuditEvent.batch_id, AuditEvent.field)
        .where(AuditEvent.person_id == person.id, AuditEvent.batch_id.is_not(None))  # type: ignore[union-attr]
        .order_by(AuditEvent.id)
    )
    for batch_id, field_name in session.execute(statement):
        fields = changed.setdefault(batch_id, [])
        if field_name and field_name not in fields:
            fields.append(field_name)
    batch_ids = set(changed) | {
        batch_id
        for batch_id in (person.first_batch_id, person.last_batch_id, person.missing_since_batch_id)
        if batch_id is not None
    }
    if not batch_ids:
        return []
    batches = session.scalars(
        select(ImportBatch).where(ImportBatch.id.in_(batch_ids)).order_by(ImportBatch.id)  # type: ignore[union-attr]
    )
    history = []
    for batch in batches:
        assert batch.id is not None
        if batch.id == person.missing_since_batch_id:
            what = "not in this export"
        elif batch.id == person.first_batch_id:
            what = "first imported"
        elif changed.get(batch.id):
            what = "changed: " + ", ".join(changed[batch.id])
        else:
            what = "present, unchanged"
        history.append(PersonImport(batch.id, batch.file_name, batch.started_at, what))
    return history


def database_is_empty(session: Session) -> bool:
    """No people, no staff and no import runs: the app opens on its welcome."""
    return not any(
        session.scalar(select(exists().where(column.is_not(None))))  # type: ignore[attr-defined]
        for column in (Person.id, Staff.staff_id, ImportBatch.id)
    )
