"""Faults: a run killed mid-way leaves the database as it was; a locked database is a message.

Each killed run is a real ``transition`` process stopped with SIGKILL while its transaction is
open: ``kill_runner.py`` holds the process still right after its first write to a named table
reaches the database, so the kill lands mid-run at a known point (no timing guesses).
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlmodel import SQLModel

from tests.conftest import RunCli, sqlite_path
from transition.config import Settings
from transition.db import Database

RUNNER = Path(__file__).with_name("kill_runner.py")


def table_counts(database: Database) -> dict[str, int]:
    with database.session() as session:
        return {
            table.name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for table in SQLModel.metadata.sorted_tables
        }


def stop_mid_run(table: str, stop: signal.Signals, *args: str | Path) -> tuple[int, str]:
    """Run ``transition ARGS`` in a subprocess and send it ``stop`` once it has written to
    ``table``: (its exit status, what it wrote to stderr)."""
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [sys.executable, str(RUNNER), str(write_end), table, *map(str, args)],
        pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        env=os.environ.copy(),
    )
    os.close(write_end)
    try:
        with os.fdopen(read_end, "rb") as marker:
            said = marker.readline()  # EOF if the process ended without writing
        # communicate, not wait then read: it reads stderr while waiting, so a run that says
        # more than a pipe holds is never left blocked writing while the test waits for it.
        if said != b"writing\n":
            _out, err = process.communicate(timeout=60)
            raise AssertionError(f"the run ended before writing to {table}: {err.decode()}")
        process.send_signal(stop)
        _out, err = process.communicate(timeout=60)
        return process.returncode, err.decode()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()  # type: ignore[union-attr]


def kill_mid_run(table: str, *args: str | Path) -> None:
    """Run ``transition ARGS`` in a subprocess and SIGKILL it once it has written to ``table``."""
    status, _stderr = stop_mid_run(table, signal.SIGKILL, *args)
    assert status == -signal.SIGKILL


def assert_intact(run_cli: RunCli, database: Database, settings: Settings,
                  before: dict[str, int]) -> None:
    path = sqlite_path(settings.resolved_database_url)
    if path is not None:
        # A fresh connection, as the next run would open it: SQLite recovers from the WAL.
        connection = sqlite3.connect(path)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        finally:
            connection.close()
    assert table_counts(database) == before
    check = run_cli("db", "check", "--json")
    assert check.exit_code == 0 and check.json()["ok"], check.output


@pytest.fixture
def generated(run_cli: RunCli, tmp_path: Path) -> Path:
    out = tmp_path / "generated"
    assert run_cli("generate", "--out", out, "--people", "300").exit_code == 0
    return out


def _import_and_assess(run_cli: RunCli, generated: Path) -> None:
    assert run_cli("import", "staff", generated / "staff.csv").exit_code == 0
    assert run_cli("import", "caseload", generated / "trust_caseload.csv").exit_code == 0
    assert run_cli("programme", "set", "--transfer-date", "2027-04-01").exit_code == 0
    assert run_cli("assess").exit_code == 0


def test_a_killed_import_leaves_the_database_as_it_was(
    run_cli: RunCli, database: Database, settings: Settings, tmp_path: Path, generated: Path
) -> None:
    big = tmp_path / "big"
    assert run_cli("generate", "--out", big, "--people", "3000", "--seed", "7").exit_code == 0
    assert run_cli("import", "staff", generated / "staff.csv").exit_code == 0
    assert run_cli("import", "caseload", generated / "trust_caseload.csv").exit_code == 0
    before = table_counts(database)
    assert before["person"] == 300

    kill_mid_run("person", "import", "caseload", big / "trust_caseload.csv")

    assert_intact(run_cli, database, settings, before)
    # And the database is usable: the same import then runs to the end.
    assert run_cli("import", "caseload", big / "trust_caseload.csv").exit_code in (0, 1)
    assert table_counts(database)["person"] > 300


def test_a_killed_plan_leaves_the_database_as_it_was(
    run_cli: RunCli, database: Database, settings: Settings, generated: Path
) -> None:
    _import_and_assess(run_cli, generated)
    before = table_counts(database)
    assert before["plan"] == 0

    kill_mid_run("plan_assignment", "plan")

    assert_intact(run_cli, database, settings, before)
    assert run_cli("plan").exit_code in (0, 1)
    assert table_counts(database)["plan"] == 1


def test_a_killed_letters_run_leaves_the_database_as_it_was(
    run_cli: RunCli, database: Database, settings: Settings, generated: Path, tmp_path: Path
) -> None:
    _import_and_assess(run_cli, generated)
    assert run_cli("plan").exit_code in (0, 1)
    assert run_cli("plan", "accept").exit_code == 0
    assert run_cli("tasks", "generate").exit_code in (0, 1)
    before = table_counts(database)
    assert before["letter"] == 0 and before["task"] > 0

    kill_mid_run("letter", "letters", "generate", "--format", "md", "--out", tmp_path / "letters")

    assert_intact(run_cli, database, settings, before)
    done = run_cli("letters", "generate", "--format", "md", "--out", tmp_path / "letters")
    assert done.exit_code in (0, 1), done.output
    assert table_counts(database)["letter"] > 0


def test_a_locked_sqlite_database_waits_then_says_so(
    run_cli: RunCli, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = settings.resolved_database_url
    if not url.startswith("sqlite"):
        pytest.skip("SQLite's busy timeout; PostgreSQL is covered below")
    monkeypatch.setenv("TRANSITION_BUSY_TIMEOUT_SECONDS", "0.2")
    path = sqlite_path(url)
    assert path is not None
    other_writer = sqlite3.connect(path, isolation_level=None)
    try:
        other_writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        result = run_cli("programme", "set", "--transfer-date", "2027-04-01")
    finally:
        other_writer.execute("ROLLBACK")
        other_writer.close()
    assert result.exit_code == 2
    assert "The database is busy" in result.stderr and "0.2 seconds" in result.stderr
    assert "Traceback" not in result.output and "database is locked" not in result.output
    # Once the other writer has gone, the same command works.
    assert run_cli("programme", "set", "--transfer-date", "2027-04-01").exit_code == 0


def test_a_locked_postgresql_row_waits_then_says_so(
    run_cli: RunCli, settings: Settings, database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database.is_sqlite:
        pytest.skip("PostgreSQL's lock_timeout; SQLite is covered above")
    monkeypatch.setenv("TRANSITION_BUSY_TIMEOUT_SECONDS", "0.2")
    assert run_cli("programme", "set", "--transfer-date", "2027-04-01").exit_code == 0
    with database.engine.connect() as other:
        other.execute(text("BEGIN"))
        other.execute(text("LOCK TABLE programme IN ACCESS EXCLUSIVE MODE"))
        result = run_cli("programme", "set", "--transfer-date", "2027-05-01")
        other.execute(text("ROLLBACK"))
    assert result.exit_code == 2, result.output
    assert "The database is busy" in result.stderr
    assert "Traceback" not in result.output


def test_ctrl_c_mid_import_saves_nothing_and_says_so(
    run_cli: RunCli, database: Database, settings: Settings, tmp_path: Path, generated: Path
) -> None:
    big = tmp_path / "big"
    assert run_cli("generate", "--out", big, "--people", "1000", "--seed", "7").exit_code == 0
    assert run_cli("import", "staff", generated / "staff.csv").exit_code == 0
    before = table_counts(database)

    status, stderr = stop_mid_run("person", signal.SIGINT, "import", "caseload",
                                  big / "trust_caseload.csv")

    assert status == 130, stderr
    assert _without_pinned_day(stderr).split("\n") == [
        "Interrupted. Nothing from this command was saved.", ""]
    assert_intact(run_cli, database, settings, before)


def _without_pinned_day(stderr: str) -> str:
    """stderr without the note that the tests' TRANSITION_AS_OF pins today."""
    return "".join(line for line in stderr.splitlines(keepends=True)
                   if not line.startswith("Note: today is taken as"))


def test_ctrl_c_after_a_commit_says_the_changes_were_saved(run_cli: RunCli, tmp_path: Path) -> None:
    # `demo` commits its marker and the staff import, then is interrupted importing the caseload.
    target = tmp_path / "demo.db"
    status, stderr = stop_mid_run("person", signal.SIGINT, "demo", "--no-tui", "--path", target)

    assert status == 130, stderr
    said = " ".join(_without_pinned_day(stderr).split())
    assert said.startswith("Interrupted after the changes were saved: see `transition import "
                           "history`"), stderr
    assert "Traceback" not in stderr and "Nothing" not in stderr
    demo = Database(f"sqlite:///{target}")
    try:
        counts = table_counts(demo)
    finally:
        demo.dispose()
    assert counts["staff"] > 0 and counts["person"] == 0  # saved: the first two; not the third


def test_ctrl_c_while_the_program_loads_is_one_line(tmp_path: Path) -> None:
    # The interrupt is sent by an import hook as the commands start loading (no timing guess).
    script = tmp_path / "interrupt_while_loading.py"
    script.write_text(
        "import os, signal, sys\n"
        "class Interrupt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'transition.commands':\n"
        "            os.kill(os.getpid(), signal.SIGINT)\n"
        "sys.meta_path.insert(0, Interrupt())\n"
        "from transition.cli import main\n"
        "main(['status'])\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          check=False, timeout=60, env=os.environ.copy())
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip() == "Interrupted. Nothing from this command was saved."


def test_a_log_record_about_ctrl_c_is_left_out() -> None:
    import logging

    from transition.cli import _no_interrupt_tracebacks

    def record(error: KeyboardInterrupt | ValueError) -> logging.LogRecord:
        try:
            raise error
        except (KeyboardInterrupt, ValueError):
            return logging.LogRecord("sqlalchemy.pool.impl.QueuePool", logging.ERROR, __file__,
                                     1, "Exception during reset or similar", None,
                                     sys.exc_info())

    assert not _no_interrupt_tracebacks(record(KeyboardInterrupt()))
    assert _no_interrupt_tracebacks(record(ValueError("other errors are still logged")))
