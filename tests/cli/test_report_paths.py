"""A file named for a command to write (--report, --rejects, --out, a backup) is never the
SQLite database, nor the -wal, -shm or -journal file SQLite keeps beside it: writing there
would overwrite the database while it is in use. Each is refused, exit status 2, before
anything is written or done."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import RunCli, sqlite_path
from tests.factories import make_person
from tests.importing import person_row, write_csv
from transition.config import Settings
from transition.db import Database
from transition.errors import TransitionError
from transition.files import refuse_database_file


@pytest.fixture
def database_file(settings: Settings, database: Database) -> Path:
    path = sqlite_path(settings.resolved_database_url)
    if path is None:
        pytest.skip("only a SQLite database is a file that a report could be written over")
    with database.transaction() as session:
        for _ in range(6):
            make_person(session, pathway="council", risk_band="green", ethnic_category="A")
    return path


def refused(result, companion: str) -> str:  # type: ignore[no-untyped-def]
    said = " ".join(result.stderr.split())
    assert result.exit_code == 2, result.output
    assert "overwrite the database" in said and "Nothing was written" in said
    assert ("the database itself" if not companion else f"the {companion[1:]} file") in said
    assert "Traceback" not in result.output and "unexpectedly" not in said
    return said


def intact(run_cli: RunCli, path: Path) -> None:
    assert path.read_bytes().startswith(b"SQLite format 3")
    people = run_cli("people", "--json")
    assert people.exit_code == 0 and len(people.json()) == 6


@pytest.mark.parametrize("companion", ["", "-wal", "-shm", "-journal"])
def test_equality_report_over_the_database_is_refused(run_cli: RunCli, database_file: Path,
                                                      companion: str) -> None:
    target = database_file.with_name(database_file.name + companion)
    before = target.read_bytes() if target.exists() else None
    said = refused(run_cli("equality", "--report", target), companion)
    assert f"Error: --report {target}: that is" in said
    assert (target.read_bytes() if target.exists() else None) == before
    intact(run_cli, database_file)


def test_plan_show_report_over_the_database_is_refused(run_cli: RunCli,
                                                       database_file: Path) -> None:
    refused(run_cli("plan", "show", "--report", database_file), "")
    wal = database_file.with_name(database_file.name + "-wal")
    refused(run_cli("plan", "show", "--report", wal), "-wal")
    intact(run_cli, database_file)


def test_check_report_over_the_database_is_refused_before_the_check_runs(
        run_cli: RunCli, database_file: Path) -> None:
    refused(run_cli("check", "--report", database_file), "")
    history = run_cli("check", "history", "--json")
    assert history.exit_code == 0 and history.json() == []  # the check never ran
    intact(run_cli, database_file)


def test_import_rejects_over_the_database_is_refused_before_importing(
        run_cli: RunCli, database_file: Path, tmp_path: Path) -> None:
    export = write_csv(tmp_path / "caseload.csv",
                       [person_row(1), person_row(2, nhs_number="123")])
    shm = database_file.with_name(database_file.name + "-shm")
    refused(run_cli("import", "caseload", export, "--rejects", shm), "-shm")
    intact(run_cli, database_file)  # still the 6 people: the import never ran


def test_a_path_that_only_leads_to_the_database_is_refused(run_cli: RunCli,
                                                           database_file: Path,
                                                           tmp_path: Path) -> None:
    """A link to the database, or a path through '..', is the database all the same."""
    link = tmp_path / "looks-like-a-report.md"
    link.symlink_to(database_file)
    refused(run_cli("equality", "--report", link), "")
    roundabout = database_file.parent / "reports" / ".." / database_file.name
    refused(run_cli("equality", "--report", roundabout), "")
    intact(run_cli, database_file)


def test_a_backup_over_the_write_ahead_log_is_refused(run_cli: RunCli,
                                                     database_file: Path) -> None:
    wal = database_file.with_name(database_file.name + "-wal")
    refused(run_cli("db", "backup", wal, "--force"), "-wal")
    intact(run_cli, database_file)


def test_export_into_the_databases_folder_under_its_name_is_refused(
        run_cli: RunCli, database_file: Path, tmp_path: Path) -> None:
    """transition export writes caseload.csv, plan.csv and export.json into --out: a database
    of one of those names in that folder is refused (and nothing else is written there)."""
    shared = tmp_path / "share"
    shared.mkdir()
    unlucky = shared / "plan.csv"
    unlucky.symlink_to(database_file)  # the database, as the export would name a file
    refused(run_cli("export", "--pseudonymise", "--out", shared), "")
    assert sorted(path.name for path in shared.iterdir()) == ["plan.csv"]
    intact(run_cli, database_file)


def test_letters_out_as_the_database_is_refused(run_cli: RunCli, database_file: Path) -> None:
    refused(run_cli("letters", "generate", "--out", database_file), "")
    intact(run_cli, database_file)


def test_a_report_elsewhere_is_written_as_before(run_cli: RunCli, database_file: Path,
                                                 tmp_path: Path) -> None:
    beside = database_file.with_name(database_file.name + "-report.md")
    assert run_cli("equality", "--report", beside).exit_code == 0
    assert beside.read_text().startswith("# Who the transition affects")


def test_the_guard_itself(tmp_path: Path) -> None:
    database = tmp_path / "team.db"
    database.write_bytes(b"SQLite format 3\x00")
    refuse_database_file(tmp_path / "team.db.md", database, option="--report")
    refuse_database_file(tmp_path / "team.db", None, option="--report")  # PostgreSQL
    for companion in ("", "-wal", "-shm", "-journal"):
        with pytest.raises(TransitionError) as caught:
            refuse_database_file(tmp_path / f"team.db{companion}", database, option="--out")
        assert caught.value.exit_code == 2
        assert caught.value.message.startswith(f"--out {tmp_path / f'team.db{companion}'}")
