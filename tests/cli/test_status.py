"""`transition status`: the dashboard without the app. Each part must agree with the command
that shows it in full (plan status, tasks progress, check history)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.caseloads import caseload_numbers
from tests.conftest import TODAY, RunCli
from tests.factories import make_person, make_staff
from tests.importing import staff_row, write_csv
from transition.allocation import NewAssignment, set_assignments
from transition.allocation_status import allocation_status, status_lines
from transition.config import Settings
from transition.db import Database


@pytest.fixture(autouse=True)
def _decisions_as_built(monkeypatch: pytest.MonkeyPatch) -> None:
    """The caseload's pathways and bands are set directly; planning must not re-decide them."""
    monkeypatch.setattr("transition.planning.bring_assessments_up_to_date",
                        lambda *args, **kwargs: None)


def test_an_empty_database_needs_a_transfer_date(run_cli: RunCli) -> None:
    result = run_cli("status")
    assert result.exit_code == 1
    said = " ".join(result.stdout.split())
    assert "Transfer not set: transition programme set --transfer-date DATE" in said
    assert "No one is on the caseload yet" in said
    assert "Needs attention: no transfer date is set." in said


def test_status_agrees_with_each_part_shown_in_full(run_cli: RunCli, settings: Settings) -> None:
    caseload_numbers(settings)
    run_cli("plan")
    run_cli("plan", "accept")
    run_cli("tasks", "generate")
    run_cli("check")

    result = run_cli("status", "--json")
    assert result.exit_code == 1, result.output  # one person has no worker in a role they need
    data = result.json()
    assert data["allocation"] == run_cli("plan", "status", "--json").json()
    progress = run_cli("tasks", "progress", "--json").json()
    assert data["tasks"] == progress["progress"]
    assert data["programme"]["transfer_date"] == "2027-04-01"
    assert data["programme"]["working_days"] == progress["countdown"]["working_days"]
    assert data["caseload"]["people"] == 10 and data["allocation"]["not_assessed"] == 1
    assert sum(data["pathways"].values()) == 9
    history = run_cli("check", "history", "--json").json()
    assert data["last_check"]["run_id"] == history[0]["run_id"]
    assert data["last_check"]["findings"]["critical"] >= 1
    assert data["attention"][0] == (
        "1 person has no worker in a role they need: 1 with no worker at all (transition "
        "people --needs-worker)")

    text = run_cli("status")
    said = " ".join(text.stdout.split())
    assert f"Allocation Allocation from plan {data['allocation']['accepted']['plan_id']}" in said
    allocation = data["allocation"]
    assert (f"{allocation['kept']} roles kept with the current worker "
            f"{allocation['moved']} roles moving to a new worker") in said
    assert "1 of them, no worker in a role they need (1 with no worker at all)" in said
    assert f"Last check run {data['last_check']['run_id']}" in said
    assert "Needs attention: 1 person has no worker in a role they need" in said


def test_status_shows_the_councils_amhp_cover_after_the_transfer(run_cli: RunCli,
                                                                 tmp_path: Path) -> None:
    run_cli("programme", "set", "--transfer-date", "2027-04-01")
    rows = [staff_row(1, role="amhp", fte="1.0"),
            staff_row(2, role="amhp", fte="0.5", leaving_date="01/03/2027"),
            staff_row(3, role="amhp", employer="trust", seconded="N", council_team="",
                      fte="0.8")]
    run_cli("import", "staff", str(write_csv(tmp_path / "staff.csv", rows)))
    data = run_cli("status", "--json", "--as-of", "2026-12-01").json()
    cover = data["amhp_cover"]
    assert cover["council_on_transfer_date"] == {"people": 1, "fte": 1.0}
    assert cover["rota_today"] == {"people": 3, "fte": 2.3, "not_council": 1,
                                   "not_council_fte": 0.8}
    assert cover["council_gone_by_then"] == [{"staff_id": "S002",
                                              "why": "leaves on 2027-03-01"}]
    assert cover["short_fte"] == 1.3
    said = " ".join(run_cli("status", "--as-of", "2026-12-01").stdout.split())
    assert ("AMHP cover council 1 FTE (1) on 1 Apr 2027; on the rota today 2.3 FTE (3, 1 not "
            "council): 1.3 FTE short (transition check)") in said


def test_status_says_nothing_of_amhps_when_the_staff_list_has_none(run_cli: RunCli,
                                                                  settings: Settings) -> None:
    caseload_numbers(settings)
    assert run_cli("status", "--json").json()["amhp_cover"] is None
    assert "AMHP" not in run_cli("status").stdout


def test_status_counts_coordinators_whose_allocation_ended(run_cli: RunCli,
                                                          settings: Settings) -> None:
    database = Database.from_settings(settings)
    with database.transaction() as session:
        make_staff(session, "S1")
        make_person(session, care_coordinator_id="S1", coordinator_until=TODAY - timedelta(1))
        make_person(session, care_coordinator_id="S1")
    database.dispose()
    data = run_cli("status", "--json").json()
    assert data["caseload"]["coordinator_allocation_ended"] == 1
    said = " ".join(run_cli("status").stdout.split())
    assert "1 whose coordinator's allocation has ended" in said


@pytest.mark.parametrize(("as_of", "said"), [
    ("2027-03-31", "Transfer 1 Apr 2027: 1 working day to go (1 day); today 31 Mar 2027"),
    ("2027-04-01", "Transfer 1 Apr 2027: Transfer day; today 1 Apr 2027"),
    ("2027-04-06", ("Transfer 1 Apr 2027: 3 working days since the transfer date (5 days "
                    "ago); today 6 Apr 2027")),
])
def test_status_counts_the_days_either_side_of_the_transfer(run_cli: RunCli, as_of: str,
                                                            said: str) -> None:
    run_cli("programme", "set", "--transfer-date", "2027-04-01")
    assert said in " ".join(run_cli("status", "--as-of", as_of).stdout.split())


def test_status_says_where_the_allocation_stands_in_the_dashboards_words(
    run_cli: RunCli, settings: Settings,
) -> None:
    """Before a plan, a person whose coordinator holds them waits for a plan; one the export
    names no coordinator for has no worker in a role they need (not "waits"); a role held that a
    changed pathway no longer needs is said too. The same lines as the dashboard's
    Allocation box (``status_lines``)."""
    database = Database.from_settings(settings)
    with database.transaction() as session:
        make_staff(session, "S1")
        make_person(session, pathway="council", care_coordinator_id="S1")
        make_person(session, pathway="council", care_coordinator_id=None)
        signposted = make_person(session, pathway="signpost", care_coordinator_id="S1")
        set_assignments(session, [NewAssignment(signposted.id, "social_worker", "S1",
                                                date(2027, 4, 1))], actor="test")
        status = allocation_status(session, TODAY)
    database.dispose()
    said = " ".join(run_cli("status").stdout.split())
    assert "wait for a plan" not in said and "waits for a plan" not in said
    for words in ("2 people whose pathway needs a worker",
                  "1 of them, waiting for a plan (coordinator holds them)",
                  "1 of them, no worker in a role they need (1 with no worker at all)",
                  "1 role held that the pathway no longer needs"):
        assert words in said
    for line in status_lines(status):
        assert (f"{line.value:,} {line.label}" in said) == bool(line.value), line.key


def test_docs6_status_help_names_every_reason_for_exit_1(run_cli: RunCli) -> None:
    """--help listed four of the six things that make status exit 1 (the README lists all)."""
    said = " ".join(run_cli("status", "--help").stdout.split())
    for reason in ("someone has no worker in a role they need", "overdue tasks",
                   "critical findings at the last check", "no transfer date",
                   "nothing imported yet",
                   "the transfer date has come with no plan accepted"):
        assert reason in said, reason
