"""Upgrading a database's schema as a side effect of any command: a SQLite file is copied
beside itself first, the command says that it upgraded and where the copy is, the copy is
the database as it was (an earlier transition can open it), and a failed upgrade leaves no
copy behind. An empty file is refused by any command that does not start a database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.conftest import RunCli, sqlite_path
from transition import db as dbmod
from transition.config import Settings
from transition.db import Database, copy_before_upgrade_path
from transition.errors import DatabaseError, TransitionError


def _said(text: str) -> str:
    return " ".join(text.split())


def _copies(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.before-schema-*"))


def _revision_in(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def _behind(database: Database) -> str:
    dbmod.downgrade(database.engine, "-1")
    behind = dbmod.current_revision(database.engine)
    assert behind is not None and behind != dbmod.head_revision()
    database.dispose()
    return behind


def test_a_command_that_upgrades_says_so_and_keeps_a_copy_from_before(
        run_cli: RunCli, settings: Settings, database: Database) -> None:
    assert run_cli("programme", "set", "--transfer-date", "2027-04-01").exit_code == 0
    behind = _behind(database)
    result = run_cli("people")
    said = _said(result.stderr)
    assert result.exit_code == 0, result.output
    assert f"upgraded the database at {database.describe()} from schema {behind} to " \
           f"{dbmod.head_revision()}" in said
    assert "earlier versions can no longer open it" in said
    assert dbmod.current_revision(database.engine) == dbmod.head_revision()
    path = sqlite_path(settings.resolved_database_url)
    if path is None:  # a server: no file to copy (pg_dump is the way), and none said
        assert "A copy from before" not in said
    else:
        [copy] = _copies(path.parent)
        assert f"A copy from before the upgrade is at {copy}" in said
        assert _revision_in(copy) == behind  # the database as it was
        assert copy.stat().st_mode & 0o777 == 0o600  # it holds personal data
    again = run_cli("people")
    assert again.exit_code == 0 and "upgraded" not in again.stderr  # said once, when it happened


def test_db_upgrade_names_the_copy_and_no_copy_makes_none(
        run_cli: RunCli, settings: Settings, database: Database) -> None:
    path = sqlite_path(settings.resolved_database_url)
    if path is None:
        pytest.skip("a SQLite file")
    _behind(database)
    result = run_cli("db", "upgrade", "--json")
    assert result.exit_code == 0, result.output
    copy = result.json()["copy_before_upgrade"]
    assert copy is not None and Path(copy) in _copies(path.parent)
    _behind(database)
    result = run_cli("db", "upgrade", "--no-copy")
    assert result.exit_code == 0, result.output
    assert "A copy from before" not in result.stdout
    assert len(_copies(path.parent)) == 1
    assert dbmod.current_revision(database.engine) == dbmod.head_revision()


def test_a_second_upgrade_from_the_same_schema_never_overwrites_the_first_copy(
        tmp_path: Path) -> None:
    database = tmp_path / "team.db"
    first = copy_before_upgrade_path(database, "0015_person_carer_consent")
    assert first == tmp_path / "team.before-schema-0015.db"
    first.write_bytes(b"kept")
    second = copy_before_upgrade_path(database, "0015_person_carer_consent")
    assert second == tmp_path / "team.before-schema-0015-2.db"
    assert copy_before_upgrade_path(tmp_path / "plain", "0003_x") == \
        tmp_path / "plain.before-schema-0003.db"


def test_an_upgrade_that_fails_leaves_no_copy(
        run_cli: RunCli, settings: Settings, database: Database) -> None:
    path = sqlite_path(settings.resolved_database_url)
    if path is None:
        pytest.skip("a SQLite file")
    behind = _behind(database)
    result = run_cli("--db", f"sqlite:///file:{path}?mode=ro&uri=true", "people")
    assert result.exit_code == 2, result.output
    assert "the upgrade failed" in _said(result.stderr)
    assert _copies(path.parent) == []
    assert dbmod.current_revision(database.engine) == behind


def test_a_copy_that_cannot_be_made_stops_the_upgrade_saying_what_to_do(
        settings: Settings, database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    if sqlite_path(settings.resolved_database_url) is None:
        pytest.skip("a SQLite file")
    behind = _behind(database)

    def no_room(*_args: object, **_kwargs: object) -> None:
        raise TransitionError("Cannot write in the folder (No space left on device); nothing "
                              "was written.")

    monkeypatch.setattr("transition.integrity.backup_sqlite", no_room)
    with pytest.raises(DatabaseError) as raised:
        database.migrate()
    said = _said(str(raised.value))
    assert "a copy is taken first, and it could not be made" in said
    assert "No space left on device" in said and "Nothing was changed" in said
    assert "--no-copy" in said
    assert dbmod.current_revision(database.engine) == behind
    assert database.migrate(keep_copy=False) is not None  # the way round it, once backed up
    assert dbmod.current_revision(database.engine) == dbmod.head_revision()


def test_an_empty_file_is_refused_and_left_empty(run_cli: RunCli, tmp_path: Path) -> None:
    empty = tmp_path / "emptied.db"
    empty.touch()
    for args in (("people",), ("db", "status"), ("db", "check")):
        result = run_cli("--db", empty, *args)
        said = _said(result.stderr)
        assert result.exit_code == 2, result.output
        assert f"The file {empty} is empty (0 bytes)" in said, args
        assert "restore it from a backup" in said and "its first import" in said
        assert "Traceback" not in result.output
        assert empty.stat().st_size == 0


def test_an_empty_file_may_still_start_a_new_database(run_cli: RunCli, tmp_path: Path) -> None:
    empty = tmp_path / "new.db"
    empty.touch()
    result = run_cli("--db", empty, "programme", "set", "--transfer-date", "2027-04-01")
    assert result.exit_code == 0, result.output
    assert "upgraded" not in result.stderr  # a new database is made, not upgraded
    assert _copies(tmp_path) == []
    assert run_cli("--db", empty, "people").exit_code == 0



def test_an_empty_file_with_its_data_in_the_write_ahead_log_is_not_called_empty(
        tmp_path: Path) -> None:
    from transition.commands.common import _empty_file

    empty = tmp_path / "walonly.db"
    empty.touch()
    assert _empty_file(empty)
    (tmp_path / "walonly.db-wal").write_bytes(b"x" * 100)
    assert not _empty_file(empty)
    assert not _empty_file(tmp_path / "missing.db")
