"""`transition db check` and `transition db backup`."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import insert, text

from tests.conftest import RunCli, sqlite_path
from tests.factories import make_person, make_staff
from tests.importing import DATA
from transition.allocation import NewAssignment, set_assignments
from transition.config import Settings
from transition.db import Database
from transition.models import Assignment, Plan, Task

SINCE = date(2027, 4, 1)


def _healthy(database: Database) -> int:
    with database.transaction() as session:
        make_staff(session, "SW1")
        person = make_person(session, pathway="council")
        assert person.id is not None
        set_assignments(session, [NewAssignment(person.id, "social_worker", "SW1", SINCE)],
                        actor="me")
        return person.id


def _failed(result_json: dict) -> set[str]:
    return {check["name"] for check in result_json["checks"] if not check["ok"]}


def test_a_sound_database_passes_every_check(run_cli: RunCli, database: Database) -> None:
    _healthy(database)
    result = run_cli("db", "check", "--json")
    assert result.exit_code == 0, result.output
    report = result.json()
    assert report["ok"] and report["errors"] == 0 and _failed(report) == set()
    names = {check["name"] for check in report["checks"]}
    assert {"schema", "schema_objects", "audit_append_only", "storage", "foreign_keys",
            "one_current_assignment", "assignments_audited",
            "tasks_exist", "one_accepted_plan", "people_valid", "pathway_reasons_exist"} <= names
    human = run_cli("db", "check")
    assert human.exit_code == 0 and "All checks passed" in human.stdout


def test_broken_invariants_are_found_on_both_databases(run_cli: RunCli, database: Database) -> None:
    person_id = _healthy(database)
    with database.transaction() as session:
        # Written behind the domain's back: no audit row, a second accepted plan, a bad status.
        session.execute(insert(Plan), [{"status": "accepted", "created_by": "x"}] * 2)
        session.execute(insert(Assignment), [{
            "person_id": person_id, "role": "key_worker", "staff_id": "SW1", "since": SINCE,
            "created_by": "sql", "version": 1}])
        session.execute(insert(Task), [{
            "person_id": person_id, "key": "joint_visit", "title": "Visit",
            "owner_kind": "incoming",
            "due": SINCE, "offset_working_days": 0, "handover_date": SINCE, "status": "bogus",
            "version": 1}])
        session.execute(text("UPDATE person SET pathway_override = 'trust'"))
        session.execute(text("UPDATE person SET pathway_reasons_hash = 'not stored'"))
    result = run_cli("db", "check", "--json")
    assert result.exit_code == 1, result.output
    report = result.json()
    assert not report["ok"]
    assert _failed(report) == {"assignments_audited", "one_accepted_plan", "task_status",
                               "people_valid", "overrides_audited", "pathway_reasons_exist"}
    audited = next(c for c in report["checks"] if c["name"] == "assignments_audited")
    assert audited["problems"] == 1 and "key_worker" in audited["examples"][0]
    human = run_cli("db", "check")
    assert human.exit_code == 1 and "FAIL" in human.stdout and "Nothing was changed" in human.stdout


def test_dropped_safety_objects_are_found_on_both_databases(
        run_cli: RunCli, database: Database) -> None:
    """The revision alone vouched for the schema: with the one-current-worker index and the
    audit trail's triggers dropped (a bad manual repair, or tampering), every check passed."""
    _healthy(database)
    with database.transaction() as session:
        session.execute(text("DROP INDEX uq_assignment_current"))
        if database.is_sqlite:
            session.execute(text("DROP TRIGGER audit_event_no_delete"))
        else:
            session.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
    try:
        result = run_cli("db", "check", "--json")
    finally:
        _restore_safety_objects(database)  # a PostgreSQL test database serves later tests
    assert result.exit_code == 1, result.output
    report = result.json()
    assert _failed(report) == {"schema_objects", "audit_append_only"}
    checks = {check["name"]: check for check in report["checks"]}
    assert checks["schema_objects"]["examples"] == [
        "index uq_assignment_current on assignment is missing"]
    [trigger] = checks["audit_append_only"]["examples"]
    assert "is missing or disabled: the audit trail can be changed" in trigger
    assert run_cli("db", "check").exit_code == 0  # and put back, all is well again


def _restore_safety_objects(database: Database) -> None:
    [index] = [index for index in Assignment.__table__.indexes  # type: ignore[attr-defined]
               if index.name == "uq_assignment_current"]
    with database.transaction() as session:
        index.create(session.connection())
        if database.is_sqlite:
            session.execute(text(
                "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"))
        else:
            session.execute(text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_append_only"))


def test_dangling_references_are_found_in_sqlite(run_cli: RunCli, settings: Settings,
                                                 database: Database) -> None:
    path = sqlite_path(settings.resolved_database_url)
    if path is None:
        pytest.skip("PostgreSQL enforces foreign keys on every write")
    person_id = _healthy(database)
    database.dispose()
    raw = sqlite3.connect(path)  # foreign keys off, as in the sqlite3 shell
    raw.execute("UPDATE assignment SET staff_id = 'GONE'")
    raw.execute("INSERT INTO task (person_id, key, title, owner_kind, due, offset_working_days, "
                "handover_date, status, created_at, updated_at, version) VALUES "
                "(?, 'joint_visit', 'Visit', 'incoming', '2027-04-01', 0, '2027-04-01', 'todo', "
                "'2027-01-01', '2027-01-01', 1)", (person_id + 100,))
    raw.commit()
    raw.close()
    report = run_cli("db", "check", "--json").json()
    assert {"foreign_keys", "assignments_exist", "tasks_exist"} <= _failed(report)


def test_a_database_behind_is_reported_not_upgraded(run_cli: RunCli, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty.db"
    monkeypatch.setenv("TRANSITION_DATABASE_URL", f"sqlite:///{empty}")
    # No file at all: a mistyped path, refused, and nothing is created (it used to make an
    # empty database and report on it).
    for command in (("db", "check"), ("db", "status"), ("db", "backup", tmp_path / "b.db"),
                    ("status",), ("check",), ("people",), ("plan", "show")):
        result = run_cli(*command)
        assert result.exit_code == 2, (command, result.output)
        assert f"There is no database at {empty}: nothing was created" in " ".join(
            result.stderr.split())
        assert not empty.exists()
    # An empty file: refused too (it used to be checked as a database at no revision, with
    # the advice to upgrade it, which would have made a new empty database of a file that
    # may have been emptied by accident).
    empty.touch(mode=0o600)
    result = run_cli("db", "check", "--json")
    assert result.exit_code == 2
    assert result.json()["status"] == "failed"
    assert f"The file {empty} is empty (0 bytes)" in result.json()["error"]
    assert "restore it from a backup" in result.json()["hint"]
    assert empty.stat().st_size == 0


def test_the_commands_that_start_a_database_may_make_the_file(
        run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for number, command in enumerate((("db", "upgrade"),
                                      ("programme", "set", "--transfer-date", "2027-04-01"),
                                      ("import", "staff", DATA / "staff.csv"))):
        new = tmp_path / f"new{number}" / "transition.db"
        monkeypatch.setenv("TRANSITION_DATABASE_URL", f"sqlite:///{new}")
        assert run_cli(*command).exit_code == 0, command
        assert new.exists()


def test_a_backup_is_a_consistent_owner_only_copy_while_in_use(
    run_cli: RunCli, settings: Settings, database: Database, tmp_path: Path
) -> None:
    path = sqlite_path(settings.resolved_database_url)
    if path is None:
        result = run_cli("db", "backup", tmp_path / "copy.db")
        assert result.exit_code == 2
        assert "pg_dump --format=custom" in result.stderr and "Traceback" not in result.output
        assert not (tmp_path / "copy.db").exists()
        return
    _healthy(database)  # committed, still in the write-ahead log
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another manager mid-change
    writer.execute("INSERT INTO locality (name, created_at) VALUES ('Uncommitted', '2027-01-01')")
    target = tmp_path / "backups" / "copy.db"
    target.parent.mkdir()
    try:
        result = run_cli("db", "backup", target, "--json")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert result.exit_code == 0, result.output
    assert result.json()["file"] == str(target)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("SELECT count(*) FROM person").fetchone() == (1,)
        assert copy.execute("SELECT count(*) FROM assignment").fetchone() == (1,)
        assert copy.execute("SELECT count(*) FROM locality WHERE name = 'Uncommitted'"
                            ).fetchone() == (0,)
    finally:
        copy.close()
    assert list(target.parent.iterdir()) == [target]  # no partial file left behind
    # The copy is a working database.
    assert run_cli("--db", target, "db", "check").exit_code == 0


def test_a_backup_never_overwrites_by_accident(run_cli: RunCli, settings: Settings,
                                               tmp_path: Path) -> None:
    path = sqlite_path(settings.resolved_database_url)
    if path is None:
        pytest.skip("SQLite backups only")
    target = tmp_path / "copy.db"
    target.write_text("keep me")
    refused = run_cli("db", "backup", target)
    assert refused.exit_code == 2 and "already exists" in refused.stderr
    assert target.read_text() == "keep me"
    itself = run_cli("db", "backup", path, "--force")
    assert itself.exit_code == 2 and "the database itself" in " ".join(itself.stderr.split())
    assert run_cli("db", "backup", target, "--force").exit_code == 0
    assert target.read_bytes().startswith(b"SQLite format 3")


def test_a_backup_replacing_an_opened_copy_is_not_read_as_the_old_one(
    run_cli: RunCli, settings: Settings, database: Database, tmp_path: Path
) -> None:
    """Someone opened yesterday's backup and changed it; its write-ahead log stayed beside it.
    A new backup over it with --force was then read through that old log: the old data."""
    if sqlite_path(settings.resolved_database_url) is None:
        pytest.skip("SQLite backups only")
    _healthy(database)
    target = tmp_path / "copy.db"
    assert run_cli("db", "backup", target).exit_code == 0
    opened = sqlite3.connect(target, isolation_level=None)
    opened.execute("PRAGMA journal_mode = WAL")
    opened.execute("PRAGMA wal_autocheckpoint = 0")
    opened.execute("DELETE FROM locality")
    assert target.with_name("copy.db-wal").stat().st_size > 0  # the change is in the log only
    # The process holding it ends without checkpointing (as a killed app would).
    import os as os_module

    duplicate = os_module.open(target.with_name("copy.db-wal"), os_module.O_RDONLY)
    wal_before = os_module.read(duplicate, 1 << 20)
    os_module.close(duplicate)
    opened.close()  # a clean close would checkpoint and delete the log: put it back
    target.with_name("copy.db-wal").write_bytes(wal_before)
    assert run_cli("db", "backup", target, "--force").exit_code == 0
    assert not target.with_name("copy.db-wal").exists()
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("SELECT count(*) FROM locality").fetchone()[0] > 0
    finally:
        copy.close()


def test_a_backup_into_a_folder_or_an_unwritable_one_says_so(
    run_cli: RunCli, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if sqlite_path(settings.resolved_database_url) is None:
        pytest.skip("SQLite backups only")
    folder = run_cli("db", "backup", tmp_path, "--force")
    assert folder.exit_code == 2 and "is a folder, not a file" in folder.stderr
    assert "transition-backup.db" in folder.stderr
    # Permissions do not stop root (these tests may run as root): refuse the file instead.
    import transition.integrity

    def refuse(path: object, *args: object) -> int:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(transition.integrity.os, "open", refuse)
    refused = run_cli("db", "backup", tmp_path / "locked" / "copy.db")
    assert refused.exit_code == 2 and "does not exist" in refused.stderr
    (tmp_path / "locked").mkdir()
    refused = run_cli("db", "backup", tmp_path / "locked" / "copy.db")
    assert refused.exit_code == 2
    assert f"Cannot write in the folder {tmp_path / 'locked'} (Permission denied)" in " ".join(
        refused.stderr.split())
    assert "unexpectedly" not in refused.stderr
    assert list((tmp_path / "locked").iterdir()) == []


@pytest.mark.parametrize("command", [("status",), ("db", "status"), ("db", "upgrade"),
                                     ("people",), ("db", "backup", "copy.db")])
def test_a_file_that_is_not_a_database_is_said_so(run_cli: RunCli, tmp_path: Path,
                                                  command: tuple[str, ...]) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not a database\n")
    result = run_cli("--db", text, *[str(tmp_path / part) if part.endswith(".db") else part
                                     for part in command])
    said = " ".join(result.stderr.split())
    assert result.exit_code == 2 and "unexpectedly" not in said
    assert "file is not a database" in said
    assert text.read_text() == "not a database\n"  # left as it was


def test_a_damaged_file_is_a_failed_check_not_a_traceback(
    run_cli: RunCli, settings: Settings, database: Database
) -> None:
    path = sqlite_path(settings.resolved_database_url)
    if path is None:
        pytest.skip("a SQLite file")
    _healthy(database)
    database.dispose()
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw.close()
    pages = path.stat().st_size // 4096
    assert pages > 20
    with path.open("r+b") as handle:
        handle.seek(4096 * (pages // 2))
        handle.write(b"\xff" * 4096 * 4)
    result = run_cli("db", "check", "--json")
    assert result.exit_code == 1, result.output
    assert _failed(result.json()) & {"readable", "storage"}
    assert "Traceback" not in result.output


def test_a_search_text_out_of_date_is_a_warning_by_person_id(
        run_cli: RunCli, database: Database) -> None:
    person_id = _healthy(database)
    result = run_cli("db", "check", "--json")
    assert "search_text_current" not in _failed(result.json())
    with database.transaction() as session:  # written past the application: the name changed
        session.execute(text("UPDATE person SET family_name = 'Zając' WHERE id = :id"),
                        {"id": person_id})
    result = run_cli("db", "check", "--json")
    assert result.exit_code == 0, result.output  # a warning: the record itself is sound
    found = next(c for c in result.json()["checks"] if c["name"] == "search_text_current")
    assert found["severity"] == "warning" and found["problems"] == 1
    assert found["examples"] == [(f"person id {person_id}: search text out of date (a caseload "
                                  "search may miss them)")]
    assert "Zając" not in result.output  # never the name
