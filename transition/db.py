"""The database: engine, sessions, SQLite pragmas, permissions and migrations.

SQLite (the default, one file per team manager) and PostgreSQL (a team sharing one database)
run the same code and the same Alembic migrations.

Write transactions go through :meth:`Database.transaction`: on SQLite it takes the write lock
at the start (``BEGIN IMMEDIATE``) so that a busy database waits for the busy timeout and then
fails with a clear message, instead of failing half-way through a read-then-write.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlmodel import Session

from transition import models  # noqa: F401  (registers every table on SQLModel.metadata)
from transition.config import Settings, ensure_private_dir
from transition.errors import DatabaseError


def json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


_JSON_ENCODER = json.JSONEncoder(default=json_default, ensure_ascii=False)


def json_dumps(value: Any) -> str:
    # One encoder for every JSON value written: json.dumps with options builds a new one per
    # call, which shows at 100,000 rows.
    return _JSON_ENCODER.encode(value)


def json_value(value: Any) -> Any:
    """A JSON column's value read through Core: some drivers and paths give the text, others
    the parsed value (None stays None)."""
    return json.loads(value) if isinstance(value, str) else value


def normalise_url(raw: str) -> URL:
    """Parse a database URL; a bare ``postgresql://`` uses the psycopg 3 driver we ship."""
    try:
        url = make_url(raw)
    except ArgumentError as exc:
        raise DatabaseError(
            f"The database URL is not valid: {exc}.",
            hint="Use e.g. sqlite:////path/to/transition.db or "
            "postgresql://user@host:5432/dbname.",
        ) from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


def describe_url(url: URL | str) -> str:
    """The URL without any password, safe to show."""
    url = make_url(str(url)) if isinstance(url, str) else url
    return url.render_as_string(hide_password=True)


def prepare_sqlite_file(url: URL) -> None:
    """Create a new SQLite file owner-only (0600) before SQLite creates it world-readable."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database).expanduser()
    if path.exists():
        return
    if not path.parent.exists():
        ensure_private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


def _install_sqlite_pragmas(engine: Engine, busy_timeout_seconds: float) -> None:
    busy_ms = int(busy_timeout_seconds * 1000)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (SQLAlchemy's
        # documented recipe), so BEGIN IMMEDIATE below is honoured.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


def create_db_engine(raw_url: str, *, busy_timeout_seconds: float = 15.0) -> Engine:
    url = normalise_url(raw_url)
    # hide_parameters: SQLAlchemy's error text and SQL logging never carry row values (names,
    # NHS numbers), even in a traceback under TRANSITION_DEBUG=1.
    common: dict[str, Any] = {"json_serializer": json_dumps, "future": True,
                              "hide_parameters": True}
    if url.get_backend_name() == "sqlite":
        prepare_sqlite_file(url)
        engine = create_engine(
            url, connect_args={"timeout": busy_timeout_seconds, "check_same_thread": False},
            **common,
        )
        _install_sqlite_pragmas(engine, busy_timeout_seconds)
        return engine
    if url.get_backend_name() == "postgresql":
        timeout_ms = int(busy_timeout_seconds * 1000)
        return create_engine(
            url,
            connect_args={"options": f"-c lock_timeout={timeout_ms}", "connect_timeout": 10},
            pool_pre_ping=True,
            **common,
        )
    raise DatabaseError(
        f"Unsupported database '{url.get_backend_name()}': use SQLite or PostgreSQL."
    )


def is_lock_error(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in text or "lock timeout" in text or "lock_timeout" in text


def lock_message(seconds: float) -> DatabaseError:
    return DatabaseError(
        f"The database is busy: another user or process has been writing to it for more than "
        f"{seconds:g} seconds, so nothing was changed.",
        hint="Try again in a minute. If it stays busy, check for a stuck transition process.",
    )


# ---------------------------------------------------------------------------------------------
# Migrations
# ---------------------------------------------------------------------------------------------


def _alembic_config(connection: Any | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("transition") / "migrations"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    script = ScriptDirectory.from_config(_alembic_config())
    head = script.get_current_head()
    assert head is not None, "the package ships at least one migration"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    with _migrating(engine) as connection:
        command.upgrade(_alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    with _migrating(engine) as connection:
        command.downgrade(_alembic_config(connection), revision)


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """One transaction for a migration; on SQLite, with foreign keys off while it runs.

    SQLite cannot alter most things in place, so a migration rebuilds a table (batch mode:
    create a copy, fill it, drop the old, rename). With foreign keys on, dropping ``person``
    fails, or would cascade, while tasks and assignments refer to it. SQLite's documented
    procedure (https://www.sqlite.org/lang_altertable.html#otheralter) is followed: keys off
    (only possible outside a transaction), migrate, then ``PRAGMA foreign_key_check`` before
    committing: any broken reference rolls the whole migration back.
    """
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        if sqlite:
            driver.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        tables = sorted({row[0] for row in broken})
                        raise DatabaseError(
                            f"The schema upgrade would leave {len(broken)} broken references "
                            f"in {', '.join(tables)}, so nothing was changed.",
                            hint="Run `transition db check` and report it to the team that "
                                 "supports transition.",
                        )
        finally:
            if sqlite:
                driver.execute("PRAGMA foreign_keys = ON")


def schema_status(engine: Engine) -> tuple[str | None, str, bool]:
    """(the database's revision, the code's head revision, whether the code knows that one)."""
    current = current_revision(engine)
    head = head_revision()
    if current is None:
        return None, head, True
    script = ScriptDirectory.from_config(_alembic_config())
    known = any(rev.revision == current for rev in script.walk_revisions())
    return current, head, known


def ensure_schema(engine: Engine, *, upgrade_if_behind: bool = True) -> None:
    """Create or upgrade the schema; refuse a database written by a newer transition."""
    current, head, known = schema_status(engine)
    if current == head:
        return
    if not known:
        raise DatabaseError(
            f"This database was last used by a newer version of transition (schema revision "
            f"{current}; this version knows up to {head}). Nothing was changed.",
            hint="Upgrade transition (pip install -U transition) before using this database.",
        )
    if current is None and inspect(engine).has_table("person"):
        raise DatabaseError(
            "The database has transition's tables but no migration record, so its schema "
            "cannot be trusted. Nothing was changed.",
            hint="Point --db at another database, or restore this one from a backup.",
        )
    if not upgrade_if_behind:
        raise DatabaseError(
            f"The database schema is out of date (revision {current}, code {head}).",
            hint="Run `transition db upgrade`.",
        )
    upgrade(engine)


# ---------------------------------------------------------------------------------------------
# The handle every command and screen uses
# ---------------------------------------------------------------------------------------------


class Database:
    """An engine plus the settings that made it; hands out sessions and write transactions."""

    def __init__(self, url: str, *, busy_timeout_seconds: float = 15.0):
        self.url = normalise_url(url)
        self.busy_timeout_seconds = busy_timeout_seconds
        self.engine = create_db_engine(url, busy_timeout_seconds=busy_timeout_seconds)
        self._writer = (
            self.engine.execution_options(sqlite_begin="IMMEDIATE")
            if self.is_sqlite
            else self.engine
        )

    @classmethod
    def from_settings(cls, settings: Settings, *, migrate: bool = True) -> Database:
        db = cls(settings.resolved_database_url, busy_timeout_seconds=settings.busy_timeout_seconds)
        if migrate:
            db.migrate()
        return db

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite or not self.url.database or self.url.database == ":memory:":
            return None
        return Path(self.url.database).expanduser()

    def describe(self) -> str:
        return describe_url(self.url)

    def migrate(self) -> None:
        try:
            ensure_schema(self.engine)
        except DBAPIError as exc:  # unreachable, locked, or not a database at all
            raise self._operational_error(exc) from None

    def schema_status(self) -> tuple[str | None, str, bool]:
        """The schema revision found, this version's, and whether the one found is known
        (:func:`schema_status`), with an unusable database said in words."""
        try:
            return schema_status(self.engine)
        except DBAPIError as exc:
            raise self._operational_error(exc) from None

    def session(self) -> Session:
        """A session for reading (and small ORM writes the caller commits)."""
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: commits on success, rolls back on any error or interrupt."""
        session = Session(self._writer, expire_on_commit=False)
        try:
            yield session
            session.commit()
        except BaseException as exc:
            session.rollback()
            if isinstance(exc, OperationalError):
                raise self._operational_error(exc) from None
            raise
        finally:
            session.close()

    def _operational_error(self, exc: DBAPIError) -> DatabaseError:
        if is_lock_error(exc):
            return lock_message(self.busy_timeout_seconds)
        return DatabaseError(
            f"The database at {self.describe()} could not be used: "
            f"{str(getattr(exc, 'orig', exc)).splitlines()[0]}.",
            hint="Check the path or server, and that you may read and write it.",
        )

    def dispose(self) -> None:
        self.engine.dispose()
