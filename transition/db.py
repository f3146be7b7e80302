"""The database: engine, sessions, SQLite pragmas, permissions and migrations.

SQLite (the default, one file per team manager) and PostgreSQL (a team sharing one database)
run the same code and the same Alembic migrations.

Write transactions go through :meth:`Database.transaction`: on SQLite it takes the write lock
at the start (``BEGIN IMMEDIATE``) so that a busy database waits for the busy timeout and then
fails with a clear message, instead of failing half-way through a read-then-write.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

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
from transition.errors import DatabaseError, TransitionError
from transition.locks import MIGRATION_LOCK, advisory_lock

log = logging.getLogger(__name__)

SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")  # files SQLite keeps beside a database file

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
    except (ArgumentError, ValueError) as exc:
        # A port that is not a number is a ValueError, whose text quotes the URL's pieces:
        # say what is wrong in our words (never the URL, which may hold a password).
        problem = exc if isinstance(exc, ArgumentError) else "its port is not a number"
        raise DatabaseError(
            f"The database URL is not valid: {problem}.",
            hint="Use e.g. sqlite:////path/to/transition.db or "
            "postgresql://user@host:5432/dbname.",
        ) from None
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


# Query parameters libpq reads as secrets (postgresql://u@host/db?password=...): shown as ***.
_SECRET_PARAMETERS = frozenset({"password", "sslpassword"})


def describe_url(url: URL | str) -> str:
    """The URL without any password, safe to show: neither the one after the user name nor
    one given as a query parameter, which libpq accepts as well."""
    url = make_url(str(url)) if isinstance(url, str) else url
    secret = sorted(key for key in url.query if key.lower() in _SECRET_PARAMETERS)
    shown = url.difference_update_query(secret).render_as_string(hide_password=True)
    if secret:
        shown += ("&" if "?" in shown else "?") + "&".join(f"{key}=***" for key in secret)
    return shown


def sqlite_file(url: URL | str) -> Path | None:
    """The file a SQLite URL names (any driver, e.g. ``sqlite+pysqlite``), or None for a
    server or an in-memory database. Not resolved: callers comparing files resolve it."""
    url = normalise_url(url) if isinstance(url, str) else url
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:"):  # a SQLite URI filename (sqlite:///file:PATH?uri=true)
        database = database.removeprefix("file:")
        if not database or database.startswith(":memory:") or "mode=memory" in str(url.query):
            return None
    return Path(database).expanduser()


def prepare_sqlite_file(url: URL) -> None:
    """Make sure the SQLite file is owner-only before it holds anything.

    A new file is created 0600 before SQLite would create it world-readable (SQLite gives its
    ``-wal`` and ``-shm`` files the database file's mode). An existing file of ours that
    others may read or write (say it was made with ``touch``) has their access taken away,
    with the ``-wal``/``-shm``/``-journal`` files beside it, and one warning says so; files
    owned by someone else cannot be changed, so the warning says what to ask for.
    """
    path = sqlite_file(url)
    if path is None or (url.database or "").startswith("file:"):
        return
    if path.exists():
        refuse_if_not_sqlite(path, url)
        files = [path, *(Path(f"{path}{suffix}") for suffix in SQLITE_COMPANIONS)]
        _make_owner_only(path, [file for file in files if _open_to_others(file)])
        return
    if not path.parent.exists():
        ensure_private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(fd)


SQLITE_HEADER = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database file


def refuse_if_not_sqlite(path: Path, url: URL) -> None:
    """Refuse a file that is not empty and is not a SQLite database (a CSV or spreadsheet
    renamed .db, a folder), before anything touches it: SQLite would refuse it too, but only
    after the file had been made owner-only. An empty file is a new database."""
    if path.is_dir():
        raise DatabaseError(
            f"The database at {describe_url(url)} could not be used: {path} is a folder, not a "
            "file.", hint="Name the database file itself, e.g. "
            f"--db {path / 'transition.db'}.")
    try:
        with path.open("rb") as handle:
            start = handle.read(len(SQLITE_HEADER))
    except OSError:
        return  # unreadable: SQLite says so in its own words, with the hint for that
    if start and start != SQLITE_HEADER:
        raise unusable_database(describe_url(url), "file is not a database", path)


def _open_to_others(path: Path) -> bool:
    """Whether a file exists and its group or others may read or write it."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return False
    return stat.S_ISREG(info.st_mode) and bool(info.st_mode & 0o066)


def _make_owner_only(database: Path, files: list[Path]) -> None:
    """Take group and others' access away from ``files``; say once what was done, and what
    could not be (files owned by another user, or a read-only disk)."""
    changed, refused = [], []
    for file in files:
        try:
            info = file.stat()
            if info.st_uid != os.getuid():
                refused.append(file.name)
                continue
            os.chmod(file, stat.S_IMODE(info.st_mode) & 0o700)
            changed.append(file.name)
        except FileNotFoundError:  # a -wal or -shm file another process has just removed
            continue
        except OSError:
            refused.append(file.name)
    if changed:
        log.warning("The database %s holds health data, but other users could read or write "
                    "%s: now only you can (owner-only).", database, ", ".join(changed))
    if refused:
        log.warning("The database %s holds health data, but other users can read or write %s, "
                    "and transition cannot change that (another user owns it, or the disk is "
                    "read-only): ask its owner or an administrator to make it owner-only "
                    "(chmod 600).", database, ", ".join(refused))


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


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
        # SQLite's own lower() folds ASCII only, so a search for 'Ó Briain' found no one here
        # while PostgreSQL found them: Python's, as PostgreSQL folds every alphabet.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

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
        return create_engine(
            url,
            connect_args={"options": postgres_options(url, busy_timeout_seconds),
                          "connect_timeout": 10},
            pool_pre_ping=True,
            **common,
        )
    raise DatabaseError(
        f"Unsupported database '{url.get_backend_name()}': use SQLite or PostgreSQL."
    )


def postgres_options(url: URL, busy_timeout_seconds: float) -> str:
    """The server options for each connection: any the URL gives (``?options=-csearch_path=tr``
    for a team keeping transition in its own schema), else ``PGOPTIONS`` as libpq would read
    it, then our ``lock_timeout``. Passing ours alone would silently drop theirs: libpq takes
    one ``options`` value, and the connect arguments' replaces the URL's."""
    given = url.query.get("options")
    if given is None:
        given = os.environ.get("PGOPTIONS", "")
    theirs = " ".join(given) if isinstance(given, tuple) else given
    ours = f"-c lock_timeout={int(busy_timeout_seconds * 1000)}"
    return f"{theirs.strip()} {ours}".strip()


def is_lock_error(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in text or "lock timeout" in text or "lock_timeout" in text


def lock_message(seconds: float) -> DatabaseError:
    return DatabaseError(
        f"The database is busy: another user or process has been writing to it for more than "
        f"{seconds:g} seconds, so nothing was changed.",
        hint="Try again in a minute. If it stays busy, check for a stuck transition process.",
    )


# PostgreSQL's "transaction rollback" errors: two transactions waited for each other, or could
# not both be applied as if one after the other. Nothing is wrong with the database.
_CLASH_STATES = {"40P01": "deadlock detected", "40001": "serialization failure"}


def is_clash(exc: BaseException) -> bool:
    """Whether PostgreSQL rolled this transaction back because of another one (a deadlock or a
    serialization failure), as opposed to the database being unusable."""
    orig = getattr(exc, "orig", exc)
    if getattr(orig, "sqlstate", None) in _CLASH_STATES:
        return True
    text = str(orig).lower()
    return any(words in text for words in _CLASH_STATES.values()) or (
        "could not serialize access" in text)


def clash_message() -> DatabaseError:
    return DatabaseError(
        "This command's changes clashed with another user's work on the database at the same "
        "moment, so the database rolled them back: nothing was changed.",
        hint="Try again. If it keeps happening, ask whoever else is using transition to wait "
             "until this command has finished.",
    )


def failure_reason(exc: BaseException) -> str:
    """The driver's own words for why the database failed (its first line): SQLite's and
    libpq's messages name the file, host or database, never a password or a row's values."""
    lines = str(getattr(exc, "orig", exc)).strip().splitlines()
    return lines[0].rstrip(".") if lines else type(exc).__name__


# What the driver's words mean for the person at the terminal, and what to do. In a hint,
# ``{file}``, ``{name}`` and ``{folder}`` are the SQLite file's. The first match wins (libpq
# starts every failure to connect with "connection failed", so the general one comes last).
class _Failure(NamedTuple):
    words: str  # a regular expression, matched in any case
    unreachable: bool  # the database could not be opened or reached at all
    hint: str


_FAILURES = (
    _Failure("file is not a database", False,
             "{file} is not a SQLite database: check that --db or TRANSITION_DATABASE_URL names "
             "transition's database, not an export, a spreadsheet or another file renamed .db. If "
             "it is the right file, it is damaged: restore it from a backup (transition db backup "
             "makes one)."),
    _Failure("malformed", False,
             "The database file is damaged (perhaps copied while in use, or cut short). Run "
             "`transition db check` to see what can still be read, and restore it from a backup "
             "(transition db backup makes one)."),
    _Failure("disk i/o error", False,
             "SQLite could not read or write {file} (a failing disk, or a network share that "
             "went away): check the disk or share, then run `transition db check`."),
    _Failure("readonly database", False,
             "You may read {file} but not change it: the file, or its folder {folder}, is "
             "read-only to you. Ask whoever manages the folder for write access, or work on a "
             "copy in a folder you can write to."),
    _Failure("unable to open database file", True,
             "SQLite could not open {file}, or create the files it keeps beside it ({name}-wal, "
             "{name}-shm): check that the folder {folder} exists and that you may read and write "
             "in it. A database on a read-only share must be copied somewhere you can write."),
    _Failure("database or disk is full", False,
             "The disk holding {folder} is full: free some space, then run the command again."),
    _Failure("read-only transaction", False,
             "The server only lets this connection read (a standby server, or a read-only "
             "account): point the URL at the main server, or ask the database administrator for "
             "write access."),
    _Failure("password authentication failed|no password supplied|role \".*\" does not exist"
             "|authentication failed", True,
             "Check the user name in the URL, and the password: keep it in ~/.pgpass (mode "
             "0600) rather than in the URL or on the command line."),
    _Failure("database \".*\" does not exist", True,
             "Check the database name in the URL, or ask the database administrator to create "
             "it (createdb NAME); then `transition db upgrade` makes transition's tables."),
    _Failure("connection failed|connection refused|resolve host|translate host|timeout expired"
             "|timed out|no route to host|network is unreachable|server closed the connection"
             "|connection is lost|consuming input failed", True,
             "The PostgreSQL server did not answer: check the host and port in the URL, that the "
             "server is running, and that it accepts connections from this machine (a firewall "
             "or VPN may be in the way)."),
)


def _failure(reason: str) -> tuple[bool, str]:
    for failure in _FAILURES:
        if re.search(failure.words, reason, re.IGNORECASE):
            return failure.unreachable, failure.hint
    return False, "Check the path or server, and that you may read and write it."


def cannot_be_reached(reason: str) -> bool:
    """Whether ``reason`` (:func:`failure_reason`) says the database could not be opened or
    reached at all, rather than opened and found damaged."""
    return _failure(reason)[0]


def is_known_failure(reason: str) -> bool:
    """Whether ``reason`` (:func:`failure_reason`) is one of the driver's messages about the
    file or server that the table above knows, rather than words that could quote the
    statement (SQLite's "no such column: ..." names what the query said)."""
    return any(re.search(failure.words, reason, re.IGNORECASE) for failure in _FAILURES)


def unusable_database(where: str, reason: str, path: Path | None) -> DatabaseError:
    """The error for a database that cannot be used, saying why in the driver's words and
    what to do about that kind of failure. ``where`` is :func:`describe_url`'s (no password)."""
    hint = _failure(reason)[1]
    file = path if path is not None else Path("the database file")
    folder = path.expanduser().absolute().parent if path is not None else Path("its folder")
    return DatabaseError(
        f"The database at {where} could not be used: {reason}.",
        hint=hint.format(file=file, folder=folder, name=file.name),
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


@cache
def _scripts() -> ScriptDirectory:
    """The migrations this version ships: read once a process (every command opens the
    database through :meth:`Database.migrate`, which compares its revision with them)."""
    return ScriptDirectory.from_config(_alembic_config())


@cache
def _known_revisions() -> frozenset[str]:
    return frozenset(rev.revision for rev in _scripts().walk_revisions())


def head_revision() -> str:
    head = _scripts().get_current_head()
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
    """One transaction for a migration, one migration at a time; on SQLite, with foreign
    keys off while it runs.

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
            # One migration at a time: the write lock from the start, so a second command
            # waits (the busy timeout) instead of failing at once when its read of the
            # revision has to become a write after the first committed.
            connection.execution_options(sqlite_begin="IMMEDIATE")
        try:
            with connection.begin():
                # PostgreSQL: one migration at a time (the lock ends with the transaction).
                advisory_lock(connection, MIGRATION_LOCK)
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
    return current, head, current in _known_revisions()


def ensure_schema(engine: Engine, *, upgrade_if_behind: bool = True) -> bool:
    """Create or upgrade the schema; refuse a database written by a newer transition.
    True if this call changed the schema (False if it was current, or another command
    upgraded it while this one waited)."""
    current, head, known = schema_status(engine)
    if current == head:
        return False
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
    return _upgrade_to_head(engine, head)


def _upgrade_to_head(engine: Engine, head: str) -> bool:
    """Upgrade, unless another command did while this one waited for the migration lock.

    Two commands started at once on a new database (or after upgrading transition) both find
    it behind. The first to take the lock migrates; the other waits, then reads the revision
    again and finds nothing to do, instead of failing on tables that now exist.
    """
    with _migrating(engine) as connection:
        if MigrationContext.configure(connection).get_current_revision() == head:
            return False
        command.upgrade(_alembic_config(connection), "head")
        return True


@dataclass(frozen=True)
class SchemaUpgrade:
    """What upgrading an existing database's schema did, to be said where it happened: a
    command that only meant to read has changed the file, and an earlier version of
    transition can no longer open it."""

    before: str
    after: str
    copy: Path | None
    """A copy of the SQLite file as it was before (None on a server: pg_dump is the way)."""

    def describe(self, database: str) -> str:
        said = (f"This version of transition upgraded the database at {database} from schema "
                f"{self.before} to {self.after}; earlier versions can no longer open it.")
        if self.copy is not None:
            said += f" A copy from before the upgrade is at {self.copy}."
        return said


def copy_before_upgrade_path(database: Path, revision: str) -> Path:
    """Where the copy of ``database`` before an upgrade from ``revision`` goes: beside it,
    named for the schema it holds (``team.before-schema-0015.db``), never over another."""
    number = revision.split("_", 1)[0]
    suffix = database.suffix or ".db"
    stem = database.name.removesuffix(database.suffix) if database.suffix else database.name
    candidate = database.with_name(f"{stem}.before-schema-{number}{suffix}")
    count = 2
    while candidate.exists():
        candidate = database.with_name(f"{stem}.before-schema-{number}-{count}{suffix}")
        count += 1
    return candidate


# ---------------------------------------------------------------------------------------------
# The handle every command and screen uses
# ---------------------------------------------------------------------------------------------


@dataclass
class Commits:
    """How many write transactions this process began to commit, and how many finished.

    Read when someone presses Ctrl-C, so the message can say truthfully whether the command
    saved anything: nothing (no commit begun), everything it had committed (every commit
    finished), or perhaps the last transaction (interrupted while committing).
    """

    begun: int = 0
    finished: int = 0

    def reset(self) -> None:
        self.begun = self.finished = 0


commits = Commits()
"""This process's record, kept by :meth:`Database.transaction` (the CLI resets it per command)."""


@contextmanager
def interrupt_held() -> Iterator[None]:
    """Hold a Ctrl-C that arrives inside the block until the block has finished.

    Around a commit: SQLite and PostgreSQL cannot be interrupted half-way through one, but
    Python would raise the interrupt just after, where nobody could tell whether the commit
    had happened. Held, it is raised once :data:`commits` is up to date. (Only the main
    thread receives Ctrl-C, so other threads are left as they are.)
    """
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is None):  # None: a handler set outside Python
        yield
        return
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, _frame: held.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if held:
            signal.raise_signal(signal.SIGINT)  # now handled as it would have been



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
        self.last_upgrade: SchemaUpgrade | None = None

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
        return sqlite_file(self.url)

    def describe(self) -> str:
        return describe_url(self.url)

    def migrate(self, *, keep_copy: bool = True) -> SchemaUpgrade | None:
        """Create the schema, or upgrade it to this version's (refusing a newer one).

        Upgrading an existing SQLite database first copies it beside itself
        (:func:`copy_before_upgrade_path`, unless ``keep_copy`` is False), so that a
        command run with a new version of transition never leaves the team without the file
        the earlier version could open. The copy is removed again if the upgrade fails or
        another command upgraded first. Returns what was upgraded (also kept as
        :attr:`last_upgrade`), or None.
        """
        try:
            current, head, known = schema_status(self.engine)
        except DBAPIError as exc:  # unreachable, locked, or not a database at all
            raise self._operational_error(exc) from None
        copy = None
        if keep_copy and known and current not in (None, head) and self.sqlite_path is not None:
            copy = self._copy_before_upgrade(current)
        try:
            upgraded = ensure_schema(self.engine)
        except BaseException as exc:
            if copy is not None:
                copy.unlink(missing_ok=True)
            if not isinstance(exc, DBAPIError):
                raise
            error = self._operational_error(exc)
            if current in (None, head) or is_lock_error(exc) or is_clash(exc):
                raise error from None
            # Behind, and the upgrade failed (a read-only file, say): the command itself
            # might only have read, so say that the upgrade is what needs writing.
            raise DatabaseError(
                f"The database at {self.describe()} was last used by an earlier version of "
                f"transition (schema {current}): this version must upgrade it to schema "
                f"{head} before using it, and the upgrade failed: {failure_reason(exc)}. "
                "Nothing was changed.",
                hint=f"{error.hint} Then run `transition db upgrade`, or use the earlier "
                "version of transition.",
            ) from None
        if not upgraded or current is None:
            if copy is not None:  # another command upgraded it while this one waited
                copy.unlink(missing_ok=True)
            return None
        self.last_upgrade = SchemaUpgrade(current, head, copy)
        log.info("schema upgraded from %s to %s", current, head)
        return self.last_upgrade

    def _copy_before_upgrade(self, revision: str) -> Path:
        from transition.integrity import backup_sqlite  # integrity builds on this module

        path = self.sqlite_path
        assert path is not None
        target = copy_before_upgrade_path(path, revision)
        try:
            return backup_sqlite(self, target).path
        except TransitionError as exc:
            raise DatabaseError(
                f"The database at {self.describe()} was last used by an earlier version of "
                f"transition (schema {revision}), and this version must upgrade it; a copy "
                f"is taken first, and it could not be made: {exc.message} Nothing was "
                "changed.",
                hint="Free space or permissions in that folder and try again; or take a "
                "backup yourself (transition db backup FILE) and run `transition db upgrade "
                "--no-copy`.",
            ) from None

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
            session.flush()  # the writes themselves: a Ctrl-C until here is rolled back
            with interrupt_held():  # so that, after a Ctrl-C, `commits` says what happened
                commits.begun += 1
                try:
                    session.commit()
                except Exception:
                    commits.begun -= 1  # a commit that failed saved nothing
                    raise
                commits.finished += 1
        except BaseException as exc:
            session.rollback()
            # A failure of a kind every command words (busy, a clash, the file or server) is
            # said so; any other error goes up as it is, since the driver's words might quote
            # the statement or its data: the CLI's last line of defence and the app's
            # database_words show only its type.
            known = self.known_failure(exc) if isinstance(exc, OperationalError) else None
            if known is not None:
                raise known from None
            raise
        finally:
            session.close()

    def _operational_error(self, exc: DBAPIError) -> DatabaseError:
        if is_lock_error(exc):
            return lock_message(self.busy_timeout_seconds)
        if is_clash(exc):
            return clash_message()
        return unusable_database(self.describe(), failure_reason(exc), self.sqlite_path)

    def known_failure(self, exc: BaseException) -> DatabaseError | None:
        """``exc`` in the words every command uses for a database it cannot use
        (:meth:`_operational_error`), when it is a failure of a kind they know: busy, a clash,
        or one of the driver's messages about the file or server (:func:`is_known_failure`).
        None for any other error: the driver's words might quote the statement or its data,
        so only the error's type may be shown (as the CLI's ``unexpected`` does)."""
        if not isinstance(exc, DBAPIError):
            return None
        if is_lock_error(exc) or is_clash(exc) or is_known_failure(failure_reason(exc)):
            return self._operational_error(exc)
        return None

    def dispose(self) -> None:
        self.engine.dispose()
