import logging
import os
import signal
import stat
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import SQLModel

from transition import db as dbmod
from transition import models  # noqa: F401  (the tables, for SQLModel.metadata)
from transition.audit import Change, events, record
from transition.db import Database
from transition.errors import DatabaseError


def test_a_new_sqlite_file_is_owner_only_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "new" / "t.db"
    database = Database(f"sqlite:///{path}")
    database.migrate()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    with database.session() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() > 0
    database.dispose()


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 't.db'}")
    database.migrate()
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(DatabaseError, match="newer version of transition"):
        database.migrate()
    database.dispose()


def test_a_database_behind_is_upgraded(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 't.db'}")
    assert dbmod.schema_status(database.engine)[0] is None
    database.migrate()
    current, head, known = dbmod.schema_status(database.engine)
    assert current == head and known
    database.dispose()


def test_migrations_run_down_and_up_again(database: Database) -> None:
    dbmod.downgrade(database.engine, "base")
    assert dbmod.schema_status(database.engine)[0] is None
    database.migrate()
    assert dbmod.schema_status(database.engine)[0] == dbmod.head_revision()


def test_the_migrations_make_the_schema_the_models_describe(database: Database) -> None:
    with database.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def test_the_audit_trail_is_append_only(database: Database) -> None:
    with database.transaction() as session:
        record(session, Change(action="test", entity="person", before=1, after=2), actor="me")
    with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
        session.execute(text("UPDATE audit_event SET actor = 'someone else'"))
    with pytest.raises(DBAPIError, match="append-only"), database.transaction() as session:
        session.execute(text("DELETE FROM audit_event"))
    with database.session() as session:
        [event] = events(session)
    assert (event.actor, event.before, event.after) == ("me", 1, 2)


def test_a_failed_transaction_leaves_nothing(database: Database) -> None:
    with pytest.raises(RuntimeError), database.transaction() as session:
        record(session, Change(action="test", entity="person"), actor="me")
        raise RuntimeError("interrupted")
    with database.session() as session:
        assert events(session) == []


def test_a_transaction_words_only_the_failures_it_knows(database: Database) -> None:
    """A failure every command words (here the file or server gone) becomes that message; any
    other OperationalError goes up unchanged, so that its words, which might quote the
    statement or its data, reach only the CLI's and the app's last lines of defence (which
    show its type). Either way nothing was written."""
    known = OperationalError("SELECT 1", {}, Exception("disk I/O error"))
    unknown = OperationalError("SELECT 1", {}, Exception("no such column: 'Jane Doe'"))
    with pytest.raises(DatabaseError) as worded, database.transaction() as session:
        record(session, Change(action="test", entity="person"), actor="me")
        raise known
    assert "disk I/O error" in worded.value.message
    with pytest.raises(OperationalError) as raw, database.transaction() as session:
        record(session, Change(action="test", entity="person"), actor="me")
        raise unknown
    assert raw.value is unknown
    with database.session() as session:
        assert events(session) == []


def test_a_bad_url_is_a_clear_error() -> None:
    with pytest.raises(DatabaseError, match="not valid"):
        Database("not a url ::")


def test_a_path_in_the_environment_means_a_sqlite_file(monkeypatch, tmp_path) -> None:
    from transition.config import load_settings

    monkeypatch.setenv("TRANSITION_DATABASE_URL", str(tmp_path / "team.db"))
    assert load_settings().resolved_database_url == f"sqlite:///{tmp_path / 'team.db'}"
    monkeypatch.setenv("TRANSITION_DATABASE_URL", "postgresql://u@h/db")
    assert load_settings().resolved_database_url == "postgresql://u@h/db"
    monkeypatch.setenv("TRANSITION_DATABASE_URL", "~/x.db")
    assert load_settings().resolved_database_url.endswith("/x.db")
    assert "~" not in load_settings().resolved_database_url


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_an_existing_database_open_to_others_is_made_owner_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "shared.db"
    path.touch()  # made before the first use, world-readable
    os.chmod(path, 0o644)
    for suffix in ("-wal", "-shm"):  # left by an earlier run
        Path(f"{path}{suffix}").touch()
        os.chmod(f"{path}{suffix}", 0o664)
    with caplog.at_level(logging.WARNING, logger="transition.db"):
        database = Database(f"sqlite:///{path}")
        database.migrate()
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists():
            assert _mode(name) == 0o600, name
    warnings = [r.getMessage() for r in caplog.records if r.name == "transition.db"]
    assert len(warnings) == 1, warnings  # said once, for the three files
    assert "shared.db, shared.db-wal, shared.db-shm" in warnings[0]
    assert "now only you can" in warnings[0]
    caplog.clear()
    database.dispose()
    Database(f"sqlite:///{path}").dispose()  # nothing more to say the next time
    assert not [r for r in caplog.records if r.name == "transition.db"]


def test_a_database_open_to_others_that_someone_else_owns_is_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "theirs.db"
    path.touch()
    os.chmod(path, 0o644)
    monkeypatch.setattr(dbmod.os, "getuid", lambda: os.stat(path).st_uid + 1)
    with caplog.at_level(logging.WARNING, logger="transition.db"):
        Database(f"sqlite:///{path}").dispose()
    assert _mode(path) == 0o644  # not ours to change
    (warning,) = [r.getMessage() for r in caplog.records if r.name == "transition.db"]
    assert "theirs.db" in warning and "chmod 600" in warning and "another user owns it" in warning


def test_sqlite_file_reads_any_sqlite_url(tmp_path: Path) -> None:
    assert dbmod.sqlite_file(f"sqlite+pysqlite:///{tmp_path}/a.db") == tmp_path / "a.db"
    assert dbmod.sqlite_file(f"sqlite:///{tmp_path}/a.db") == tmp_path / "a.db"
    assert dbmod.sqlite_file("sqlite://") is None
    assert dbmod.sqlite_file("sqlite:///:memory:") is None
    assert dbmod.sqlite_file("postgresql://u@h/db") is None


def test_a_ctrl_c_during_a_commit_is_held_until_the_commit_is_counted(
    database: Database,
) -> None:
    """Ctrl-C arriving while the database commits is raised once `commits` says it finished,
    so the command line can say truthfully that the change was saved."""
    dbmod.commits.reset()
    with pytest.raises(KeyboardInterrupt), database.transaction() as session:
        record(session, Change(action="test.event", entity="test"), actor="tester")
        session.flush()
        # The interrupt lands inside the commit (the session's before_commit event).
        event.listen(session, "before_commit", lambda *_: signal.raise_signal(signal.SIGINT))
    assert dbmod.commits.begun == dbmod.commits.finished == 1
    with database.session() as session:
        assert [row.action for row in events(session)] == ["test.event"]


def test_a_ctrl_c_before_the_commit_saves_nothing(database: Database) -> None:
    dbmod.commits.reset()
    with pytest.raises(KeyboardInterrupt), database.transaction() as session:
        record(session, Change(action="test.event", entity="test"), actor="tester")
        signal.raise_signal(signal.SIGINT)
    assert dbmod.commits.begun == dbmod.commits.finished == 0
    with database.session() as session:
        assert events(session) == []


def _wait_for_a_lock_wait(engine: Engine, thread: threading.Thread) -> None:
    """Return once another PostgreSQL backend on this database waits for a lock."""
    with engine.connect() as probe:
        for _ in range(3000):
            if probe.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()")).scalar():
                return
            if not thread.is_alive():
                raise AssertionError("the second command finished without waiting")
            probe.rollback()
            time.sleep(0.01)  # polling for a condition, not guessing a delay
    raise AssertionError("the second command never waited for the first")


def test_two_commands_starting_on_a_new_database_at_once_both_work(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first migrates; the second waits for it, then finds nothing to do (both databases).
    Without the migration lock the second failed: "duplicate key value violates unique
    constraint" on PostgreSQL, "the database is busy" at once on SQLite."""
    dbmod.downgrade(database.engine, "base")  # a new database: both find no schema
    url = database.url.render_as_string(hide_password=False)
    engines = [dbmod.create_db_engine(url, busy_timeout_seconds=60) for _ in range(2)]
    migrated, carry_on, second_waits = threading.Event(), threading.Event(), threading.Event()
    upgrade = dbmod.command.upgrade

    def first_holds_on(config: Any, revision: str, **kwargs: Any) -> None:
        upgrade(config, revision, **kwargs)
        if threading.current_thread().name == "first":
            migrated.set()  # migrated, not yet committed: it holds the lock
            carry_on.wait(60)

    monkeypatch.setattr(dbmod.command, "upgrade", first_holds_on)
    if database.is_sqlite:
        # SQLite shows no waiters: note when the second starts a statement that needs the
        # write lock the first holds (it then waits in SQLite's busy handler).
        def trace(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.set_trace_callback(lambda sql: second_waits.set() if sql.split()[
                :2] == ["BEGIN", "IMMEDIATE"] or sql.split()[0] in ("CREATE", "INSERT")
                else None)

        event.listen(engines[1], "connect", trace)
    failures: dict[str, BaseException] = {}

    def migrate(engine: Engine) -> None:
        try:
            dbmod.ensure_schema(engine)
        except BaseException as exc:  # noqa: BLE001  (handed to the test thread)
            failures[threading.current_thread().name] = exc

    first = threading.Thread(target=migrate, args=(engines[0],), name="first")
    second = threading.Thread(target=migrate, args=(engines[1],), name="second")
    try:
        first.start()
        assert migrated.wait(60), failures
        second.start()
        if database.is_sqlite:
            assert second_waits.wait(60), failures
        else:
            _wait_for_a_lock_wait(database.engine, second)
    finally:
        carry_on.set()
        first.join(timeout=60)
        second.join(timeout=60)
        for engine in engines:
            engine.dispose()
    assert failures == {}
    assert dbmod.schema_status(database.engine)[0] == dbmod.head_revision()


def test_a_non_numeric_port_is_an_invalid_url_without_the_password() -> None:
    with pytest.raises(DatabaseError, match="URL is not valid: its port is not a number") as caught:
        Database("postgresql://u:s3cretpw@host:abc/db")
    assert "s3cretpw" not in str(caught.value) and "s3cretpw" not in (caught.value.hint or "")


def test_the_urls_own_server_options_are_kept_beside_the_lock_timeout(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A team keeping transition in its own schema (``?options=-csearch_path=tr``) gets its
    tables there, and still the lock timeout; ``PGOPTIONS`` counts when the URL has none."""
    url = make_url("postgresql://u@h/db?options=-csearch_path%3Dtr")
    assert dbmod.postgres_options(url, 2) == "-csearch_path=tr -c lock_timeout=2000"
    monkeypatch.setenv("PGOPTIONS", "-c search_path=other")
    assert dbmod.postgres_options(url, 2) == "-csearch_path=tr -c lock_timeout=2000"
    assert (dbmod.postgres_options(make_url("postgresql://u@h/db"), 2)
            == "-c search_path=other -c lock_timeout=2000")
    monkeypatch.delenv("PGOPTIONS")
    if database.is_sqlite:
        return
    schema = f"fx_{uuid.uuid4().hex[:8]}"
    with database.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    own = Database(database.url.update_query_dict({"options": f"-csearch_path={schema}"})
                   .render_as_string(hide_password=False), busy_timeout_seconds=3)
    try:
        own.migrate()
        with own.engine.connect() as connection:
            assert connection.execute(text("SHOW search_path")).scalar() == schema
            assert connection.execute(text("SHOW lock_timeout")).scalar() == "3s"
            tables = set(connection.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
                {"schema": schema}).scalars())
        assert {"person", "task", "alembic_version"} <= tables
    finally:
        own.dispose()
        with database.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def test_a_clash_with_another_transaction_is_worded_as_one(database: Database) -> None:
    """A deadlock or serialization failure (PostgreSQL) says another user's work clashed and
    was rolled back, not that the database could not be used."""
    clash = OperationalError("UPDATE ...", {}, psycopg.errors.SerializationFailure(
        "could not serialize access due to concurrent update"))
    message = database._operational_error(clash)
    assert "clashed with another user's work" in str(message) and "nothing was changed" in str(
        message)
    assert "Check the path" not in (message.hint or "") and "Try again" in (message.hint or "")
    if database.is_sqlite:
        return
    # A real deadlock: each transaction holds a row the other wants.
    with database.transaction() as session:
        session.execute(text("INSERT INTO locality (name, created_at) VALUES ('A', now()), ('B', now())"))
    patient = Database(database.url.render_as_string(hide_password=False),
                       busy_timeout_seconds=60)
    holds_b = threading.Event()
    outcome: dict[str, BaseException | None] = {}

    def other() -> None:
        try:
            with patient.transaction() as session:
                session.execute(text("UPDATE locality SET created_at = created_at WHERE name = 'B'"))
                holds_b.set()
                session.execute(text("UPDATE locality SET created_at = created_at WHERE name = 'A'"))
            outcome["other"] = None
        except BaseException as exc:  # noqa: BLE001  (handed to the test thread)
            outcome["other"] = exc

    thread = threading.Thread(target=other)
    try:
        with database.transaction() as session:
            session.execute(text("UPDATE locality SET created_at = created_at WHERE name = 'A'"))
            thread.start()
            assert holds_b.wait(60)
            _wait_for_a_lock_wait(database.engine, thread)
            try:
                session.execute(text("UPDATE locality SET created_at = created_at WHERE name = 'B'"))
            except OperationalError as exc:  # this side was chosen: the transaction says it
                outcome["mine"] = exc
                raise
    except DatabaseError as exc:
        outcome["mine"] = exc
    finally:
        thread.join(timeout=60)
        patient.dispose()
    [failed] = [exc for exc in outcome.values() if exc is not None]
    assert isinstance(failed, DatabaseError), outcome
    assert "clashed with another user's work" in str(failed)
