"""Running the check unattended: one at a time, beside people using the app, always recorded.

- **One at a time.** :func:`single_run` takes a lock that the operating system or the database
  server releases by itself if the process dies (no stale lock to clear by hand):
  PostgreSQL, a session advisory lock held on a connection of its own for the whole run;
  SQLite, an exclusive ``flock`` on ``<database file>.check-lock`` beside the database (created
  0600). A second check finds it taken and stops at once with :class:`CheckAlreadyRunning`
  (exit status 2).
- **After an import.** An import still writing when the check starts is waited for (up to the
  busy timeout), so the findings are read from what it brings.
- **Beside the app.** The findings are read in a read session, one snapshot of the database
  (SQLite WAL, or PostgreSQL at REPEATABLE READ: the app's writes, or an import, are neither
  blocked nor blocking, and one committed part-way through is wholly after the check), then the run, its findings and any draft plan
  are written in one short write transaction.
- **Recorded.** Every run is a ``CheckRun`` row: complete (counts, exit status, draft plan) or
  failed (exit status 2) when the check could not finish.
"""

from __future__ import annotations

import errno
import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlmodel import Session

from transition.checks import (
    CheckReport,
    Progress,
    collect_findings,
    record_check,
    record_failed_run,
)
from transition.db import Database, failure_reason, is_lock_error, unusable_database
from transition.errors import EXIT_FAILED, DatabaseError, TransitionError
from transition.locks import IMPORT_LOCK, advisory_lock
from transition.models import utcnow

try:  # POSIX; on Windows the SQLite lock falls back to this process only
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]


class CheckAlreadyRunning(TransitionError):
    """Another check holds the lock on this database."""

    exit_code = EXIT_FAILED


_LOCK_KEY = int.from_bytes(hashlib.sha256(b"transition.check").digest()[:8], "big", signed=True)
_in_memory = threading.Lock()  # :memory: databases live in one process only


def _running() -> CheckAlreadyRunning:
    return CheckAlreadyRunning(
        "Another check is already running on this database, so this one did not start.",
        hint="Wait for it to finish (see `transition check history`), then run it again.",
    )


def lock_path(database: Database) -> Path | None:
    """The SQLite lock file beside the database (None for PostgreSQL or an in-memory one)."""
    path = database.sqlite_path
    return None if path is None else path.with_name(path.name + ".check-lock")


@contextmanager
def single_run(database: Database) -> Iterator[None]:
    """Hold the check lock for the block; raise :class:`CheckAlreadyRunning` if it is taken."""
    if not database.is_sqlite:
        with _postgres_lock(database):
            yield
        return
    path = lock_path(database)
    if path is None or fcntl is None:
        if not _in_memory.acquire(blocking=False):
            raise _running()
        try:
            yield
        finally:
            _in_memory.release()
        return
    try:
        # Never through a link: the lock is truncated and written, so a link planted beside
        # the database would have the check overwrite whatever file it points at.
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise TransitionError(
                f"The check's lock file {path} is a symbolic link, so the check did not start.",
                hint="Remove the link (a check makes the file again), then run the check again.",
            ) from None
        # Most often made by another user: the sysadmin's first `sudo transition check`
        # leaves it root's, 0600, and every nightly run after that stops here.
        raise TransitionError(
            f"The check's lock file {path} could not be opened "
            f"({exc.strerror or type(exc).__name__}), so the check did not start.",
            hint="If another user made it (root, say), remove it or give it to the user the "
            "check runs as (chown); a check makes it again. Then run the check again.",
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _running() from None
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())  # for a person wondering who holds it
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextmanager
def _postgres_lock(database: Database) -> Iterator[None]:
    connection = None
    try:
        connection = database.engine.connect()
        taken = connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                   {"key": _LOCK_KEY}).scalar()
        connection.commit()
    except SQLAlchemyError as exc:
        if connection is not None:
            connection.invalidate()  # not back to the pool: any lock it took goes with it
        raise _lock_not_taken(database, exc) from None
    try:
        if not taken:
            raise _running()
        yield
    finally:
        try:
            if taken:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY})
                connection.commit()
            connection.close()
        except SQLAlchemyError:
            connection.invalidate()  # closing the connection releases the lock


def _lock_not_taken(database: Database, exc: SQLAlchemyError) -> DatabaseError:
    """Why the check could not take its PostgreSQL lock, in the words every command uses for
    a database it cannot use (:meth:`Database._operational_error`: busy, a clash, or the
    driver's first line with what to do about that kind of failure). The statement is fixed
    and its one parameter is the lock's key, so those words cannot quote a person's data; the
    statement and parameters themselves (later lines of SQLAlchemy's text) are never shown."""
    error = (database._operational_error(exc) if isinstance(exc, DBAPIError)
             else unusable_database(database.describe(), failure_reason(exc), None))
    return DatabaseError(f"{error.message} The check did not start.", hint=error.hint)


def run_check(
    database: Database,
    rules: Any,
    *,
    as_of: date,
    actor: str,
    apply: bool = False,
    rebalance: bool = False,
    progress: Progress | None = None,
    council: Any = None,
    templates_dir: Path | None = None,
) -> CheckReport:
    """The whole nightly check: lock, read the findings, write the run (and any draft plan;
    ``rebalance`` also re-plans the people of over-capacity workers, see
    :func:`transition.check_findings.affected_people`). ``council`` and ``templates_dir``: the
    settings' council details and ``letter_templates_dir``
    (:func:`transition.checks.collect_findings`).

    A check that cannot finish is recorded as failed (when the database can still be written)
    and its error raised."""
    with single_run(database):
        started = utcnow()
        try:
            still_importing = _after_a_running_import(database)
            with database.session() as session:
                _one_snapshot(database, session)
                report = collect_findings(session, rules, as_of=as_of, progress=progress,
                                          council=council, templates_dir=templates_dir)
            report.started_at = started
            if still_importing is not None:
                report.notes.append(still_importing)
            with database.transaction() as session:
                return record_check(session, rules, report, actor=actor, apply=apply,
                                    rebalance=rebalance)
        except Exception:  # whatever stopped it (a bug included), the run is in the history
            _record_failure(database, as_of=as_of, actor=actor, started=started)
            raise


def _after_a_running_import(database: Database) -> str | None:
    """Wait (up to the busy timeout) for an import in progress to commit, so the findings are
    read from what it brings: cron's 02:00 import still writing when the 02:15 check starts
    would otherwise give the morning the caseload from before it. SQLite: an empty write
    transaction, which waits for the import's write lock; PostgreSQL: the import lock, which
    an import holds until it commits. The app's own writes are short and barely waited for.
    Returns a note for the report when the import had not finished by then (the check reads
    the database as it stands)."""
    with database.engine.connect() as connection:
        connection = connection.execution_options(sqlite_begin="IMMEDIATE")
        try:
            with connection.begin():
                advisory_lock(connection, IMPORT_LOCK)
        except OperationalError as exc:
            if not is_lock_error(exc):
                raise
            return (f"An import, or another write, was still running after "
                    f"{database.busy_timeout_seconds:g} seconds when the check started: these "
                    "findings are from the data before it. Run the check again when it has "
                    "finished (`transition import history`).")
    return None


def _one_snapshot(database: Database, session: Session) -> None:
    """Read every finding from the database as it stood at one moment, so an import that
    commits part-way through the check is wholly after it: SQLite's read transaction (WAL) is
    a snapshot already; PostgreSQL's default (READ COMMITTED) lets each query see the latest
    commit, and the findings could mix the caseload before an import with the one after."""
    if not database.is_sqlite:
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _record_failure(database: Database, *, as_of: date, actor: str, started: Any) -> None:
    try:
        with database.transaction() as session:
            record_failed_run(session, as_of=as_of, actor=actor, started_at=started)
    except (TransitionError, SQLAlchemyError):
        pass  # the database itself is what failed; the original error is the one to report
