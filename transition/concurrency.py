"""Optimistic concurrency: refuse a save when someone else changed the record since it was read.

Managers edit from their own TUI against one shared database. A screen reads a record (its
``version``, or for who holds a role, the current ``Assignment`` row's id), the manager decides,
and the save passes what was read back as ``expected_...``. If the record has moved on, nothing
is written and :class:`ConflictError` says who changed it and when (from the audit trail), so
the screen can reload and show what changed.

``UNCHECKED`` is the default for callers that read and write in one transaction (the CLI): there
is nothing stale to compare.
"""

from __future__ import annotations

from enum import Enum
from typing import Final

from sqlalchemy import select
from sqlmodel import Session

from transition.models import AuditEvent


class _Unchecked(Enum):
    UNCHECKED = "unchecked"


UNCHECKED: Final = _Unchecked.UNCHECKED
Unchecked = _Unchecked


def changed_by(session: Session, *, entity: str, person_id: int | None = None,
               entity_key: str | None = None, field: str | None = None) -> str:
    """``"someone else (ana, at 2027-01-15 10:02 UTC)"``: who last changed this, from the
    audit trail; just ``"someone else"`` if the trail does not say."""
    statement = (
        select(AuditEvent.actor, AuditEvent.at)
        .where(AuditEvent.entity == entity)
        .order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
        .limit(1)
    )
    if person_id is not None:
        statement = statement.where(AuditEvent.person_id == person_id)
    if entity_key is not None:
        statement = statement.where(AuditEvent.entity_key == entity_key)
    if field is not None:
        statement = statement.where(AuditEvent.field == field)
    row = session.execute(statement).first()
    if row is None:
        return "someone else"
    actor, at = row
    return f"someone else ({actor}, at {at:%Y-%m-%d %H:%M} UTC)"
