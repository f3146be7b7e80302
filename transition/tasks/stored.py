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
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import String, Table, insert, type_coerce
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session


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
        """A UTC timestamp (stored naive on SQLite, as SQLModel's UTCDateTime does)."""
        if value is None:
            return None
        if isinstance(value, datetime):
            return value if value.tzinfo else value.replace(tzinfo=UTC)
        found = self._times.get(value)
        if found is None:
            parsed = datetime.fromisoformat(value)
            found = self._times[value] = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        return found

    def list(self, value: Any) -> list[str]:
        """A JSON list; the same list object is shared by equal values, so never change it."""
        if value is None:
            return []
        if not isinstance(value, str):
            return list(value)
        found = self._lists.get(value)
        if found is None:
            found = self._lists[value] = list(json.loads(value))
        return found


class DirectInsert:
    """A bulk INSERT whose rows are tuples already in the form the database stores.

    On SQLite the rows go straight to the driver's ``executemany``; :meth:`date`, :meth:`time`
    and :meth:`json` convert each distinct value once with the column type's own SQLAlchemy
    bind processor. At 460,000 tasks this takes half the time of a Core ``insert(table)``
    executemany, most of which is per-row parameter processing. On other databases the values
    are left as they are and the rows go through that Core insert.
    """

    def __init__(self, session: Session, table: Table, columns: Sequence[str]) -> None:
        self.dialect = session.get_bind().dialect
        self.direct = self.dialect.name == "sqlite"
        self.table = table
        self.columns = tuple(columns)
        self._seen: dict[tuple[str, Any], Any] = {}

    def _stored(self, column: str, key: Any, value: Any) -> Any:
        if not self.direct or value is None:
            return value
        found = self._seen.get((column, key), _MISSING)
        if found is _MISSING:
            processor = self.processor(column)
            found = self._seen[(column, key)] = processor(value) if processor else value
        return found

    def processor(self, column: str) -> Callable[[Any], Any] | None:
        """The column type's own bind processor on this database (None: stored as given)."""
        column_type = self.table.c[column].type.dialect_impl(self.dialect)
        return column_type.bind_processor(self.dialect)  # type: ignore[no-any-return]

    def date(self, column: str, value: date | None) -> Any:
        return self._stored(column, value, value)

    def time(self, column: str, value: datetime | None) -> Any:
        return self._stored(column, value, value)

    def json(self, column: str, value: list[str]) -> Any:
        return self._stored(column, tuple(value), value)

    def execute(self, session: Session, rows: list[tuple[Any, ...]],
                constants: dict[str, Any] | None = None) -> None:
        """Insert ``rows`` (values of ``columns``, in order), each with the same ``constants``.

        With constants on SQLite, the rows go to a temporary table of their own columns and
        one ``INSERT ... SELECT`` adds them with the constants bound once, in the order given:
        the driver's executemany costs a few microseconds a row for every value it binds
        (100,000 audit rows: half the time).
        """
        if not rows:
            return
        constants = constants or {}
        if not self.direct:
            session.execute(insert(self.table), [
                {**dict(zip(self.columns, row, strict=True)), **constants} for row in rows
            ])
            return
        quote = self.dialect.identifier_preparer.quote
        names = [*self.columns, *constants]
        into = f"INSERT INTO {quote(self.table.name)} ({', '.join(quote(name) for name in names)}) "
        connection = session.connection()
        if not constants:
            connection.exec_driver_sql(
                f"{into}VALUES ({', '.join('?' for _ in self.columns)})", rows)
            return
        temporary = f"temp.{quote('new_' + self.table.name)}"
        own = ", ".join(quote(name) for name in self.columns)
        connection.exec_driver_sql(f"CREATE TEMP TABLE {temporary.removeprefix('temp.')} ({own})")
        connection.exec_driver_sql(
            f"INSERT INTO {temporary} VALUES ({', '.join('?' for _ in self.columns)})", rows)
        connection.exec_driver_sql(
            f"{into}SELECT {own}, {', '.join('?' for _ in constants)} FROM {temporary} "
            "ORDER BY rowid",
            tuple(self._stored(name, value, value) for name, value in constants.items()),
        )
        connection.exec_driver_sql(f"DROP TABLE {temporary}")


_MISSING = object()
