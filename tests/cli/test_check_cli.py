"""`transition check`: exit statuses, the JSON document, reports, history, the single-run lock,
and a check running while another connection writes."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from tests.check_world import RULES, assign, caseload_import, person, with_transfer
from tests.conftest import ACTOR, TODAY, RunCli
from tests.factories import make_staff
from tests.tables import read_down
from transition.check_runs import CheckAlreadyRunning, run_check, single_run
from transition.checks import CODES
from transition.db import Database
from transition.models import CheckRun, Person
from transition.nhs import format_334, mask


def _quiet(database: Database) -> None:
    """Nothing critical: a fresh caseload import, one person held by the trust's worker."""
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY)
        make_staff(session, "SW1")
        person(session, coordinator="SW1")


def _critical(database: Database) -> str:
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY)
        make_staff(session, "SW1", capacity=3)
        return person(session, coordinator=None).nhs_number


def test_nothing_critical_exits_0_and_prints_the_counts(database: Database, run_cli: RunCli) -> None:
    _quiet(database)
    result = run_cli("check")
    assert result.exit_code == 0, result.output
    assert "0 critical" in result.stdout
    assert "\x1b[" not in result.stdout  # no colour codes when not on a terminal
    for code in CODES:
        assert code in result.stdout


def test_critical_findings_exit_1_and_json_is_the_documented_shape(
    database: Database, run_cli: RunCli
) -> None:
    number = _critical(database)
    result = run_cli("check", "--json")
    assert result.exit_code == 1, result.output
    document = result.json()
    assert list(document) == ["as_of", "findings", "counts", "proposed_moves"]
    assert document["as_of"] == TODAY.isoformat()
    assert document["counts"] == {code: (1 if code == "unassigned" else 0) for code in CODES}
    [finding] = document["findings"]
    assert finding["code"] == "unassigned" and finding["severity"] == "critical"
    assert finding["nhs_number"] == number and "staff_id" not in finding
    assert set(finding) == {"code", "severity", "nhs_number", "message"}
    assert document["proposed_moves"] == []


def test_apply_lists_the_moves_of_a_draft_plan(database: Database, run_cli: RunCli) -> None:
    number = _critical(database)
    result = run_cli("check", "--apply", "--json")
    assert result.exit_code == 1  # the findings stand until a manager accepts the draft
    [move] = result.json()["proposed_moves"]
    assert (move["nhs_number"], move["role"], move["from_staff_id"], move["to_staff_id"]) == (
        number, "social_worker", None, "SW1")
    shown = run_cli("plan", "show", "--plan", str(move["plan_id"]), "--json").json()
    assert shown["status"] == "draft" and shown["kind"] == "check_apply"


def test_as_of_moves_the_day_checked(database: Database, run_cli: RunCli) -> None:
    _quiet(database)
    result = run_cli("check", "--as-of", "2027-02-01", "--json")
    assert result.json()["as_of"] == "2027-02-01"
    assert result.json()["counts"]["stale_import"] == 1
    assert run_cli("check", "--as-of", "not-a-date").exit_code == 2


def test_report_files_are_markdown_or_json_and_private(
    database: Database, run_cli: RunCli, tmp_path: Path
) -> None:
    number = _critical(database)
    markdown = tmp_path / "reports" / "check.md"
    result = run_cli("check", "--report", markdown)
    assert result.exit_code == 1
    text_ = markdown.read_text()
    assert text_.startswith(f"# Nightly check, {TODAY.isoformat()}")
    assert "| `unassigned` | No worker in a role the pathway needs | 1 |" in text_
    assert f"{number[:3]} {number[3:6]} {number[6:]}" in text_
    assert stat.S_IMODE(markdown.stat().st_mode) == 0o600
    # Where the allocation stands: the same counts as `transition plan status`.
    status = run_cli("plan", "status", "--json").json()
    assert "## Where the allocation stands" in text_
    assert (f"| {status['needs_a_worker']} | of them, no worker in a role they need "
            f"({status['no_worker_at_all']} with no worker at all) |") in text_
    assert f"| {status['need_worker']} | " in text_
    as_json = tmp_path / "reports" / "check.json"
    run_cli("check", "--json", "--report", as_json)
    written = json.loads(as_json.read_text())
    assert written["counts"]["unassigned"] == 1
    assert written["allocation"] == status
    assert stat.S_IMODE(as_json.stat().st_mode) == 0o600
    history = run_cli("check", "history", "--json").json()
    assert [run["exit_code"] for run in history] == [1, 1]
    with database.session() as session:
        paths = session.scalars(select(CheckRun.report_path).order_by(CheckRun.id)).all()
    assert paths == [str(markdown), str(as_json)]


def test_a_report_that_cannot_be_written_still_prints_the_findings(
    database: Database, run_cli: RunCli, tmp_path: Path
) -> None:
    """From cron the output is the manager's only copy: the findings come first, then the
    error about the file (exit 2: not everything asked was done). The run is recorded."""
    number = _critical(database)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")  # a file where the report's folder should be
    result = run_cli("check", "--report", blocked / "check.md")
    assert result.exit_code == 2
    assert "1 critical" in result.stdout and mask(number) in result.stdout
    # Not a terminal (cron mails it): masked, and it says where the full numbers are.
    assert format_334(number) not in result.stdout and number not in result.stdout
    assert "NHS numbers are masked" in result.stdout
    full = run_cli("check", "--full-numbers").stdout
    assert format_334(number) in full and "NHS numbers are masked" not in full
    assert "Report written" not in result.output
    error = " ".join(result.stderr.split())  # wrapped to the terminal's width
    assert "its findings are printed, but the report could not be written to" in error
    as_json = run_cli("check", "--json", "--report", blocked / "check.json")
    assert as_json.exit_code == 2
    assert [finding["nhs_number"] for finding in as_json.json()["findings"]] == [number]
    assert "report could not be written to" in " ".join(as_json.stderr.split())
    runs = run_cli("check", "history", "--json").json()
    # Newest first: the --json run and the first (exit 2: no report), --full-numbers between.
    assert [(run["status"], run["exit_code"]) for run in runs] == [
        ("complete", 2), ("complete", 1), ("complete", 2)]
    with database.session() as session:
        assert session.scalars(select(CheckRun.report_path)).all() == [None, None, None]


def test_history_lists_runs_newest_first(database: Database, run_cli: RunCli) -> None:
    assert "No check has run yet" in run_cli("check", "history").stdout
    _quiet(database)
    run_cli("check")
    run_cli("check", "--as-of", "2027-03-01")
    runs = run_cli("check", "history", "--json").json()
    assert [run["as_of"] for run in runs] == ["2027-03-01", TODAY.isoformat()]
    assert runs[0]["counts"]["stale_import"] == 1 and runs[0]["status"] == "complete"
    assert "complete" in run_cli("check", "history").stdout
    assert [run["as_of"] for run in run_cli("check", "history", "--limit", "1", "--json").json()
            ] == ["2027-03-01"]
    assert run_cli("check", "history", "--limit", "0", "--json").json() == runs  # 0: all
    assert run_cli("check", "history", "--limit", "-1").exit_code == 2


def test_bad_rules_exit_2_with_a_message(
    database: Database, run_cli: RunCli, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text("[checks]\nstale_import_days = -1\n")
    result = run_cli("--rules", rules, "check")
    assert result.exit_code == 2
    assert "stale_import_days" in result.stderr


@pytest.mark.parametrize("setting", [
    "leaving_within_days = 5000000", "long_term_absence_days = 5000000",
    "red_handover_working_days = 5000000"])
def test_a_threshold_past_the_calendar_is_refused_as_bad_rules(
    database: Database, run_cli: RunCli, tmp_path: Path, setting: str
) -> None:
    """Counted forward from the check's day, it would run past the last date Python holds:
    a bad rules file (exit 2, naming it), not 'stopped unexpectedly'."""
    with database.transaction() as session:
        with_transfer(session)
        make_staff(session, "SW1", absent_until=TODAY + timedelta(days=3))
        make_staff(session, "SW2", leaving_date=TODAY + timedelta(days=300))
        for worker in ("SW1", "SW2"):
            assign(session, person(session, coordinator=worker), "social_worker", worker)
    rules = tmp_path / "rules.toml"
    rules.write_text(f"[checks]\n{setting}\n")
    result = run_cli("--rules", rules, "check")
    assert result.exit_code == 2
    assert setting.split()[0] in result.stderr
    assert "unexpectedly" not in result.stderr


def test_a_second_check_exits_at_once_while_one_is_running(
    database: Database, run_cli: RunCli
) -> None:
    _quiet(database)
    with single_run(database):
        result = run_cli("check")
        assert result.exit_code == 2
        assert "Another check is already running" in result.stderr
        with pytest.raises(CheckAlreadyRunning):
            run_check(database, RULES, as_of=TODAY, actor=ACTOR)
    assert run_cli("check").exit_code == 0  # released when the first one ends


def test_the_lock_is_released_when_a_check_fails(database: Database) -> None:
    with pytest.raises(CheckAlreadyRunning), single_run(database), single_run(database):
        pass
    with single_run(database):
        pass  # free again


def test_a_check_runs_while_another_connection_writes(database: Database) -> None:
    """A manager saves a change (another connection) while the check is reading: the check
    neither waits for nor blocks the write, and is recorded."""
    _quiet(database)
    with database.transaction() as session:
        waiting = person(session, coordinator=None)
    other = Database(database.url.render_as_string(hide_password=False),
                     busy_timeout_seconds=2.0)
    writes: list[int] = []

    def write_meanwhile(done: int, total: int) -> None:
        if done == 1:  # the check is part-way through reading
            with other.transaction() as session:
                session.execute(update(Person).where(Person.id == waiting.id)
                                .values(family_name="Changed"))
                writes.append(done)

    try:
        report = run_check(database, RULES, as_of=TODAY, actor=ACTOR, progress=write_meanwhile)
    finally:
        other.dispose()
    assert writes == [1]
    assert report.run_id is not None and report.counts["unassigned"] == 1
    with database.session() as session:
        assert session.scalar(select(Person.family_name).where(Person.id == waiting.id)) == \
            "Changed"
        if database.is_sqlite:
            assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_assigned_people_are_not_reported_as_unassigned_by_the_cli(
    database: Database, run_cli: RunCli
) -> None:
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY)
        make_staff(session, "SW1")
        made = person(session, coordinator=None)
        assign(session, made, "social_worker", "SW1")
    assert run_cli("check", "--json").json()["counts"]["unassigned"] == 0


def test_people_needs_worker_lists_an_ended_allocation_as_the_check_names_it(
    database: Database, run_cli: RunCli
) -> None:
    """The export says the coordinator's allocation ended yesterday: `people --needs-worker`
    lists the person, says the allocation ended and when, and `plan status` counts them;
    the check's `unassigned` names the same person."""
    ended_on = TODAY - timedelta(days=1)
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY)
        make_staff(session, "SW1")
        ended = person(session, coordinator="SW1", coordinator_until=ended_on)
        person(session, coordinator="SW1")
    listed = run_cli("people", "--needs-worker", "--json").json()
    assert [(row["nhs_number"], row["coordinator_until"]) for row in listed] == [
        (ended.nhs_number, ended_on.isoformat())]
    shown = " ".join(run_cli("people", "--needs-worker").stdout.split())
    assert f"Jo WorkerSW1 (SW1) (ended {ended_on.isoformat()})" in shown  # named, with the id
    status = run_cli("plan", "status", "--json")
    assert status.exit_code == 1 and status.json()["needs_a_worker"] == 1
    found = run_cli("check", "--json").json()
    assert {item["nhs_number"] for item in found["findings"]
            if item["code"] == "unassigned"} == {ended.nhs_number}


def test_a_check_that_fails_is_recorded_as_failed(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from transition import check_runs
    from transition.errors import TransitionError

    def broken(*_args: object, **_kwargs: object) -> None:
        raise TransitionError("the staff table could not be read")

    monkeypatch.setattr(check_runs, "collect_findings", broken)
    with pytest.raises(TransitionError):
        run_check(database, RULES, as_of=TODAY, actor=ACTOR)
    with database.session() as session:
        [run] = session.scalars(select(CheckRun)).all()
    assert (run.status, run.exit_code, run.counts) == ("failed", 2, None)
    with single_run(database):
        pass  # and the lock was released


def test_a_check_stopped_by_an_unexpected_error_is_recorded_as_failed(
    database: Database, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every run is in the history, even one a bug stopped (exit 2, no traceback)."""
    from transition import check_runs

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("a date the check could not read")

    monkeypatch.setattr(check_runs, "collect_findings", broken)
    result = run_cli("check")
    assert result.exit_code == 2 and "stopped unexpectedly (ValueError)" in result.stderr
    assert "a date the check could not read" not in result.stderr  # its text may quote data
    assert "may quote people's data" in " ".join(result.stderr.split())
    with database.session() as session:
        [run] = session.scalars(select(CheckRun)).all()
    assert (run.status, run.exit_code) == ("failed", 2)


def test_a_killed_check_leaves_no_lock_behind(sqlite_settings, tmp_path: Path) -> None:
    """The SQLite lock is the kernel's: a process killed while holding it releases it."""
    import signal
    import subprocess
    import sys

    database = Database(sqlite_settings.resolved_database_url)
    holder = (
        "import sys, time\n"
        "from transition.db import Database\n"
        "from transition.check_runs import single_run\n"
        f"database = Database({sqlite_settings.resolved_database_url!r})\n"
        "with single_run(database):\n"
        "    print('held', flush=True)\n"
        "    sys.stdin.read()\n"  # holds the lock until killed
    )
    process = subprocess.Popen([sys.executable, "-c", holder], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "held"
        with pytest.raises(CheckAlreadyRunning), single_run(database):
            pass
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    with single_run(database):
        pass  # free at once: nothing to clean up by hand
    database.dispose()


def test_a_lock_file_that_is_a_link_is_refused_not_written_through(
    sqlite_settings, tmp_path: Path
) -> None:
    """The lock file is truncated and written: through a link planted beside the database it
    would overwrite the file the link points at."""
    from transition.check_runs import lock_path
    from transition.errors import TransitionError

    database = Database(sqlite_settings.resolved_database_url)
    victim = tmp_path / "victim.txt"
    victim.write_text("kept")
    path = lock_path(database)
    assert path is not None
    path.unlink(missing_ok=True)
    path.symlink_to(victim)
    with pytest.raises(TransitionError, match="symbolic link"), single_run(database):
        pass
    assert victim.read_text() == "kept"
    database.dispose()


def test_apply_without_a_transfer_date_still_reports_the_findings(
    database: Database, run_cli: RunCli, tmp_path: Path
) -> None:
    with database.transaction() as session:
        caseload_import(session, TODAY)
        person(session, coordinator=None)
    result = run_cli("check", "--apply", "--json")
    assert result.exit_code == 1
    assert result.json()["counts"]["unassigned"] == 1 and result.json()["proposed_moves"] == []
    assert "Nothing was re-planned" in result.stderr and "transfer date" in result.stderr
    # A JSON report file, read later by another tool, says so too (the terminal's note was
    # its only record).
    report = tmp_path / "check.json"
    assert run_cli("check", "--apply", "--json", "--report", report).exit_code == 1
    [note] = json.loads(report.read_text())["notes"]
    assert note.startswith("Nothing was re-planned") and "transfer date" in note


def test_apply_counts_moves_apart_from_roles_no_one_can_take_and_says_why(
    database: Database, run_cli: RunCli, tmp_path: Path
) -> None:
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY)
        make_staff(session, "SW1", capacity=1)
        person(session, coordinator=None)  # SW1 can take one of these two
        person(session, coordinator=None)
        person(session, coordinator=None, cto=True, extra={"forensic_history": "Y"})
    report = tmp_path / "check.md"
    result = run_cli("check", "--apply", "--report", report)
    assert result.exit_code == 1, result.output
    text = " ".join(result.stdout.split())
    assert "re-plans 3 people: 1 move proposed, 2 roles no one can take." in text
    assert "Why no one" in text and "skill forensic" in text and "is full" in text
    assert "3 people re-planned: 1 move proposed, 2 roles no one can take." in report.read_text()


def test_findings_and_moves_keep_their_words_whole_at_80_columns(
    database: Database, run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """cron mails the check's output at 80 columns: the advice gets most of the line (it was a
    column 30 characters wide, 15 lines a finding) and nothing is cut."""
    from transition.commands.common import console

    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY)
        make_staff(session, "SW1", capacity=1)
        person(session, coordinator=None)
        person(session, coordinator=None)
        person(session, coordinator=None, cto=True, s117=True, extra={"forensic_history": "Y"})
    document = run_cli("check", "--json").json()
    findings = document["findings"]
    assert len(findings) == 3
    monkeypatch.setattr(console, "width", 80)
    narrow = run_cli("check", "--apply", "--full-numbers").stdout
    lines = narrow.splitlines()
    assert max(map(len, lines)) <= 80 and "…" not in narrow
    # The findings' table is the last: its columns, read down, hold every message whole.
    findings_table = narrow[narrow.rindex("Severity"):]
    advice = read_down(findings_table, "What to do")
    who = read_down(findings_table, "NHS number", "What to do")
    for finding in findings:
        assert " ".join(finding["message"].split()) in advice
        assert format_334(finding["nhs_number"]) in who
    assert len(findings_table.splitlines()) < 3 * 9  # was 15 lines a finding at 80 columns
    # The draft's moves: NHS number over role, from -> to, and why no one, whole.
    moves_table = narrow[narrow.index("NHS number"):narrow.rindex("Severity")]
    moved = read_down(moves_table, "From → to", "Why no one")
    assert moved.split().count("→") == 3 and "- → SW1" in moved
    why = read_down(moves_table, "Why no one")
    assert "skill forensic" in why and "is full" in why
    monkeypatch.setattr(console, "width", 200)
    wide = run_cli("check", "--full-numbers").stdout
    for finding in findings:  # one line each, where the message starts
        [line] = [line for line in wide.splitlines() if format_334(finding["nhs_number"]) in line]
        assert finding["code"] in line and finding["message"][:60] in line


def test_rebalance_proposes_moving_an_over_capacity_workers_overflow(
    database: Database, run_cli: RunCli, tmp_path: Path
) -> None:
    with database.transaction() as session:
        with_transfer(session)
        caseload_import(session, TODAY)
        make_staff(session, "OVER", capacity=2)
        make_staff(session, "ROOM", capacity=1)
        for _ in range(4):
            assign(session, person(session, coordinator="X"), "social_worker", "OVER")
    assert run_cli("check", "--apply", "--json").json()["proposed_moves"] == []
    report = tmp_path / "check.md"
    result = run_cli("check", "--rebalance", "--report", report)  # --rebalance implies --apply
    assert result.exit_code == 0, result.output  # over capacity is a warning
    text = " ".join(result.stdout.split())
    assert "re-plans 4 people: 1 move proposed." in text
    assert "1 role stays with an over-capacity worker: no other worker who fits has room " \
           "(OVER 1)" in text
    written = " ".join(report.read_text().split())
    assert "1 role stays with an over-capacity worker" in written
    assert "| OVER | ROOM |" in written
