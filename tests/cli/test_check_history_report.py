"""`transition check history` shows each run's report file, and says so when a report could not
be written (docs/checks.md: every run is recorded with "the draft plan and the report file")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.check_world import caseload_import, person, with_transfer
from tests.conftest import TODAY, RunCli
from tests.factories import make_staff
from tests.tables import read_down
from transition.commands.common import console
from transition.db import Database


def _one_unassigned(database: Database) -> None:
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY)
        make_staff(session, "SW1")
        person(session, coordinator=None)


def _three_runs(database: Database, run_cli: RunCli, tmp_path: Path) -> Path:
    """A run with a report, one whose report could not be written, one that asked for none
    (newest first in the history: none, not written, written). Returns the written report."""
    _one_unassigned(database)
    written = tmp_path / "reports" / "check.md"
    assert run_cli("check", "--report", written).exit_code == 1
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")  # a file where the report's folder should be
    assert run_cli("check", "--report", blocked / "check.md").exit_code == 2
    assert run_cli("check").exit_code == 1
    return written


def test_history_json_gives_each_runs_report_path(
    database: Database, run_cli: RunCli, tmp_path: Path
) -> None:
    written = _three_runs(database, run_cli, tmp_path)
    runs = run_cli("check", "history", "--json").json()
    assert [run["report_path"] for run in runs] == [None, None, str(written)]
    # The run whose report could not be written keeps the exit status the command ended with.
    assert [(run["status"], run["exit_code"]) for run in runs] == [
        ("complete", 1), ("complete", 2), ("complete", 1)]


def test_history_table_at_80_columns_shows_the_report_file_whole(
    database: Database, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = _three_runs(database, run_cli, tmp_path)
    monkeypatch.setattr(console, "width", 80)  # cron's mail
    said = run_cli("check", "history").stdout
    assert max(map(len, said.splitlines())) <= 80 and "…" not in said
    column = read_down(said, "Findings")
    # A long path folds onto the next line rather than being cut.
    assert str(written) in "".join(column.split())
    assert column.count("report not written") == 1
    assert "unassigned 1" in column


def test_history_table_when_wide_has_a_report_column(
    database: Database, run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = _three_runs(database, run_cli, tmp_path)
    monkeypatch.setattr(console, "width", 250)
    lines = run_cli("check", "history").stdout.splitlines()
    assert "Report file" in lines[0]
    run_lines = [line for line in lines[2:] if line.strip()]
    assert len(run_lines) == 3  # one line a run
    assert run_lines[0].rstrip().endswith("│")  # the newest run asked for no report
    assert run_lines[1].rstrip().endswith("report not written")
    assert run_lines[2].rstrip().endswith(str(written))
