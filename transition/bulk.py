"""Helpers for the bulk paths (import, assessment, task generation) that handle 100,000
records in one go."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Select, Table, insert
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a bulk job builds its objects.

    A bulk job holds hundreds of thousands of small objects until it ends; the collector would
    re-scan them again and again (measured: more than doubling the time to check 100,000
    import rows, and over half the CPU of a 100,000-person assessment). Nothing they hold makes
    reference cycles, so reference counting still frees everything. Restored afterwards.

    On the way out, everything the job built moves straight to the collector's oldest
    generation (``freeze`` then ``unfreeze``: two list splices, no scan). Otherwise the first
    allocation after re-enabling would scan every object made while paused (2 million, half a
    second, for a 100,000-person plan) just before reference counting frees most of them. What
    survives, cycles included, is still scanned by the next full collection.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()


@contextmanager
def indexes_set_aside(session: Session, table: str, *, bulk: bool) -> Iterator[None]:
    """On a first bulk insert into an empty table (SQLite), build its indexes afterwards.

    Filling the secondary indexes row by row is most of such an insert's time; building each
    once from the finished table is quicker. The indexes are dropped and re-created from their
    own stored definitions (``sqlite_master``), in the same transaction, so the schema is as it
    was and a failure rolls the drop back with everything else. A unique index is checked when
    it is built again. Indexes SQLite makes itself for a table's constraints (no stored SQL)
    cannot be dropped and stay. Without ``bulk``, or on another database, nothing changes.
    """
    if not bulk or session.get_bind().dialect.name != "sqlite":
        yield
        return
    connection = session.connection()
    indexes = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL ORDER BY name", (table,)
    ).all()
    quote = connection.dialect.identifier_preparer.quote
    for name, _ in indexes:
        connection.exec_driver_sql(f"DROP INDEX {quote(name)}")
    yield
    for _, sql in indexes:
        connection.exec_driver_sql(sql)


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
        """Insert ``rows`` (values of ``columns``, in order), each with the same ``constants``
        (on SQLite bound once: :func:`insert_stored`)."""
        if not rows:
            return
        constants = constants or {}
        if not self.direct:
            session.execute(insert(self.table), [
                {**dict(zip(self.columns, row, strict=True)), **constants} for row in rows
            ])
            return
        stored = {name: self._stored(name, value, value) for name, value in constants.items()}
        insert_stored(session.connection(), self.table.name, self.columns, rows, stored)


def copy_rows(connection: Connection, table: str, columns: Sequence[str],
              rows: Iterable[Sequence[Any]]) -> bool:
    """PostgreSQL (psycopg): insert ``rows`` (values of ``columns`` as stored, JSON as its
    encoded text) with one ``COPY ... FROM STDIN``. Returns False, inserting nothing, on any
    other database or driver: use an INSERT there.

    An executemany INSERT of 100,000 plan rows took 2.8 s and 0.75 s of our CPU; COPY takes
    1.9 s and 0.09 s (most of what is left is the server checking foreign keys). A failure is
    raised as SQLAlchemy's own error (``IntegrityError`` and so on), as an INSERT's would be.
    """
    dialect = connection.dialect
    if dialect.name != "postgresql" or dialect.driver != "psycopg":
        return False
    quote = dialect.identifier_preparer.quote
    statement = (f"COPY {quote(table)} ({', '.join(quote(name) for name in columns)}) "
                 "FROM STDIN")
    cursor = connection.connection.cursor()
    try:
        with cursor.copy(statement) as copy:  # type: ignore[attr-defined]
            for row in rows:
                copy.write_row(row)
    except dialect.loaded_dbapi.Error as exc:
        raise DBAPIError.instance(statement, None, exc, dialect.loaded_dbapi.Error) from exc
    finally:
        cursor.close()
    return True


def insert_stored(connection: Connection, table: str, columns: Sequence[str],
                  rows: list[tuple[Any, ...]], constants: dict[str, Any]) -> None:
    """SQLite: insert ``rows`` (stored values of ``columns``), each with the same ``constants``.

    With constants, the rows go to a temporary table of their own columns and one
    ``INSERT ... SELECT`` adds them with the constants bound once, in the order given: the
    driver's executemany costs a few microseconds a row for every value it binds (100,000
    audit rows: half the time).
    """
    quote = connection.dialect.identifier_preparer.quote
    names = [*columns, *constants]
    into = f"INSERT INTO {quote(table)} ({', '.join(quote(name) for name in names)}) "
    if not constants:
        connection.exec_driver_sql(f"{into}VALUES ({', '.join('?' for _ in columns)})", rows)
        return
    temporary = quote("new_" + table)
    own = ", ".join(quote(name) for name in columns)
    connection.exec_driver_sql(f"CREATE TEMP TABLE {temporary} ({own})")
    connection.exec_driver_sql(
        f"INSERT INTO temp.{temporary} VALUES ({', '.join('?' for _ in columns)})", rows)
    connection.exec_driver_sql(
        f"{into}SELECT {own}, {', '.join('?' for _ in constants)} FROM temp.{temporary} "
        "ORDER BY rowid",
        tuple(constants.values()),
    )
    connection.exec_driver_sql(f"DROP TABLE temp.{temporary}")


_MISSING = object()


def read_rows(connection: Connection, statement: Select[Any], *,
              batch: int = 2_000) -> Iterator[tuple[Any, ...]]:
    """The rows of ``statement`` (a SELECT without parameters) as plain tuples, each value as
    SQLAlchemy's own result would give it, fetched with the driver's cursor a batch at a time.

    At 100,000 rows a Core result spends more than twice the driver's time building its rows
    and converting values one by one (SQLite's dates are text: 100,000 dates parsed for 16,000
    distinct birthdays). Here each column's type converts each distinct stored value once, and
    every row with that value shares the result, so values must be treated as read-only.
    Fetching in batches lets each batch's memory be reused by the next (measured: half the
    page faults of reading everything at once, and quicker).
    """
    compiled = statement.compile(dialect=connection.dialect)
    if compiled.params:
        raise ValueError("read_rows takes a statement without parameters")
    dialect = connection.dialect
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled))
        processors = [
            column.type.dialect_impl(dialect).result_processor(dialect, described[1])
            for column, described in zip(statement.selected_columns, cursor.description,
                                         strict=True)
        ]
        conversions = [None if process is None else _Conversions(process)
                       for process in processors]
        while rows := cursor.fetchmany(batch):
            if all(convert is None for convert in conversions):
                yield from rows
                continue
            columns: list[Sequence[Any]] = list(zip(*rows, strict=True))
            for position, convert in enumerate(conversions):
                if convert is not None:
                    columns[position] = convert(columns[position])
            yield from zip(*columns, strict=True)
    finally:
        cursor.close()


class Memo(dict[Any, Any]):
    """``memo[value]`` is ``function(value)``, worked out on first sight (``__missing__``) and
    remembered: for a conversion asked of 100,000 rows holding a few thousand distinct values."""

    def __init__(self, function: Callable[[Any], Any]) -> None:
        super().__init__()
        self.function = function

    def __missing__(self, key: Any) -> Any:
        value = self[key] = self.function(key)
        return value


class _Conversions(Memo):
    """Stored value -> converted value, so a column converts with one C-level ``map`` over its
    values."""

    def __call__(self, values: Sequence[Any]) -> list[Any]:
        try:
            return list(map(self.__getitem__, values))
        except TypeError:  # an unhashable stored value: convert each one
            return [self.function(value) for value in values]
