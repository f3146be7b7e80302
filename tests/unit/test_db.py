import os
import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
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
