from datetime import date, timedelta

import pytest

from tests.check_world import caseload_import
from tests.conftest import TODAY, RunCli
from tests.factories import make_person
from transition.db import Database


def test_transfer_date_round_trips_and_is_audited(run_cli: RunCli) -> None:
    assert run_cli("programme", "show", "--json").json()["transfer_date"] is None
    result = run_cli("programme", "set", "--transfer-date", "01/04/2027")
    assert result.exit_code == 0, result.output
    assert "Thursday 1 April 2027" in result.stdout
    assert run_cli("programme", "show", "--json").json()["transfer_date"] == "2027-04-01"


def test_programme_set_json_says_what_changed(run_cli: RunCli) -> None:
    first = run_cli("programme", "set", "--transfer-date", "2027-04-01", "--json")
    assert first.exit_code == 0, first.output
    assert first.json() == {"transfer_date": "2027-04-01", "previous_transfer_date": None,
                            "changed": True, "worker_starts_moved": 0,
                            "tasks_out_of_date": False,
                            "own_handover_dates_after_transfer": 0}
    same = run_cli("programme", "set", "--transfer-date", "01/04/2027", "--json").json()
    assert same["changed"] is False and same["previous_transfer_date"] == "2027-04-01"


def test_a_weekend_or_past_transfer_date_is_set_with_a_note(run_cli: RunCli) -> None:
    clean = run_cli("programme", "set", "--transfer-date", "2027-04-01")
    # Nothing to say but that the tests pin today (TRANSITION_AS_OF).
    assert clean.exit_code == 0 and clean.stderr.startswith("Note: today is taken as 15 January")
    assert len(clean.stderr.strip().splitlines()) == 1
    # Easter Saturday 2027: task deadlines count working days, so the manager is told.
    weekend = run_cli("programme", "set", "--transfer-date", "2027-03-27")
    assert weekend.exit_code == 0, weekend.output
    said = " ".join(weekend.stderr.split())
    assert "Saturday 27 March 2027 is not a working day" in said
    assert "next working day is Tuesday 30 March 2027" in said  # after Easter Monday
    past = run_cli("programme", "set", "--transfer-date", (TODAY - timedelta(days=1)).isoformat())
    assert past.exit_code == 0 and "is in the past" in past.stderr
    assert run_cli("programme", "show", "--json").json()["transfer_date"] == (
        TODAY - timedelta(days=1)).isoformat()


def test_an_impossible_date_is_refused_without_a_traceback(run_cli: RunCli) -> None:
    result = run_cli("programme", "set", "--transfer-date", "31/02/2027")
    assert result.exit_code == 2
    assert "is not a date" in result.stderr
    assert "Traceback" not in result.output


def test_db_status_reports_current_schema(run_cli: RunCli) -> None:
    result = run_cli("db", "status", "--json")
    assert result.exit_code == 0
    assert result.json()["state"] == "current"
    upgrade = run_cli("db", "upgrade", "--json")
    assert upgrade.exit_code == 0, upgrade.output
    assert upgrade.json() | {"database": ""} == {
        "database": "", "revision_before": result.json()["head"],
        "revision": result.json()["head"], "upgraded": False,
        "copy_before_upgrade": None}


@pytest.mark.parametrize(("typed", "why"), [
    ("2027", "is not a date."),  # was 2027 with today's month and day
    ("Nov", "not a complete date"),
    ("11/2027", "is not a date."),
    ("04/01/2027 or so", "is not a date"),
])
def test_a_date_missing_a_part_is_refused_not_filled_in_from_today(
        run_cli: RunCli, typed: str, why: str) -> None:
    result = run_cli("programme", "set", "--transfer-date", typed)
    assert result.exit_code == 2 and why in result.stderr
    assert run_cli("programme", "show", "--json").json()["transfer_date"] is None


@pytest.mark.parametrize(("typed", "day"), [
    ("2027-4-1", "2027-04-01"),  # year first is year, month, day (was 4 January)
    ("2027.04.01", "2027-04-01"),
    ("1/4/2027", "2027-04-01"),
    ("1 April 2027", "2027-04-01"),
])
def test_dates_are_read_as_the_importer_reads_them(run_cli: RunCli, typed: str, day: str) -> None:
    assert run_cli("programme", "set", "--transfer-date", typed).exit_code == 0
    assert run_cli("programme", "show", "--json").json()["transfer_date"] == day


def test_a_pinned_today_is_said_on_every_command(run_cli: RunCli,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """TRANSITION_AS_OF left set after the demo would date letters and count overdue tasks
    from the wrong day on a real database: every command says so, once, on stderr."""
    pinned = run_cli("programme", "show", "--json")
    assert "Note: today is taken as 15 January 2027 (TRANSITION_AS_OF), not the real date." in (
        " ".join(pinned.stderr.split()))
    pinned.json()  # stdout is still the one JSON document
    monkeypatch.delenv("TRANSITION_AS_OF")
    assert "today is taken as" not in run_cli("programme", "show").stderr


def test_own_handover_dates_after_a_new_transfer_date_are_warned_of(
        run_cli: RunCli, database: Database) -> None:
    """Phased moves set for May and June, then the transfer date brought forward to 30 April:
    those after it would change worker after the partnership has ended."""
    with database.transaction() as session:
        for day in (date(2027, 5, 4), date(2027, 6, 1), date(2027, 6, 1)):
            make_person(session, handover_date=day)
        make_person(session, handover_date=date(2027, 6, 1), team="South CMHT")
        make_person(session, handover_date=date(2027, 4, 20))  # before it: fine
        gone = caseload_import(session, date(2027, 1, 10))  # not in the export: not moving
        make_person(session, handover_date=date(2027, 6, 1), missing_since_batch_id=gone.id)
    result = run_cli("programme", "set", "--transfer-date", "2027-04-30", "--json")
    assert result.exit_code == 0, result.output
    assert result.json()["own_handover_dates_after_transfer"] == 4
    said = " ".join(result.stderr.split())
    assert ("Warning: 4 people have their own handover date (a phased move) after Friday 30 "
            "April 2027, when the partnership ends (North CMHT 3, South CMHT 1)") in said
    assert "transition handover-date --team TEAM DATE" in said
    later = run_cli("programme", "set", "--transfer-date", "2027-06-01", "--json")
    assert later.json()["own_handover_dates_after_transfer"] == 0
    assert "own handover date" not in later.stderr
