"""Names and paths that look like Rich markup are printed as written (export review).

An actor recorded as "ana [locum]" was shown by `transition audit` as "ana" (the trail
misreported who made a change), and "bob[/x]" stopped the command with MarkupError; an export
or backup into a folder with square brackets in its name stopped after the files were written
(and the export audited), saying the change had been rolled back."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import RunCli, sqlite_path
from tests.factories import make_person
from transition.config import Settings
from transition.db import Database
from transition.models import AuditEvent


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_audit_shows_the_actor_as_recorded(run_cli: RunCli, database: Database) -> None:
    with database.transaction() as session:
        session.add(AuditEvent(at=datetime(2027, 1, 10, 9, 0, tzinfo=UTC), actor="ana [locum]",
                               action="test.first", entity="test"))
        session.add(AuditEvent(at=datetime(2027, 1, 11, 9, 0, tzinfo=UTC), actor="bob[/x]",
                               action="test.second", entity="test"))
    result = run_cli("audit")
    assert result.exit_code == 0, result.output
    assert "ana [locum]" in result.stdout and "bob[/x]" in result.stdout
    assert "Traceback" not in result.output and "unexpectedly" not in result.output


def test_an_export_into_a_bracketed_folder_says_where_it_went(
        run_cli: RunCli, database: Database, tmp_path: Path) -> None:
    with database.transaction() as session:
        make_person(session)
    folder = tmp_path / "share [partner]" / "x[/y]"
    result = run_cli("export", "--pseudonymise", "--out", folder)
    assert result.exit_code == 0, result.output
    assert str(folder) in _flat(result.stdout)
    assert "rolled back" not in result.output
    assert sorted(path.name for path in folder.iterdir()) == [
        "caseload.csv", "export.json", "plan.csv"]


def test_a_backup_into_a_bracketed_folder_says_where_it_went(
        run_cli: RunCli, settings: Settings, database: Database, tmp_path: Path) -> None:
    if sqlite_path(settings.resolved_database_url) is None:
        pytest.skip("SQLite files only")
    target = tmp_path / "copies [locum]" / "backup [red].db"
    target.parent.mkdir()
    backup = run_cli("db", "backup", target)
    assert backup.exit_code == 0, backup.output
    assert str(target) in _flat(backup.stdout)
    assert target.exists()


def test_an_empty_action_or_actor_filter_is_refused(run_cli: RunCli, database: Database) -> None:
    """A script's unset variable: --action "" listed every change, --by "" none."""
    with database.transaction() as session:
        session.add(AuditEvent(at=datetime(2027, 1, 10, 9, 0, tzinfo=UTC), actor="ana",
                               action="test.first", entity="test"))
    for option in ("--action", "--by"):
        for blank in ("", "  "):
            result = run_cli("audit", option, blank, "--json")
            assert result.exit_code == 2, (option, result.output)
            assert f"{option} is empty" in result.stderr
    assert len(run_cli("audit", "--by", "ANA", "--json").json()) == 1
