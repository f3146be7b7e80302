"""A database or its files gone wrong, as a council's IT person meets it: each says what is
wrong, where and what to do, exits 2 without a traceback, leaves the file as it was, and never
shows a password. Ctrl-C in the middle of a long write rolls it back and says so."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlmodel import SQLModel

import transition.commands.imports
import transition.commands.plan
from tests.conftest import RunCli, sqlite_path
from tests.importing import person_row, write_csv
from transition import db as dbmod
from transition.config import Settings
from transition.db import Database, describe_url

PASSWORD = "Sup3rSecretPw"


def _said(text: str) -> str:
    """stderr on one line (Rich wraps at 120 columns in the tests)."""
    return " ".join(text.split())


def _no_trace(result: object) -> None:
    output = result.output  # type: ignore[attr-defined]
    assert "Traceback" not in output and "unexpectedly" not in output, output


def _sqlite_only(settings: Settings) -> Path:
    path = sqlite_path(settings.resolved_database_url)
    if path is None:
        pytest.skip("a SQLite file")
    return path


def _counts(database: Database) -> dict[str, int]:
    with database.session() as session:
        return {table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
                for table in SQLModel.metadata.sorted_tables}


# ---------------------------------------------------------------------------------------------
# Files that are not (sound) SQLite databases


def test_db7_a_csv_renamed_db_is_refused_and_left_exactly_as_it_was(
        run_cli: RunCli, tmp_path: Path) -> None:
    tmp_path = tmp_path / "exports"
    tmp_path.mkdir()
    csv = write_csv(tmp_path / "caseload.db", [person_row(1)])
    os.chmod(csv, 0o644)
    before = csv.read_bytes()
    for command in (("status",), ("db", "check"), ("db", "check", "--json"),
                    ("import", "staff", tmp_path / "x.csv")):
        result = run_cli("--db", csv, *command)
        said = _said(result.stderr)
        assert result.exit_code == 2, (command, result.output)
        assert "file is not a database" in said
        assert f"{csv} is not a SQLite database" in said
        assert "not an export, a spreadsheet" in said
        _no_trace(result)
    # Not even its permissions were changed: it is not a database of ours.
    assert csv.read_bytes() == before
    assert stat.S_IMODE(csv.stat().st_mode) == 0o644
    assert sorted(path.name for path in tmp_path.iterdir()) == ["caseload.db"]


def test_db7_a_folder_named_as_the_database_says_so(run_cli: RunCli, tmp_path: Path) -> None:
    tmp_path = tmp_path / "team"
    tmp_path.mkdir()
    result = run_cli("--db", tmp_path, "people")
    assert result.exit_code == 2
    said = _said(result.stderr)
    assert f"{tmp_path} is a folder, not a file" in said
    assert f"--db {tmp_path / 'transition.db'}" in said
    _no_trace(result)
    assert list(tmp_path.iterdir()) == []


def test_db7_a_truncated_copy_says_it_is_damaged_and_to_restore_a_backup(
        run_cli: RunCli, settings: Settings, database: Database, tmp_path: Path) -> None:
    path = _sqlite_only(settings)
    assert run_cli("programme", "set", "--transfer-date", "2027-04-01").exit_code == 0
    database.dispose()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    cut = tmp_path / "cut short.db"
    cut.write_bytes(path.read_bytes()[: 4096 * 3])
    before = cut.read_bytes()
    for command in (("status",), ("db", "status"), ("db", "backup", tmp_path / "copy.db")):
        result = run_cli("--db", cut, *command)
        said = _said(result.stderr)
        assert result.exit_code == 2, (command, result.output)
        assert "malformed" in said
        assert "The database file is damaged" in said and "restore it from a backup" in said
        _no_trace(result)
    assert cut.read_bytes() == before
    assert not (tmp_path / "copy.db").exists()


# ---------------------------------------------------------------------------------------------
# Read-only, missing and other versions


def _read_only_url(path: Path) -> str:
    """The file opened read-only by SQLite itself (permissions do not stop root, and the
    tests may run as root)."""
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def test_db7_a_read_only_database_reads_and_refuses_writes_saying_why(
        run_cli: RunCli, settings: Settings, database: Database) -> None:
    path = _sqlite_only(settings)
    assert run_cli("programme", "set", "--transfer-date", "2027-04-01").exit_code == 0
    database.dispose()
    before = _counts(database)
    read_only = _read_only_url(path)
    assert run_cli("--db", read_only, "db", "status").exit_code == 0
    result = run_cli("--db", read_only, "programme", "set", "--transfer-date", "2027-05-01")
    said = _said(result.stderr)
    assert result.exit_code == 2, result.output
    assert "attempt to write a readonly database" in said
    assert "is read-only to you" in said and "work on a copy" in said
    _no_trace(result)
    assert _counts(database) == before


def test_db7_a_database_behind_that_cannot_be_upgraded_says_the_upgrade_is_the_write(
        run_cli: RunCli, settings: Settings, database: Database) -> None:
    path = _sqlite_only(settings)
    dbmod.downgrade(database.engine, "-1")
    behind = dbmod.current_revision(database.engine)
    database.dispose()
    result = run_cli("--db", _read_only_url(path), "people")
    said = _said(result.stderr)
    assert result.exit_code == 2, result.output
    assert f"was last used by an earlier version of transition (schema {behind})" in said
    assert f"must upgrade it to schema {dbmod.head_revision()}" in said
    assert "attempt to write a readonly database" in said and "Nothing was changed" in said
    assert "Then run `transition db upgrade`" in said
    _no_trace(result)
    assert dbmod.current_revision(database.engine) == behind


def test_db7_db_check_on_a_database_behind_says_upgrade_not_restore(
        run_cli: RunCli, database: Database) -> None:
    dbmod.downgrade(database.engine, "-1")
    result = run_cli("db", "check")
    said = _said(result.stdout)
    assert result.exit_code == 1
    assert "run transition db upgrade" in said
    assert "Restore from a backup" not in said
    assert dbmod.current_revision(database.engine) != dbmod.head_revision()  # left as it was


def test_db7_a_database_that_cannot_be_opened_names_the_folder(
        run_cli: RunCli, tmp_path: Path) -> None:
    # Opened read-only, a file that is not there cannot be made: SQLite's "unable to open".
    missing = tmp_path / "share" / "team.db"
    result = run_cli("--db", _read_only_url(missing), "db", "upgrade")
    said = _said(result.stderr)
    assert result.exit_code == 2, result.output
    assert "unable to open database file" in said
    assert f"check that the folder {missing.parent} exists" in said
    assert "team.db-wal" in said
    _no_trace(result)
    assert not missing.parent.exists()


@pytest.mark.parametrize(("reason", "hint"), [
    ("attempt to write a readonly database", "is read-only to you"),
    ("unable to open database file", "create the files it keeps beside it"),
    ("database or disk is full", "is full: free some space"),
    ("disk I/O error", "a failing disk, or a network share"),
    ('connection failed: connection to server at "db.example", port 5433 failed: refused',
     "The PostgreSQL server did not answer"),
    ("failed to resolve host 'db.example': [Errno -2] Name or service not known",
     "check the host and port"),
    ('connection failed: FATAL:  database "westshire" does not exist', "createdb NAME"),
    ('connection failed: FATAL:  password authentication failed for user "ana"', "~/.pgpass"),
    ('connection failed: FATAL:  role "ana" does not exist', "Check the user name"),
    ("cannot execute INSERT in a read-only transaction", "point the URL at the main server"),
])
def test_db7_each_kind_of_failure_says_what_to_do(reason: str, hint: str) -> None:
    error = dbmod.unusable_database("sqlite:////srv/share/team.db", reason,
                                    Path("/srv/share/team.db"))
    assert error.message == f"The database at sqlite:////srv/share/team.db could not be used: " \
                            f"{reason}."
    assert error.hint is not None and hint in error.hint
    assert "Check the path or server" not in error.hint


def test_db7_the_drivers_words_are_used_from_the_original_error() -> None:
    wrapped = OperationalError("SELECT 1", {}, Exception("database is locked\nmore detail"))
    assert dbmod.failure_reason(wrapped) == "database is locked"
    assert dbmod.cannot_be_reached("connection failed: Connection refused")
    assert not dbmod.cannot_be_reached("database disk image is malformed")


# ---------------------------------------------------------------------------------------------
# PostgreSQL: unreachable, and a password is never shown


def test_db7_a_password_in_the_urls_query_is_hidden_too() -> None:
    shown = describe_url(f"postgresql+psycopg://ana@db.example/westshire?sslmode=require"
                         f"&password={PASSWORD}")
    assert PASSWORD not in shown
    assert shown == ("postgresql+psycopg://ana@db.example/westshire?sslmode=require"
                     "&password=***")
    assert PASSWORD not in describe_url(f"postgresql://ana:{PASSWORD}@db.example/westshire")


@pytest.mark.parametrize("url", [
    f"postgresql://ana:{PASSWORD}@127.0.0.1:1/westshire",
    f"postgresql://ana@127.0.0.1:1/westshire?password={PASSWORD}",
])
def test_db7_an_unreachable_server_is_exit_2_with_no_password_anywhere(
        run_cli: RunCli, url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    for command in (("status",), ("db", "status", "--json"), ("db", "check"),
                    ("db", "check", "--json"), ("db", "upgrade", "--json"),
                    ("import", "staff", tmp_path / "staff.csv"),
                    ("db", "backup", tmp_path / "copy.db")):
        result = run_cli("--db", url, *command)
        said = _said(result.stderr)
        assert result.exit_code == 2, (command, result.output)
        assert PASSWORD not in result.output, command
        _no_trace(result)
        if command[:2] != ("db", "backup"):  # backup says to use pg_dump, before connecting
            assert "The PostgreSQL server did not answer" in said, command
            assert "Restore from a backup" not in result.output
        if "--json" in command:
            assert result.json()["status"] == "failed"
    assert PASSWORD not in caplog.text


def test_db7_a_wrong_database_name_on_the_server_says_so(
        run_cli: RunCli, settings: Settings) -> None:
    url = settings.resolved_database_url
    if sqlite_path(url) is not None:
        pytest.skip("a PostgreSQL server")
    from sqlalchemy.engine import make_url

    wrong = make_url(url).set(database="transition_db7_no_such_database", password=PASSWORD)
    result = run_cli("--db", wrong.render_as_string(hide_password=False), "db", "status",
                     "--json")
    assert result.exit_code == 2
    assert PASSWORD not in result.output
    failure = result.json()
    assert 'database "transition_db7_no_such_database" does not exist' in failure["error"]
    assert "createdb NAME" in failure["hint"]


def test_db7_db_status_on_a_server_with_a_password_in_the_url_hides_it(
        run_cli: RunCli, settings: Settings, database: Database) -> None:
    url = settings.resolved_database_url
    if sqlite_path(url) is not None:
        pytest.skip("a PostgreSQL server")
    # The test server trusts local connections, so any password is accepted and ignored.
    for given in (f"{url}{'&' if '?' in url else '?'}password={PASSWORD}",):
        result = run_cli("--db", given, "db", "status", "--json")
        assert result.exit_code == 0, result.output
        assert PASSWORD not in result.output
        assert result.json()["state"] == "current"


# ---------------------------------------------------------------------------------------------
# Ctrl-C during a long write


@pytest.fixture
def ctrl_c_handler() -> Iterator[None]:
    """The command's Ctrl-C message ignores further Ctrl-Cs while it exits: put Python's
    handler back for the rest of the test run."""
    previous = signal.getsignal(signal.SIGINT)
    yield
    signal.signal(signal.SIGINT, previous)


def test_db7_ctrl_c_at_the_end_of_an_import_rolls_it_back_with_its_rejects_file(
        run_cli: RunCli, database: Database, settings: Settings, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, ctrl_c_handler: None) -> None:
    assert run_cli("import", "caseload", write_csv(tmp_path / "first.csv",
                                                   [person_row(i) for i in range(5)])
                   ).exit_code == 0
    before = _counts(database)
    rows = [person_row(i) for i in range(5, 60)] + [person_row(99, nhs_number="not a number")]
    later = write_csv(tmp_path / "later.csv", rows)
    rejects = tmp_path / "rejects"
    real = transition.commands.imports.import_file
    reached = []

    def import_then_ctrl_c(*args: object, **kwargs: object) -> object:
        result = real(*args, **kwargs)  # every row written, the rejects file staged
        reached.append(result)
        raise KeyboardInterrupt

    monkeypatch.setattr(transition.commands.imports, "import_file", import_then_ctrl_c)
    result = run_cli("import", "caseload", later, "--rejects", rejects / "later-rejects.csv")

    assert reached and reached[0].inserted == 55 and reached[0].rejected == 1
    assert result.exit_code == 130
    assert result.stderr.strip().splitlines()[-1] == (
        "Interrupted. Nothing from this command was saved.")
    _no_trace(result)
    assert _counts(database) == before
    assert not rejects.exists() or list(rejects.iterdir()) == []
    path = sqlite_path(settings.resolved_database_url)
    if path is not None:
        raw = sqlite3.connect(path)
        try:
            assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            raw.close()
    monkeypatch.setattr(transition.commands.imports, "import_file", real)
    assert run_cli("import", "caseload", later).exit_code == 1  # and it runs again, whole
    assert _counts(database)["person"] == 60


def test_db7_ctrl_c_after_a_plan_is_stored_rolls_it_back(
        run_cli: RunCli, database: Database, generated_small: Path,
        monkeypatch: pytest.MonkeyPatch, ctrl_c_handler: None) -> None:
    assert run_cli("import", "staff", generated_small / "staff.csv").exit_code == 0
    assert run_cli("import", "caseload", generated_small / "trust_caseload.csv").exit_code in (0, 1)
    assert run_cli("programme", "set", "--transfer-date", "2027-04-01").exit_code == 0
    assert run_cli("assess").exit_code == 0
    before = _counts(database)

    def ctrl_c(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt  # after propose_plan stored the plan, before the commit

    monkeypatch.setattr(transition.commands.plan, "_new_worker_names", ctrl_c)
    result = run_cli("plan")

    assert result.exit_code == 130
    assert result.stderr.strip().splitlines()[-1] == (
        "Interrupted. Nothing from this command was saved.")
    _no_trace(result)
    after = _counts(database)
    assert after == before and after["plan"] == 0 and after["plan_assignment"] == 0
    assert run_cli("db", "check", "--json").json()["ok"]


@pytest.fixture
def generated_small(run_cli: RunCli, tmp_path: Path) -> Iterator[Path]:
    out = tmp_path / "generated"
    assert run_cli("generate", "--out", out, "--people", "120").exit_code == 0
    yield out
    shutil.rmtree(out, ignore_errors=True)


@pytest.mark.parametrize(("words", "lost"), [
    ("server closed the connection unexpectedly", True),
    ("no such column: person.given_name = 'Sam'", False),  # could quote data: type only
])
def test_a_connection_lost_mid_command_says_so_in_the_servers_words(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch, words: str, lost: bool
) -> None:
    """The database went away after the command opened it (a server restart, a network
    share gone): the driver's words and what to do, not "stopped unexpectedly"."""
    def dropped(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("SELECT ...", {}, Exception(words))

    monkeypatch.setattr("transition.commands.people.list_people", dropped)
    result = run_cli("people")
    said = " ".join(result.stderr.split())
    assert result.exit_code == 2 and "Traceback" not in result.output
    if lost:
        assert f"The connection to the database was lost partway: {words}." in said
        assert "The PostgreSQL server did not answer" in said
    else:
        assert "stopped unexpectedly (OperationalError)" in said and "Sam" not in said
