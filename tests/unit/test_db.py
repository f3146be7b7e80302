import logging
import os
import signal
import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
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
