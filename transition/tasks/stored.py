"""Task columns as stored: read and written in bulk, converted once per distinct value.

At hundreds of thousands of tasks, SQLAlchemy's per-value conversion of dates, times and JSON
dominates reading them, yet a caseload has few distinct due dates, handover dates, dependency
lists or generation times. Columns selected through :func:`raw` come back as the driver gives
them (ISO text on SQLite; dates, times and parsed JSON on PostgreSQL) and :class:`StoredValues`
turns each distinct value into a Python value once.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import String, type_coerce
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

# Re-exported: the task paths import it from here.
from transition.bulk import DirectInsert as DirectInsert  # noqa: PLC0414 (an explicit re-export)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building hundreds of thousands of rows.

    Each full collection walks every object alive, and a long list of new tuples sets off
    many: a second of a 460,000-row read. The rows hold no cycles; it restarts afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def plain_rows(session: Session, statement: Any) -> list[Sequence[Any]]:
    """Rows of integers, text and :func:`raw` columns: the driver's own tuples on SQLite.

    Nothing in such columns needs SQLAlchemy's result processing, and plain tuples are quicker
    to index and to free than its rows. Elsewhere, SQLAlchemy's rows.
    """
    result = session.connection().execute(statement)
    if session.get_bind().dialect.name != "sqlite":
        return list(result.all())
    rows = result.cursor.fetchall()
    result.close()
    return rows  # type: ignore[no-any-return]


def raw(column: Any) -> ColumnElement[Any]:
    """``column`` without SQLAlchemy's result conversion (labelled with its own name)."""
    return type_coerce(column, String).label(column.key)


class StoredValues:
    """Converts stored dates, times and JSON lists, remembering each distinct value."""

    def __init__(self) -> None:
        self._dates: dict[Any, date] = {}
        self._times: dict[Any, datetime] = {}
        self._lists: dict[Any, list[str]] = {}

    def date(self, value: Any) -> date:
        if isinstance(value, date):
            return value
        found = self._dates.get(value)
        if found is None:
            found = self._dates[value] = date.fromisoformat(value[:10])
        return found

    def time(self, value: Any) -> datetime | None:
        """A UTC timestamp (stored naive on SQLite, as SQLModel's UTCDateTime does).

        PostgreSQL's driver gives a :func:`raw` timestamp in the server's time zone
        (``+05:30``, or ``+01:00`` in a London summer): the same instant, given in UTC as every
        other time the tool shows or writes to JSON."""
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
        found = self._times.get(value)
        if found is None:
            parsed = datetime.fromisoformat(value)
            found = self._times[value] = (parsed.astimezone(UTC) if parsed.tzinfo
                                          else parsed.replace(tzinfo=UTC))
        return found

    def list(self, value: Any) -> list[str]:
        """A JSON list; the same list object is shared by equal values, so never change it.

        SQL NULL and a JSON ``null`` (a row edited by hand) both read as no list."""
        if value is None:
            return []
        if not isinstance(value, str):
            return list(value)
        found = self._lists.get(value)
        if found is None:
            found = self._lists[value] = list(json.loads(value) or ())
        return found
