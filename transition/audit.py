"""The audit trail: who changed what, when, with the value before and after.

Every change to who holds a case, a pathway, a task, a letter or an imported record is written
here in the same transaction as the change itself. Rows are only ever inserted: the database
refuses UPDATE and DELETE on ``audit_event`` (triggers in the first migration).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import Connection, func, insert, null, select
from sqlmodel import Session

from transition.bulk import insert_stored
from transition.db import json_dumps
from transition.errors import TransitionError
from transition.models import AuditEvent, Person, utcnow


class Change(NamedTuple):
    """One audited change, before it is written.

    A named tuple (immutable, fields by name) rather than a frozen dataclass: bulk paths build
    100,000 at a time, and a frozen dataclass sets each field through ``object.__setattr__``
    (0.2 s for a first assessment's 100,000 changes; a named tuple takes about a third).
    """

    action: str
    entity: str
    entity_key: str | None = None
    person_id: int | None = None
    field: str | None = None
    before: Any = None
    after: Any = None
    reason: str | None = None
    batch_id: int | None = None


REASON_LIMIT: int = AuditEvent.__table__.c.reason.type.length  # type: ignore[attr-defined]
"""The most characters of a reason the audit trail keeps (its column's declared length)."""


def check_reason_length(reason: str | None, *, what: str = "The reason") -> None:
    """An error (nothing changed) for a reason longer than the audit trail keeps: PostgreSQL
    would refuse the row part-way, SQLite would quietly keep more than the column says."""
    if reason is not None and len(reason) > REASON_LIMIT:
        raise TransitionError(
            f"{what} is {len(reason):,} characters long; it can be at most {REASON_LIMIT:,} (it "
            "is kept in the audit trail). Nothing was changed.",
            hint="Say it more briefly, and keep the detail in the person's case record.")


def record(session: Session, change: Change, *, actor: str, at: datetime | None = None) -> None:
    """Write one audit row in the caller's transaction."""
    record_many(session, [change], actor=actor, at=at)


def record_many(
    session: Session, changes: Iterable[Change], *, actor: str, at: datetime | None = None
) -> int:
    """Write many audit rows at once (Core bulk insert); returns how many were written."""
    when = at or utcnow()
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        return _record_many_sqlite(connection, changes, actor=actor, at=when)
    rows = [
        {
            "at": when,
            "actor": actor,
            "action": change.action,
            "entity": change.entity,
            "entity_key": change.entity_key,
            "person_id": change.person_id,
            "field": change.field,
            # None is stored as SQL NULL: nothing to encode for the common empty side.
            "before": null() if change.before is None else _jsonable(change.before),
            "after": null() if change.after is None else _jsonable(change.after),
            "reason": change.reason,
            "batch_id": change.batch_id,
        }
        for change in changes
    ]
    if rows:
        # Core on the table, not the ORM bulk path: a third of the time at 100,000 rows.
        connection.execute(insert(AuditEvent.__table__), rows)  # type: ignore[arg-type]
    return len(rows)


_COLUMNS = ("at", "actor", "action", "entity", "entity_key", "person_id", "field", "before",
            "after", "reason", "batch_id")


def _record_many_sqlite(
    connection: Connection, changes: Iterable[Change], *, actor: str, at: datetime
) -> int:
    """The rows as tuples of stored values, straight to the driver's ``executemany``.

    What Core's insert stores, without its per-row parameter handling (two thirds of the time
    of 100,000 audit rows): the time converted once by the column type, the values before and
    after encoded as the JSON type encodes them (each distinct text once), None as SQL NULL.
    """
    dialect = connection.dialect
    table = AuditEvent.__table__  # type: ignore[attr-defined]
    processor = table.c.at.type.dialect_impl(dialect).bind_processor(dialect)
    stored_at = processor(at) if processor else at
    texts: dict[str, str] = {}

    def encoded(value: Any) -> str | None:
        if value is None:
            return None
        if type(value) is str:
            text = texts.get(value)
            if text is None:
                text = texts[value] = json_dumps(value)
            return text
        return json_dumps(_jsonable(value))

    rows = [
        (stored_at, actor, action, entity, entity_key, person_id, field,
         None if before is None else encoded(before), None if after is None else encoded(after),
         reason, batch_id)
        # A Change is a tuple: unpacked in its field order, quicker than by name.
        for action, entity, entity_key, person_id, field, before, after, reason, batch_id
        in changes
    ]
    if not rows:
        return 0
    # A bulk job's rows share most columns (the time, the actor, the action, an empty side):
    # bound once for all rows, not once per row.
    same = ([index for index in range(len(_COLUMNS))
             if len(set(map(itemgetter(index), rows))) == 1]
            if len(rows) >= _SHARED_FROM else [])
    differ = [index for index in range(len(_COLUMNS)) if index not in same]
    if same and differ:
        pick = itemgetter(*differ)
        insert_stored(
            connection, table.name, [_COLUMNS[index] for index in differ],
            list(map(pick, rows)) if len(differ) > 1 else [(pick(row),) for row in rows],
            {_COLUMNS[index]: rows[0][index] for index in same},
        )
    else:
        insert_stored(connection, table.name, _COLUMNS, rows, {})
    return len(rows)


_SHARED_FROM = 1000
"""Below this many rows a plain executemany is as quick as setting the shared values apart."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(item) for item in value]
    return value


def events(
    session: Session,
    *,
    person_id: int | None = None,
    entity: str | None = None,
    actions: Sequence[str] | None = None,
    action_prefix: str | None = None,
    since: datetime | None = None,
    before: datetime | None = None,
    actor: str | None = None,
    limit: int | None = None,
) -> list[AuditEvent]:
    """Audit rows, newest first, optionally for one person, one kind of entity, some actions
    (exact), one family of actions (``action_prefix="task"``: ``task`` and ``task.*``), from
    a moment on (``since``) and before another (``before``), or by one ``actor`` (their name
    as recorded, in any case)."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
    if person_id is not None:
        query = query.where(AuditEvent.person_id == person_id)
    if entity is not None:
        query = query.where(AuditEvent.entity == entity)
    if actions:
        query = query.where(AuditEvent.action.in_(actions))  # type: ignore[attr-defined]
    if action_prefix:
        family = action_prefix.rstrip(".")
        query = query.where(
            (AuditEvent.action == family)
            | AuditEvent.action.startswith(family + ".", autoescape=True)  # type: ignore[attr-defined]
        )
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if before is not None:
        query = query.where(AuditEvent.at < before)
    if actor is not None:
        query = query.where(func.lower(AuditEvent.actor) == actor.strip().lower())
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def person_audit(session: Session, person: Person, limit: int | None = None) -> list[AuditEvent]:
    assert person.id is not None
    return events(session, person_id=person.id, limit=limit)
